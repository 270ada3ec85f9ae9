//! Agent-side collectors: each file reads one part of the host and fills one part of the
//! report. [`registry`] is the one place that lists them.
//!
//! A collector that fails does not stop the others: the sampler records its name and
//! error in the report's `collectors` list, and the collector turns that into
//! `simpul_agent_collector_success`.

mod cpu;
pub mod diskstats;
pub mod filesystems;
mod hwmon;
pub mod inventory;
mod load;
mod memory;
mod network;
mod pressure;
mod processes;
mod uptime;

use std::path::{Path, PathBuf};

use simpul_protocol::Report;

/// Where the collectors read the host from. Tests point these at fixture trees.
#[derive(Debug, Clone)]
pub struct Roots {
    /// `/proc`.
    pub proc: PathBuf,
    /// `/sys`.
    pub sys: PathBuf,
    /// `/etc`.
    pub etc: PathBuf,
    /// `/run` (udev's device database, `/run/udev/data`).
    pub run: PathBuf,
}

/// What the operator selected beyond the defaults (`[filesystems]`, `[disks]`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Mount-point patterns of tmpfs mounts to report (`filesystems.include_tmpfs`).
    pub include_tmpfs: Vec<String>,
    /// Device-name patterns of partitions and virtual block devices whose I/O is
    /// reported besides the physical disks (`disks.include`).
    pub disks_include: Vec<String>,
}

/// Why a collector produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A file it needs could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file had an unexpected format.
    #[error("cannot parse {path}: {what}")]
    Parse { path: PathBuf, what: String },
}

/// One collector: reads its part of the host into `report`.
pub trait Collector: Send {
    /// Stable name, used in the report's `collectors` list and in metric labels.
    fn name(&self) -> &'static str;
    /// Fills its part of `report` (most fill `report.health`).
    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError>;
}

/// The collectors that run for every heartbeat, in order.
pub fn registry(roots: &Roots, selection: &Selection) -> Vec<Box<dyn Collector>> {
    // loadavg's tasks, read by the load collector, tell the process count (after it)
    // whether to list /proc again
    let tasks = load::SeenTasks::default();
    vec![
        Box::new(cpu::CpuCollector::new(roots)),
        Box::new(load::LoadCollector::new(roots, tasks.clone())),
        Box::new(memory::MemoryCollector::new(roots)),
        Box::new(filesystems::FilesystemsCollector::new(
            roots,
            &selection.include_tmpfs,
        )),
        Box::new(network::NetworkCollector::new(roots)),
        Box::new(processes::ProcessesCollector::new(roots, tasks)),
        Box::new(uptime::UptimeCollector::new(roots)),
        Box::new(diskstats::DiskstatsCollector::new(
            roots,
            &selection.disks_include,
        )),
        Box::new(pressure::PressureCollector::new(roots)),
        Box::new(hwmon::HwmonCollector::new(roots)),
    ]
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters other
/// than `/` and everything else is literal (mount points, device names).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(text) = text.strip_prefix(head) else {
                return false;
            };
            // try every split of `text` that keeps the starred part free of '/'
            let mut end = 0;
            loop {
                if glob_match(rest, &text[end..]) {
                    return true;
                }
                match text[end..].chars().next() {
                    Some(c) if c != '/' => end += c.len_utf8(),
                    _ => return false,
                }
            }
        }
    }
}

/// Reads a whole file, mapping the error to [`CollectError::Read`].
pub(crate) fn read(path: &Path) -> Result<String, CollectError> {
    read_text(path).map_err(|source| CollectError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The room [`read_text`] starts with: most `/proc` and `/sys` files fit in one read.
const READ_CHUNK: usize = 8 * 1024;

/// Reads a whole text file. `/proc` and `/sys` files claim a size of 0, so
/// `fs::read_to_string` asks for the size (statx), then for the position (lseek),
/// probes with a 32-byte read and grows its buffer by doubling; this reads into a
/// buffer of 8 KiB from the start: for most files one read with the text and one that
/// finds the end. Through `take`, `read_to_end` is std's generic one, which does not
/// ask for the size as `File`'s does, and reads straight into the buffer's spare room,
/// neither zeroing it first nor copying from a chunk on the stack.
pub(crate) fn read_text(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut out = Vec::with_capacity(READ_CHUNK);
    file.take(u64::MAX).read_to_end(&mut out)?;
    String::from_utf8(out).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Builds a [`CollectError::Parse`].
pub(crate) fn parse_error(path: &Path, what: impl Into<String>) -> CollectError {
    CollectError::Parse {
        path: path.to_owned(),
        what: what.into(),
    }
}

/// Reads a sysfs attribute, trimmed; empty when missing or unreadable (many DMI and disk
/// attributes are root-only or absent on virtual machines, which is not an error).
pub(crate) fn read_attr(path: &Path) -> String {
    // DMI strings are written by the vendor's firmware: not always UTF-8, sometimes
    // with control characters; made safe to report
    std::fs::read(path)
        .map(|b| {
            let s = String::from_utf8_lossy(&b);
            simpul_protocol::wire_string(s.trim(), simpul_protocol::MAX_WIRE_STRING_BYTES)
        })
        .unwrap_or_default()
}

/// Parses `key: value kB` style lines (`/proc/meminfo`) into the value for `key`.
pub(crate) fn kv_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim())
    })
}

