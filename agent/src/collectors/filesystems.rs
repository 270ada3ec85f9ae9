//! Size, free space, inodes and health (read-only, device error) of every real
//! filesystem, from the mount table + statvfs.
//!
//! A filesystem whose statvfs fails or hangs is reported with `device_error`, not
//! dropped: a dead disk or NFS share must raise an alert, not vanish.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use simpul_protocol::{Filesystem, Limits, Report};

use super::{read, CollectError, Collector, ProcFile, Roots};

/// Filesystem types that hold no user data (kernel interfaces, memory, container layers,
/// read-only images such as snaps). Everything else is reported, loop-mounted images
/// included; tmpfs only where `filesystems.include_tmpfs` names its mount point.
const PSEUDO_FS: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "fusectl",
    "fuse.gvfsd-fuse",
    "fuse.lxcfs",
    "fuse.portal",
    "hugetlbfs",
    "mqueue",
    "nfsd",
    "nsfs",
    "overlay",
    "proc",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "squashfs",
    "sysfs",
    "tmpfs",
    "tracefs",
];

/// Network filesystems: statvfs on them can hang when the server is gone, so they are
/// queried on a helper thread with a deadline.
const NETWORK_FS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
];

/// How long a network filesystem may take to answer statvfs.
const NETWORK_DEADLINE: Duration = Duration::from_secs(2);

/// `[filesystems]` of agent.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesystemsConfig {
    /// Mount-point patterns of tmpfs mounts to report (tmpfs is left out otherwise);
    /// `*` matches any characters but `/`, e.g. `["/tmp", "/run/user/*"]`.
    #[serde(default)]
    pub include_tmpfs: Vec<String>,
}

/// Most patterns in `filesystems.include_tmpfs`.
const MAX_PATTERNS: usize = 32;

impl FilesystemsConfig {
    /// Every problem of `[filesystems]`, each naming the key and what is valid.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.include_tmpfs.len() > MAX_PATTERNS {
            p.push(format!(
                "filesystems.include_tmpfs: at most {MAX_PATTERNS} patterns, has {}",
                self.include_tmpfs.len()
            ));
        }
        for (i, pat) in self.include_tmpfs.iter().enumerate() {
            let ok = pat.starts_with('/')
                && pat.len() <= 256
                && !pat.contains("**")
                && !pat.chars().any(|c| c.is_whitespace() || c.is_control());
            if !ok {
                p.push(format!(
                    "filesystems.include_tmpfs[{i}] = {pat:?}: must be an absolute mount point of at most 256 characters without spaces, where '*' matches any characters but '/', e.g. \"/tmp\" or \"/run/user/*\""
                ));
            }
        }
        p
    }
}

/// One line of the mount table that names a real filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub device: String,
    pub mount: String,
    pub fs_type: String,
    /// Mounted with the `ro` option.
    pub readonly: bool,
}

