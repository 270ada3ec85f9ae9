//! Disk I/O from `/proc/diskstats`: per physical disk (a `/sys/block` entry with a
//! `device` link), reads and writes completed, bytes, time spent, requests in flight and
//! the busy ratio since the previous sample.
//!
//! Partitions and virtual devices (device-mapper, md, loop, zram) are left out by
//! default because their I/O is already counted on the disks below them; `disks.include`
//! names the ones an operator wants anyway.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use serde::Deserialize;
use simpul_protocol::{DiskIo, Limits, Report};

use super::{glob_match, parse_error, CollectError, Collector, ProcFile, Roots};

/// `/proc/diskstats` counts in sectors of 512 bytes whatever the device's block size.
const SECTOR_BYTES: u64 = 512;

/// `[disks]` of agent.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisksConfig {
    /// Device-name patterns (`*` matches any characters) of partitions and virtual
    /// devices whose I/O is reported besides the physical disks, e.g. `["md*", "dm-*"]`.
    #[serde(default)]
    pub include: Vec<String>,
}

/// Most patterns in `disks.include`.
const MAX_PATTERNS: usize = 32;

impl DisksConfig {
    /// Every problem of `[disks]`, each naming the key and what is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.include.len() > MAX_PATTERNS {
            p.push(format!(
                "disks.include: at most {MAX_PATTERNS} patterns, has {}",
                self.include.len()
            ));
        }
        for (i, pat) in self.include.iter().enumerate() {
            let ok = !pat.is_empty()
                && pat.len() <= 32
                && pat
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'*'));
            if !ok {
                p.push(format!(
                    "disks.include[{i}] = {pat:?}: must be a kernel device name pattern of 1 to 32 letters, digits, '-', '_', '.' and '*' (any characters), e.g. \"md*\" or \"dm-*\""
                ));
            }
        }
        p
    }
}

/// One line of `/proc/diskstats`, as the report wants it (without `busy_ratio`).
pub fn parse_line(line: &str) -> Option<DiskIo> {
    let mut f = line.split_whitespace();
    let (_major, _minor, name) = (f.next()?, f.next()?, f.next()?);
    let v: Vec<u64> = f.take(11).map(|x| x.parse().ok()).collect::<Option<_>>()?;
    if v.len() < 11 {
        return None;
    }
    Some(DiskIo {
        name: name.to_owned(),
        reads_completed: v[0],
        read_bytes: v[2].saturating_mul(SECTOR_BYTES),
        read_time_ms: v[3],
        writes_completed: v[4],
        written_bytes: v[6].saturating_mul(SECTOR_BYTES),
        write_time_ms: v[7],
        io_in_progress: v[8],
        io_time_ms: v[9],
        busy_ratio: None,
    })
}

/// Fills `health.disks`.
pub struct DiskstatsCollector {
    diskstats: ProcFile,
    block: PathBuf,
    include: Vec<String>,
    /// `io_time_ms` per device at the previous sample, and when it was taken.
    previous: Option<(Instant, HashMap<String, u64>)>,
    /// Whether each device name seen is reported: a kernel name stays a disk or a
    /// partition for its life, so `/sys/block` is asked once per name, not every cycle.
    wanted: HashMap<String, bool>,
}

/// Most device names remembered in [`DiskstatsCollector::wanted`] (loop and dm devices
/// come and go); past it the memory starts over.
const MAX_REMEMBERED: usize = 1024;

impl DiskstatsCollector {
    pub fn new(roots: &Roots, include: &[String]) -> Self {
        Self {
            diskstats: ProcFile::new(roots.proc.join("diskstats")),
            block: roots.sys.join("block"),
            include: include.to_vec(),
            previous: None,
            wanted: HashMap::new(),
        }
    }

    /// Whether `name` is reported: a physical disk, or selected by `disks.include`.
    fn wanted(&mut self, name: &str) -> bool {
        if let Some(w) = self.wanted.get(name) {
            return *w;
        }
        if self.wanted.len() >= MAX_REMEMBERED {
            self.wanted.clear();
        }
        let w = self.include.iter().any(|p| glob_match(p, name))
            || self.block.join(name).join("device").exists();
        self.wanted.insert(name.to_owned(), w);
        w
    }
}

