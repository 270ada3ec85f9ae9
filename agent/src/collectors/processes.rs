//! Number of processes: the numeric directories of `/proc`.
//!
//! Listing `/proc` is the dearest read of a heartbeat: the kernel looks up a dentry for
//! every process, and on a machine whose caches go cold between heartbeats that took
//! 3.9 ms of CPU, three times a wake-up with one read of `/proc/stat` (bench/RESULTS.md).
//! The load collector's read of `/proc/loadavg`, earlier in the same cycle, tells whether
//! the listing can change: its fourth field ends in the number of tasks (threads
//! included) and its fifth is the last process ID handed out. A new process or thread
//! moves the last ID, an exit lowers the number of tasks, so while both stay as they were
//! at the last listing no process came or went and the count stands. A quiet server
//! lists `/proc` once; a busy one, as before, in every cycle.

use std::path::PathBuf;

use nix::dir::Dir;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use simpul_protocol::Report;

use super::load::{SeenTasks, Tasks};
use super::{CollectError, Collector, Roots};

/// Fills `health.processes`.
pub struct ProcessesCollector {
    path: PathBuf,
    /// This cycle's tasks, as the load collector read them (`None` when it could not).
    seen: SeenTasks,
    /// The tasks of the last listing (`/proc/loadavg`'s task count and last process ID)
    /// and the processes it counted.
    last: Option<(Tasks, u64)>,
}

impl ProcessesCollector {
    pub fn new(roots: &Roots, seen: SeenTasks) -> Self {
        Self {
            path: roots.proc.clone(),
            seen,
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
        // without this cycle's loadavg every cycle lists /proc
        let tasks = self.seen.lock().ok().and_then(|mut t| t.take());
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
    use crate::collectors::load::LoadCollector;

    #[test]
    fn counts_pid_directories_of_the_fixture() {
        let r = super::super::fixture_report(|r| ProcessesCollector::new(r, SeenTasks::default()));
        assert_eq!(r.health.unwrap().processes, Some(3));
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

    /// The fixture roots with a /proc of the test's own under `dir`.
    fn roots_in(dir: &std::path::Path) -> Roots {
        Roots {
            proc: dir.join("proc"),
            ..super::super::fixture_roots()
        }
    }

    /// One cycle: the load collector reads loadavg, then the process count.
    fn count(load: &mut LoadCollector, c: &mut ProcessesCollector) -> u64 {
        let mut r = super::super::empty_report();
        load.collect(&mut r).unwrap();
        c.collect(&mut r).unwrap();
        r.health.unwrap().processes.unwrap()
    }

    #[test]
    fn without_this_cycles_loadavg_every_cycle_lists() {
        let tmp = tempfile::tempdir().unwrap();
        let roots = roots_in(tmp.path());
        proc_tree(&roots.proc, &[1, 42], "0.00 0.00 0.00 1/90 5000\n");
        let seen = SeenTasks::default();
        let mut load = LoadCollector::new(&roots, seen.clone());
        let mut c = ProcessesCollector::new(&roots, seen);
        assert_eq!(count(&mut load, &mut c), 2);
        // the load collector did not run this cycle: the tasks of the last are not reused
        proc_tree(&roots.proc, &[1], "0.00 0.00 0.00 1/90 5000\n");
        let mut r = super::super::empty_report();
        c.collect(&mut r).unwrap();
        assert_eq!(r.health.unwrap().processes, Some(1));
    }

    #[test]
    fn lists_proc_again_only_when_a_task_came_or_went() {
        let tmp = tempfile::tempdir().unwrap();
        let roots = roots_in(tmp.path());
        let proc = &roots.proc;
        proc_tree(proc, &[1, 42, 1234], "0.00 0.00 0.00 1/90 5000\n");
        let seen = SeenTasks::default();
        let mut load = LoadCollector::new(&roots, seen.clone());
        let mut c = ProcessesCollector::new(&roots, seen);
        let mut count = |c: &mut ProcessesCollector| count(&mut load, c);
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
