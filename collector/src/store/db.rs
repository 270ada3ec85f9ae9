//! One SQL interface over the two engines: embedded SQLite (the default) and PostgreSQL
//! (`store.kind = "postgres"`, for several collectors sharing one fleet).
//!
//! Every statement in the collector is written once, in the SQL both engines accept:
//! `?N` parameters (rewritten to `$N` for PostgreSQL), `ON CONFLICT` instead of `INSERT OR
//! ...`, `"end"` quoted, `CASE` instead of the two-argument `max`. Values cross the
//! boundary as [`Val`]: integers, doubles, text, bytes and NULL, converted to whatever
//! type PostgreSQL inferred for a parameter and read back from whatever type a column
//! has, so that no call site knows which engine it talks to.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type};

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
pub struct Row<'a>(RowInner<'a>);

enum RowInner<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `idx` as `T`: `r.get(0)?`, `r.get::<_, Option<f64>>(3)?`.
    pub fn get<I: RowIndex, T: FromVal>(&self, idx: I) -> Result<T, DbError> {
        let column = idx.index();
        let err = |message| DbError::Column { column, message };
        match &self.0 {
            RowInner::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                let v = match r.get_ref(column)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(i) => Val::Int(i),
                    ValueRef::Real(f) => Val::Real(f),
                    ValueRef::Text(t) => Val::Text(
                        std::str::from_utf8(t).map_err(|e| err(format!("not UTF-8: {e}")))?,
                    ),
                    ValueRef::Blob(b) => Val::Blob(b),
                };
                T::from_val(v).map_err(err)
            }
            RowInner::Postgres(r) => T::from_val(pg_val(r, column)?).map_err(err),
        }
    }
}

/// Reads column `i` of a PostgreSQL row as a [`Val`], whatever its type.
fn pg_val(r: &postgres::Row, i: usize) -> Result<Val<'_>, DbError> {
    let Some(col) = r.columns().get(i) else {
        return Err(DbError::Column {
            column: i,
            message: format!("the row has {} columns", r.columns().len()),
        });
    };
    let ty = col.type_().clone();
    let v = match ty {
        Type::BOOL => r
            .try_get::<_, Option<bool>>(i)?
            .map(|b| Val::Int(i64::from(b))),
        Type::INT2 => r.try_get::<_, Option<i16>>(i)?.map(|x| Val::Int(x.into())),
        Type::INT4 => r.try_get::<_, Option<i32>>(i)?.map(|x| Val::Int(x.into())),
        Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Val::Int),
        Type::OID => r.try_get::<_, Option<u32>>(i)?.map(|x| Val::Int(x.into())),
        Type::FLOAT4 => r.try_get::<_, Option<f32>>(i)?.map(|x| Val::Real(x.into())),
        Type::FLOAT8 => r.try_get::<_, Option<f64>>(i)?.map(Val::Real),
        Type::NUMERIC => r.try_get::<_, Option<Numeric>>(i)?.map(|n| n.0),
        Type::BYTEA => r.try_get::<_, Option<&[u8]>>(i)?.map(Val::Blob),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            r.try_get::<_, Option<&str>>(i)?.map(Val::Text)
        }
        other => {
            return Err(DbError::Column {
                column: i,
                message: format!("PostgreSQL type {other} is not read by simpul"),
            })
        }
    };
    Ok(v.unwrap_or(Val::Null))
}

