//! PostgreSQL behind [`Connection`]: the synchronous `postgres` client, prepared
//! statements cached per connection, parameters converted to the types PostgreSQL
//! inferred and columns read back from whatever type they have, and a lost connection
//! made again by the next statement.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::path::Path;
use std::sync::Arc;

use bytes::BytesMut;
use postgres_types::{FromSql, IsNull, ToSql, Type};

use super::{Columns, Connection, DbError, Engine, Row, Val};

/// A column of a PostgreSQL row as a [`Val`], whatever its type.
impl Columns for postgres::Row {
    fn value(&self, i: usize) -> Result<Val<'_>, DbError> {
        let r = self;
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
    tls: Tls,
}

pub use crate::config::{redact_url, CA_FILE_BUT_NO_TLS};

/// Where the CA certificates of the system are, on Debian and its derivatives.
pub const SYSTEM_CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// How the connection is secured.
#[derive(Clone)]
enum Tls {
    Plain,
    /// TLS with the server's certificate verified, chain and name (libpq's
    /// `verify-full`).
    Verified(tokio_postgres_rustls::MakeRustlsConnect),
}

impl Tls {
    /// TLS when the URL says `sslmode=require` or a CA file is given (which then makes
    /// TLS required: no falling back to plain text); plain otherwise.
    fn for_config(config: &mut postgres::Config, ca_file: Option<&Path>) -> Result<Self, DbError> {
        use postgres::config::SslMode;
        match (config.get_ssl_mode(), ca_file) {
            (SslMode::Disable, Some(_)) => Err(DbError::Other(CA_FILE_BUT_NO_TLS.into())),
            (SslMode::Require, _) | (_, Some(_)) => {
                config.ssl_mode(SslMode::Require);
                let (path, what) = match ca_file {
                    Some(p) => (p, "store.ca_file"),
                    None => (
                        Path::new(SYSTEM_CA_BUNDLE),
                        "the system's CA bundle (set store.ca_file for a private CA)",
                    ),
                };
                let certs = crate::tls::certs(path, what)
                    .map_err(|e| DbError::Other(format!("TLS to PostgreSQL: {e:#}")))?;
                let mut roots = rustls::RootCertStore::empty();
                roots.add_parsable_certificates(certs);
                if roots.is_empty() {
                    return Err(DbError::Other(format!(
                        "TLS to PostgreSQL: {what} {} holds no usable CA certificate",
                        path.display()
                    )));
                }
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let client = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(|e| DbError::Other(format!("TLS to PostgreSQL: {e}")))?
                    .with_root_certificates(roots)
                    .with_no_client_auth();
                Ok(Tls::Verified(
                    tokio_postgres_rustls::MakeRustlsConnect::new(client),
                ))
            }
            _ => Ok(Tls::Plain),
        }
    }

    fn connect(&self, config: &postgres::Config) -> Result<postgres::Client, postgres::Error> {
        match self {
            Tls::Plain => config.connect(postgres::NoTls),
            Tls::Verified(t) => config.connect(t.clone()),
        }
    }
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
        self.client = Some(self.tls.connect(&self.config)?);
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

/// A connection to PostgreSQL.
pub struct Postgres(RefCell<Pg>);

impl Postgres {
    /// Connects to `url` (`postgres://user@host:port/db`, or key=value), over TLS when
    /// it says `sslmode=require` or `ca_file` names the CAs to verify the server with.
    pub fn connect(url: &str, ca_file: Option<&Path>) -> Result<Self, DbError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| DbError::Other(format!("store.url {:?}: {e}", redact_url(url))))?;
        if config.get_application_name().is_none() {
            config.application_name("simpul-collector");
        }
        let tls = Tls::for_config(&mut config, ca_file)?;
        let client = blocking(|| tls.connect(&config))?;
        Ok(Postgres(RefCell::new(Pg {
            client: Some(client),
            statements: HashMap::new(),
            config,
            tls,
        })))
    }

    /// Runs `f` with the client and the prepared statement, connecting again first if
    /// the connection was lost.
    fn run<T>(
        &self,
        sql: &str,
        params: &[Val<'_>],
        f: impl FnOnce(
            &mut postgres::Client,
            &postgres::Statement,
            &[&(dyn ToSql + Sync)],
        ) -> Result<T, postgres::Error>,
    ) -> Result<T, DbError> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        blocking(|| {
            let mut pg = self.0.borrow_mut();
            pg.reconnect_if_closed()?;
            let st = pg.statement(sql)?;
            let r = f(pg.client()?, &st, &refs);
            pg.forget_if_lost(r)
        })
    }
}

