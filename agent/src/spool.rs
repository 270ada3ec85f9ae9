//! The outbox: every report is appended to `state_dir/spool` and fsynced before it is
//! sent, and forgotten only after the collector acknowledges its sequence number.
//!
//! The file is a log of framed records, `[len u32 LE][crc32 u32 LE][body; len]`:
//!
//! | body[0] | rest of body                                      |
//! |---------|---------------------------------------------------|
//! | 1       | report: flags u8, sequence u64, sample time f64, JSON |
//! | 2       | acknowledged: sequence u64 ...                    |
//! | 3       | dropped: sequence u64 ...                         |
//! | 4       | dropped total so far: u64 (first record after compaction) |
//!
//! A report is live until an acknowledged or dropped record names it. When nothing is
//! live the file is truncated; when more than half of it is dead it is rewritten
//! (temp file, fsync, rename). A record that is cut short or fails its checksum ends
//! the log: the file is truncated there and the agent carries on, so a crash in the
//! middle of an append costs at most that one report, which was never acknowledged
//! to anyone.
//!
//! Bounds: health samples older than `max_age` or beyond `max_bytes` are dropped oldest
//! first and counted; reports flagged precious (inventory changes, backup evidence) are
//! never dropped.

use std::collections::{HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const HEADER: u64 = 8;
/// A larger length field can only be garbage: reports are capped far below this.
const MAX_RECORD: u32 = 16 << 20;
const REPORT: u8 = 1;
const ACKED: u8 = 2;
const DROPPED: u8 = 3;
const DROPPED_TOTAL: u8 = 4;
/// Report body before the JSON: type, flags, sequence, time.
const REPORT_PREFIX: u64 = 1 + 1 + 8 + 8;
const PRECIOUS: u8 = 1;
/// Dead bytes below this are never worth a rewrite.
const COMPACT_MIN_DEAD: u64 = 1 << 20;

/// Limits of the spool.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Live report bytes kept on disk.
    pub max_bytes: u64,
    /// Health samples older than this many seconds are dropped.
    pub max_age_secs: f64,
}

/// One live report in the file.
#[derive(Debug, Clone, Copy)]
struct Entry {
    sequence: u64,
    sample_time: f64,
    precious: bool,
    /// Offset of the JSON in the file.
    json_at: u64,
    json_len: u32,
}

impl Entry {
    fn record_len(&self) -> u64 {
        HEADER + REPORT_PREFIX + u64::from(self.json_len)
    }
}

/// What opening the spool found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Live reports found.
    pub reports: usize,
    /// Bytes cut off the end because the last record was torn or corrupt.
    pub discarded_bytes: u64,
}

/// The on-disk outbox.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    file: File,
    live: VecDeque<Entry>,
    /// File length: where the next record goes.
    end: u64,
    live_bytes: u64,
    dropped_total: u64,
    bounds: Bounds,
    /// Dead bytes below this are never worth a rewrite.
    compact_min_dead: u64,
}

fn frame(body: &[u8], out: &mut Vec<u8>) {
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
}

