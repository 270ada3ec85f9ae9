//! One SQL interface over the two engines: embedded SQLite (the default) and PostgreSQL
//! (`store.kind = "postgres"`, for several collectors sharing one fleet).
//!
//! Every statement in the collector is written once, in the SQL both engines accept:
//! `?N` parameters (rewritten to `$N` for PostgreSQL), `ON CONFLICT` instead of `INSERT OR
//! ...`, `"end"` quoted, `CASE` instead of the two-argument `max`. Values cross the
//! boundary as [`Val`]: integers, doubles, text, bytes and NULL, converted to whatever
//! type PostgreSQL inferred for a parameter and read back from whatever type a column
//! has, so that no call site knows which engine it talks to.
//!
//! The engines implement one trait, [`Connection`] ([`Sqlite`] in `db/sqlite.rs`,
//! [`Postgres`] in `db/postgresql.rs`); [`Db`] holds either and gives the call sites typed
//! rows and transactions on top of it.

use std::error::Error as StdError;

mod postgresql;
mod sqlite;

pub use self::postgresql::{pg_sql, redact_url, Postgres, CA_FILE_BUT_NO_TLS, SYSTEM_CA_BUNDLE};
pub use self::sqlite::Sqlite;

/// Which engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Errors of either engine, and of converting values.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error("column {column}: {message}")]
    Column { column: usize, message: String },
    #[error("{0}")]
    Other(String),
}

/// A PostgreSQL error with its cause: the server's message, or what failed locally.
fn pg_message(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut m = format!("{}: {}", db.severity(), db.message());
        if let Some(d) = db.detail() {
            m.push_str(&format!(" ({d})"));
        }
        return m;
    }
    match StdError::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl DbError {
    /// Whether a UNIQUE or PRIMARY KEY constraint refused the statement.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::ConstraintViolation
            }
            DbError::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }

    /// An error for a value that cannot be stored (JSON that will not encode, ...).
    pub fn other(e: impl std::fmt::Display) -> Self {
        DbError::Other(e.to_string())
    }
}

/// A value as it crosses the boundary, borrowed from the caller or the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Val<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Val::Null => "NULL",
            Val::Int(_) => "an integer",
            Val::Real(_) => "a double",
            Val::Text(_) => "text",
            Val::Blob(_) => "bytes",
        }
    }
}

/// A Rust value that can be a statement parameter.
pub trait ToVal {
    fn to_val(&self) -> Val<'_>;
}

macro_rules! to_val_int {
    ($($t:ty),*) => {$(
        impl ToVal for $t {
            fn to_val(&self) -> Val<'_> {
                Val::Int(i64::from(*self))
            }
        }
    )*};
}
to_val_int!(i64, i32, i16, u32, u16, u8);

impl ToVal for u64 {
    fn to_val(&self) -> Val<'_> {
        // counters past i64::MAX do not occur; saturate rather than wrap
        Val::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToVal for usize {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}
impl ToVal for bool {
    fn to_val(&self) -> Val<'_> {
        Val::Int(i64::from(*self))
    }
}
impl ToVal for f64 {
    fn to_val(&self) -> Val<'_> {
        Val::Real(*self)
    }
}
impl ToVal for f32 {
    fn to_val(&self) -> Val<'_> {
        Val::Real(f64::from(*self))
    }
}
impl ToVal for str {
    fn to_val(&self) -> Val<'_> {
        Val::Text(self)
    }
}
impl ToVal for String {
    fn to_val(&self) -> Val<'_> {
        Val::Text(self)
    }
}
impl ToVal for [u8] {
    fn to_val(&self) -> Val<'_> {
        Val::Blob(self)
    }
}
impl ToVal for Vec<u8> {
    fn to_val(&self) -> Val<'_> {
        Val::Blob(self)
    }
}
impl<T: ToVal + ?Sized> ToVal for &T {
    fn to_val(&self) -> Val<'_> {
        (**self).to_val()
    }
}
impl<T: ToVal> ToVal for Option<T> {
    fn to_val(&self) -> Val<'_> {
        self.as_ref().map_or(Val::Null, ToVal::to_val)
    }
}

