//! Number of processes: the numeric directories of `/proc`.
//!
//! Listing `/proc` is the dearest read of a heartbeat: the kernel looks up a dentry for
//! every process, and on a machine whose caches go cold between heartbeats that took
//! 3.9 ms of CPU, three times a wake-up with one read of `/proc/stat` (bench/RESULTS.md).
//! `/proc/loadavg` tells, for the price of a small read, whether the listing can change:
//! its fourth field ends in the number of tasks (threads included) and its fifth is the
//! last process ID handed out. A new process or thread moves the last ID, an exit lowers
//! the number of tasks, so while both stay as they were at the last listing no process
//! came or went and the count stands. A quiet server lists `/proc` once; a busy one, as
//! before, in every cycle.

use std::path::PathBuf;

use nix::dir::Dir;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use simpul_protocol::Report;

use super::{read_text, CollectError, Collector, Roots};

/// Fills `health.processes`.
pub struct ProcessesCollector {
    path: PathBuf,
    loadavg: PathBuf,
    /// The tasks of the last listing (`/proc/loadavg`'s task count and last process ID)
    /// and the processes it counted.
    last: Option<(Tasks, u64)>,
}

/// What `/proc/loadavg` says of the machine's tasks: their number and the last process
/// ID handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tasks {
    count: u64,
    last_pid: u64,
}

/// The task count (after the `/` of the fourth field) and the last process ID (the fifth
/// field) of `/proc/loadavg`; `None` when the text does not have them.
fn parse_tasks(loadavg: &str) -> Option<Tasks> {
    let mut f = loadavg.split_ascii_whitespace().skip(3);
    let count = f.next()?.split_once('/')?.1.parse().ok()?;
    let last_pid = f.next()?.parse().ok()?;
    Some(Tasks { count, last_pid })
}

impl ProcessesCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            path: roots.proc.clone(),
            loadavg: roots.proc.join("loadavg"),
            last: None,
        }
    }

    fn list(&self) -> Result<u64, CollectError> {
        let err = |e: nix::Error| CollectError::Read {
            path: self.path.clone(),
            source: e.into(),
        };
        // nix's entries borrow their names; std's `ReadDir` allocates one per process
        let mut dir = Dir::open(
            &self.path,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(err)?;
        let mut n = 0u64;
        for entry in dir.iter() {
            let name = entry.map_err(err)?;
            let name = name.file_name().to_bytes();
            if !name.is_empty() && name.iter().all(u8::is_ascii_digit) {
                n += 1;
            }
        }
        Ok(n)
    }
}

impl Collector for ProcessesCollector {
    fn name(&self) -> &'static str {
        "processes"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        // without a readable loadavg every cycle lists /proc
        let tasks = read_text(&self.loadavg).ok().and_then(|t| parse_tasks(&t));
        let n = match (tasks, self.last) {
            (Some(now), Some((then, n))) if now == then => n,
            _ => {
                let n = self.list()?;
                self.last = tasks.map(|t| (t, n));
                n
            }
        };
        report.health.get_or_insert_with(Default::default).processes = Some(n);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pid_directories_of_the_fixture() {
        let r = super::super::fixture_report(ProcessesCollector::new);
        assert_eq!(r.health.unwrap().processes, Some(3));
    }

    #[test]
    fn reads_the_task_count_and_last_pid() {
        assert_eq!(
            parse_tasks("0.52 0.58 0.59 2/412 12345\n"),
            Some(Tasks {
                count: 412,
                last_pid: 12345
            })
        );
        assert_eq!(parse_tasks("0.52 0.58 0.59\n"), None);
        assert_eq!(parse_tasks("0.52 0.58 0.59 412 12345\n"), None);
    }

    /// A copy of a /proc with `pids` and the given loadavg.
    fn proc_tree(dir: &std::path::Path, pids: &[u32], loadavg: &str) {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        for p in pids {
            std::fs::create_dir(dir.join(p.to_string())).unwrap();
        }
        std::fs::create_dir(dir.join("sys")).unwrap();
        std::fs::write(dir.join("loadavg"), loadavg).unwrap();
    }

    fn count(c: &mut ProcessesCollector) -> u64 {
        let mut r = super::super::empty_report();
        c.collect(&mut r).unwrap();
        r.health.unwrap().processes.unwrap()
    }

    #[test]
    fn lists_proc_again_only_when_a_task_came_or_went() {
        let tmp = tempfile::tempdir().unwrap();
        let roots = Roots {
            proc: tmp.path().join("proc"),
            ..super::super::fixture_roots()
        };
        let proc = &roots.proc;
        proc_tree(proc, &[1, 42, 1234], "0.00 0.00 0.00 1/90 5000\n");
        let mut c = ProcessesCollector::new(&roots);
        assert_eq!(count(&mut c), 3);
        // the same tasks by loadavg: the last listing stands (the directory is not read)
        proc_tree(proc, &[1, 42, 1234, 5001], "0.00 0.00 0.00 1/90 5000\n");
        assert_eq!(count(&mut c), 3);
        // a new process moved the last ID: listed again
        proc_tree(proc, &[1, 42, 1234, 5001], "0.00 0.00 0.00 1/91 5001\n");
        assert_eq!(count(&mut c), 4);
        // one exited: fewer tasks, same last ID
        proc_tree(proc, &[1, 42, 5001], "0.00 0.00 0.00 1/90 5001\n");
        assert_eq!(count(&mut c), 3);
        // a loadavg without the fields: every cycle lists
        proc_tree(proc, &[1, 42], "0.00 0.00 0.00\n");
        assert_eq!(count(&mut c), 2);
        proc_tree(proc, &[1], "0.00 0.00 0.00\n");
        assert_eq!(count(&mut c), 1);
    }
}
