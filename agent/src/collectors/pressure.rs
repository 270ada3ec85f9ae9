//! Pressure stall information from `/proc/pressure/{cpu,memory,io}` (Linux 4.20+ with
//! PSI enabled): the share of the last 10 s that tasks were stalled, and the total.
//!
//! Kernels without PSI (older, or booted with `psi=0`) have no such files; that is "not
//! available" (no `pressure` in the report), never a collector failure.

use simpul_protocol::{Pressure, PressureLine, PressureResource, Report};

use super::{parse_error, CollectError, Collector, ProcFile, Roots};

/// One `some` or `full` line: `some avg10=0.45 avg60=0.63 avg300=1.44 total=91316373`.
fn parse_line(line: &str) -> Option<(&str, PressureLine)> {
    let mut f = line.split_whitespace();
    let kind = f.next()?;
    let (mut avg10, mut total) = (None, None);
    for kv in f {
        match kv.split_once('=')? {
            ("avg10", v) => avg10 = v.parse::<f64>().ok(),
            ("total", v) => total = v.parse::<u64>().ok(),
            _ => {}
        }
    }
    let avg10 = avg10.filter(|v| v.is_finite() && (0.0..=100.0).contains(v))?;
    Some((
        kind,
        PressureLine {
            avg10_ratio: avg10 / 100.0,
            total_us: total?,
        },
    ))
}

/// Parses one pressure file; `None` when it has no valid `some` line.
pub fn parse_pressure(text: &str) -> Option<PressureResource> {
    let (mut some, mut full) = (None, None);
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        match parse_line(l)? {
            ("some", p) => some = Some(p),
            ("full", p) => full = Some(p),
            _ => return None,
        }
    }
    Some(PressureResource { some: some?, full })
}

/// Fills `health.pressure` where the kernel has PSI.
pub struct PressureCollector {
    cpu: ProcFile,
    memory: ProcFile,
    io: ProcFile,
}

impl PressureCollector {
    pub fn new(roots: &Roots) -> Self {
        let file = |name| ProcFile::new(roots.proc.join("pressure").join(name));
        Self {
            cpu: file("cpu"),
            memory: file("memory"),
            io: file("io"),
        }
    }
}

/// One resource's pressure; None when its file is absent or refused.
fn resource(file: &mut ProcFile) -> Result<Option<PressureResource>, CollectError> {
    match file.read() {
        Ok((text, path)) => parse_pressure(text)
            .map(Some)
            .ok_or_else(|| parse_error(path, "expected `some|full avg10=… total=…` lines")),
        // absent (no PSI) or refused (`psi=0` makes the files return EOPNOTSUPP)
        Err(_) => Ok(None),
    }
}

impl Collector for PressureCollector {
    fn name(&self) -> &'static str {
        "pressure"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let p = Pressure {
            cpu: resource(&mut self.cpu)?,
            memory: resource(&mut self.memory)?,
            io: resource(&mut self.io)?,
        };
        let h = report.health.get_or_insert_with(Default::default);
        h.pressure = (p != Pressure::default()).then_some(p);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25: cpu (no `full` line before Linux 5.13), memory and io.
    #[test]
    fn reads_the_pressure_fixture() {
        let mut r = super::super::empty_report();
        PressureCollector::new(&super::super::fixture_tree("pressure-host"))
            .collect(&mut r)
            .unwrap();
        let p = r.health.unwrap().pressure.unwrap();
        let cpu = p.cpu.unwrap();
        assert_eq!(
            cpu.some,
            PressureLine {
                avg10_ratio: 0.0993,
                total_us: 1_084_441_573
            }
        );
        assert_eq!(cpu.full, None);
        let io = p.io.unwrap();
        assert_eq!(io.full.unwrap().total_us, 64_904_130);
        assert!((io.some.avg10_ratio - 0.0045).abs() < 1e-12);
        assert_eq!(p.memory.unwrap().some.total_us, 1_293_847);
    }

    /// Issue 25: a kernel without PSI is "not available", not a failure.
    #[test]
    fn no_pressure_files_is_not_an_error() {
        let r = super::super::fixture_report(PressureCollector::new);
        assert_eq!(r.health.unwrap().pressure, None);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_pressure("some avg10=x total=1\n").is_none());
        assert!(parse_pressure("full avg10=1.00 avg60=0 avg300=0 total=1\n").is_none());
        assert!(parse_pressure("some avg10=120.00 total=1\n").is_none());
    }
}