/// Statement parameters: `params![a, b, c]`, each anything that is [`ToVal`].
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::db::ToVal]
    };
    ($($p:expr),+ $(,)?) => {
        &[$(&$p as &dyn $crate::store::db::ToVal),+] as &[&dyn $crate::store::db::ToVal]
    };
}

/// A Rust value a column can be read as.
pub trait FromVal: Sized {
    fn from_val(v: Val<'_>) -> Result<Self, String>;
}

fn mismatch<T>(want: &str, v: Val<'_>) -> Result<T, String> {
    Err(format!("expected {want}, found {}", v.kind()))
}

impl FromVal for i64 {
    fn from_val(v: Val<'_>) -> Result<Self, String> {
        match v {
            Val::Int(i) => Ok(i),
            // an integral double (a PostgreSQL sum, an SQLite REAL holding a count)
            Val::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            v => mismatch("an integer", v),
        }
    }
}

macro_rules! from_val_int {
    ($($t:ty),*) => {$(
        impl FromVal for $t {
            fn from_val(v: Val<'_>) -> Result<Self, String> {
                let i = i64::from_val(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range for {}", stringify!($t)))
            }
        }
    )*};
}
from_val_int!(i32, u32, u64, usize, u16, u8);

impl FromVal for bool {
    fn from_val(v: Val<'_>) -> Result<Self, String> {
        Ok(i64::from_val(v)? != 0)
    }
}
impl FromVal for f64 {
    fn from_val(v: Val<'_>) -> Result<Self, String> {
        match v {
            Val::Real(f) => Ok(f),
            Val::Int(i) => Ok(i as f64),
            v => mismatch("a number", v),
        }
    }
}
impl FromVal for String {
    fn from_val(v: Val<'_>) -> Result<Self, String> {
        match v {
            Val::Text(s) => Ok(s.to_owned()),
            v => mismatch("text", v),
        }
    }
}
impl FromVal for Vec<u8> {
    fn from_val(v: Val<'_>) -> Result<Self, String> {
        match v {
            Val::Blob(b) => Ok(b.to_owned()),
            Val::Text(s) => Ok(s.as_bytes().to_owned()),
            v => mismatch("bytes", v),
        }
    }
}
impl<T: FromVal> FromVal for Option<T> {
    fn from_val(v: Val<'_>) -> Result<Self, String> {
        match v {
            Val::Null => Ok(None),
            v => T::from_val(v).map(Some),
        }
    }
}

/// A column index (only `usize`; the trait lets `r.get(0)` infer it).
pub trait RowIndex {
    fn index(self) -> usize;
}
impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// One result row of either engine.
pub struct Row<'a>(&'a dyn Columns);

/// The columns of an engine's result row.
pub trait Columns {
    /// Column `column` as a [`Val`], borrowed from the row.
    fn value(&self, column: usize) -> Result<Val<'_>, DbError>;
}

impl<'a> Row<'a> {
    /// A row over an engine's columns (what a [`Connection`] hands to `each`).
    pub fn new(columns: &'a dyn Columns) -> Self {
        Row(columns)
    }

    /// Column `idx` as `T`: `r.get(0)?`, `r.get::<_, Option<f64>>(3)?`.
    pub fn get<I: RowIndex, T: FromVal>(&self, idx: I) -> Result<T, DbError> {
        let column = idx.index();
        T::from_val(self.0.value(column)?).map_err(|message| DbError::Column { column, message })
    }
}

/// What the store needs of an engine: statements with parameters, rows, and batches of
/// statements without. Implemented by [`Sqlite`] and [`Postgres`].
pub trait Connection: Send {
    /// Which engine this is.
    fn engine(&self) -> Engine;