impl Connection for Postgres {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn execute(&self, sql: &str, params: &[Val<'_>]) -> Result<usize, DbError> {
        self.run(sql, params, |c, st, p| c.execute(st, p))
            .map(|n| n as usize)
    }

    fn query(
        &self,
        sql: &str,
        params: &[Val<'_>],
        limit: usize,
        each: &mut dyn FnMut(&Row<'_>) -> Result<(), DbError>,
    ) -> Result<(), DbError> {
        // the rows are fetched before `each` runs, so `each` may query again
        let rows = self.run(sql, params, |c, st, p| c.query(st, p))?;
        for r in rows.iter().take(limit) {
            each(&Row::new(r))?;
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<(), DbError> {
        blocking(|| {
            let mut pg = self.0.borrow_mut();
            pg.reconnect_if_closed()?;
            let r = pg.client()?.batch_execute(sql);
            pg.forget_if_lost(r)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg_server::{off_runtime, Durability, PgServer};
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

    fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(DnType::CommonName, format!("Simpul test CA {name}"));
        CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
    }

    /// Whether the connection's session is encrypted, as the server sees it.
    fn encrypted(db: &Postgres) -> bool {
        let mut ssl = false;
        db.query(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
            1,
            &mut |r| {
                ssl = r.get(0)?;
                Ok(())
            },
        )
        .unwrap();
        ssl
    }

    #[test]
    fn tls_to_postgres_verifies_the_server() {
        let server = PgServer::start(Durability::Throwaway).unwrap();
        let (good, other) = (ca("good"), ca("other"));
        let key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, "localhost");
        let cert = p.signed_by(&key, &good).unwrap();
        server
            .enable_tls(
                &format!("{}{}", cert.pem(), good.pem()),
                &key.serialize_pem(),
            )
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (good_pem, other_pem) = (dir.path().join("good.pem"), dir.path().join("other.pem"));
        std::fs::write(&good_pem, good.pem()).unwrap();
        std::fs::write(&other_pem, other.pem()).unwrap();
        let port = server.port();
        let at = |host: &str| format!("postgres://simpul@{host}:{port}/simpul");
        off_runtime(|| {
            // the CA that signed it, the name it was issued for: encrypted
            let db = Postgres::connect(&at("localhost"), Some(&good_pem)).unwrap();
            assert!(encrypted(&db));
            // the connection is lost: the next statement connects again, over TLS
            db.execute("SELECT pg_terminate_backend(pg_backend_pid())", &[])
                .unwrap_err();
            let again = (0..2)
                .map(|_| db.batch("SELECT 1").is_ok())
                .collect::<Vec<_>>();
            assert_eq!(again.last(), Some(&true), "{again:?}");
            assert!(encrypted(&db));
            // sslmode=require with the CA given: the same
            let db = Postgres::connect(
                &format!("{}?sslmode=require", at("localhost")),
                Some(&good_pem),
            )
            .unwrap();
            assert!(encrypted(&db));
            // no CA, no sslmode: plain text, as before
            assert!(!encrypted(
                &Postgres::connect(&at("localhost"), None).unwrap()
            ));
            // another CA: refused, and the message says why
            let e = Postgres::connect(&at("localhost"), Some(&other_pem))
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("UnknownIssuer"), "{e}");
            // another name than the certificate's: refused
            let e = Postgres::connect(&at("127.0.0.1"), Some(&good_pem))
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("not valid for name \"127.0.0.1\""), "{e}");
            // a CA file that is not there, or holds no certificate: named
            let e = Postgres::connect(&at("localhost"), Some(&dir.path().join("nope.pem")))
                .err()
                .unwrap()
                .to_string();
            assert!(
                e.contains("cannot read store.ca_file") && e.contains("nope.pem"),
                "{e}"
            );
            std::fs::write(dir.path().join("empty.pem"), "").unwrap();
            let e = Postgres::connect(&at("localhost"), Some(&dir.path().join("empty.pem")))
                .err()
                .unwrap()
                .to_string();
            assert!(e.contains("holds no certificate"), "{e}");
            // sslmode=disable and a CA file contradict each other
            let e = Postgres::connect(
                &format!("{}?sslmode=disable", at("localhost")),
                Some(&good_pem),
            )
            .err()
            .unwrap()
            .to_string();
            assert!(e.contains("sslmode=disable"), "{e}");
        });
    }
}
