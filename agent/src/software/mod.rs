//! The software inventory (`[software]` in agent.toml): the installed packages from
//! dpkg's status file, or from rpm's database where there is no dpkg (its SQLite file
//! read directly, [`rpmdb`]; other kinds through `rpm -qa`), and the newest installed
//! kernel against the running one.
//!
//! The package database is read again only when it changed (its file's size, time
//! and inode; for rpm, those of its database directory's files), checked every
//! `check_interval_secs`. The report carries the whole list at the agent's start,
//! daily, and when the collector asks for it (it lost the chain); in between only what
//! changed since the list handed to the spool before, with that list's digest as the
//! base. Reports with software are never dropped from a full spool, so the chain of
//! differences reaches the collector whole and in order.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use simpul_protocol::{
    compare_versions, package_difference, package_digest, Package, PackageSource, Software,
};

mod rpmdb;
mod sqlite;

/// The whole list is sent again at least this often.
const FULL_EVERY: Duration = Duration::from_secs(24 * 3600);

/// `[software]` of agent.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoftwareConfig {
    /// Whether the installed packages are reported (default true; reading the local
    /// package database touches no network).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// dpkg's status file (default `/var/lib/dpkg/status`); when it does not exist,
    /// rpm is asked.
    #[serde(default = "default_dpkg_status")]
    pub dpkg_status: PathBuf,
    /// The rpm program (default `rpm`, found on the PATH).
    #[serde(default = "default_rpm")]
    pub rpm: PathBuf,
    /// rpm's database directory (default `/var/lib/rpm`): what is watched for changes,
    /// and `--dbpath` when it is not the default.
    #[serde(default = "default_rpm_dbpath")]
    pub rpm_dbpath: PathBuf,
    /// Whether rpm's SQLite database (`rpmdb.sqlite` in `rpm_dbpath`, RHEL 9 and
    /// Fedora's) is read directly, without starting rpm (default true). False, or a
    /// database of another kind (Berkeley DB's `Packages`, ndb's `Packages.db`), or a
    /// direct read that fails (logged): `rpm -qa` is asked.
    #[serde(default = "yes")]
    pub rpm_sqlite: bool,
    /// Seconds between two checks whether the database changed (default 300).
    #[serde(default = "default_check_interval_secs")]
    pub check_interval_secs: u32,
}

fn yes() -> bool {
    true
}
fn default_dpkg_status() -> PathBuf {
    "/var/lib/dpkg/status".into()
}
fn default_rpm() -> PathBuf {
    "rpm".into()
}
fn default_rpm_dbpath() -> PathBuf {
    "/var/lib/rpm".into()
}
fn default_check_interval_secs() -> u32 {
    300
}

impl Default for SoftwareConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            dpkg_status: default_dpkg_status(),
            rpm: default_rpm(),
            rpm_dbpath: default_rpm_dbpath(),
            rpm_sqlite: true,
            check_interval_secs: default_check_interval_secs(),
        }
    }
}

impl SoftwareConfig {
    /// Every problem of `[software]`, each naming the key and what is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(1..=86_400).contains(&self.check_interval_secs) {
            p.push(format!(
                "software.check_interval_secs = {}: must be between 1 and 86400 seconds",
                self.check_interval_secs
            ));
        }
        for (key, path) in [
            ("dpkg_status", &self.dpkg_status),
            ("rpm_dbpath", &self.rpm_dbpath),
        ] {
            if !path.is_absolute() {
                p.push(format!(
                    "software.{key} = {:?}: must be an absolute path",
                    path.display()
                ));
            }
        }
        if self.rpm.as_os_str().is_empty() {
            p.push("software.rpm: must name the rpm program, e.g. \"rpm\"".into());
        }
        p
    }
}

/// Why the packages could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SoftwareError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Rpm(String),
}

/// The installed packages of a dpkg status file: every paragraph whose `Status` is not
/// `not-installed` or `config-files` (held packages and those apt is upgrading included),
/// in the file's order.
pub fn parse_dpkg_status(text: &str) -> Vec<Package> {
    read_dpkg_status(text.as_bytes()).unwrap_or_default()
}