    /// Runs a statement; returns the number of rows it changed.
    fn execute(&self, sql: &str, params: &[Val<'_>]) -> Result<usize, DbError>;

    /// Runs a query and hands its first `limit` rows to `each`, in order.
    fn query(
        &self,
        sql: &str,
        params: &[Val<'_>],
        limit: usize,
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), DbError>,
    ) -> Result<(), DbError>;

    /// Runs statements without parameters, separated by semicolons.
    fn batch(&self, sql: &str) -> Result<(), DbError>;

    /// The SQLite connection, for what only SQLite has (pragmas, backups of the file).
    fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        None
    }
}

/// A connection to the store, of either engine.
pub struct Db(Box<dyn Connection>);

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.engine())
    }
}

type Params<'p> = &'p [&'p dyn ToVal];

/// The parameters as values, borrowed from the caller's.
fn values<'p>(params: Params<'p>) -> Vec<Val<'p>> {
    params.iter().map(|p| p.to_val()).collect()
}

impl Db {
    /// Wraps an open SQLite connection.
    pub fn sqlite(conn: rusqlite::Connection) -> Self {
        Db(Box::new(Sqlite::new(conn)))
    }

    /// Connects to PostgreSQL at `url` (`postgres://user@host:port/db`, or key=value);
    /// see [`Postgres::connect`] for TLS.
    pub fn postgres(url: &str, ca_file: Option<&std::path::Path>) -> Result<Self, DbError> {
        Ok(Db(Box::new(Postgres::connect(url, ca_file)?)))
    }

    /// The engine behind this connection.
    pub fn engine(&self) -> Engine {
        self.0.engine()
    }