fn sequences_record(kind: u8, seqs: &[u64], out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(1 + 8 * seqs.len());
    body.push(kind);
    for s in seqs {
        body.extend_from_slice(&s.to_le_bytes());
    }
    frame(&body, out);
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

impl Spool {
    /// Opens (creating) `dir/spool`, recovering its live reports.
    pub fn open(dir: &Path, bounds: Bounds) -> std::io::Result<(Self, Recovery)> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("spool");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let mut spool = Self {
            path,
            file,
            live: VecDeque::new(),
            end: 0,
            live_bytes: 0,
            dropped_total: 0,
            bounds,
            compact_min_dead: COMPACT_MIN_DEAD,
        };
        let recovery = spool.replay()?;
        Ok((spool, recovery))
    }

    /// Reads the log from the start; truncates it at the first bad record.
    fn replay(&mut self) -> std::io::Result<Recovery> {
        let len = self.file.metadata()?.len();
        let mut r = BufReader::with_capacity(64 << 10, &self.file);
        r.seek(SeekFrom::Start(0))?;
        let mut at = 0u64;
        let mut body = Vec::new();
        let mut done: HashSet<u64> = HashSet::new();
        let mut entries = Vec::new();
        loop {
            if at == len {
                break;
            }
            let mut header = [0u8; 8];
            if len - at < HEADER || r.read_exact(&mut header).is_err() {
                break;
            }
            let n = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
            let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
            if n == 0 || n > MAX_RECORD || u64::from(n) > len - at - HEADER {
                break;
            }
            body.resize(n as usize, 0);
            if r.read_exact(&mut body).is_err() || crc32fast::hash(&body) != crc {
                break;
            }
            match body[0] {
                REPORT if body.len() as u64 >= REPORT_PREFIX => entries.push(Entry {
                    precious: body[1] & PRECIOUS != 0,
                    sequence: u64_at(&body, 2),
                    sample_time: f64::from_bits(u64_at(&body, 10)),
                    json_at: at + HEADER + REPORT_PREFIX,
                    json_len: n - REPORT_PREFIX as u32,
                }),
                ACKED | DROPPED if (body.len() - 1) % 8 == 0 => {
                    let seqs = body[1..].chunks_exact(8).map(|c| u64_at(c, 0));
                    if body[0] == DROPPED {
                        self.dropped_total += (body.len() as u64 - 1) / 8;
                    }
                    done.extend(seqs);
                }
                DROPPED_TOTAL if body.len() == 9 => self.dropped_total = u64_at(&body, 1),
                // a record this version does not know, with a good checksum: written by a
                // newer agent; the framing still holds, so skip it
                _ => tracing::warn!(offset = at, kind = body[0], "spool: unknown record skipped"),
            }
            at += HEADER + u64::from(n);
        }
        drop(r);
        let discarded = len - at;
        if discarded > 0 {
            tracing::warn!(
                path = %self.path.display(),
                offset = at,
                discarded_bytes = discarded,
                "spool: the last record is torn or corrupt (crash during a write?); cut it off and carrying on"
            );
            self.file.set_len(at)?;
            self.file.sync_data()?;
        }
        self.end = at;
        self.live = entries
            .into_iter()
            .filter(|e| !done.contains(&e.sequence))
            .collect();
        self.live_bytes = self.live.iter().map(Entry::record_len).sum();
        Ok(Recovery {
            reports: self.live.len(),
            discarded_bytes: discarded,
        })
    }

    /// Reports waiting for an acknowledgement.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Bytes of the spool file.
    pub fn file_bytes(&self) -> u64 {
        self.end
    }

    /// Health samples dropped since the spool was created.
    pub fn dropped_total(&self) -> u64 {
        self.dropped_total
    }

    /// Appends a report and fsyncs; first drops what the bounds require. Returns how many
    /// reports were dropped to make room.
    pub fn append(
        &mut self,
        sequence: u64,
        sample_time: f64,
        precious: bool,
        json: &[u8],
    ) -> std::io::Result<usize> {
        let json_len = u32::try_from(json.len())
            .ok()
            .filter(|n| *n < MAX_RECORD - REPORT_PREFIX as u32)
            .ok_or_else(|| std::io::Error::other("report too large for the spool"))?;
        let new_len = HEADER + REPORT_PREFIX + u64::from(json_len);
        let victims = self.victims(sample_time, new_len);
        let mut out = Vec::with_capacity(json.len() + 64 + victims.len() * 8);
        if !victims.is_empty() {
            sequences_record(DROPPED, &victims, &mut out);
        }
        let mut body = Vec::with_capacity(json.len() + REPORT_PREFIX as usize);
        body.push(REPORT);
        body.push(if precious { PRECIOUS } else { 0 });
        body.extend_from_slice(&sequence.to_le_bytes());
        body.extend_from_slice(&sample_time.to_bits().to_le_bytes());
        body.extend_from_slice(json);
        let record_at = self.end + out.len() as u64;
        frame(&body, &mut out);
        self.file.write_all_at(&out, self.end)?;
        self.file.sync_data()?;
        self.end += out.len() as u64;
        if !victims.is_empty() {
            let gone: HashSet<u64> = victims.iter().copied().collect();
            self.forget(&gone);
            self.dropped_total += victims.len() as u64;
            tracing::warn!(
                dropped = victims.len(),
                dropped_total = self.dropped_total,
                "spool full or samples too old: dropped the oldest health samples"
            );
        }
        let entry = Entry {
            sequence,
            sample_time,
            precious,
            json_at: record_at + HEADER + REPORT_PREFIX,
            json_len,
        };
        self.live_bytes += entry.record_len();
        self.live.push_back(entry);
        Ok(victims.len())
    }

    /// Health samples to drop so that a record of `new_len` bytes at `now` fits.
    fn victims(&self, now: f64, new_len: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut bytes = self.live_bytes + new_len;
        for e in &self.live {
            if e.precious {
                continue;
            }
            let too_old = now - e.sample_time > self.bounds.max_age_secs;
            if !too_old && bytes <= self.bounds.max_bytes {
                // entries are in time order: nothing further is too old
                break;
            }
            out.push(e.sequence);
            bytes -= e.record_len();
        }
        out
    }

    fn forget(&mut self, gone: &HashSet<u64>) {
        self.live.retain(|e| !gone.contains(&e.sequence));
        self.live_bytes = self.live.iter().map(Entry::record_len).sum();
    }

    /// The oldest reports as one JSON array, at most `max_reports` of them and, beyond
    /// the first, at most `max_bytes` of JSON. Returns the sequences and the array.
    pub fn batch(
        &self,
        max_reports: usize,
        max_bytes: usize,
    ) -> std::io::Result<(Vec<u64>, Vec<u8>)> {
        let mut seqs = Vec::new();
        let mut json = Vec::with_capacity(64 << 10);
        json.push(b'[');
        for e in self.live.iter().take(max_reports.max(1)) {
            if !seqs.is_empty() && json.len() + e.json_len as usize + 2 > max_bytes {
                break;
            }
            if !seqs.is_empty() {
                json.push(b',');
            }
            let start = json.len();
            json.resize(start + e.json_len as usize, 0);
            self.file.read_exact_at(&mut json[start..], e.json_at)?;
            seqs.push(e.sequence);
        }
        json.push(b']');
        Ok((seqs, json))
    }

    /// Forgets acknowledged reports; truncates or compacts the file when worthwhile.
    pub fn acknowledged(&mut self, seqs: &[u64]) -> std::io::Result<()> {
        let gone: HashSet<u64> = seqs.iter().copied().collect();
        let before = self.live.len();
        self.forget(&gone);
        if self.live.len() == before {
            return Ok(());
        }
        if self.live.is_empty() {
            // the common case: everything delivered, start the file afresh
            self.file.set_len(0)?;
            self.end = 0;
            if self.dropped_total > 0 {
                let mut out = Vec::with_capacity(17);
                let mut body = vec![DROPPED_TOTAL];
                body.extend_from_slice(&self.dropped_total.to_le_bytes());
                frame(&body, &mut out);
                self.file.write_all_at(&out, 0)?;
                self.end = out.len() as u64;
            }
            // no fsync: a lost truncate only means re-sending what the collector
            // already has, which it stores once
            return Ok(());
        }
        let mut out = Vec::new();
        sequences_record(ACKED, seqs, &mut out);
        self.file.write_all_at(&out, self.end)?;
        self.end += out.len() as u64;
        let dead = self.end - self.live_bytes;
        if dead > self.compact_min_dead && dead > self.live_bytes {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the file with only the live reports.
    fn compact(&mut self) -> std::io::Result<()> {
        let tmp_path = self.path.with_extension("tmp");
        let mut tmp = File::create(&tmp_path)?;
        let mut out = Vec::with_capacity(256 << 10);
        let mut body = vec![DROPPED_TOTAL];
        body.extend_from_slice(&self.dropped_total.to_le_bytes());
        frame(&body, &mut out);
        let mut at = out.len() as u64;
        let mut moved = Vec::with_capacity(self.live.len());
        for e in &self.live {
            let len = e.record_len();
            let start = out.len();
            out.resize(start + len as usize, 0);
            self.file
                .read_exact_at(&mut out[start..], e.json_at - REPORT_PREFIX - HEADER)?;
            moved.push(Entry {
                json_at: at + HEADER + REPORT_PREFIX,
                ..*e
            });
            at += len;
            if out.len() > (1 << 20) {
                tmp.write_all(&out)?;
                out.clear();
            }
        }
        tmp.write_all(&out)?;
        tmp.sync_all()?;
        drop(tmp);
        std::fs::rename(&tmp_path, &self.path)?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)?.sync_all()?;
        }
        self.file = OpenOptions::new().read(true).write(true).open(&self.path)?;
        self.live = moved.into();
        self.end = at;
        tracing::debug!(bytes = at, reports = self.live.len(), "spool compacted");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: Bounds = Bounds {
        max_bytes: 64 << 20,
        max_age_secs: 7.0 * 86400.0,
    };

    fn json(seq: u64) -> Vec<u8> {
        format!("{{\"sequence\":{seq:>6},\"pad\":\"{}\"}}", "x".repeat(100)).into_bytes()
    }

    fn sequences(s: &Spool) -> Vec<u64> {
        s.live.iter().map(|e| e.sequence).collect()
    }

    #[test]
    fn reports_survive_a_reopen_until_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, rec) = Spool::open(dir.path(), ROOMY).unwrap();
        assert_eq!(rec, Recovery::default());
        for seq in 1..=5 {
            s.append(seq, 1000.0 + seq as f64, false, &json(seq))
                .unwrap();
        }
        s.acknowledged(&[1, 2]).unwrap();
        drop(s);
        let (s, rec) = Spool::open(dir.path(), ROOMY).unwrap();
        assert_eq!(rec.reports, 3);
        assert_eq!(sequences(&s), [3, 4, 5]);
        let (seqs, body) = s.batch(10, 1 << 20).unwrap();
        assert_eq!(seqs, [3, 4, 5]);
        let v: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
        assert_eq!(v[0]["sequence"], 3);
        assert_eq!(v[2]["sequence"], 5);
    }

    #[test]
    fn acknowledging_everything_empties_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = Spool::open(dir.path(), ROOMY).unwrap();
        s.append(1, 1.0, false, &json(1)).unwrap();
        s.append(2, 2.0, true, &json(2)).unwrap();
        s.acknowledged(&[1, 2]).unwrap();
        assert!(s.is_empty());
        assert_eq!(
            std::fs::metadata(dir.path().join("spool")).unwrap().len(),
            0
        );
    }

    #[test]
    fn batches_respect_count_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = Spool::open(dir.path(), ROOMY).unwrap();
        for seq in 1..=10 {
            s.append(seq, seq as f64, false, &json(seq)).unwrap();
        }
        assert_eq!(s.batch(4, 1 << 20).unwrap().0, [1, 2, 3, 4]);
        let one = json(1).len();
        assert_eq!(s.batch(100, one * 3 + 4).unwrap().0, [1, 2, 3]);
        assert_eq!(s.batch(100, 1).unwrap().0, [1], "one report always goes");
    }

    #[test]
    fn full_spool_drops_oldest_health_but_keeps_precious_reports() {
        let dir = tempfile::tempdir().unwrap();
        let rec = HEADER + REPORT_PREFIX + json(1).len() as u64;
        let bounds = Bounds {
            max_bytes: rec * 5,
            max_age_secs: 1e9,
        };
        let (mut s, _) = Spool::open(dir.path(), bounds).unwrap();
        s.append(1, 1.0, false, &json(1)).unwrap();
        s.append(2, 2.0, true, &json(2)).unwrap(); // inventory change
        for seq in 3..=5 {
            assert_eq!(s.append(seq, seq as f64, false, &json(seq)).unwrap(), 0);
        }
        assert_eq!(s.append(6, 6.0, false, &json(6)).unwrap(), 1);
        assert_eq!(sequences(&s), [2, 3, 4, 5, 6], "1 dropped, precious 2 kept");
        assert_eq!(s.append(7, 7.0, false, &json(7)).unwrap(), 1);
        assert_eq!(sequences(&s), [2, 4, 5, 6, 7]);
        assert_eq!(s.dropped_total(), 2);
        drop(s);
        let (s, _) = Spool::open(dir.path(), bounds).unwrap();
        assert_eq!(sequences(&s), [2, 4, 5, 6, 7]);
        assert_eq!(s.dropped_total(), 2, "the count survives a restart");
    }

    #[test]
    fn old_health_samples_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let bounds = Bounds {
            max_bytes: 64 << 20,
            max_age_secs: 100.0,
        };
        let (mut s, _) = Spool::open(dir.path(), bounds).unwrap();
        s.append(1, 0.0, false, &json(1)).unwrap();
        s.append(2, 10.0, true, &json(2)).unwrap();
        s.append(3, 50.0, false, &json(3)).unwrap();
        assert_eq!(s.append(4, 120.0, false, &json(4)).unwrap(), 1);
        assert_eq!(sequences(&s), [2, 3, 4]);
    }

    #[test]
    fn a_torn_last_record_is_cut_at_every_offset() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = Spool::open(dir.path(), ROOMY).unwrap();
        for seq in 1..=3 {
            s.append(seq, seq as f64, false, &json(seq)).unwrap();
        }
        let good = s.file_bytes();
        s.append(4, 4.0, false, &json(4)).unwrap();
        let full = std::fs::read(dir.path().join("spool")).unwrap();
        drop(s);
        for cut in good..full.len() as u64 {
            let d = tempfile::tempdir().unwrap();
            std::fs::write(d.path().join("spool"), &full[..cut as usize]).unwrap();
            let (mut s, rec) = Spool::open(d.path(), ROOMY).unwrap();
            assert_eq!(rec.reports, 3, "cut at {cut}");
            assert_eq!(rec.discarded_bytes, cut - good, "cut at {cut}");
            assert_eq!(sequences(&s), [1, 2, 3]);
            // and it resumes: a new report is appended after the good records
            s.append(5, 5.0, false, &json(5)).unwrap();
            drop(s);
            let (s, rec) = Spool::open(d.path(), ROOMY).unwrap();
            assert_eq!(rec.discarded_bytes, 0);
            assert_eq!(sequences(&s), [1, 2, 3, 5]);
        }
    }

    #[test]
    fn a_flipped_byte_in_the_last_record_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = Spool::open(dir.path(), ROOMY).unwrap();
        s.append(1, 1.0, false, &json(1)).unwrap();
        s.append(2, 2.0, false, &json(2)).unwrap();
        drop(s);
        let path = dir.path().join("spool");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 3;
        bytes[last] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let (s, rec) = Spool::open(dir.path(), ROOMY).unwrap();
        assert_eq!(sequences(&s), [1]);
        assert!(rec.discarded_bytes > 0);
    }

    #[test]
    fn compaction_keeps_live_reports_and_the_drop_count() {
        let dir = tempfile::tempdir().unwrap();
        let rec = HEADER + REPORT_PREFIX + json(1).len() as u64;
        let bounds = Bounds {
            max_bytes: rec * 2000,
            max_age_secs: 1e9,
        };
        let (mut s, _) = Spool::open(dir.path(), bounds).unwrap();
        s.compact_min_dead = 16 << 10;
        let n = 3000u64;
        for seq in 1..=n {
            s.append(seq, seq as f64, seq % 1000 == 0, &json(seq))
                .unwrap();
        }
        assert_eq!(s.len(), 2000);
        assert_eq!(s.dropped_total(), n - 2000);
        assert!(sequences(&s).contains(&1000), "precious kept");
        // drain in batches of 100 as the daemon does
        let mut compactions = 0;
        while s.len() > 100 {
            let before = s.file_bytes();
            let (seqs, _) = s.batch(100, 1 << 20).unwrap();
            s.acknowledged(&seqs).unwrap();
            compactions += usize::from(s.file_bytes() < before);
            let dead = s.file_bytes() - s.live_bytes;
            assert!(
                dead <= s.live_bytes.max(16 << 10) + 8 * 100 + 9,
                "dead {dead}"
            );
        }
        assert!(compactions >= 2, "{compactions}");
        let left = sequences(&s);
        drop(s);
        let (s, _) = Spool::open(dir.path(), bounds).unwrap();
        assert_eq!(sequences(&s), left);
        assert_eq!(s.dropped_total(), n - 2000);
        let (_, body) = s.batch(1, 1 << 20).unwrap();
        let v: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
        assert_eq!(v[0]["sequence"], left[0]);
    }
}