impl Collector for DiskstatsCollector {
    fn name(&self) -> &'static str {
        "diskstats"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let (text, path) = self.diskstats.read()?;
        let now = Instant::now();
        let all = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                parse_line(line)
                    .ok_or_else(|| parse_error(path, format!("unexpected line {line:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::new();
        for d in all {
            if self.wanted(&d.name) {
                out.push(d);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.truncate(Limits::default().max_disks);
        if let Some((then, before)) = &self.previous {
            let elapsed_ms = now.duration_since(*then).as_secs_f64() * 1000.0;
            for d in &mut out {
                // a counter that went backwards (device replaced) gives no ratio
                d.busy_ratio = before
                    .get(&d.name)
                    .and_then(|b| d.io_time_ms.checked_sub(*b))
                    .filter(|_| elapsed_ms >= 1.0)
                    .map(|delta| (delta as f64 / elapsed_ms).clamp(0.0, 1.0));
            }
        }
        self.previous = Some((
            now,
            out.iter().map(|d| (d.name.clone(), d.io_time_ms)).collect(),
        ));
        report.health.get_or_insert_with(Default::default).disks = out;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(r: &Report) -> Vec<String> {
        r.health
            .as_ref()
            .unwrap()
            .disks
            .iter()
            .map(|d| d.name.clone())
            .collect()
    }

    /// Issue 25: physical disks only by default; partitions, device-mapper, md and loop
    /// devices are left out.
    #[test]
    fn physical_disks_of_the_fixture() {
        let r = super::super::fixture_report(|roots| DiskstatsCollector::new(roots, &[]));
        assert_eq!(names(&r), ["nvme0n1", "sda"]);
        let sda = &r.health.unwrap().disks[1];
        assert_eq!(
            *sda,
            DiskIo {
                name: "sda".into(),
                reads_completed: 183_746,
                writes_completed: 92_837,
                read_bytes: 45_210_938 * 512,
                written_bytes: 30_192_837 * 512,
                read_time_ms: 2_918_273,
                write_time_ms: 8_192_837,
                io_time_ms: 3_029_384,
                io_in_progress: 2,
                busy_ratio: None,
            }
        );
    }

    #[test]
    fn include_selects_partitions_and_virtual_devices() {
        let r = super::super::fixture_report(|roots| {
            DiskstatsCollector::new(roots, &["md*".into(), "sda2".into()])
        });
        assert_eq!(names(&r), ["md127", "nvme0n1", "sda", "sda2"]);
    }

    #[test]
    fn busy_ratio_from_the_second_sample_on() {
        let dir = tempfile::tempdir().unwrap();
        let mut roots = super::super::fixture_roots();
        roots.proc = dir.path().to_owned();
        let line =
            |io_ms: u64| format!("   8       0 sda 1 0 8 1 1 0 8 1 1 {io_ms} 2 0 0 0 0 0 0\n");
        std::fs::write(dir.path().join("diskstats"), line(1000)).unwrap();
        let mut c = DiskstatsCollector::new(&roots, &[]);
        let mut r = super::super::empty_report();
        c.collect(&mut r).unwrap();
        assert_eq!(r.health.as_ref().unwrap().disks[0].busy_ratio, None);
        std::thread::sleep(std::time::Duration::from_millis(200));
        // busy for 100 ms of ~200 ms, then a counter that went backwards
        std::fs::write(dir.path().join("diskstats"), line(1100)).unwrap();
        c.collect(&mut r).unwrap();
        let b = r.health.as_ref().unwrap().disks[0].busy_ratio.unwrap();
        assert!((0.3..=0.5).contains(&b), "{b}");
        std::fs::write(dir.path().join("diskstats"), line(5)).unwrap();
        c.collect(&mut r).unwrap();
        assert_eq!(r.health.as_ref().unwrap().disks[0].busy_ratio, None);
    }

    #[test]
    fn short_lines_are_an_error() {
        assert!(parse_line("8 0 sda 1 2 3").is_none());
        // kernels before 4.18 have exactly 11 counters
        assert!(parse_line("8 0 sda 1 2 3 4 5 6 7 8 9 10 11").is_some());
    }

    #[test]
    fn bad_patterns_are_named() {
        let c = DisksConfig {
            include: vec!["md*".into(), "/dev/sda".into(), String::new()],
        };
        let p = c.problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0]
            .starts_with("disks.include[1] = \"/dev/sda\": must be a kernel device name pattern"));
        assert!(p[1].starts_with("disks.include[2] = \"\""));
    }
}
