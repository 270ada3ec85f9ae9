//! Importing recorded attributes (asset tag, responsible person, location, procurement
//! year, notes) from a CSV or XLSX file, keyed by asset tag, serial number or MAC
//! address (or the register's own `asset_id`, as `/inventory.csv` exports it).
//!
//! [`plan`] reads the whole file and lists, row by row, what would change and every
//! bad row with its line number; [`apply`] writes a plan without errors in one
//! transaction. A file with any bad row changes nothing.
//!
//! Cells: an empty cell leaves the value as it is; `-` clears it. The header row names
//! the columns, in English or Indonesian (`kode_barang`, `penanggung_jawab`, ...);
//! columns of the register's own CSV export that cannot be imported (name, vendor,
//! first seen, ...) are ignored, so an exported file can be edited and imported back.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Asset;
use crate::store::asset_attrs::{self, Attributes, Author, Change, WriteError};
use crate::store::db::{Db, DbError};

/// The largest file accepted.
pub const MAX_BYTES: usize = 4 << 20;
/// The most data rows accepted.
pub const MAX_ROWS: usize = 100_000;

/// What a column of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    AssetId,
    Agency,
    Mac,
    Serial,
    Tag,
    Responsible,
    Location,
    Year,
    Notes,
    /// A column of the register's export that is not imported.
    Ignored,
}

/// The header names of each column kind (lower case, `_` for spaces and dashes).
const NAMES: [(&str, Column); 28] = [
    ("asset_id", Column::AssetId),
    ("id_aset", Column::AssetId),
    ("agency", Column::Agency),
    ("perangkat_daerah", Column::Agency),
    ("kode_perangkat_daerah", Column::Agency),
    ("mac", Column::Mac),
    ("macs", Column::Mac),
    ("mac_address", Column::Mac),
    ("alamat_mac", Column::Mac),
    ("serial", Column::Serial),
    ("serial_number", Column::Serial),
    ("nomor_seri", Column::Serial),
    ("asset_tag", Column::Tag),
    ("kode_barang", Column::Tag),
    ("nomor_inventaris", Column::Tag),
    ("responsible", Column::Responsible),
    ("penanggung_jawab", Column::Responsible),
    ("location", Column::Location),
    ("lokasi", Column::Location),
    ("procurement_year", Column::Year),
    ("tahun_pengadaan", Column::Year),
    ("notes", Column::Notes),
    ("catatan", Column::Notes),
    // the register's own export, read back
    ("name", Column::Ignored),
    ("vendor", Column::Ignored),
    ("model", Column::Ignored),
    ("addresses", Column::Ignored),
    ("nama", Column::Ignored),
];

/// More export columns that are not imported.
const EXPORT_ONLY: [&str; 39] = [
    // the Indonesian export's (`assets-csv-*` of locales/id/assets.ftl)
    "nama_perangkat_daerah",
    "jenis_aset",
    "produsen",
    "alamat_ip",
    "sumber",
    "pertama_terlihat",
    "terakhir_terlihat",
    "lokasi_jaringan",
    "sistem_operasi",
    "versi_sistem_operasi",
    "inti_cpu",
    "utas_cpu",
    "memori_(byte)",
    "disk_(byte)",
    "agency_name",
    "asset_type",
    "source",
    "first_seen",
    "last_seen",
    "site",
    "status",
    "not_seen_since",
    "os",
    "os_version",
    "cpu",
    "cpu_cores",
    "cpu_threads",
    "memory_bytes",
    "disks",
    "disk_bytes",
    "hardware",
    // a server's software
    "packages",
    "package_manager",
    "running_kernel",
    "reboot_needed",
    "jumlah_paket",
    "pengelola_paket",
    "kernel_berjalan",
    "perlu_dinyalakan_ulang",
];

fn column_of(name: &str) -> Option<Column> {
    let key: String = name
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    NAMES
        .iter()
        .find(|(n, _)| *n == key)
        .map(|(_, c)| *c)
        .or_else(|| {
            EXPORT_ONLY
                .contains(&key.as_str())
                .then_some(Column::Ignored)
        })
}

