//! The report sequence number: strictly increasing per agent, across restarts.
//!
//! The collector treats a repeated (agent, sequence) as a re-sent report and stores it
//! once; a sequence reused for a *different* report would therefore be lost. Each new
//! number is `max(last + 1, microseconds since the epoch)`, and the last one is kept in
//! `state_dir/sequence`, so numbers keep increasing even if the state file is lost (as
//! long as the clock does not go back) or the clock goes back (as long as the file is
//! kept).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Hands out sequence numbers and remembers the last one.
#[derive(Debug)]
pub struct Sequence {
    path: Option<PathBuf>,
    last: u64,
    /// What the state file holds: no number up to it may be handed out after a restart.
    reserved: u64,
}

/// How far ahead of the last number the state file is written.
const RESERVE: u64 = 600 * 1_000_000;

impl Sequence {
    /// Opens the sequence state in `state_dir`, creating the directory.
    pub fn open(state_dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(state_dir)?;
        let path = state_dir.join("sequence");
        let last = match std::fs::read_to_string(&path) {
            Ok(s) => s.trim().parse().unwrap_or(0),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(e),
        };
        let mut s = Self {
            path: Some(path),
            last,
            reserved: last,
        };
        s.persist(last)?; // fail at start, not at the first report, if the dir is read-only
        Ok(s)
    }

    /// A sequence that is not persisted (for `simpul-agent once`).
    pub fn ephemeral() -> Self {
        Self {
            path: None,
            last: 0,
            reserved: u64::MAX,
        }
    }

    /// Writes `reserved` to the state file.
    fn persist(&mut self, reserved: u64) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, format!("{reserved}\n"))?;
        std::fs::rename(&tmp, path)?;
        self.reserved = reserved;
        Ok(())
    }

    /// The next number.
    pub fn next_value(&mut self) -> std::io::Result<u64> {
        let micros = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        let next = (self.last + 1).max(micros);
        if next > self.reserved {
            self.persist(next.saturating_add(RESERVE))?;
        }
        self.last = next;
        Ok(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increases_across_reopen_even_with_a_future_last_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sequence"), format!("{}\n", u64::MAX / 2)).unwrap();
        let mut s = Sequence::open(dir.path()).unwrap();
        let a = s.next_value().unwrap();
        assert_eq!(
            a,
            u64::MAX / 2 + 1,
            "a clock that went back does not reuse numbers"
        );
        drop(s);
        let mut s = Sequence::open(dir.path()).unwrap();
        assert!(s.next_value().unwrap() > a);
    }

    #[test]
    fn the_state_file_is_written_once_per_reservation_and_stays_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sequence");
        let mut s = Sequence::open(dir.path()).unwrap();
        let first = s.next_value().unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written.trim().parse::<u64>().unwrap(), first + RESERVE);
        std::fs::remove_file(&path).unwrap();
        let mut last = first;
        for _ in 0..100 {
            last = s.next_value().unwrap();
        }
        assert!(!path.exists(), "not written again within the reservation");
        // past the reservation (the clock jumped ahead): written again, still ahead
        s.reserved = last;
        let next = s.next_value().unwrap();
        let written: u64 = std::fs::read_to_string(&path)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(written > next, "{written} {next}");
        drop(s);
        // after a restart, numbers start above the reservation: none is reused
        let mut s = Sequence::open(dir.path()).unwrap();
        let after = s.next_value().unwrap();
        assert!(after > next && after > written, "{after}");
    }

    #[test]
    fn a_lost_state_file_still_gives_increasing_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let a = Sequence::open(dir.path()).unwrap().next_value().unwrap();
        std::fs::remove_file(dir.path().join("sequence")).unwrap();
        let b = Sequence::open(dir.path()).unwrap().next_value().unwrap();
        assert!(b > a);
    }
}
