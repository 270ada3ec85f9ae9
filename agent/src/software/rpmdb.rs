//! The installed packages of rpm's SQLite database (`rpmdb.sqlite`: RHEL and Rocky 9,
//! Fedora 33 and later, openSUSE's newer releases), read directly instead of through
//! `rpm -qa`: rpm's own start-up costs more CPU than reading the list.
//!
//! Each row of its `Packages` table is one installed package's header, as rpm stores
//! it (rpm's `headerExport`, without the magic): the count of index entries and the
//! size of the data, big-endian, then the entries (tag, type, offset, count), then the
//! data. Only NAME, VERSION, RELEASE, EPOCH and ARCH are read; the file lists after
//! them, most of each header, are not.

use std::path::Path;

use simpul_protocol::Package;

use super::sqlite::{be32, Database, Row, SqliteError};

const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const EPOCH: u32 = 1003;
const ARCH: u32 = 1022;
const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;

/// The packages of the database at `path` (the keys, `gpg-pubkey`, left out), as
/// `rpm -qa` lists them (see [`super::parse_rpm_query`]).
pub fn read(path: &Path) -> Result<Vec<Package>, SqliteError> {
    let db = Database::open(path)?;
    let root = db.table_root("Packages")?;
    let mut out = Vec::new();
    let mut error = None;
    db.scan(root, &mut |hnum, mut row| {
        match header(&db, &mut row) {
            Ok(fields) => out
                .extend(fields.and_then(|f| super::rpm_package(f.each_ref().map(String::as_str)))),
            Err(what) => {
                error = Some(format!("the header of package {hnum}: {what}"));
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    if let Some(what) = error {
        return Err(db.error(what));
    }
    out.shrink_to_fit();
    Ok(out)
}

/// A stored header's name, epoch (`""` when it has none), version, release and arch
/// (`(none)` when it has none, as rpm prints it); `None` for a header without a name.
fn header(db: &Database, row: &mut Row<'_>) -> Result<Option<[String; 5]>, String> {
    let e = |e: SqliteError| e.to_string();
    let (off, len, serial) = row.column(db, 1).map_err(e)?.ok_or("no blob column")?;
    if serial < 12 || serial % 2 == 1 {
        return Err(format!("column 2 is of serial type {serial}, not a blob"));
    }
    let head = row.bytes(db, off, off + 8).map_err(e)?;
    let word = be32;
    if head.len() < 8 {
        return Err(format!("{len} bytes, too short for a header"));
    }
    let (entries, data_len) = (word(&head, 0) as usize, word(&head, 4) as usize);
    let data = off + 8 + 16 * entries;
    if entries == 0 || data.checked_add(data_len) != Some(off + len) {
        return Err(format!(
            "{entries} entries and {data_len} bytes of data do not make its {len} bytes"
        ));
    }
    let index = row.bytes(db, off + 8, data).map_err(e)?.into_owned();
    let mut fields: [Option<String>; 5] = Default::default();
    for entry in index.chunks_exact(16) {
        let (tag, kind, at) = (word(entry, 0), word(entry, 4), word(entry, 8) as usize);
        let slot = match tag {
            NAME => 0,
            EPOCH => 1,
            VERSION => 2,
            RELEASE => 3,
            ARCH => 4,
            _ => continue,
        };
        if at >= data_len {
            return Err(format!("tag {tag} points past the data"));
        }
        let value = match (tag, kind) {
            (EPOCH, TYPE_INT32) => {
                let b = row.bytes(db, data + at, data + at + 4).map_err(e)?;
                if b.len() < 4 {
                    return Err("the epoch is cut".into());
                }
                word(&b, 0).to_string()
            }
            (EPOCH, _) => return Err(format!("the epoch is of type {kind}, not INT32")),
            (_, TYPE_STRING) => string(db, row, data + at, data + data_len).map_err(e)?,
            (_, _) => return Err(format!("tag {tag} is of type {kind}, not STRING")),
        };
        fields[slot] = Some(value);
    }
    let [Some(name), epoch, Some(version), Some(release), arch] = fields else {
        return Ok(None);
    };
    Ok(Some([
        name,
        epoch.unwrap_or_default(),
        version,
        release,
        arch.unwrap_or_else(|| "(none)".into()),
    ]))
}

/// The NUL-terminated string at `start` of the payload, read no further than `end`.
fn string(
    db: &Database,
    row: &mut Row<'_>,
    start: usize,
    end: usize,
) -> Result<String, SqliteError> {
    // most names and versions are short: read 128 bytes, then to the end if need be
    let mut upto = (start + 128).min(end);
    loop {
        let b = row.bytes(db, start, upto)?;
        if let Some(nul) = b.iter().position(|&c| c == 0) {
            return Ok(String::from_utf8_lossy(&b[..nul]).into_owned());
        }
        if upto == end {
            return Ok(String::from_utf8_lossy(&b).into_owned());
        }
        upto = end;
    }
}