/// The columns a file may have, for messages: every name each kind is known by.
fn known_columns() -> String {
    let kinds = [
        Column::AssetId,
        Column::Agency,
        Column::Mac,
        Column::Serial,
        Column::Tag,
        Column::Responsible,
        Column::Location,
        Column::Year,
        Column::Notes,
    ];
    kinds
        .iter()
        .map(|k| {
            NAMES
                .iter()
                .filter(|(_, c)| c == k)
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A MAC address as the register writes it (`02:00:00:00:00:0a`), from the usual
/// spellings: colons, dashes, Cisco's dots, or none, in either case. None: not one.
pub fn normal_mac(s: &str) -> Option<String> {
    let hex: String = s
        .chars()
        .filter(|c| !matches!(c, ':' | '-' | '.'))
        .collect::<String>()
        .to_ascii_lowercase();
    (hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        hex.as_bytes()
            .chunks(2)
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>()
            .join(":")
    })
}

/// A file's rows: each with its line (the spreadsheet's row number; 1 is the header).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub rows: Vec<(usize, Vec<String>)>,
}

/// A bad row (or a bad file: line 0 for the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

fn file_error(message: impl Into<String>) -> Vec<LineError> {
    vec![LineError {
        line: 0,
        message: message.into(),
    }]
}

/// Reads a CSV (UTF-8, with or without BOM; `,` or `;` as the header row uses) or an
/// XLSX workbook (its first sheet).
pub fn read(bytes: &[u8]) -> Result<Table, Vec<LineError>> {
    if bytes.len() > MAX_BYTES {
        return Err(file_error(format!(
            "the file has {} bytes; at most {MAX_BYTES} bytes (4 MiB) are accepted",
            bytes.len()
        )));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, Vec<LineError>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        file_error(format!(
            "the file is neither an XLSX workbook nor UTF-8 text (byte {} is not UTF-8); save it as \"CSV UTF-8\" or as an Excel workbook (.xlsx)",
            e.valid_up_to()
        ))
    })?;
    // CRLF (what spreadsheets on Windows write) as LF: one line per row for the
    // reader's line numbers
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let header = text.lines().next().unwrap_or("");
    let sep = if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sep)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            vec![LineError {
                line,
                message: format!("not readable as CSV: {e}"),
            }]
        })?;
        let line = rec.position().map_or(rows.len() + 1, |p| p.line() as usize);
        rows.push((line, rec.iter().map(str::to_owned).collect()));
        if rows.len() > MAX_ROWS + 1 {
            return Err(file_error(format!("more than {MAX_ROWS} rows")));
        }
    }
    Ok(Table { rows })
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, Vec<LineError>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| file_error(format!("not a readable XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| file_error("the workbook has no sheet"))?
        .map_err(|e| file_error(format!("the first sheet is not readable: {e}")))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        if rows.len() > MAX_ROWS + 1 {
            return Err(file_error(format!("more than {MAX_ROWS} rows")));
        }
        // cells left of the used range are empty columns of the sheet
        let mut cells = vec![String::new(); first_col];
        cells.extend(row.iter().map(|c| match c {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Int(n) => n.to_string(),
            Data::Bool(b) => b.to_string(),
            other => other.to_string(),
        }));
        rows.push((first_row + i + 1, cells));
    }
    Ok(Table { rows })
}

/// One asset's changes in a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowChange {
    pub line: usize,
    pub asset_id: String,
    pub agency: String,
    pub name: String,
    pub changes: Vec<Change>,
    /// The attributes after the change.
    #[serde(skip)]
    pub new: Attributes,
    /// The asset's member ids (where its attributes may be recorded now).
    #[serde(skip)]
    pub member_ids: Vec<String>,
}

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Data rows read (the header and empty rows not counted).
    pub rows: usize,
    /// Rows that change an asset.
    pub changes: Vec<RowChange>,
    /// Rows whose values are already recorded.
    pub unchanged: usize,
    /// Bad rows: when there is any, nothing is imported.
    pub errors: Vec<LineError>,
    /// A digest of the changes, so that applying what a dry run showed can check that
    /// the same file still makes the same changes.
    pub digest: String,
}

/// The register's lookups: by id (and member id), MAC, serial and recorded asset tag.
struct Index {
    by_id: HashMap<String, usize>,
    by_mac: HashMap<String, Vec<usize>>,
    by_serial: HashMap<String, Vec<usize>>,
    by_tag: HashMap<(String, String), usize>,
}

impl Index {
    fn new(assets: &[Asset]) -> Self {
        let mut ix = Index {
            by_id: HashMap::new(),
            by_mac: HashMap::new(),
            by_serial: HashMap::new(),
            by_tag: HashMap::new(),
        };
        for (i, a) in assets.iter().enumerate() {
            for id in a.member_ids() {
                ix.by_id.entry(id).or_insert(i);
            }
            ix.by_id.insert(a.id.clone(), i);
            for m in &a.macs {
                ix.by_mac.entry(m.to_ascii_lowercase()).or_default().push(i);
            }
            let s = a.serial.trim().to_lowercase();
            if !s.is_empty() {
                ix.by_serial.entry(s).or_default().push(i);
            }
            if !a.attributes.tag.is_empty() {
                ix.by_tag
                    .insert((a.agency.clone(), a.attributes.tag.to_lowercase()), i);
            }
        }
        ix
    }

