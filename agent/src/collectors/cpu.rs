//! CPU busy ratio, overall and per core, from two readings of `/proc/stat`.

use std::time::Duration;

use simpul_protocol::{Cpu, Report};

use super::{parse_error, CollectError, Collector, ProcFile, Roots};

/// Jiffies of one `cpu` line: (busy, total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ticks {
    busy: u64,
    total: u64,
}

/// Parses the `cpu` and `cpuN` lines of `/proc/stat` into (overall, per core).
/// Busy is everything but idle and iowait; guest time is already inside user time, so it
/// is not added again (see proc(5)).
pub fn parse_stat(text: &str) -> Option<(Ticks, Vec<Ticks>)> {
    let mut all = None;
    let mut cores = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("cpu") else {
            continue;
        };
        let (label, fields) = rest.split_once(' ')?;
        let v: Vec<u64> = fields
            .split_whitespace()
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        if v.len() < 4 {
            return None;
        }
        let total: u64 = v.iter().sum();
        let idle = v[3] + v.get(4).copied().unwrap_or(0);
        let t = Ticks {
            busy: total - idle,
            total,
        };
        if label.is_empty() {
            all = Some(t);
        } else {
            cores.push(t);
        }
    }
    Some((all?, cores))
}

fn ratio(prev: Ticks, now: Ticks) -> f64 {
    let total = now.total.saturating_sub(prev.total);
    if total == 0 {
        return 0.0;
    }
    (now.busy.saturating_sub(prev.busy) as f64 / total as f64).clamp(0.0, 1.0)
}

/// Usage ratios between two readings. A core that appeared (CPU hot-plug) counts from 0.
pub fn usage(prev: &(Ticks, Vec<Ticks>), now: &(Ticks, Vec<Ticks>)) -> Cpu {
    Cpu {
        usage_ratio: ratio(prev.0, now.0),
        per_core_usage_ratio: now
            .1
            .iter()
            .enumerate()
            .map(|(i, t)| ratio(prev.1.get(i).copied().unwrap_or_default(), *t))
            .collect(),
    }
}

/// Fills `health.cpu`. The first call has no previous reading and measures over a short
/// window instead; later calls average over the whole interval since the previous one.
pub struct CpuCollector {
    stat: ProcFile,
    prev: Option<(Ticks, Vec<Ticks>)>,
}

/// Window of the first measurement, when there is no previous reading.
const FIRST_WINDOW: Duration = Duration::from_millis(250);

impl CpuCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            stat: ProcFile::new(roots.proc.join("stat")),
            prev: None,
        }
    }

    fn read(&mut self) -> Result<(Ticks, Vec<Ticks>), CollectError> {
        let (text, path) = self.stat.read()?;
        parse_stat(text).ok_or_else(|| parse_error(path, "no valid `cpu` line"))
    }
}

impl Collector for CpuCollector {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let prev = match self.prev.take() {
            Some(p) => p,
            None => {
                let p = self.read()?;
                std::thread::sleep(FIRST_WINDOW);
                p
            }
        };
        let now = self.read()?;
        report.health.get_or_insert_with(Default::default).cpu = Some(usage(&prev, &now));
        self.prev = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_excludes_idle_and_iowait() {
        let (all, cores) =
            parse_stat("cpu  10 0 10 70 10 0 0 0 0 0\ncpu0 10 0 10 70 10 0 0 0 0 0\n").unwrap();
        assert_eq!(
            all,
            Ticks {
                busy: 20,
                total: 100
            }
        );
        assert_eq!(cores.len(), 1);
    }

    #[test]
    fn usage_between_two_readings() {
        let a = parse_stat("cpu  100 0 0 100 0\ncpu0 50 0 0 50 0\ncpu1 50 0 0 50 0\n").unwrap();
        let b = parse_stat("cpu  130 0 0 170 0\ncpu0 80 0 0 70 0\ncpu1 50 0 0 100 0\n").unwrap();
        let u = usage(&a, &b);
        assert!((u.usage_ratio - 0.3).abs() < 1e-9);
        assert_eq!(u.per_core_usage_ratio.len(), 2);
        assert!((u.per_core_usage_ratio[0] - 0.6).abs() < 1e-9);
        assert_eq!(u.per_core_usage_ratio[1], 0.0);
    }

    #[test]
    fn counters_going_backwards_give_zero_not_garbage() {
        let a = parse_stat("cpu  100 0 0 100 0\n").unwrap();
        let b = parse_stat("cpu  50 0 0 50 0\n").unwrap();
        assert_eq!(usage(&a, &b).usage_ratio, 0.0);
    }

    #[test]
    fn malformed_stat_is_none() {
        assert!(parse_stat("cpu  x y z\n").is_none());
        assert!(parse_stat("intr 1 2 3\n").is_none());
    }

    #[test]
    fn reads_the_fixture() {
        let mut c = CpuCollector::new(&super::super::fixture_roots());
        let mut r = super::super::empty_report();
        c.collect(&mut r).unwrap();
        let cpu = r.health.unwrap().cpu.unwrap();
        assert_eq!(cpu.per_core_usage_ratio.len(), 4);
        assert_eq!(
            cpu.usage_ratio, 0.0,
            "same file read twice: no ticks elapsed"
        );
    }
}
