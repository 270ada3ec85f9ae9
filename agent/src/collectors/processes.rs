//! Number of processes: the numeric directories of `/proc`.

use std::path::PathBuf;

use simpul_protocol::Report;

use super::{CollectError, Collector, Roots};

/// Fills `health.processes`.
pub struct ProcessesCollector {
    path: PathBuf,
}

impl ProcessesCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            path: roots.proc.clone(),
        }
    }
}

impl Collector for ProcessesCollector {
    fn name(&self) -> &'static str {
        "processes"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let dir = std::fs::read_dir(&self.path).map_err(|source| CollectError::Read {
            path: self.path.clone(),
            source,
        })?;
        let n = dir
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
            })
            .count();
        report.health.get_or_insert_with(Default::default).processes = Some(n as u64);
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
}
