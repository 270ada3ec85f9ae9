//! The `files` probe: the newest regular file matching a pattern in one directory, with
//! bounded time and entries. Symlinks are followed; loops and unreadable entries are
//! skipped and counted in the error text.

use std::path::Path;
use std::time::{Duration, Instant, UNIX_EPOCH};

use simpul_protocol::BackupEvidence;

/// Whether `name` matches `pattern` (`*` any run, `?` one character).
pub fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // iterative matcher with backtracking to the last star
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Why `path` is not a usable pattern, if it is not.
pub fn pattern_problem(path: &Path) -> Option<String> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Some("must end in a file name or pattern, e.g. /srv/backup/*.sql.gz".into());
    };
    if !path.is_absolute() {
        return Some("must be an absolute path".into());
    }
    let dir = path
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default();
    if dir.contains(['*', '?']) {
        return Some("only the file name may hold * or ?; the directory must be fixed".into());
    }
    name.is_empty().then(|| "empty file name".into())
}

/// Looks for the newest file matching `pattern`.
pub fn probe(
    obligation: &str,
    pattern: &Path,
    deadline: Duration,
    max_entries: usize,
) -> BackupEvidence {
    let mut ev = BackupEvidence::empty(obligation, "files");
    let (Some(dir), Some(name_pattern)) = (
        pattern.parent(),
        pattern.file_name().and_then(|n| n.to_str()),
    ) else {
        ev.error = format!("{}: not a directory and file pattern", pattern.display());
        return ev;
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            ev.error = format!("cannot read {}: {e}", dir.display());
            return ev;
        }
    };
    let started = Instant::now();
    let (mut seen, mut unreadable) = (0usize, 0usize);
    let mut newest: Option<(f64, String, u64)> = None;
    for entry in entries {
        seen += 1;
        if seen > max_entries || started.elapsed() > deadline {
            ev.error = format!(
                "stopped after {} entries in {:.1} s (limits {max_entries} entries, {} s): results are partial",
                seen - 1,
                started.elapsed().as_secs_f64(),
                deadline.as_secs()
            );
            break;
        }
        let Ok(entry) = entry else {
            unreadable += 1;
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if !glob(name_pattern, &name) {
            continue;
        }
        // metadata() follows symlinks: a loop or a dangling link is an error here
        let Ok(meta) = std::fs::metadata(entry.path()) else {
            unreadable += 1;
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0.0, |d| d.as_secs_f64());
        ev.count += 1;
        ev.total_size_bytes += meta.len();
        if newest
            .as_ref()
            .is_none_or(|(t, n, _)| (mtime, &name) > (*t, n))
        {
            newest = Some((mtime, name, meta.len()));
        }
    }
    if unreadable > 0 && ev.error.is_empty() {
        ev.error = format!("{unreadable} matching entries could not be read (permissions, dangling or looping symlinks)");
    }
    if let Some((t, n, size)) = newest {
        ev.latest_time_seconds = Some(t);
        ev.latest_name = n;
        ev.latest_size_bytes = Some(size);
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::time::SystemTime;

    fn touch(dir: &Path, name: &str, bytes: usize, age_secs: u64) {
        let p = dir.join(name);
        std::fs::write(&p, vec![0u8; bytes]).unwrap();
        let t = SystemTime::now() - Duration::from_secs(age_secs);
        File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }

    #[test]
    fn globs() {
        assert!(glob("*.sql.gz", "simpus-2026-10-01.sql.gz"));
        assert!(!glob("*.sql.gz", "simpus.sql"));
        assert!(glob("db-????.tar", "db-1234.tar"));
        assert!(!glob("db-????.tar", "db-123.tar"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
    }

    #[test]
    fn finds_the_newest_matching_file_exactly() {
        let d = tempfile::tempdir().unwrap();
        touch(d.path(), "simpus-1.sql.gz", 1000, 3 * 86400);
        touch(d.path(), "simpus-2.sql.gz", 2000, 86400);
        touch(d.path(), "simpus-3.sql.gz", 3000, 3600);
        touch(d.path(), "notes.txt", 10, 10);
        std::fs::create_dir(d.path().join("old.sql.gz")).unwrap(); // a directory: ignored
        let ev = probe(
            "dinkes-db",
            &d.path().join("*.sql.gz"),
            Duration::from_secs(5),
            1000,
        );
        assert_eq!(ev.error, "");
        assert_eq!(ev.count, 3);
        assert_eq!(ev.total_size_bytes, 6000);
        assert_eq!(ev.latest_name, "simpus-3.sql.gz");
        assert_eq!(ev.latest_size_bytes, Some(3000));
        let age = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            - ev.latest_time_seconds.unwrap();
        assert!((age - 3600.0).abs() < 5.0, "{age}");
    }

    #[test]
    fn loops_missing_dirs_and_too_many_files_give_clear_errors() {
        let d = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(d.path().join("loop.bak"), d.path().join("loop.bak")).unwrap();
        touch(d.path(), "good.bak", 5, 60);
        let ev = probe("o", &d.path().join("*.bak"), Duration::from_secs(5), 1000);
        assert_eq!(ev.count, 1);
        assert!(
            ev.error.contains("1 matching entries could not be read"),
            "{}",
            ev.error
        );
        let ev = probe(
            "o",
            Path::new("/nonexistent/simpul/*.bak"),
            Duration::from_secs(5),
            10,
        );
        assert!(
            ev.error.starts_with("cannot read /nonexistent/simpul"),
            "{}",
            ev.error
        );
        assert_eq!(ev.latest_time_seconds, None);
        for i in 0..50 {
            touch(d.path(), &format!("f{i}.bak"), 1, 60);
        }
        let ev = probe("o", &d.path().join("*.bak"), Duration::from_secs(5), 20);
        assert!(
            ev.error.contains("stopped after 20 entries"),
            "{}",
            ev.error
        );
        assert!(ev.count <= 20);
    }

    #[test]
    fn a_hundred_thousand_files_take_bounded_time() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..100_000 {
            File::create(d.path().join(format!("b{i:06}.dump"))).unwrap();
        }
        let t = Instant::now();
        let ev = probe(
            "o",
            &d.path().join("*.dump"),
            Duration::from_secs(10),
            200_000,
        );
        assert_eq!(ev.count, 100_000, "{}", ev.error);
        assert!(t.elapsed() < Duration::from_secs(11));
    }

    #[test]
    fn patterns_must_fix_the_directory() {
        assert_eq!(pattern_problem(Path::new("/srv/backup/*.gz")), None);
        assert!(pattern_problem(Path::new("/srv/*/x.gz"))
            .unwrap()
            .contains("directory must be fixed"));
        assert!(pattern_problem(Path::new("backup/*.gz"))
            .unwrap()
            .contains("absolute"));
    }
}