    /// The SQLite connection, for what only SQLite has (pragmas, backups of the file).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        self.0.as_sqlite()
    }

    /// Runs a statement; returns the number of rows it changed.
    pub fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, DbError> {
        self.0.execute(sql, &values(params))
    }

    /// Every row of a query, mapped by `f`.
    pub fn query<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        self.rows(sql, params, usize::MAX, f)
    }

    /// The first row of a query, mapped by `f`, or None when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        Ok(self.rows(sql, params, 1, f)?.pop())
    }

    /// At most `limit` rows of a query, mapped by `f`.
    fn rows<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        limit: usize,
        mut f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        let mut out = Vec::new();
        self.0.query(sql, &values(params), limit, &mut |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The one row a query always returns (an aggregate), mapped by `f`.
    pub fn query_one<T>(
        &self,
        sql: &str,
        params: Params<'_>,
        f: impl FnMut(&Row<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.query_row(sql, params, f)?
            .ok_or_else(|| DbError::Other(format!("no row from {sql:?}")))
    }

    /// Whether a query returns any row.
    pub fn exists(&self, sql: &str, params: Params<'_>) -> Result<bool, DbError> {
        Ok(self.query_row(sql, params, |_| Ok(()))?.is_some())
    }

    /// Runs statements without parameters, separated by semicolons.
    pub fn batch(&self, sql: &str) -> Result<(), DbError> {
        self.0.batch(sql)
    }

    /// Runs `f` in one transaction: committed when it returns Ok, rolled back otherwise.
    pub fn transaction<T, E: From<DbError>>(
        &self,
        f: impl FnOnce(&Db) -> Result<T, E>,
    ) -> Result<T, E> {
        self.batch("BEGIN")?;
        match f(self) {
            Ok(v) => match self.batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                if let Err(r) = self.batch("ROLLBACK") {
                    tracing::warn!(error = %r, "rollback failed");
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_rewritten_outside_quotes() {
        assert_eq!(
            pg_sql("SELECT '?1', \"a?\" FROM t WHERE x = ?1 AND y = ?12"),
            "SELECT '?1', \"a?\" FROM t WHERE x = $1 AND y = $12"
        );
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact_url("postgres://simpul:s3cret@db:5432/simpul"),
            "postgres://simpul:***@db:5432/simpul"
        );
        assert_eq!(
            redact_url("postgres://simpul@db/simpul"),
            "postgres://simpul@db/simpul"
        );
        assert_eq!(
            redact_url("host=db user=simpul password=s3cret dbname=simpul"),
            "host=db user=simpul password=*** dbname=simpul"
        );
    }

    #[test]
    fn values_round_trip_through_sqlite() {
        let db = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.batch("CREATE TABLE t (i INTEGER, f REAL, s TEXT, b BLOB, n INTEGER)")
            .unwrap();
        let none: Option<i64> = None;
        db.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)",
            params![u64::MAX, 1.5, "x", vec![1u8, 2], none],
        )
        .unwrap();
        let row = db
            .query_one("SELECT i, f, s, b, n FROM t", params![], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, Option<i64>>(4)?,
                ))
            })
            .unwrap();
        assert_eq!(row, (i64::MAX, 1.5, "x".into(), vec![1, 2], None));
        let e = db
            .query_one("SELECT s FROM t", params![], |r| r.get::<_, i64>(0))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "column 0: expected an integer, found text");
    }

    #[test]
    fn values_round_trip_through_postgres() {
        let db = crate::store::testing::postgres();
        assert_eq!(db.engine(), Engine::Postgres);
        db.batch(
            "CREATE TABLE t (i BIGINT, f DOUBLE PRECISION, s TEXT, b BYTEA, n BIGINT, small INTEGER, yes BOOLEAN)",
        )
        .unwrap();
        let none: Option<i64> = None;
        for i in [i64::MAX, 5] {
            // an integer into a double column, a double into an integer one, a number
            // into INTEGER and BOOLEAN: converted to the type PostgreSQL inferred
            db.execute(
                "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![i, 3i64, "x", vec![1u8, 2], none, 7.0, true],
            )
            .unwrap();
        }
        let rows = db
            .query(
                "SELECT i, f, s, b, n, small, yes FROM t ORDER BY i",
                params![],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, f64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Vec<u8>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, bool>(6)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            rows[1],
            (i64::MAX, 3.0, "x".into(), vec![1, 2], None, 7, true)
        );
        // sum of BIGINT is NUMERIC; avg is NUMERIC with a fraction
        let (sum, avg): (i64, f64) = db
            .query_one(
                "SELECT sum(small), avg(f + 0.5)::numeric FROM t",
                params![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((sum, avg), (14, 3.5));
        let neg: f64 = db
            .query_one("SELECT CAST(-12345.678 AS NUMERIC)", params![], |r| {
                r.get(0)
            })
            .unwrap();
        assert!((neg + 12345.678).abs() < 1e-9, "{neg}");
        let e = db
            .execute("INSERT INTO t (small) VALUES (?1)", params![1.5])
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot pass a double as PostgreSQL int4"), "{e}");
        let r: Result<(), DbError> = db.transaction(|db| {
            db.execute("INSERT INTO t (i) VALUES (1)", params![])?;
            db.execute("SELECT 1/0", params![])?;
            Ok(())
        });
        assert!(r.is_err());
        let n: i64 = db
            .query_one("SELECT count(*) FROM t", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2, "rolled back");
        // the connection is lost (a restart, a fail-over): the next statement connects
        // again
        let pid: i64 = db
            .query_one("SELECT pg_backend_pid()", params![], |r| r.get(0))
            .unwrap();
        crate::store::testing::postgres()
            .execute("SELECT pg_terminate_backend(?1)", params![pid])
            .unwrap();
        let mut seen = Vec::new();
        for _ in 0..2 {
            seen.push(
                db.query_one("SELECT count(*) FROM t", params![], |r| r.get::<_, i64>(0))
                    .is_ok(),
            );
        }
        assert_eq!(seen.last(), Some(&true), "{seen:?}");
    }

    #[test]
    fn a_failed_transaction_leaves_nothing() {
        let db = Db::sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.batch("CREATE TABLE t (i INTEGER PRIMARY KEY)").unwrap();
        let r: Result<(), DbError> = db.transaction(|db| {
            db.execute("INSERT INTO t VALUES (1)", params![])?;
            db.execute("INSERT INTO t VALUES (1)", params![])?;
            Ok(())
        });
        assert!(r.unwrap_err().is_unique_violation());
        let n: i64 = db
            .query_one("SELECT count(*) FROM t", params![], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