    /// The asset a row names, and by which key first.
    fn find(&self, row: &Row<'_>, assets: &[Asset]) -> Result<(String, usize), String> {
        let mut found: Vec<(String, usize)> = Vec::new();
        if let Some(id) = row.get(Column::AssetId) {
            let i = self
                .by_id
                .get(id)
                .ok_or_else(|| format!("no asset has asset_id {id:?}"))?;
            found.push((format!("asset_id {id:?}"), *i));
        }
        if let Some(macs) = row.get(Column::Mac) {
            for m in macs.split([' ', ',', ';']).filter(|m| !m.is_empty()) {
                let m = normal_mac(m).ok_or_else(|| {
                    format!("{m:?} is not a MAC address; write it like 02:00:00:00:00:0a")
                })?;
                let hits = self
                    .by_mac
                    .get(&m)
                    .ok_or_else(|| format!("no asset has MAC address {m}"))?;
                found.extend(hits.iter().map(|i| (format!("MAC {m}"), *i)));
            }
        }
        if let Some(s) = row.get(Column::Serial) {
            match self.by_serial.get(&s.to_lowercase()).map(Vec::as_slice) {
                Some([i]) => found.push((format!("serial {s:?}"), *i)),
                // a serial many share ("To Be Filled By O.E.M.") names none of them
                Some(many) if found.is_empty() => {
                    return Err(format!(
                        "serial {s:?} names {} assets; add their MAC address or asset_id",
                        many.len()
                    ))
                }
                Some(_) => {}
                None => return Err(format!("no asset has serial number {s:?}")),
            }
        }
        if found.is_empty() {
            // the asset tag is the key only when nothing else names the asset
            let t = row
                .get(Column::Tag)
                .filter(|t| *t != "-")
                .ok_or("no asset_id, MAC address, serial or asset tag to find the asset by")?;
            let hits: Vec<usize> = match row.get(Column::Agency) {
                Some(a) => self
                    .by_tag
                    .get(&(a.to_owned(), t.to_lowercase()))
                    .copied()
                    .into_iter()
                    .collect(),
                None => self
                    .by_tag
                    .iter()
                    .filter(|((_, tag), _)| *tag == t.to_lowercase())
                    .map(|(_, i)| *i)
                    .collect(),
            };
            match hits.as_slice() {
                [i] => found.push((format!("asset tag {t:?}"), *i)),
                [] => return Err(format!("no asset has asset tag {t:?} recorded; to record a new tag, add the asset's MAC address, serial or asset_id")),
                many => return Err(format!("asset tag {t:?} is recorded in {} agencies; add the agency column", many.len())),
            }
        }
        let (first_key, i) = found[0].clone();
        if let Some((key, j)) = found.iter().find(|(_, j)| *j != i) {
            let (a, b) = (&assets[i], &assets[*j]);
            return Err(format!(
                "{first_key} is asset {} ({}) but {key} is asset {} ({}); one row names one asset",
                a.id, a.name, b.id, b.name
            ));
        }
        Ok((first_key, i))
    }
}

/// One data row, its cells by column kind.
struct Row<'a> {
    cols: &'a [Column],
    cells: &'a [String],
}

impl Row<'_> {
    /// The first non-empty cell of column kind `c`, trimmed; the `'` the register's
    /// own CSV puts before a formula-like value (`'=...`, `'+62 ...`) taken off again,
    /// so that an exported file imports back unchanged.
    fn get(&self, c: Column) -> Option<&str> {
        self.cols
            .iter()
            .zip(self.cells)
            .filter(|(k, _)| **k == c)
            .map(|(_, v)| v.trim())
            .map(|v| match v.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
                _ => v,
            })
            .find(|v| !v.is_empty())
    }
}

/// Plans the import of `table` into `assets` (already those the importer may change)
/// at `now`.
pub fn plan(table: &Table, assets: &[Asset], now: f64) -> Plan {
    let mut errors = Vec::new();
    let Some((header_line, header)) = table.rows.first() else {
        return finish(0, Vec::new(), 0, file_error("the file is empty: the first row must name the columns, e.g. mac,asset_tag,responsible,location,procurement_year,notes"));
    };
    let mut cols = Vec::new();
    for name in header {
        if name.trim().is_empty() {
            cols.push(Column::Ignored);
            continue;
        }
        match column_of(name) {
            Some(c) => cols.push(c),
            None => errors.push(LineError {
                line: *header_line,
                message: format!(
                    "column {name:?} is not known; the columns are {}",
                    known_columns()
                ),
            }),
        }
    }
    let keys = [Column::AssetId, Column::Mac, Column::Serial, Column::Tag];
    if errors.is_empty() && !cols.iter().any(|c| keys.contains(c)) {
        errors.push(LineError {
            line: *header_line,
            message: "no column to find the assets by: add asset_id, mac, serial or asset_tag"
                .into(),
        });
    }
    if !errors.is_empty() {
        return finish(table.rows.len().saturating_sub(1), Vec::new(), 0, errors);
    }
    let ix = Index::new(assets);
    let mut changes = Vec::new();
    let mut unchanged = 0;
    let mut rows = 0;
    let mut seen_asset: HashMap<usize, usize> = HashMap::new();
    let mut seen_tag: HashMap<(String, String), usize> = HashMap::new();
    for (line, cells) in table.rows.iter().skip(1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows += 1;
        let row = Row { cols: &cols, cells };
        let planned = plan_row(
            &row,
            &ix,
            assets,
            now,
            *line,
            &mut seen_asset,
            &mut seen_tag,
        );
        match planned {
            Ok(Some(c)) => changes.push(c),
            Ok(None) => unchanged += 1,
            Err(message) => errors.push(LineError {
                line: *line,
                message,
            }),
        }
    }
    finish(rows, changes, unchanged, errors)
}