/// A PostgreSQL NUMERIC (what `sum` of a BIGINT gives) read as an integer when it is
/// one, else a double.
struct Numeric(Val<'static>);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        // ndigits, weight, sign, dscale (i16 each), then base-10000 digits
        let word = |k: usize| -> Result<i16, Box<dyn StdError + Sync + Send>> {
            raw.get(2 * k..2 * k + 2)
                .map(|b| i16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "truncated NUMERIC".into())
        };
        let (ndigits, weight, sign, dscale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
        if sign == 0xC000 {
            return Ok(Numeric(Val::Real(f64::NAN)));
        }
        let mut v = 0f64;
        for k in 0..ndigits.max(0) as usize {
            let d = f64::from(word(4 + k)?);
            v += d * 10000f64.powi(i32::from(weight) - k as i32);
        }
        if sign == 0x4000 {
            v = -v;
        }
        Ok(Numeric(if dscale == 0 && v.abs() < 9.0e15 {
            Val::Int(v as i64)
        } else {
            Val::Real(v)
        }))
    }
    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

impl ToSql for Val<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let wrong = || -> Box<dyn StdError + Sync + Send> {
            format!("cannot pass {} as PostgreSQL {ty}", self.kind()).into()
        };
        match *self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => i.to_string().to_sql(ty, out),
                _ => Err(wrong()),
            },
            Val::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::INT8 if f.fract() == 0.0 => (f as i64).to_sql(ty, out),
                Type::INT4 if f.fract() == 0.0 => (f as i32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => f.to_string().to_sql(ty, out),
                _ => Err(wrong()),
            },
            Val::Text(s) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    s.to_sql(ty, out)
                }
                Type::BYTEA => s.as_bytes().to_sql(ty, out),
                _ => Err(wrong()),
            },
            Val::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ => Err(wrong()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres_types::to_sql_checked!();
}

/// Most prepared statements kept per PostgreSQL connection (statements built at run
/// time would otherwise grow the cache without bound).
const PG_STATEMENT_CACHE: usize = 256;

struct Pg {
    /// Taken only by `drop`.
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
    /// To connect again after the connection was lost.
    config: postgres::Config,
}

impl Pg {
    fn client(&mut self) -> Result<&mut postgres::Client, DbError> {
        self.client
            .as_mut()
            .ok_or_else(|| DbError::Other("the connection is closed".into()))
    }

    /// Connects again when the connection was lost (a database restart, a fail-over,
    /// a killed backend): the statement that found it lost failed; the next one works.
    fn reconnect_if_closed(&mut self) -> Result<(), DbError> {
        if self.client.as_ref().is_some_and(|c| !c.is_closed()) {
            return Ok(());
        }
        self.statements.clear();
        let old = self.client.take();
        drop(old);
        self.client = Some(self.config.connect(postgres::NoTls)?);
        tracing::info!("reconnected to PostgreSQL");
        Ok(())
    }

    /// After a failed statement: forgets a connection the error says is gone (closed,
    /// or ended by the server: shutdown, fail-over, a killed backend), so that the next
    /// statement connects again.
    fn forget_if_lost<T>(&mut self, r: Result<T, postgres::Error>) -> Result<T, DbError> {
        r.map_err(|e| {
            let lost = e.is_closed()
                || e.as_db_error().is_some_and(|d| {
                    let class = d.code().code().get(..2).unwrap_or("");
                    matches!(d.severity(), "FATAL" | "PANIC") || class == "57" || class == "08"
                });
            if lost {
                let old = self.client.take();
                drop(old);
            }
            DbError::from(e)
        })
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client()?.prepare(&pg_sql(sql))?;
        if self.statements.len() >= PG_STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        // closing blocks on the client's own runtime too: step off an async worker
        if let Some(c) = self.client.take() {
            blocking(move || drop(c));
        }
    }
}

/// `?N` parameters as PostgreSQL's `$N`, outside quoted text and identifiers.
pub fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// `url` with its password hidden, for messages and logs: `postgres://u:***@h/db`,
/// `password=***`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.rsplit_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
        return url.to_owned();
    }
    url.split_whitespace()
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// PostgreSQL's client blocks on a runtime of its own, which tokio forbids on a worker
/// thread of the server's runtime; there, step out of the worker first.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// A connection to the store.
pub struct Db(Inner);

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.engine())
    }
}

enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<Pg>>),
}