/// Cost of the spool per report, run by `bench/spool_overhead.sh` (not a timed test).
#[cfg(test)]
mod bench {
    use super::*;
    use std::time::Instant;

    #[test]
    #[ignore = "benchmark: bench/spool_overhead.sh"]
    fn spool_cost_per_report() {
        let dir = tempfile::Builder::new()
            .prefix("simpul-spool-bench")
            .tempdir_in(std::env::var("SPOOL_BENCH_DIR").unwrap_or_else(|_| ".".into()))
            .unwrap();
        let (mut s, _) = Spool::open(
            dir.path(),
            Bounds {
                max_bytes: 64 << 20,
                max_age_secs: 7.0 * 86400.0,
            },
        )
        .unwrap();
        let report = vec![b'x'; 1500]; // a heartbeat is about 1.5 KB of JSON
        let n = 500u64;
        // steady state: append, send (read the batch), acknowledge
        let t = Instant::now();
        for seq in 1..=n {
            s.append(seq, seq as f64, false, &report).unwrap();
            let (seqs, _) = s.batch(500, 768 << 10).unwrap();
            s.acknowledged(&seqs).unwrap();
        }
        let cycle = t.elapsed() / n as u32;
        // outage: appends only, then one drain
        let t = Instant::now();
        for seq in n + 1..=2 * n {
            s.append(seq, seq as f64, false, &report).unwrap();
        }
        let append = t.elapsed() / n as u32;
        let t = Instant::now();
        while !s.is_empty() {
            let (seqs, _) = s.batch(500, 768 << 10).unwrap();
            s.acknowledged(&seqs).unwrap();
        }
        let drain = t.elapsed();
        println!(
            "spool per report: append+fsync {append:?}, steady cycle (append+read+ack) {cycle:?}; draining {n} reports {drain:?}"
        );
    }
}