/// One row's change (None: its values are already recorded), or why it is bad.
fn plan_row(
    row: &Row<'_>,
    ix: &Index,
    assets: &[Asset],
    now: f64,
    line: usize,
    seen_asset: &mut HashMap<usize, usize>,
    seen_tag: &mut HashMap<(String, String), usize>,
) -> Result<Option<RowChange>, String> {
    let (first_key, i) = ix.find(row, assets)?;
    let asset = &assets[i];
    if let Some(a) = row.get(Column::Agency) {
        if a != asset.agency {
            return Err(format!(
                "{first_key} is asset {} of agency {:?}, not {a:?}",
                asset.id, asset.agency
            ));
        }
    }
    if let Some(prev) = seen_asset.insert(i, line) {
        return Err(format!(
            "asset {} ({}) is also on line {prev}; one row per asset",
            asset.id, asset.name
        ));
    }
    // the new values: an empty cell leaves the value, "-" clears it
    let mut new = asset.attributes.clone();
    for (c, old) in [
        (Column::Tag, &mut new.tag),
        (Column::Responsible, &mut new.responsible),
        (Column::Location, &mut new.location),
        (Column::Notes, &mut new.notes),
    ] {
        match row.get(c) {
            Some("-") => old.clear(),
            Some(v) => *old = v.to_owned(),
            None => {}
        }
    }
    match row.get(Column::Year) {
        Some("-") => new.procurement_year = None,
        Some(y) => {
            new.procurement_year = Some(y.parse::<i64>().map_err(|_| {
                format!(
                    "procurement_year {y:?} is not a year; write it like 2021, or - to clear it"
                )
            })?)
        }
        None => {}
    }
    let new = super::check(new, now).map_err(|p| super::describe(&p))?;
    if !new.tag.is_empty() {
        let key = (asset.agency.clone(), new.tag.to_lowercase());
        if let Some(&other) = ix.by_tag.get(&key).filter(|o| **o != i) {
            let o = &assets[other];
            return Err(format!(
                "asset tag {:?} is already recorded for asset {} ({}); an asset tag names one asset of an agency",
                new.tag, o.id, o.name
            ));
        }
        if let Some(prev) = seen_tag.insert(key, line) {
            return Err(format!("asset tag {:?} is also on line {prev}", new.tag));
        }
    }
    let changes = asset_attrs::changes(&asset.attributes, &new);
    Ok((!changes.is_empty()).then(|| RowChange {
        line,
        asset_id: asset.id.clone(),
        agency: asset.agency.clone(),
        name: asset.name.clone(),
        changes,
        new,
        member_ids: asset.member_ids(),
    }))
}

fn finish(rows: usize, changes: Vec<RowChange>, unchanged: usize, errors: Vec<LineError>) -> Plan {
    let mut h = Sha256::new();
    for c in &changes {
        h.update(c.asset_id.as_bytes());
        for x in &c.changes {
            for s in [&x.field, &x.old_value, &x.new_value] {
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
        }
        h.update([0]);
    }
    let digest = h
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    Plan {
        rows,
        changes,
        unchanged,
        errors,
        digest,
    }
}

/// Why [`apply`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("the file has {0} bad row(s); nothing was imported")]
    BadRows(usize),
    #[error("line {line}: {source}; nothing was imported")]
    Write {
        line: usize,
        #[source]
        source: WriteError,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Writes a plan without errors, all of it or nothing, audited as `by`.
pub fn apply(conn: &Db, plan: &Plan, by: &Author<'_>) -> Result<usize, ApplyError> {
    if !plan.errors.is_empty() {
        return Err(ApplyError::BadRows(plan.errors.len()));
    }
    conn.transaction(|tx| {
        let mut n = 0;
        for c in &plan.changes {
            n += asset_attrs::write(tx, &c.member_ids, &c.agency, &c.new, by)
                .map_err(|source| ApplyError::Write {
                    line: c.line,
                    source,
                })?
                .len();
        }
        Ok(n)
    })
}
