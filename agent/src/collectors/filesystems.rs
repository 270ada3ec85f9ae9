//! Size, free space and inodes of every real filesystem, from the mount table + statvfs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use simpul_protocol::{Filesystem, Limits, Report};

use super::{read, CollectError, Collector, Roots};

/// Filesystem types that hold no user data (kernel interfaces, memory, container layers,
/// read-only images). Everything else with a size is reported.
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

/// One line of the mount table that names a real filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub device: String,
    pub mount: String,
    pub fs_type: String,
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

/// Parses `/proc/1/mounts`, keeping real filesystems once per mount point.
pub fn parse_mounts(text: &str) -> Vec<Mount> {
    let mut seen = HashSet::new();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (device, mount, fs_type) = (f.next()?, f.next()?, f.next()?);
            if PSEUDO_FS.contains(&fs_type) {
                return None;
            }
            let mount = unescape(mount);
            seen.insert(mount.clone()).then(|| Mount {
                device: unescape(device),
                mount,
                fs_type: fs_type.to_owned(),
            })
        })
        .collect()
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
    })
}

/// Fills `health.filesystems`.
pub struct FilesystemsCollector {
    mounts: PathBuf,
    fallback: PathBuf,
    /// Network mounts whose statvfs has not returned yet; not asked again until it does.
    stuck: Arc<Mutex<HashSet<String>>>,
}

impl FilesystemsCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            // pid 1's table: the host's mounts even when the agent runs in its own mount
            // namespace (systemd ProtectSystem, containers with the host /proc).
            mounts: roots.proc.join("1/mounts"),
            fallback: roots.proc.join("self/mounts"),
            stuck: Arc::default(),
        }
    }

    fn stat_network(&self, m: &Mount) -> Option<Filesystem> {
        {
            let mut stuck = self.stuck.lock().ok()?;
            if !stuck.insert(m.mount.clone()) {
                return None;
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
            Ok(r) => r.ok(),
            Err(_) => {
                tracing::warn!(mount = %m.mount, "network filesystem did not answer statvfs within 2 s; skipped");
                None
            }
        }
    }
}

impl Collector for FilesystemsCollector {
    fn name(&self) -> &'static str {
        "filesystems"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let text = read(&self.mounts).or_else(|_| read(&self.fallback))?;
        let max = Limits::default().max_filesystems;
        let mut out = Vec::new();
        for m in parse_mounts(&text) {
            let fs = if NETWORK_FS.contains(&m.fs_type.as_str()) {
                self.stat_network(&m)
            } else {
                stat(&m)
                    .map_err(|e| tracing::debug!(mount = %m.mount, error = %e, "statvfs failed"))
                    .ok()
            };
            if let Some(fs) = fs.filter(|f| f.size_bytes > 0) {
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
        let mounts: Vec<_> = parse_mounts(&text)
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
        };
        let fs = stat(&root).unwrap();
        assert!(fs.size_bytes > 0 && fs.available_bytes <= fs.size_bytes);
    }
}
