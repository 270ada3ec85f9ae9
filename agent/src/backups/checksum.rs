//! SHA-256 of the newest backup file, for `files` probes with `checksum = true`.
//!
//! A file up to [`INLINE_BYTES`] is hashed during the probe. A larger one is hashed on
//! a background thread of its own (a 50 GB dump takes minutes), so the probe reports
//! the file at once and its checksum in a later reading, once known. A result is
//! remembered per obligation for one file identity (path, size, mtime): a new backup
//! is hashed again, an unchanged one never. Hashing stops after a time limit, and a
//! file that changes while it is read gets no checksum.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Files up to this size are hashed during the probe (about 0.2 s).
pub const INLINE_BYTES: u64 = 64 << 20;
/// Longest a background hash may take.
pub const BACKGROUND_LIMIT: Duration = Duration::from_secs(30 * 60);

/// The identity of one backup file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileKey {
    pub path: PathBuf,
    pub size: u64,
    /// mtime, seconds since the epoch.
    pub mtime: f64,
}

#[derive(Debug)]
enum State {
    Running,
    Done(Result<String, String>),
}

/// Checksums of the newest files, per obligation; cheap to clone (shared).
#[derive(Debug, Clone)]
pub struct Checksums {
    known: Arc<Mutex<HashMap<String, (FileKey, State)>>>,
    inline: u64,
    limit: Duration,
}

impl Default for Checksums {
    fn default() -> Self {
        Self::new()
    }
}

impl Checksums {
    pub fn new() -> Self {
        Self {
            known: Arc::default(),
            inline: INLINE_BYTES,
            limit: BACKGROUND_LIMIT,
        }
    }

    /// The checksum of `file` (`sha256:<hex>`), an error, or `None` while it is being
    /// hashed in the background (started by this call if need be).
    pub fn of(&self, obligation: &str, file: &FileKey) -> Option<Result<String, String>> {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        match known.get(obligation) {
            Some((k, State::Done(r))) if k == file => return Some(r.clone()),
            Some((k, State::Running)) if k == file => return None,
            _ => {}
        }
        let limit = self.limit;
        if file.size <= self.inline {
            let r = hash(file, limit);
            known.insert(obligation.into(), (file.clone(), State::Done(r.clone())));
            return Some(r);
        }
        known.insert(obligation.into(), (file.clone(), State::Running));
        drop(known);
        let (shared, ob, f) = (Arc::clone(&self.known), obligation.to_owned(), file.clone());
        let started = std::thread::Builder::new()
            .name("simpul-checksum".into())
            .spawn(move || {
                let r = hash(&f, limit);
                let mut known = shared.lock().unwrap_or_else(PoisonError::into_inner);
                // keep it only if that file is still the one asked about
                if let Some((k, s)) = known.get_mut(&ob) {
                    if *k == f {
                        *s = State::Done(r);
                    }
                }
            });
        match started {
            Ok(_) => None,
            Err(e) => {
                let r = Err(format!("cannot start hashing: {e}"));
                let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
                known.insert(obligation.into(), (file.clone(), State::Done(r.clone())));
                Some(r)
            }
        }
    }
}

fn mtime(m: &std::fs::Metadata) -> Option<f64> {
    Some(
        m.modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_secs_f64(),
    )
}

/// SHA-256 of `file`, if it is still the file of `key` after reading.
fn hash(key: &FileKey, limit: Duration) -> Result<String, String> {
    let started = Instant::now();
    let p = key.path.display();
    let mut f = std::fs::File::open(&key.path).map_err(|e| format!("cannot read {p}: {e}"))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| format!("reading {p}: {e}"))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        if started.elapsed() > limit {
            return Err(format!(
                "{p} could not be hashed within {} s; no checksum",
                limit.as_secs()
            ));
        }
    }
    let m = std::fs::metadata(&key.path).map_err(|e| format!("cannot stat {p}: {e}"))?;
    if m.len() != key.size || mtime(&m) != Some(key.mtime) {
        return Err(format!(
            "{p} changed while it was hashed; hashed again next time"
        ));
    }
    Ok(format!("sha256:{}", hex(&h.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The identity of `path` now.
#[cfg(test)]
pub fn key_of(path: &std::path::Path) -> Option<FileKey> {
    let m = std::fs::metadata(path).ok()?;
    Some(FileKey {
        path: path.to_owned(),
        size: m.len(),
        mtime: mtime(&m)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn small_files_are_hashed_at_once_and_remembered() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.sql.gz");
        std::fs::write(&p, "abc").unwrap();
        let sums = Checksums::new();
        let k = key_of(&p).unwrap();
        assert_eq!(sums.of("o", &k), Some(Ok(ABC.into())));
        // remembered: the file is not read again while its identity is unchanged
        std::fs::remove_file(&p).unwrap();
        assert_eq!(sums.of("o", &k), Some(Ok(ABC.into())));
        let gone = sums.of("o", &FileKey { size: 4, ..k });
        assert!(gone.unwrap().unwrap_err().starts_with("cannot read"));
    }

    #[test]
    fn large_files_are_hashed_in_the_background() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("big.tar");
        std::fs::write(&p, vec![b'x'; 3 << 20]).unwrap();
        let sums = Checksums {
            inline: 1 << 20,
            ..Checksums::new()
        };
        let k = key_of(&p).unwrap();
        let t = Instant::now();
        assert_eq!(sums.of("o", &k), None, "not waited for");
        let sum = loop {
            if let Some(r) = sums.of("o", &k) {
                break r.unwrap();
            }
            assert!(t.elapsed() < Duration::from_secs(20));
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut h = Sha256::new();
        h.update(vec![b'x'; 3 << 20]);
        assert_eq!(sum, format!("sha256:{}", hex(&h.finalize())));
    }

    #[test]
    fn a_file_changed_while_hashed_or_too_slow_gets_no_checksum() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.sql.gz");
        std::fs::write(&p, "abc").unwrap();
        let k = key_of(&p).unwrap();
        std::fs::write(&p, "abcd").unwrap();
        let e = hash(&k, BACKGROUND_LIMIT).unwrap_err();
        assert!(e.contains("changed while it was hashed"), "{e}");
        std::fs::write(&p, vec![0u8; 4 << 20]).unwrap();
        let e = hash(&key_of(&p).unwrap(), Duration::ZERO).unwrap_err();
        assert!(e.contains("could not be hashed within 0 s"), "{e}");
    }
}
