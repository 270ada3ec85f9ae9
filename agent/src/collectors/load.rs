//! Load averages from `/proc/loadavg`.

use std::path::PathBuf;

use simpul_protocol::{Load, Report};

use super::{parse_error, read, CollectError, Collector, Roots};

/// Parses the first three fields of `/proc/loadavg`.
pub fn parse_loadavg(text: &str) -> Option<Load> {
    let mut f = text.split_whitespace().map(|x| x.parse::<f64>().ok());
    Some(Load {
        load1: f.next()??,
        load5: f.next()??,
        load15: f.next()??,
    })
}

/// Fills `health.load`.
pub struct LoadCollector {
    path: PathBuf,
}

impl LoadCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            path: roots.proc.join("loadavg"),
        }
    }
}

impl Collector for LoadCollector {
    fn name(&self) -> &'static str {
        "load"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let load = parse_loadavg(&read(&self.path)?)
            .ok_or_else(|| parse_error(&self.path, "expected three numbers"))?;
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
    fn reads_the_fixture() {
        let r = super::super::fixture_report(LoadCollector::new);
        assert_eq!(r.health.unwrap().load.unwrap().load15, 0.59);
    }
}