/// [`parse_dpkg_status`] line by line from `r`, so that the whole file (about 700 KB on
/// a server with 800 packages) is never in memory at once: the allocator would keep
/// that much of the agent's heap afterwards. A paragraph ends at a blank line (spaces,
/// a CR of a CRLF file and all); continuation lines (Description, Conffiles) are
/// skipped.
pub fn read_dpkg_status(mut r: impl std::io::BufRead) -> std::io::Result<Vec<Package>> {
    #[derive(Default)]
    struct Para {
        name: String,
        version: String,
        arch: String,
        installed: bool,
    }
    fn finish(p: &mut Para, out: &mut Vec<Package>) {
        let p = std::mem::take(p);
        if p.installed && !p.name.is_empty() && !p.version.is_empty() {
            out.push(Package {
                name: p.name,
                version: p.version,
                arch: p.arch,
            });
        }
    }
    let mut out = Vec::new();
    let (mut para, mut line) = (Para::default(), String::new());
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        if line.trim().is_empty() {
            finish(&mut para, &mut out);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k {
            "Package" => v.clone_into(&mut para.name),
            "Version" => v.clone_into(&mut para.version),
            "Architecture" => v.clone_into(&mut para.arch),
            // "want flag status": installed, and the states between an unpack and a
            // configure (unpacked, half-configured, triggers-pending, ...) that apt
            // passes through, so that a check during an upgrade sees no removal; only
            // not-installed and config-files (removed, its configuration kept) are gone
            "Status" => {
                para.installed = v
                    .split_whitespace()
                    .nth(2)
                    .is_some_and(|st| st != "not-installed" && st != "config-files");
            }
            _ => {}
        }
    }
    finish(&mut para, &mut out);
    out.shrink_to_fit();
    Ok(out)
}

/// The query format of the `rpm -qa` that [`SoftwareReader`] asks.
pub const RPM_QUERY_FORMAT: &str = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n";

/// The packages of `rpm -qa --qf RPM_QUERY_FORMAT`: version `[epoch:]version-release`
/// (the epoch only when not 0); the keys of the rpm database (`gpg-pubkey`) left out.
pub fn parse_rpm_query(text: &str) -> Vec<Package> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            rpm_package(f[..].try_into().ok()?)
        })
        .collect()
}

/// A package of rpm's name, epoch, version, release and arch: version
/// `[epoch:]version-release`, the epoch only when not 0; `None` for rpm's keys
/// (`gpg-pubkey`) and a package without a name or version.
fn rpm_package([name, epoch, version, release, arch]: [&str; 5]) -> Option<Package> {
    if name == "gpg-pubkey" || name.is_empty() || version.is_empty() {
        return None;
    }
    let evr = match epoch {
        "" | "0" => format!("{version}-{release}"),
        e => format!("{e}:{version}-{release}"),
    };
    Some(Package {
        name: name.to_owned(),
        version: evr,
        arch: arch.to_owned(),
    })
}

/// A Debian-style kernel release's flavour: what follows its ABI number
/// (`6.1.0-26-cloud-amd64` → `cloud-amd64`, `6.8.12-4-pve` → `pve`).
fn flavour(release: &str) -> &str {
    release.splitn(3, '-').nth(2).unwrap_or("")
}

