//! SQLite behind [`Connection`]: one rusqlite connection with a cache of prepared
//! statements.

use super::{Columns, Connection, DbError, Engine, Row, Val};

/// A connection to an SQLite database.
pub struct Sqlite(rusqlite::Connection);

impl Sqlite {
    pub fn new(conn: rusqlite::Connection) -> Self {
        conn.set_prepared_statement_cache_capacity(128);
        Sqlite(conn)
    }
}

fn params<'v>(vals: &'v [Val<'_>]) -> Vec<&'v dyn rusqlite::ToSql> {
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

impl Columns for rusqlite::Row<'_> {
    fn value(&self, column: usize) -> Result<Val<'_>, DbError> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(column)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(i) => Val::Int(i),
            ValueRef::Real(f) => Val::Real(f),
            ValueRef::Text(t) => {
                Val::Text(std::str::from_utf8(t).map_err(|e| DbError::Column {
                    column,
                    message: format!("not UTF-8: {e}"),
                })?)
            }
            ValueRef::Blob(b) => Val::Blob(b),
        })
    }
}

impl Connection for Sqlite {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn execute(&self, sql: &str, vals: &[Val<'_>]) -> Result<usize, DbError> {
        Ok(self
            .0
            .prepare_cached(sql)?
            .execute(params(vals).as_slice())?)
    }

    fn query(
        &self,
        sql: &str,
        vals: &[Val<'_>],
        limit: usize,
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        let mut st = self.0.prepare_cached(sql)?;
        let mut rows = st.query(params(vals).as_slice())?;
        for _ in 0..limit {
            let Some(r) = rows.next()? else { break };
            each(&Row::new(r))?;
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<(), DbError> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        Some(&self.0)
    }
}
