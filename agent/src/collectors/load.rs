//! Load averages from `/proc/loadavg`.

use std::sync::{Arc, Mutex};

use simpul_protocol::{Load, Report};

use super::{parse_error, CollectError, Collector, ProcFile, Roots};

/// Parses the first three fields of `/proc/loadavg`.
pub fn parse_loadavg(text: &str) -> Option<Load> {
    let mut f = text.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some(Load {
        load1: f.next()??,
        load5: f.next()??,
        load15: f.next()??,
    })
}

/// What `/proc/loadavg` says of the machine's tasks: their number (threads included)
/// and the last process ID handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tasks {
    pub count: u64,
    pub last_pid: u64,
}

/// The task count (after the `/` of the fourth field) and the last process ID (the fifth
/// field) of `/proc/loadavg`; `None` when the text does not have them.
pub fn parse_tasks(loadavg: &str) -> Option<Tasks> {
    let mut f = loadavg.split_ascii_whitespace().skip(3);
    let count = f.next()?.split_once('/')?.1.parse().ok()?;
    let last_pid = f.next()?.parse().ok()?;
    Some(Tasks { count, last_pid })
}

/// The tasks of this cycle's `/proc/loadavg`, handed from the load collector to the
/// process count that runs after it, so that the file is read once per cycle.
pub type SeenTasks = Arc<Mutex<Option<Tasks>>>;

/// Fills `health.load`.
pub struct LoadCollector {
    loadavg: ProcFile,
    tasks: SeenTasks,
}

impl LoadCollector {
    pub fn new(roots: &Roots, tasks: SeenTasks) -> Self {
        Self {
            loadavg: ProcFile::new(roots.proc.join("loadavg")),
            tasks,
        }
    }
}

impl Collector for LoadCollector {
    fn name(&self) -> &'static str {
        "load"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let (text, path) = self.loadavg.read()?;
        if let Ok(mut seen) = self.tasks.lock() {
            *seen = parse_tasks(text);
        }
        let load =
            parse_loadavg(text).ok_or_else(|| parse_error(path, "expected three numbers"))?;
        report.health.get_or_insert_with(Default::default).load = Some(load);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_loadavg() {
        let l = parse_loadavg("0.52 0.58 0.59 2/412 12345\n").unwrap();
        assert_eq!((l.load1, l.load5, l.load15), (0.52, 0.58, 0.59));
        assert!(parse_loadavg("0.52 oops").is_none());
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

    #[test]
    fn reads_the_fixture() {
        let r = super::super::fixture_report(|r| LoadCollector::new(r, SeenTasks::default()));
        assert_eq!(r.health.unwrap().load.unwrap().load15, 0.59);
    }
}