/// The release (`uname -r`) of the newest kernel among `packages` of the running
/// kernel's kind: Debian's and Ubuntu's `linux-image-<release>` and Proxmox's
/// `pve-kernel-`/`proxmox-kernel-<release>` of the running flavour (debug symbols
/// left out); rpm's `kernel-core` (or `kernel` where there is no kernel-core) as
/// `<version>-<release>.<arch>`, for a standard running kernel. `None` when there is
/// none, or the running kernel is of another kind (rt, debug, UEK): then nobody is
/// told to reboot for a kernel they do not run.
pub fn newest_kernel(source: PackageSource, packages: &[Package], running: &str) -> Option<String> {
    let candidates: Vec<(&Package, String)> = match source {
        PackageSource::Dpkg => packages
            .iter()
            .filter_map(|p| {
                let rel = ["linux-image-", "pve-kernel-", "proxmox-kernel-"]
                    .iter()
                    .find_map(|prefix| p.name.strip_prefix(prefix))?;
                if rel.ends_with("-dbg") || rel.ends_with("-dbgsym") {
                    return None;
                }
                let rel = rel.strip_prefix("unsigned-").unwrap_or(rel);
                let rel = rel.strip_suffix("-unsigned").unwrap_or(rel);
                let rel = rel.strip_suffix("-signed").unwrap_or(rel);
                let same_kind = running.is_empty() || flavour(rel) == flavour(running);
                (rel.starts_with(|c: char| c.is_ascii_digit()) && same_kind)
                    .then(|| (p, rel.to_owned()))
            })
            .collect(),
        PackageSource::Rpm => {
            if running.contains('+') || running.contains("uek") || running.contains(".rt") {
                return None;
            }
            let core = packages.iter().any(|p| p.name == "kernel-core");
            let name = if core { "kernel-core" } else { "kernel" };
            packages
                .iter()
                .filter(|p| p.name == name)
                .map(|p| {
                    let vr = p.version.split_once(':').map_or(&*p.version, |(_, v)| v);
                    (p, format!("{vr}.{}", p.arch))
                })
                .collect()
        }
    };
    candidates
        .into_iter()
        .max_by(|(a, ra), (b, rb)| {
            compare_versions(source, &a.version, &b.version)
                .then_with(|| compare_versions(PackageSource::Dpkg, ra, rb))
        })
        .map(|(_, r)| r)
}

/// What identifies a version of a file: size, modification time, inode.
type Stamp = Vec<(u64, SystemTime, u64)>;

fn stamp(paths: &[PathBuf]) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| {
            (
                m.len(),
                m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                m.ino(),
            )
        })
        .collect()
}

/// Reads the package database and tells whether it changed since the list last taken.
#[derive(Debug)]
pub struct SoftwareReader {
    cfg: SoftwareConfig,
    /// `/proc/sys/kernel/osrelease`.
    osrelease: PathBuf,
    /// The stamp of the database whose list was last taken (the list itself is kept
    /// once, by the schedule, as sent).
    taken: Option<(PackageSource, Stamp)>,
}

impl SoftwareReader {
    pub fn new(cfg: &SoftwareConfig, procfs: &Path) -> Self {
        Self {
            cfg: cfg.clone(),
            osrelease: procfs.join("sys/kernel/osrelease"),
            taken: None,
        }
    }

    /// The files whose change means the list changed, and the source.
    fn watched(&self) -> (PackageSource, Vec<PathBuf>) {
        if self.cfg.dpkg_status.exists() {
            return (PackageSource::Dpkg, vec![self.cfg.dpkg_status.clone()]);
        }
        let db = &self.cfg.rpm_dbpath;
        let files = [
            "rpmdb.sqlite",
            "rpmdb.sqlite-wal",
            "Packages",
            "Packages.db",
        ]
        .iter()
        .map(|f| db.join(f))
        .collect();
        (PackageSource::Rpm, files)
    }

    /// Whether the database changed since the list last taken (a `stat` of its
    /// files); `None` when the host has neither dpkg's status file nor an rpm database.
    pub fn changed(&self) -> Option<bool> {
        let (source, files) = self.watched();
        let now = stamp(&files);
        (!now.is_empty()).then(|| self.taken.as_ref() != Some(&(source, now)))
    }

    /// The source and the whole list, read now; `Ok(None)` when the host has neither
    /// dpkg's status file nor an rpm database.
    pub fn read(&mut self) -> Result<Option<(PackageSource, Vec<Package>)>, SoftwareError> {
        let (source, files) = self.watched();
        let before = stamp(&files);
        if before.is_empty() {
            self.taken = None;
            return Ok(None);
        }
        let list = match source {
            PackageSource::Dpkg => {
                let path = &self.cfg.dpkg_status;
                let read_error = |e| SoftwareError::Read {
                    path: path.clone(),
                    source: e,
                };
                let file = std::fs::File::open(path).map_err(read_error)?;
                read_dpkg_status(std::io::BufReader::new(file)).map_err(read_error)?
            }
            PackageSource::Rpm => self.read_rpm()?,
        };
        self.taken = Some((source, before));
        Ok(Some((source, list)))
    }

