//! Boot time (`btime` of `/proc/stat`) and uptime (`/proc/uptime`).
//!
//! Boot time is what availability is computed from, so it is reported whenever
//! `/proc/stat` has it; an unreadable `/proc/uptime` costs only precision (uptime is then
//! the clock's time since boot).

use std::path::PathBuf;

use simpul_protocol::{Report, Uptime};

use super::{parse_error, read, CollectError, Collector, ProcFile, Roots};

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
    uptime: ProcFile,
    /// The last `btime` read: the kernel's wall-clock time minus its time since boot,
    /// which moves only when the clock is stepped.
    btime: Option<u64>,
}

/// How far the clock minus the uptime may stray from the last `btime` before
/// `/proc/stat` is read again (`btime` is whole seconds; reading takes time).
const BTIME_SLACK_SECS: f64 = 2.0;

impl UptimeCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            stat: roots.proc.join("stat"),
            uptime: ProcFile::new(roots.proc.join("uptime")),
            btime: None,
        }
    }
}

impl Collector for UptimeCollector {
    fn name(&self) -> &'static str {
        "uptime"
    }

    /// `/proc/stat` (generated in full for every read, with every interrupt's
    /// counts) is read at the start, after a step of the clock (the clock minus the
    /// uptime moved away from `btime`), and in every cycle without `/proc/uptime`.
    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let up = match self.uptime.read().map(|(t, _)| parse_uptime(t)) {
            Ok(Some(up)) => Some(up),
            failed => {
                tracing::debug!(path = %self.uptime.path().display(), ok = failed.is_ok(), "no uptime; counted from btime");
                None
            }
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let boot = match (self.btime, up) {
            (Some(b), Some(up)) if (now - up - b as f64).abs() <= BTIME_SLACK_SECS => b,
            _ => {
                let b = parse_btime(&read(&self.stat)?)
                    .ok_or_else(|| parse_error(&self.stat, "no btime line"))?;
                self.btime = Some(b);
                b
            }
        };
        report.uptime = Some(Uptime {
            boot_time_seconds: boot,
            uptime_seconds: up.unwrap_or_else(|| (now - boot as f64).max(0.0)),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collectors::Roots;

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

    /// `btime` is read again only when the clock minus the uptime leaves it: a step
    /// of the clock is seen, and a quiet cycle needs no `/proc/stat`.
    #[test]
    fn btime_is_read_again_after_a_clock_step() {
        let d = tempfile::tempdir().unwrap();
        let roots = Roots {
            proc: d.path().to_owned(),
            sys: d.path().join("sys"),
            etc: d.path().join("etc"),
            run: d.path().join("run"),
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let write = |btime: u64, up: u64| {
            std::fs::write(
                d.path().join("stat"),
                format!("cpu 1 2 3 4\nbtime {btime}\n"),
            )
            .unwrap();
            std::fs::write(d.path().join("uptime"), format!("{up}.25 9.00\n")).unwrap();
        };
        let mut c = UptimeCollector::new(&roots);
        let boot = |c: &mut UptimeCollector| {
            let mut r = super::super::empty_report();
            c.collect(&mut r).unwrap();
            r.uptime.unwrap()
        };
        write(now - 1_000, 1_000);
        assert_eq!(boot(&mut c).boot_time_seconds, now - 1_000);
        // the same boot: /proc/stat is not read (a changed file is not seen)
        write(now - 7_000, 1_000);
        let u = boot(&mut c);
        assert_eq!(u.boot_time_seconds, now - 1_000);
        assert_eq!(u.uptime_seconds, 1_000.25);
        // the clock stepped: clock minus uptime is an hour off, btime is read again
        write(now - 4_600, 1_000 + 3_600);
        assert_eq!(boot(&mut c).boot_time_seconds, now - 4_600);
        // no /proc/uptime: btime every time
        std::fs::remove_file(d.path().join("uptime")).unwrap();
        std::fs::write(d.path().join("stat"), format!("btime {}\n", now - 50)).unwrap();
        assert_eq!(boot(&mut c).boot_time_seconds, now - 50);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_btime("cpu 1 2 3\n"), None);
        assert_eq!(parse_uptime("-5 3"), None);
    }
}
