//! Boot time (`btime` of `/proc/stat`) and uptime (`/proc/uptime`).
//!
//! Boot time is what availability is computed from, so it is reported whenever
//! `/proc/stat` has it; an unreadable `/proc/uptime` costs only precision (uptime is then
//! the clock's time since boot).

use std::path::PathBuf;

use simpul_protocol::{Report, Uptime};

use super::{parse_error, read, CollectError, Collector, Roots};

/// The `btime` line of `/proc/stat`: boot time in seconds since the epoch.
pub fn parse_btime(stat: &str) -> Option<u64> {
    stat.lines()
        .find_map(|l| l.strip_prefix("btime ")?.trim().parse().ok())
}

/// The first field of `/proc/uptime`.
pub fn parse_uptime(text: &str) -> Option<f64> {
    text.split_whitespace()
        .next()?
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)
}

/// Fills `uptime`.
pub struct UptimeCollector {
    stat: PathBuf,
    uptime: PathBuf,
}

impl UptimeCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            stat: roots.proc.join("stat"),
            uptime: roots.proc.join("uptime"),
        }
    }
}

impl Collector for UptimeCollector {
    fn name(&self) -> &'static str {
        "uptime"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let boot = parse_btime(&read(&self.stat)?)
            .ok_or_else(|| parse_error(&self.stat, "no btime line"))?;
        let up = match read(&self.uptime).map(|t| parse_uptime(&t)) {
            Ok(Some(up)) => up,
            failed => {
                tracing::debug!(path = %self.uptime.display(), ok = failed.is_ok(), "no uptime; counted from btime");
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64());
                (now - boot as f64).max(0.0)
            }
        };
        report.uptime = Some(Uptime {
            boot_time_seconds: boot,
            uptime_seconds: up,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fixture() {
        let r = super::super::fixture_report(UptimeCollector::new);
        assert_eq!(
            r.uptime,
            Some(Uptime {
                boot_time_seconds: 1_763_856_000,
                uptime_seconds: 350_735.47
            })
        );
    }

    /// Issue 25: boot time was lost with an unreadable `/proc/uptime`, though `btime`
    /// alone gives it.
    #[test]
    fn boot_time_without_proc_uptime() {
        let mut r = super::super::empty_report();
        UptimeCollector::new(&super::super::fixture_tree("no-uptime"))
            .collect(&mut r)
            .unwrap();
        let u = r.uptime.unwrap();
        assert_eq!(u.boot_time_seconds, 1_763_856_000);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!((u.uptime_seconds - (now - 1_763_856_000.0)).abs() < 60.0);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_btime("cpu 1 2 3\n"), None);
        assert_eq!(parse_uptime("-5 3"), None);
    }
}