    /// rpm's list: from `rpmdb.sqlite` directly where that is rpm's current database
    /// and `rpm_sqlite` allows, else (and when that read fails, with a warning) from
    /// `rpm -qa`.
    fn read_rpm(&self) -> Result<Vec<Package>, SoftwareError> {
        let Some(path) = self.rpm_sqlite_path() else {
            return self.query_rpm();
        };
        let direct = match rpmdb::read(&path) {
            Ok(list) => return Ok(list),
            Err(e) => e,
        };
        tracing::warn!("cannot read rpm's database directly, asking rpm: {direct}");
        self.query_rpm()
            .map_err(|e| SoftwareError::Rpm(format!("{e}; and read directly: {direct}")))
    }

    /// `rpmdb.sqlite`, when it is to be read directly: it exists, and no database of
    /// another kind beside it is newer (a host converted from Berkeley DB, or back).
    fn rpm_sqlite_path(&self) -> Option<PathBuf> {
        if !self.cfg.rpm_sqlite {
            return None;
        }
        let dir = &self.cfg.rpm_dbpath;
        let modified = |f: &str| {
            std::fs::metadata(dir.join(f))
                .and_then(|m| m.modified())
                .ok()
        };
        let sqlite = modified("rpmdb.sqlite")?
            .max(modified("rpmdb.sqlite-wal").unwrap_or(SystemTime::UNIX_EPOCH));
        let other_newer = ["Packages", "Packages.db"]
            .iter()
            .filter_map(|f| modified(f))
            .any(|t| t > sqlite);
        (!other_newer).then(|| dir.join("rpmdb.sqlite"))
    }

