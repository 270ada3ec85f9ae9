//! What people record about an asset that discovery cannot know (`asset_attributes`),
//! and every change to it (`asset_audit`): who, when, through what, old and new value.
//!
//! A row is keyed by the asset's register id (`assets::Asset::id`). An asset made of
//! several sightings (an agent's host and the same machine found on the LAN) has one
//! id but may find its attributes under another of its member ids, recorded before the
//! two were matched: [`write`] moves them to the asset's id.

use crate::params;
use crate::store::db::{Db, DbError};

/// The attributes of one asset, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attributes {
    /// Asset tag: kode barang / nomor inventaris.
    #[serde(rename = "asset_tag")]
    pub tag: String,
    /// The person responsible for it.
    pub responsible: String,
    /// Where it is: building, room, rack.
    pub location: String,
    pub procurement_year: Option<i64>,
    pub notes: String,
}

/// The fields of [`Attributes`] by name, in their order on pages and in the audit.
pub const FIELDS: [&str; 5] = [
    "asset_tag",
    "responsible",
    "location",
    "procurement_year",
    "notes",
];

impl Attributes {
    /// The value of field `name` (one of [`FIELDS`]) as text ("" when unset).
    pub fn field(&self, name: &str) -> String {
        match name {
            "asset_tag" => self.tag.clone(),
            "responsible" => self.responsible.clone(),
            "location" => self.location.clone(),
            "procurement_year" => self
                .procurement_year
                .map_or(String::new(), |y| y.to_string()),
            "notes" => self.notes.clone(),
            _ => String::new(),
        }
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A recorded row: the attributes, whose asset and agency, and the last change.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub asset_id: String,
    pub agency: String,
    pub attributes: Attributes,
    pub updated_at: f64,
    pub updated_by: String,
}

const COLUMNS: &str =
    "asset_id, agency, tag, responsible, location, procurement_year, notes, updated_at, updated_by";

fn row(r: &crate::store::db::Row<'_>) -> Result<Recorded, DbError> {
    Ok(Recorded {
        asset_id: r.get(0)?,
        agency: r.get(1)?,
        attributes: Attributes {
            tag: r.get(2)?,
            responsible: r.get(3)?,
            location: r.get(4)?,
            procurement_year: r.get(5)?,
            notes: r.get(6)?,
        },
        updated_at: r.get(7)?,
        updated_by: r.get(8)?,
    })
}

/// Every recorded row of `agency` (every agency's when None).
pub fn all(conn: &Db, agency: Option<&str>) -> Result<Vec<Recorded>, DbError> {
    match agency {
        Some(a) => conn.query(
            &format!("SELECT {COLUMNS} FROM asset_attributes WHERE agency = ?1"),
            params![a],
            row,
        ),
        None => conn.query(
            &format!("SELECT {COLUMNS} FROM asset_attributes"),
            params![],
            row,
        ),
    }
}

/// One change of one field, as audited.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// An audited change with its asset, author and time.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub asset_id: String,
    pub agency: String,
    #[serde(flatten)]
    pub change: Change,
    pub changed_by: String,
    pub changed_at_seconds: f64,
    /// `web`, `api` or `import`.
    pub via: String,
}

/// Why [`write`] refused.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("asset tag {tag:?} is already recorded for asset {other}; an asset tag names one asset of an agency")]
    TagTaken { tag: String, other: String },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Who changes the attributes, and through what.
#[derive(Debug, Clone)]
pub struct Author<'a> {
    pub name: &'a str,
    /// `web`, `api` or `import`.
    pub via: &'a str,
    pub at: f64,
}

/// The field-by-field changes from `old` to `new`.
pub fn changes(old: &Attributes, new: &Attributes) -> Vec<Change> {
    FIELDS
        .iter()
        .filter_map(|f| {
            let (o, n) = (old.field(f), new.field(f));
            (o != n).then(|| Change {
                field: (*f).to_owned(),
                old_value: o,
                new_value: n,
            })
        })
        .collect()
}

/// Records `new` as the attributes of asset `ids[0]` of `agency` (inside the caller's
/// transaction), moving a row found under another of its member ids `ids[1..]`, and
/// audits each changed field. Returns the changes (none: nothing written).
pub fn write(
    tx: &Db,
    ids: &[String],
    agency: &str,
    new: &Attributes,
    by: &Author<'_>,
) -> Result<Vec<Change>, WriteError> {
    let Some(id) = ids.first() else {
        return Ok(Vec::new());
    };
    let mut old: Option<Recorded> = None;
    for m in ids {
        old = tx.query_row(
            &format!("SELECT {COLUMNS} FROM asset_attributes WHERE asset_id = ?1"),
            params![m],
            row,
        )?;
        if old.is_some() {
            break;
        }
    }
    let before = old
        .as_ref()
        .map(|r| r.attributes.clone())
        .unwrap_or_default();
    let diff = changes(&before, new);
    if diff.is_empty() {
        return Ok(diff);
    }
    if !new.tag.is_empty() {
        let holders: Vec<String> = tx.query(
            "SELECT asset_id FROM asset_attributes WHERE agency = ?1 AND lower(tag) = lower(?2)",
            params![agency, new.tag],
            |r| r.get(0),
        )?;
        if let Some(other) = holders.into_iter().find(|h| !ids.contains(h)) {
            return Err(WriteError::TagTaken {
                tag: new.tag.clone(),
                other,
            });
        }
    }
    if let Some(o) = old.as_ref().filter(|o| &o.asset_id != id) {
        tx.execute(
            "DELETE FROM asset_attributes WHERE asset_id = ?1",
            params![o.asset_id],
        )?;
    }
    tx.execute(
        "INSERT INTO asset_attributes (asset_id, agency, tag, responsible, location,
           procurement_year, notes, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(asset_id) DO UPDATE SET agency = excluded.agency, tag = excluded.tag,
           responsible = excluded.responsible, location = excluded.location,
           procurement_year = excluded.procurement_year, notes = excluded.notes,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        params![
            id,
            agency,
            new.tag,
            new.responsible,
            new.location,
            new.procurement_year,
            new.notes,
            by.at,
            by.name
        ],
    )?;
    for c in &diff {
        tx.execute(
            "INSERT INTO asset_audit (asset_id, agency, field, old_value, new_value, changed_by,
               changed_at, via)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                agency,
                c.field,
                c.old_value,
                c.new_value,
                by.name,
                by.at,
                by.via
            ],
        )?;
    }
    Ok(diff)
}

/// The audited changes of the assets `ids` (one asset's member ids), newest first.
pub fn history(conn: &Db, ids: &[String]) -> Result<Vec<AuditEntry>, DbError> {
    let mut out = Vec::new();
    for id in ids {
        out.extend(conn.query(
            "SELECT asset_id, agency, field, old_value, new_value, changed_by, changed_at, via
             FROM asset_audit WHERE asset_id = ?1",
            params![id],
            |r| {
                Ok(AuditEntry {
                    asset_id: r.get(0)?,
                    agency: r.get(1)?,
                    change: Change {
                        field: r.get(2)?,
                        old_value: r.get(3)?,
                        new_value: r.get(4)?,
                    },
                    changed_by: r.get(5)?,
                    changed_at_seconds: r.get(6)?,
                    via: r.get(7)?,
                })
            },
        )?);
    }
    out.sort_by(|a, b| b.changed_at_seconds.total_cmp(&a.changed_at_seconds));
    Ok(out)
}
