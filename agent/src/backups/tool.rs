//! Running a backup tool's CLI (restic, borg) with a time limit, and reading its times.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd`, killing it after `limit`; returns stdout or the first line of stderr.
/// `tool` names what to install when the binary is missing.
pub fn run(mut cmd: Command, limit: Duration, tool: &str) -> Result<Vec<u8>, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("{program} not found: install {tool} or set binary = \"/path/to/{tool}\"")
            }
            _ => format!("cannot run {program}: {e}"),
        })?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} took longer than {} s; stopped",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    }
    let (mut out, mut err) = (Vec::new(), String::new());
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_end(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(out)
    } else {
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        Err(format!("{program} failed ({status}): {first}"))
    }
}

/// Parses an RFC 3339 time like restic's `2026-11-23T10:27:26.441846821Z`, or with an
/// offset, or without a zone (then UTC: borg is run with `TZ=UTC`) to epoch seconds.
pub fn parse_time(s: &str) -> Option<f64> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (time, off) = if let Some(t) = rest.strip_suffix('Z') {
        (t, 0)
    } else if !rest.contains(['+', '-']) {
        (rest, 0)
    } else {
        let i = rest.rfind(['+', '-'])?;
        let (h, mm) = rest[i + 1..].split_once(':')?;
        let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
        (
            &rest[..i],
            sign * (h.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60),
        )
    };
    let mut t = time.split(':');
    let (h, mi): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let sec: f64 = t.next()?.parse().ok()?;
    // days from civil (H. Hinnant)
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some((days * 86400 + h * 3600 + mi * 60 - off) as f64 + sec)
}

/// The first `name` on PATH.
#[cfg(test)]
pub fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:01.5Z"), Some(1.5));
        assert_eq!(parse_time("1970-01-01T07:00:00+07:00"), Some(0.0));
        assert_eq!(parse_time("1970-01-01T00:00:00-03:30"), Some(12_600.0));
        assert_eq!(parse_time("2026-11-23T10:27:26Z"), Some(1_795_429_646.0));
        // borg 1.2, run with TZ=UTC
        assert_eq!(
            parse_time("2026-11-23T10:27:26.500000"),
            Some(1_795_429_646.5)
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn a_missing_tool_and_a_slow_tool_are_clear_errors() {
        let e = run(
            Command::new("/nonexistent/borg"),
            Duration::from_secs(1),
            "borg",
        )
        .unwrap_err();
        assert!(e.contains("not found: install borg"), "{e}");
        let mut sleep = Command::new("sleep");
        sleep.arg("5");
        let t = Instant::now();
        let e = run(sleep, Duration::from_millis(300), "sleep").unwrap_err();
        assert!(e.contains("took longer than"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3));
        let mut fail = Command::new("sh");
        fail.args(["-c", "echo; echo 'repository does not exist' >&2; exit 2"]);
        let e = run(fail, Duration::from_secs(5), "sh").unwrap_err();
        assert!(e.ends_with(": repository does not exist"), "{e}");
    }
}