type Params<'p> = &'p [&'p dyn ToVal];

/// The parameters as values, borrowed from the caller's.
fn values<'p>(params: Params<'p>) -> Vec<Val<'p>> {
    params.iter().map(|p| p.to_val()).collect()
}

fn sqlite_params<'v>(vals: &'v [Val<'v>]) -> Vec<&'v dyn rusqlite::ToSql> {
    vals.iter().map(|v| v as &dyn rusqlite::ToSql).collect()
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Val::Null => ValueRef::Null,
            Val::Int(i) => ValueRef::Integer(i),
            Val::Real(f) => ValueRef::Real(f),
            Val::Text(s) => ValueRef::Text(s.as_bytes()),
            Val::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl Db {
    /// Wraps an open SQLite connection.
    pub fn sqlite(conn: rusqlite::Connection) -> Self {
        conn.set_prepared_statement_cache_capacity(128);
        Db(Inner::Sqlite(conn))
    }

    /// Connects to PostgreSQL at `url` (`postgres://user@host:port/db`, or key=value).
    pub fn postgres(url: &str) -> Result<Self, DbError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| DbError::Other(format!("store.url {:?}: {e}", redact_url(url))))?;
        if config.get_application_name().is_none() {
            config.application_name("simpul-collector");
        }
        let client = blocking(|| config.connect(postgres::NoTls))?;
        Ok(Db(Inner::Postgres(Box::new(RefCell::new(Pg {
            client: Some(client),
            statements: HashMap::new(),
            config,
        })))))
    }

    /// The engine behind this connection.
    pub fn engine(&self) -> Engine {
        match self.0 {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, backups of the file).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.0 {
            Inner::Sqlite(c) => Some(c),
            Inner::Postgres(_) => None,
        }
    }

    fn pg<T>(
        &self,
        cell: &RefCell<Pg>,
        sql: &str,
        params: Params<'_>,
        f: impl FnOnce(
            &mut postgres::Client,
            &postgres::Statement,
            &[&(dyn ToSql + Sync)],
        ) -> Result<T, postgres::Error>,
    ) -> Result<T, DbError> {
        let vals = values(params);
        let refs: Vec<&(dyn ToSql + Sync)> = vals.iter().map(|v| v as _).collect();
        blocking(|| {
            let mut pg = cell.borrow_mut();
            pg.reconnect_if_closed()?;
            let st = pg.statement(sql)?;
            let r = f(pg.client()?, &st, &refs);
            pg.forget_if_lost(r)
        })
    }

    /// Runs a statement; returns the number of rows it changed.
    pub fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, DbError> {
        match &self.0 {
            Inner::Sqlite(c) => {
                let vals = values(params);
                Ok(c.prepare_cached(sql)?
                    .execute(sqlite_params(&vals).as_slice())?)
            }
            Inner::Postgres(cell) => self
                .pg(cell, sql, params, |c, st, p| c.execute(st, p))
                .map(|n| n as usize),
        }
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
        match &self.0 {
            Inner::Sqlite(c) => {
                let vals = values(params);
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(sqlite_params(&vals).as_slice())?;
                let mut out = Vec::new();
                while out.len() < limit {
                    let Some(r) = rows.next()? else { break };
                    out.push(f(&Row(RowInner::Sqlite(r)))?);
                }
                Ok(out)
            }
            Inner::Postgres(cell) => {
                // the rows are fetched before `f` runs, so `f` may query again
                let rows = self.pg(cell, sql, params, |c, st, p| c.query(st, p))?;
                rows.iter()
                    .take(limit)
                    .map(|r| f(&Row(RowInner::Postgres(r))))
                    .collect()
            }
        }
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
        match &self.0 {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(cell) => blocking(|| {
                let mut pg = cell.borrow_mut();
                pg.reconnect_if_closed()?;
                let r = pg.client()?.batch_execute(sql);
                pg.forget_if_lost(r)
            }),
        }
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
