//! A small pool of read connections for the HTTP layer and the duty evaluation, so that
//! one slow page (a large agency's SLA report, an export) does not make every other
//! user wait behind it on a single connection. SQLite in WAL mode lets each connection
//! read its own snapshot while the writer commits; PostgreSQL connections are separate
//! sessions anyway. A request takes a free connection or waits for the first one given
//! back (a condition variable, so waiting is fair enough and never spins).

use std::path::Path;
use std::sync::{Condvar, Mutex};

use super::{Db, StoreError};
use crate::config::StoreConfig;

/// Read connections the collector opens: enough that a few slow pages leave others
/// served, few enough that SQLite's readers and PostgreSQL's sessions stay cheap.
pub const READ_CONNECTIONS: usize = 4;

/// Read connections to the store, handed out one per task.
#[derive(Debug)]
pub struct ReadPool {
    free: Mutex<Vec<Db>>,
    given_back: Condvar,
}

impl ReadPool {
    /// Opens `size` connections to the store `cfg` names.
    pub fn open(cfg: &StoreConfig, data_dir: &Path, size: usize) -> Result<Self, StoreError> {
        let conns = (0..size.max(1))
            .map(|_| super::open(cfg, data_dir))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::new(conns))
    }

    /// A pool of these connections.
    pub fn new(conns: Vec<Db>) -> Self {
        Self {
            free: Mutex::new(conns),
            given_back: Condvar::new(),
        }
    }

    /// A connection, waiting until one is free; given back when the guard drops.
    pub fn get(&self) -> Conn<'_> {
        let mut free = crate::lock(&self.free);
        loop {
            if let Some(db) = free.pop() {
                return Conn {
                    pool: self,
                    db: Some(db),
                };
            }
            free = self
                .given_back
                .wait(free)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

/// A connection taken from a [`ReadPool`].
pub struct Conn<'a> {
    pool: &'a ReadPool,
    db: Option<Db>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        // Some from `get` until `drop`
        self.db.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(db) = self.db.take() {
            crate::lock(&self.pool.free).push(db);
            self.pool.given_back.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn a_slow_reader_does_not_hold_up_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let pool = Arc::new(ReadPool::open(&StoreConfig::default(), dir.path(), 2).unwrap());
        // one reader holds its connection (a slow page) ...
        let slow = pool.get();
        // ... while another reads on the second one
        let (tx, rx) = std::sync::mpsc::channel();
        let other = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                let n: i64 = pool
                    .get()
                    .query_one("SELECT count(*) FROM agents", params![], |r| r.get(0))
                    .unwrap();
                tx.send(n).unwrap();
            })
        };
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)), Ok(0));
        other.join().unwrap();
        // a third reader waits for one to be given back
        let (tx, rx) = std::sync::mpsc::channel();
        let held = pool.get();
        let waiter = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                let _c = pool.get();
                tx.send(()).unwrap();
            })
        };
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        drop(slow);
        assert_eq!(rx.recv_timeout(Duration::from_secs(30)), Ok(()));
        waiter.join().unwrap();
        drop(held);
    }
}