    fn query_rpm(&self) -> Result<Vec<Package>, SoftwareError> {
        let mut cmd = Command::new(&self.cfg.rpm);
        cmd.arg("-qa")
            .arg("--qf")
            .arg(RPM_QUERY_FORMAT.replace("\\t", "\t").replace("\\n", "\n"));
        if self.cfg.rpm_dbpath != Path::new("/var/lib/rpm") {
            cmd.arg("--dbpath").arg(&self.cfg.rpm_dbpath);
        }
        let out = cmd.output().map_err(|e| {
            SoftwareError::Rpm(format!(
                "cannot run {} (software.rpm): {e}",
                self.cfg.rpm.display()
            ))
        })?;
        if !out.status.success() {
            return Err(SoftwareError::Rpm(format!(
                "{} -qa failed ({}): {}",
                self.cfg.rpm.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(parse_rpm_query(&String::from_utf8_lossy(&out.stdout)))
    }

    /// The running kernel's release.
    pub fn running_kernel(&self) -> String {
        std::fs::read_to_string(&self.osrelease)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }
}

/// Decides what the next report carries: the whole list at start, daily and when the
/// collector asks; otherwise the difference from the list last handed to the spool,
/// when there is one.
#[derive(Debug)]
pub struct SoftwareSchedule {
    check_every: Duration,
    last_check: Option<Instant>,
    /// The list last handed to the spool (sorted), its digest, source and newest
    /// kernel.
    sent: Option<Sent>,
    last_full: Option<Instant>,
    /// The collector asked for the whole list.
    full_asked: bool,
    /// The next section, and the list it leads to (`None`: the list stays).
    pending: Option<(Software, Option<Vec<Package>>)>,
}

#[derive(Debug)]
struct Sent {
    list: Vec<Package>,
    digest: String,
    source: PackageSource,
    newest_kernel: String,
}

impl SoftwareSchedule {
    pub fn new(check_every: Duration) -> Self {
        Self {
            check_every,
            last_check: None,
            sent: None,
            last_full: None,
            full_asked: false,
            pending: None,
        }
    }

    /// Whether a check is due (a whole list asked for waits for it too, so that a
    /// collector that cannot take the list is not sent it every report).
    pub fn check_due(&self, now: Instant) -> bool {
        self.pending.is_none()
            && self
                .last_check
                .is_none_or(|t| now.duration_since(t) >= self.check_every)
    }

    /// Takes a reading; something becomes pending when the list changed, or the whole
    /// list is due.
    pub fn offer(
        &mut self,
        source: PackageSource,
        mut list: Vec<Package>,
        kernels: (String, String),
        now: Instant,
    ) {
        self.last_check = Some(now);
        list.sort();
        // one package may be installed in several versions (rpm's kernels)
        list.dedup();
        let digest = package_digest(&list);
        let full_due = self.full_due(now);
        let (running_kernel, newest_kernel) = kernels;
        let software = match &self.sent {
            _ if full_due => Software {
                source: source.as_str().into(),
                digest,
                base: String::new(),
                packages: list.clone(),
                removed: Vec::new(),
                running_kernel,
                newest_kernel,
            },
            Some(old) if old.digest != digest => {
                let (packages, removed) = package_difference(&old.list, &list);
                Software {
                    source: source.as_str().into(),
                    digest,
                    base: old.digest.clone(),
                    packages,
                    removed,
                    running_kernel,
                    newest_kernel,
                }
            }
            // the same list: said, so that a collector that lost it asks again
            Some(_) => Software {
                source: source.as_str().into(),
                base: digest.clone(),
                digest,
                packages: Vec::new(),
                removed: Vec::new(),
                running_kernel,
                newest_kernel,
            },
            None => return,
        };
        self.pending = Some((software, Some(list)));
    }

    /// Whether the next list goes whole: at start, daily, or asked for.
    pub fn full_due(&self, now: Instant) -> bool {
        self.full_asked
            || self
                .last_full
                .is_none_or(|t| now.duration_since(t) >= FULL_EVERY)
    }

    /// A check that found the database unchanged: the list is the same ("still", with
    /// the running kernel), so that a collector that lost the list asks for it again.
    pub fn unchanged(&mut self, running_kernel: String, now: Instant) {
        self.last_check = Some(now);
        if let Some(sent) = &self.sent {
            let still = Software {
                source: sent.source.as_str().into(),
                digest: sent.digest.clone(),
                base: sent.digest.clone(),
                packages: Vec::new(),
                removed: Vec::new(),
                running_kernel,
                newest_kernel: sent.newest_kernel.clone(),
            };
            self.pending = Some((still, None));
        }
    }

    /// A check that could not read the database, or found none: nothing to send.
    pub fn checked(&mut self, now: Instant) {
        self.last_check = Some(now);
    }

    /// The section to put in the next report, if any.
    pub fn pending(&self) -> Option<&Software> {
        self.pending.as_ref().map(|(s, _)| s)
    }

    /// The pending section was handed to the spool (which delivers it or keeps it).
    pub fn handed_over(&mut self, now: Instant) {
        if let Some((s, list)) = self.pending.take() {
            if s.base.is_empty() {
                self.last_full = Some(now);
                self.full_asked = false;
            }
            if let Some(list) = list {
                self.sent = Some(Sent {
                    list,
                    digest: s.digest,
                    source: PackageSource::parse(&s.source).unwrap_or(PackageSource::Dpkg),
                    newest_kernel: s.newest_kernel,
                });
            }
        }
    }

    /// The collector could not apply a difference: the next report carries the whole
    /// list.
    pub fn send_whole_list(&mut self) {
        self.full_asked = true;
        self.pending = None;
    }
}

/// Reads and schedules: the sampler's one handle on the software inventory.
#[derive(Debug)]
pub struct SoftwareInventory {
    pub reader: SoftwareReader,
    pub schedule: SoftwareSchedule,
    /// The last error, logged once until it changes.
    last_error: String,
}

impl SoftwareInventory {
    pub fn new(cfg: &SoftwareConfig, procfs: &Path) -> Option<Self> {
        cfg.enabled.then(|| Self {
            reader: SoftwareReader::new(cfg, procfs),
            schedule: SoftwareSchedule::new(Duration::from_secs(u64::from(
                cfg.check_interval_secs,
            ))),
            last_error: String::new(),
        })
    }

    /// Reads when due; returns the section for the next report, if any, and an error
    /// to report as the `software` collector's.
    pub fn poll(&mut self, now: Instant) -> (Option<Software>, Option<String>) {
        let mut error = None;
        if self.schedule.check_due(now) {
            // an unchanged database is not read again, unless the whole list is due
            let read = match self.reader.changed() {
                None => {
                    self.schedule.checked(now);
                    false
                }
                Some(changed) => changed || self.schedule.full_due(now),
            };
            if !read {
                self.schedule.unchanged(self.reader.running_kernel(), now);
            } else {
                match self.reader.read() {
                    Ok(Some((source, list))) => {
                        let running = self.reader.running_kernel();
                        let newest = newest_kernel(source, &list, &running).unwrap_or_default();
                        self.schedule.offer(source, list, (running, newest), now);
                        self.last_error.clear();
                    }
                    Ok(None) => self.schedule.checked(now),
                    Err(e) => {
                        self.schedule.checked(now);
                        let e = e.to_string();
                        if e != self.last_error {
                            tracing::warn!(collector = "software", error = %e, "collector failed");
                            self.last_error.clone_from(&e);
                        }
                        error = Some(e);
                    }
                }
            }
        }
        (self.schedule.pending().cloned(), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/software")
            .join(name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn a_real_debian_status_file_gives_its_installed_packages() {
        let text = fixture("debian-12-dpkg-status");
        let list = parse_dpkg_status(&text);
        let paragraphs = text
            .split("\n\n")
            .filter(|p| p.contains("Package:"))
            .count();
        let installed = text
            .lines()
            .filter(|l| l.starts_with("Status:") && l.ends_with(" installed"))
            .count();
        assert_eq!(list.len(), installed);
        assert!(
            list.len() > 300 && list.len() <= paragraphs,
            "{}",
            list.len()
        );
        let bash = list.iter().find(|p| p.name == "bash").unwrap();
        assert!(bash.version.starts_with("5.2"), "{bash:?}");
        assert_eq!(bash.arch, "amd64");
        // a paragraph that is not installed (config-files) is left out
        let text = "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\nArchitecture: amd64\n\n\
                    Package: held\nStatus: hold ok installed\nVersion: 2.0\nArchitecture: all\nDescription: x\n a continuation: line\n";
        let list = parse_dpkg_status(text);
        assert_eq!(
            list,
            vec![Package {
                name: "held".into(),
                version: "2.0".into(),
                arch: "all".into()
            }]
        );
    }

    /// The format [`SoftwareReader`] asks rpm for (tests/tests/software.rs reads a
    /// real rpm database with the real rpm program).
    #[test]
    fn rpm_query_lines_become_packages_with_their_epoch() {
        let text = "openssl\t1\t3.0.7\t27.el9\tx86_64\n\
                    bash\t0\t5.1.8\t9.el9\tx86_64\n\
                    gpg-pubkey\t0\t350d275d\t6279464b\t(none)\n\
                    tzdata\t\t2024a\t1.el9\tnoarch\n\
                    broken line\n";
        let list = parse_rpm_query(text);
        let got: Vec<(&str, &str, &str)> = list
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.arch.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("openssl", "1:3.0.7-27.el9", "x86_64"),
                ("bash", "5.1.8-9.el9", "x86_64"),
                ("tzdata", "2024a-1.el9", "noarch"),
            ]
        );
    }

    /// `rpm -qa` of two real CentOS systems (their databases from Debian's
    /// golang-github-knqyf263-go-rpmdb-dev test data, queried by Debian's rpm 4.18 with
    /// [`RPM_QUERY_FORMAT`]; tests/tests/software.rs reads the CentOS 7 one directly).
    #[test]
    fn real_centos_rpm_lists_give_their_packages() {
        let text = fixture("centos-8-rpm-qa");
        let list = parse_rpm_query(&text);
        // every line but the key `gpg-pubkey`
        assert_eq!(text.lines().count(), 518);
        assert_eq!(list.len(), 517);
        assert!(list.iter().all(|p| p.name != "gpg-pubkey"));
        let find = |list: &[Package], name: &str| list.iter().find(|p| p.name == name).cloned();
        assert_eq!(
            find(&list, "perl-Scalar-List-Utils").unwrap().version,
            "3:1.49-2.el8"
        );
        let bash = find(&list, "bash").unwrap();
        assert_eq!((&*bash.version, &*bash.arch), ("4.4.19-10.el8", "x86_64"));
        // a container image: kernel-headers is no kernel, nobody is told to reboot
        assert!(find(&list, "kernel-headers").is_some());
        let running = "4.18.0-193.28.1.el8_2.x86_64";
        assert_eq!(newest_kernel(PackageSource::Rpm, &list, running), None);

        let list = parse_rpm_query(&fixture("centos-7-rpm-qa"));
        assert_eq!(list.len(), 144);
        let tzdata = find(&list, "tzdata").unwrap();
        assert_eq!((&*tzdata.version, &*tzdata.arch), ("2018e-3.el7", "noarch"));
    }

    #[test]
    fn the_newest_kernel_is_the_newest_package_of_the_running_kind() {
        let p = |name: &str, version: &str| Package {
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
        };
        let list = [
            p("linux-image-6.1.0-26-amd64", "6.1.112-1"),
            p("linux-image-6.1.0-26-amd64-dbg", "6.1.112-1"),
            p("linux-image-6.1.0-9-amd64", "6.1.27-1"),
            p("linux-image-6.1.0-27-cloud-amd64", "6.1.115-1"),
            p("linux-image-amd64", "6.1.112-1"),
        ];
        let newest = |running: &str| newest_kernel(PackageSource::Dpkg, &list, running);
        // not the debug symbols, not the cloud flavour the host does not run
        assert_eq!(newest("6.1.0-9-amd64").as_deref(), Some("6.1.0-26-amd64"));
        assert_eq!(
            newest("6.1.0-26-cloud-amd64").as_deref(),
            Some("6.1.0-27-cloud-amd64")
        );
        assert_eq!(newest("6.1.0-26-rt-amd64"), None, "no rt kernel installed");
        let pve = [
            p("proxmox-kernel-6.8.12-4-pve-signed", "6.8.12-4"),
            p("proxmox-kernel-6.8.8-2-pve-signed", "6.8.8-2"),
        ];
        assert_eq!(
            newest_kernel(PackageSource::Dpkg, &pve, "6.8.8-2-pve").as_deref(),
            Some("6.8.12-4-pve")
        );
        let r = |name: &str, version: &str| Package {
            name: name.into(),
            version: version.into(),
            arch: "x86_64".into(),
        };
        let list = [
            r("kernel-core", "5.14.0-427.13.1.el9_4"),
            r("kernel-core", "5.14.0-70.13.1.el9_0"),
            r("kernel", "5.14.0-999.el9"),
        ];
        assert_eq!(
            newest_kernel(PackageSource::Rpm, &list, "5.14.0-70.13.1.el9_0.x86_64").as_deref(),
            Some("5.14.0-427.13.1.el9_4.x86_64")
        );
        // a real-time or debug kernel running: what it should run is not known here
        assert_eq!(
            newest_kernel(PackageSource::Rpm, &list, "5.14.0-427.13.1.el9_4.x86_64+rt"),
            None
        );
        assert_eq!(newest_kernel(PackageSource::Dpkg, &[], ""), None);
    }

    #[test]
    fn whole_at_start_then_differences_then_whole_when_asked() {
        let p = |name: &str, version: &str| Package {
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
        };
        let k = || (String::new(), String::new());
        let mut s = SoftwareSchedule::new(Duration::from_secs(300));
        let t0 = Instant::now();
        let v1 = vec![p("bash", "5.2-1"), p("openssl", "3.0.11-1")];
        assert!(s.check_due(t0));
        s.offer(PackageSource::Dpkg, v1.clone(), k(), t0);
        let first = s.pending().unwrap().clone();
        assert!(first.base.is_empty() && first.packages.len() == 2);
        s.handed_over(t0);
        assert!(!s.check_due(t0 + Duration::from_secs(299)));
        // unchanged: "still" the same list, nothing in it
        s.unchanged("6.1.0-26-amd64".into(), t0 + Duration::from_secs(300));
        let still = s.pending().unwrap().clone();
        assert_eq!(
            (still.base.as_str(), still.digest.as_str()),
            (first.digest.as_str(), first.digest.as_str())
        );
        assert!(still.packages.is_empty() && still.removed.is_empty());
        s.handed_over(t0 + Duration::from_secs(300));
        // an upgrade: only it, based on the first list
        let v2 = vec![p("bash", "5.2-1"), p("openssl", "3.0.13-1")];
        s.offer(
            PackageSource::Dpkg,
            v2.clone(),
            k(),
            t0 + Duration::from_secs(600),
        );
        let diff = s.pending().unwrap().clone();
        assert_eq!(diff.base, first.digest);
        assert_eq!(diff.packages, vec![p("openssl", "3.0.13-1")]);
        assert_eq!(diff.removed.len(), 1);
        assert_eq!(diff.digest, package_digest(&v2));
        s.handed_over(t0 + Duration::from_secs(600));
        // the collector lost the chain: the whole list at the next check (not before)
        s.send_whole_list();
        assert!(!s.check_due(t0 + Duration::from_secs(601)));
        assert!(s.full_due(t0 + Duration::from_secs(601)));
        s.offer(
            PackageSource::Dpkg,
            v2.clone(),
            k(),
            t0 + Duration::from_secs(900),
        );
        let whole = s.pending().unwrap();
        assert!(whole.base.is_empty() && whole.packages.len() == 2);
        s.handed_over(t0 + Duration::from_secs(900));
        // and daily
        s.offer(
            PackageSource::Dpkg,
            v2.clone(),
            k(),
            t0 + FULL_EVERY + Duration::from_secs(902),
        );
        assert!(s.pending().unwrap().base.is_empty());
    }

    #[test]
    fn the_database_is_read_again_only_when_it_changed() {
        let dir = tempfile::tempdir().unwrap();
        let status = dir.path().join("status");
        std::fs::write(
            &status,
            "Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n",
        )
        .unwrap();
        let cfg = SoftwareConfig {
            dpkg_status: status.clone(),
            ..SoftwareConfig::default()
        };
        let mut inv = SoftwareInventory::new(&cfg, dir.path()).unwrap();
        let t0 = Instant::now();
        assert_eq!(inv.reader.changed(), Some(true), "never read");
        let (first, _) = inv.poll(t0);
        assert_eq!(first.unwrap().packages.len(), 1);
        inv.schedule.handed_over(t0);
        assert_eq!(inv.reader.changed(), Some(false));
        // changed content with the same size, time and inode: not read again (the
        // "still" section says the list sent before)
        let modified = std::fs::metadata(&status).unwrap().modified().unwrap();
        std::fs::write(
            &status,
            "Package: z\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n",
        )
        .unwrap();
        std::fs::File::options()
            .write(true)
            .open(&status)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert_eq!(inv.reader.changed(), Some(false));
        let (still, _) = inv.poll(t0 + Duration::from_secs(301));
        let still = still.unwrap();
        assert!(
            still.packages.is_empty() && still.base == still.digest,
            "{still:?}"
        );
        inv.schedule.handed_over(t0 + Duration::from_secs(301));
        // the file changes (size, time): read, and only the new package travels
        std::fs::write(
            &status,
            "Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\nArchitecture: all\r\n \r\n\
             Package: b\nStatus: install ok installed\nVersion: 2\nArchitecture: all\n",
        )
        .unwrap();
        assert_eq!(inv.reader.changed(), Some(true));
        let (diff, _) = inv.poll(t0 + Duration::from_secs(602));
        let diff = diff.unwrap();
        assert!(!diff.base.is_empty(), "{diff:?}");
        assert_eq!(diff.packages.len(), 1, "{diff:?}");
        assert_eq!(diff.packages[0].name, "b");
        assert!(diff.removed.is_empty(), "{diff:?}");
        // neither dpkg nor rpm: nothing, not an error
        let cfg = SoftwareConfig {
            dpkg_status: dir.path().join("none"),
            rpm_dbpath: dir.path().join("no-rpm"),
            ..SoftwareConfig::default()
        };
        let mut r = SoftwareReader::new(&cfg, dir.path());
        assert_eq!(r.changed(), None);
        assert!(r.read().unwrap().is_none());
    }

    #[test]
    fn bad_settings_are_named() {
        let cfg = SoftwareConfig {
            check_interval_secs: 0,
            dpkg_status: "relative/status".into(),
            ..SoftwareConfig::default()
        };
        let p = cfg.problems();
        assert!(
            p.iter()
                .any(|x| x.contains("software.check_interval_secs = 0")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|x| x.contains("software.dpkg_status")),
            "{p:?}"
        );
    }
}
