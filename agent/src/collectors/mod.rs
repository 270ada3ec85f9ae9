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

/// A file read every cycle, kept open while it is a `/proc` file. The kernel makes a
/// `/proc` file's text anew on each read from its start, so a `pread` at offset 0 of the
/// file opened at the first read gives what opening it again would, without the path's
/// lookup, the open and the close (eleven `/proc` files read every 5 s by a C loop on
/// the project's 2-core VM, 120 s: 1.80 ms of CPU per wake opening each, 1.24 ms holding
/// them, 1.22 ms opening one). Any other file (a test's fixture, which a test may
/// replace between reads) is opened at each read, and so is a held file whose read
/// failed. The text is read into a buffer kept for the next read.
#[derive(Debug)]
pub(crate) struct ProcFile {
    path: PathBuf,
    held: Option<std::fs::File>,
    buf: Vec<u8>,
}

/// The buffer a [`ProcFile`] starts with, doubled while a file fills it.
const PROC_FILE_START: usize = 1024;

impl ProcFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            held: None,
            buf: Vec::new(),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file is held open for the next read.
    #[cfg(test)]
    fn is_held(&self) -> bool {
        self.held.is_some()
    }

    /// The file's whole text, and its path (for a parse error); the errors are
    /// [`read`]'s.
    pub(crate) fn read(&mut self) -> Result<(&str, &Path), CollectError> {
        let error = |path: &Path, source| CollectError::Read {
            path: path.to_owned(),
            source,
        };
        let held = self
            .held
            .as_ref()
            .map(|f| read_from_start(f, &mut self.buf));
        let len = match held {
            Some(Ok(len)) => len,
            // not open yet, or its read failed: open it (again)
            _ => {
                self.held = None;
                let file = std::fs::File::open(&self.path).map_err(|e| error(&self.path, e))?;
                let len =
                    read_from_start(&file, &mut self.buf).map_err(|e| error(&self.path, e))?;
                let procfs = nix::sys::statfs::fstatfs(&file)
                    .is_ok_and(|f| f.filesystem_type() == nix::sys::statfs::PROC_SUPER_MAGIC);
                if procfs {
                    self.held = Some(file);
                }
                len
            }
        };
        match std::str::from_utf8(&self.buf[..len]) {
            Ok(text) => Ok((text, &self.path)),
            Err(e) => Err(error(
                &self.path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )),
        }
    }
}

/// Reads `file` from offset 0 to its end into `buf` (grown, never shrunk): its length.
fn read_from_start(file: &std::fs::File, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize((len * 2).max(PROC_FILE_START), 0);
        }
        match file.read_at(&mut buf[len..], len as u64) {
            Ok(0) => return Ok(len),
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
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

    /// A `/proc` file is held and read anew each time; a regular file is opened at each
    /// read (a fixture replaced by a rename is seen); a file longer than the starting
    /// buffer is read whole; missing and not UTF-8 are read errors naming the path.
    #[test]
    fn proc_files_are_held_and_read_anew() {
        let mut up = ProcFile::new(PathBuf::from("/proc/thread-self/schedstat"));
        let first = up.read().unwrap().0.to_owned();
        assert!(up.is_held());
        // this thread's run time moves with the work done between the reads
        let t0 = std::time::Instant::now();
        while t0.elapsed() < std::time::Duration::from_millis(20) {
            std::hint::black_box(t0.elapsed());
        }
        let second = up.read().unwrap().0.to_owned();
        assert!(up.is_held());
        assert_ne!(first, second, "read anew");
        assert!(
            second.ends_with('\n') && second.split(' ').count() == 3,
            "{second}"
        );

        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("stat");
        let long: String = "cpu 1 2 3\n".repeat(400);
        std::fs::write(&path, &long).unwrap();
        let mut fixture = ProcFile::new(path.clone());
        assert_eq!(fixture.read().unwrap(), (long.as_str(), path.as_path()));
        assert!(!fixture.is_held());
        std::fs::write(d.path().join("new"), "cpu 4 5 6\n").unwrap();
        std::fs::rename(d.path().join("new"), &path).unwrap();
        assert_eq!(fixture.read().unwrap().0, "cpu 4 5 6\n");

        std::fs::write(&path, b"caf\xe9").unwrap();
        let e = fixture.read().unwrap_err().to_string();
        assert!(e.contains("stat"), "{e}");
        std::fs::remove_file(&path).unwrap();
        match fixture.read().unwrap_err() {
            CollectError::Read { path: p, source } => {
                assert_eq!(p, path);
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("{other}"),
        }
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