#[cfg(test)]
pub(crate) fn fixture_roots() -> Roots {
    fixture_tree("linux-host")
}

/// The roots of `tests/fixtures/{name}` (test helper).
#[cfg(test)]
pub(crate) fn fixture_tree(name: &str) -> Roots {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name);
    Roots {
        proc: base.join("proc"),
        sys: base.join("sys"),
        etc: base.join("etc"),
        run: base.join("run"),
    }
}

/// The report a collector reads from `tests/fixtures/linux-host` (test helper).
#[cfg(test)]
pub(crate) fn fixture_report<C: Collector>(new: impl FnOnce(&Roots) -> C) -> Report {
    let mut r = empty_report();
    new(&fixture_roots())
        .collect(&mut r)
        .expect("the collector reads the fixture tree");
    r
}

#[cfg(test)]
pub(crate) fn empty_report() -> Report {
    Report {
        version: simpul_protocol::PROTOCOL_VERSION,
        agent_id: String::new(),
        host: simpul_protocol::HostIdentity {
            hostname: "h".into(),
            machine_id: String::new(),
            agency: None,
            site: None,
        },
        sequence: 1,
        sample_time_seconds: 0.0,
        interval_secs: 30,
        agent_version: "test".into(),
        health: None,
        uptime: None,
        inventory: None,
        software: None,
        collectors: vec![],
        spool: None,
        backups: Vec::new(),
        lan: None,
        snmp: Vec::new(),
        probes: Vec::new(),
        traffic: Vec::new(),
        certificates: None,
        websites: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_stars_stop_at_slashes() {
        assert!(glob_match("/tmp", "/tmp"));
        assert!(!glob_match("/tmp", "/tmp/x"));
        assert!(glob_match("/run/user/*", "/run/user/1000"));
        assert!(!glob_match("/run/user/*", "/run/user/1000/doc"));
        assert!(glob_match("md*", "md127"));
        assert!(glob_match("sd*1", "sda1"));
        assert!(!glob_match("sd*1", "sda2"));
        assert!(glob_match("*", "dm-0"));
    }

    /// Issue 20, finding 7: DMI strings are the firmware's; one with a control
    /// character or invalid UTF-8 must neither vanish nor get the inventory refused.
    #[test]
    fn control_character_in_a_dmi_string_is_replaced() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sys_vendor");
        std::fs::write(&p, b"Dell\tInc.\xff\n").unwrap();
        assert_eq!(read_attr(&p), "Dell\u{FFFD}Inc.\u{FFFD}");
        std::fs::write(&p, "x".repeat(1000)).unwrap();
        assert_eq!(read_attr(&p).len(), simpul_protocol::MAX_WIRE_STRING_BYTES);
        assert_eq!(read_attr(&d.path().join("missing")), "");
    }

    /// A file over several chunks, a `/proc` file that claims a size of 0, and the
    /// errors: missing, and not UTF-8.
    #[test]
    fn read_text_reads_whole_files() {
        let d = tempfile::tempdir().unwrap();
        let big: String = (0..3 * READ_CHUNK + 17)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        std::fs::write(d.path().join("big"), &big).unwrap();
        assert_eq!(read_text(&d.path().join("big")).unwrap(), big);
        let proc_file = Path::new("/proc/self/mountinfo");
        assert_eq!(std::fs::metadata(proc_file).unwrap().len(), 0);
        let text = read_text(proc_file).unwrap();
        assert!(text.ends_with('\n') && text.contains(" / "), "{text}");
        let e = read_text(&d.path().join("missing")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        std::fs::write(d.path().join("latin1"), b"caf\xe9").unwrap();
        let e = read_text(&d.path().join("latin1")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }
}
