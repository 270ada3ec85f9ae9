//! Number of processes: the numeric directories of `/proc`.

use std::path::PathBuf;

use nix::dir::Dir;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
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
}