/// Undoes the octal escapes of the mount table (`\040` is a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `/proc/1/mounts`, keeping real filesystems (and the tmpfs mounts whose mount
/// point matches one of `include_tmpfs`) once per mount point. Where mounts are stacked
/// on one mount point the last one is the one in use, so its line wins.
pub fn parse_mounts(text: &str, include_tmpfs: &[String]) -> Vec<Mount> {
    let mut out: Vec<Mount> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for l in text.lines() {
        let mut f = l.split_whitespace();
        let (Some(device), Some(mount), Some(fs_type)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let options = f.next().unwrap_or_default();
        let mount = unescape(mount);
        let wanted_tmpfs =
            fs_type == "tmpfs" && include_tmpfs.iter().any(|p| super::glob_match(p, &mount));
        if PSEUDO_FS.contains(&fs_type) && !wanted_tmpfs {
            continue;
        }
        let m = Mount {
            device: unescape(device),
            mount,
            fs_type: fs_type.to_owned(),
            readonly: options.split(',').any(|o| o == "ro"),
        };
        match at.get(&m.mount) {
            Some(&i) => out[i] = m,
            None => {
                at.insert(m.mount.clone(), out.len());
                out.push(m);
            }
        }
    }
    out
}

/// statvfs of one mount point, as the report wants it.
fn stat(mount: &Mount) -> nix::Result<Filesystem> {
    let s = nix::sys::statvfs::statvfs(Path::new(&mount.mount))?;
    let frag = s.fragment_size() as u64;
    Ok(Filesystem {
        mount: mount.mount.clone(),
        device: mount.device.clone(),
        fs_type: mount.fs_type.clone(),
        size_bytes: (s.blocks() as u64).saturating_mul(frag),
        free_bytes: (s.blocks_free() as u64).saturating_mul(frag),
        available_bytes: (s.blocks_available() as u64).saturating_mul(frag),
        inodes_total: s.files() as u64,
        inodes_free: s.files_free() as u64,
        // the host's mount table only: statvfs's ST_RDONLY describes the agent's own
        // mount namespace, which systemd's ProtectSystem=strict makes read-only throughout
        readonly: mount.readonly,
        device_error: false,
    })
}

/// Whether a statvfs error says the filesystem is failing. EACCES and EPERM only say
/// the agent (an unprivileged user) may not look there, e.g. a mount point under
/// `/root` or `/var/lib/kubelet`: such a filesystem is left out, as before, rather than
/// raising a device-error alert.
fn is_device_error(e: nix::errno::Errno) -> bool {
    !matches!(e, nix::errno::Errno::EACCES | nix::errno::Errno::EPERM)
}

/// A filesystem whose statvfs failed or did not answer: in the report with
/// `device_error` and no sizes, as node_exporter's `node_filesystem_device_error`.
fn failed(mount: &Mount) -> Filesystem {
    Filesystem {
        mount: mount.mount.clone(),
        device: mount.device.clone(),
        fs_type: mount.fs_type.clone(),
        size_bytes: 0,
        free_bytes: 0,
        available_bytes: 0,
        inodes_total: 0,
        inodes_free: 0,
        readonly: mount.readonly,
        device_error: true,
    }
}

/// Fills `health.filesystems`.
pub struct FilesystemsCollector {
    mounts: ProcFile,
    fallback: PathBuf,
    include_tmpfs: Vec<String>,
    /// Network mounts whose statvfs has not returned yet; not asked again until it does.
    stuck: Arc<Mutex<HashSet<String>>>,
}

impl FilesystemsCollector {
    pub fn new(roots: &Roots, include_tmpfs: &[String]) -> Self {
        Self {
            include_tmpfs: include_tmpfs.to_vec(),
            // pid 1's table: the host's mounts even when the agent runs in its own mount
            // namespace (systemd ProtectSystem, containers with the host /proc).
            mounts: ProcFile::new(roots.proc.join("1/mounts")),
            fallback: roots.proc.join("self/mounts"),
            stuck: Arc::default(),
        }
    }

    /// statvfs of a network filesystem with a deadline; None when the agent may not
    /// look there.
    fn stat_network(&self, m: &Mount) -> Option<Filesystem> {
        {
            let Ok(mut stuck) = self.stuck.lock() else {
                return Some(failed(m));
            };
            if !stuck.insert(m.mount.clone()) {
                // the previous statvfs still hangs
                return Some(failed(m));
            }
        }
        let (tx, rx) = mpsc::channel();
        let (m2, stuck) = (m.clone(), Arc::clone(&self.stuck));
        std::thread::spawn(move || {
            let r = stat(&m2);
            if let Ok(mut s) = stuck.lock() {
                s.remove(&m2.mount);
            }
            let _ = tx.send(r);
        });
        match rx.recv_timeout(NETWORK_DEADLINE) {
            Ok(Ok(fs)) => Some(fs),
            Ok(Err(e)) if !is_device_error(e) => {
                tracing::debug!(mount = %m.mount, error = %e, "statvfs not permitted to the agent; skipped");
                None
            }
            Ok(Err(e)) => {
                tracing::warn!(mount = %m.mount, error = %e, "statvfs failed; reported as a device error");
                Some(failed(m))
            }
            Err(_) => {
                tracing::warn!(mount = %m.mount, "network filesystem did not answer statvfs within 2 s; reported as a device error");
                Some(failed(m))
            }
        }
    }
}

impl Collector for FilesystemsCollector {
    fn name(&self) -> &'static str {
        "filesystems"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let mounts = match self.mounts.read() {
            Ok((text, _)) => parse_mounts(text, &self.include_tmpfs),
            Err(_) => parse_mounts(&read(&self.fallback)?, &self.include_tmpfs),
        };
        let max = Limits::default().max_filesystems;
        let mut out = Vec::new();
        for m in mounts {
            let fs = if NETWORK_FS.contains(&m.fs_type.as_str()) {
                let Some(fs) = self.stat_network(&m) else {
                    continue;
                };
                fs
            } else {
                match stat(&m) {
                    Ok(fs) => fs,
                    Err(e) if !is_device_error(e) => {
                        tracing::debug!(mount = %m.mount, error = %e, "statvfs not permitted to the agent; skipped");
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(mount = %m.mount, error = %e, "statvfs failed; reported as a device error");
                        failed(&m)
                    }
                }
            };
            // a size of 0 is a kernel interface that slipped past PSEUDO_FS
            if fs.device_error || fs.size_bytes > 0 {
                out.push(fs);
            }
            if out.len() == max {
                tracing::warn!(
                    max,
                    "more filesystems than a report may carry; the rest are left out"
                );
                break;
            }
        }
        report
            .health
            .get_or_insert_with(Default::default)
            .filesystems = out;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_real_filesystems_once() {
        let text =
            std::fs::read_to_string(super::super::fixture_roots().proc.join("1/mounts")).unwrap();
        let mounts: Vec<_> = parse_mounts(&text, &[])
            .into_iter()
            .map(|m| (m.mount, m.fs_type))
            .collect();
        let want = [
            ("/", "ext4"),
            ("/boot", "ext4"),
            ("/boot/efi", "vfat"),
            ("/srv/backup", "xfs"),
            ("/mnt/arsip", "nfs4"),
            ("/mnt/usb disk", "vfat"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(mounts, want);
    }

    #[test]
    fn unescapes_octal() {
        assert_eq!(unescape(r"/mnt/a\040b\134c"), r"/mnt/a b\c");
        assert_eq!(unescape(r"trailing\04"), r"trailing\04");
    }

    #[test]
    fn the_root_filesystem_of_this_machine_has_a_size() {
        let root = Mount {
            device: "x".into(),
            mount: "/".into(),
            fs_type: "ext4".into(),
            readonly: false,
        };
        let fs = stat(&root).unwrap();
        assert!(fs.size_bytes > 0 && fs.available_bytes <= fs.size_bytes);
    }

    fn health_fixture(include_tmpfs: &[String]) -> Vec<Filesystem> {
        let mut r = super::super::empty_report();
        FilesystemsCollector::new(
            &super::super::fixture_tree("filesystem-health"),
            include_tmpfs,
        )
        .collect(&mut r)
        .unwrap();
        r.health.unwrap().filesystems
    }

    /// Issue 25: a filesystem remounted read-only (`errors=remount-ro` struck) is
    /// flagged, and one whose statvfs fails is reported as a device error, not dropped.
    #[test]
    fn read_only_remount_and_failing_statvfs_are_reported() {
        let fs = health_fixture(&[]);
        let got: Vec<_> = fs
            .iter()
            .map(|f| (f.mount.as_str(), f.readonly, f.device_error))
            .collect();
        assert_eq!(
            got,
            [
                ("/", true, false),
                ("/nonexistent-simpul-fixture/data", false, true),
                ("/nonexistent-simpul-fixture/arsip.img", true, true),
            ]
        );
        assert!(fs[0].size_bytes > 0, "statvfs of / answered");
        assert_eq!(fs[1].size_bytes, 0, "no sizes for a failed statvfs");
        assert_eq!(fs[2].device, "/dev/loop2", "a loop-mounted ext4 is listed");
    }

    /// Issue 25: tmpfs mounts are left out unless their mount point is selected.
    #[test]
    fn tmpfs_is_reported_only_where_selected() {
        let fs = health_fixture(&["/tmp".into(), "/run/user/*".into()]);
        let tmpfs: Vec<_> = fs
            .iter()
            .filter(|f| f.fs_type == "tmpfs")
            .map(|f| f.mount.as_str())
            .collect();
        assert_eq!(
            tmpfs,
            ["/tmp"],
            "/run and /dev/shm are not selected; /run/user/1000 does not exist here"
        );
        let text = "tmpfs /run/user/1000 tmpfs rw 0 0\ntmpfs /run tmpfs rw 0 0\n";
        let m = parse_mounts(text, &["/run/user/*".into()]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].mount, "/run/user/1000");
    }

    /// Issue 25: an ext4 image on a loop device is a real filesystem; a squashfs snap
    /// on a loop device is not.
    #[test]
    fn loop_mounted_images_are_listed_but_snaps_are_not() {
        let text =
            "/dev/loop0 /snap/core/100 squashfs ro,nodev 0 0\n/dev/loop3 /srv/arsip ext4 rw 0 0\n";
        let m = parse_mounts(text, &[]);
        assert_eq!(
            m,
            [Mount {
                device: "/dev/loop3".into(),
                mount: "/srv/arsip".into(),
                fs_type: "ext4".into(),
                readonly: false,
            }]
        );
    }

    #[test]
    fn bad_tmpfs_patterns_are_named() {
        let c = FilesystemsConfig {
            include_tmpfs: vec!["/tmp".into(), "tmp".into(), "/a/**".into()],
        };
        let p = c.problems();
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].starts_with(
            "filesystems.include_tmpfs[1] = \"tmp\": must be an absolute mount point"
        ));
        assert!(p[1].starts_with("filesystems.include_tmpfs[2] = \"/a/**\""));
    }

    #[test]
    fn permission_errors_are_not_device_errors() {
        use nix::errno::Errno;
        assert!(!is_device_error(Errno::EACCES));
        assert!(!is_device_error(Errno::EPERM));
        for e in [Errno::EIO, Errno::ENOTCONN, Errno::ESTALE, Errno::ENOENT] {
            assert!(is_device_error(e), "{e}");
        }
    }

    #[test]
    fn the_last_of_stacked_mounts_wins() {
        let text = "/dev/sda1 /data ext4 rw 0 0\n/dev/sdb1 /data xfs ro 0 0\n";
        let m = parse_mounts(text, &[]);
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].device.as_str(), m[0].readonly), ("/dev/sdb1", true));
    }
}
