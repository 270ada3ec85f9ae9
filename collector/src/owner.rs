//! Root running a command on a data directory that belongs to the service user.
//!
//! The packaged collector runs as `simpul` and owns `/var/lib/simpul`. An operator who
//! types `sudo simpul-collector agent add ...` would otherwise create or touch the
//! database, its WAL and shared-memory files as root, and the service could no longer
//! write them. So every command, run as root on a data directory owned by another user,
//! first becomes that user (its group, no supplementary groups) with the service's umask
//! (0027, as `UMask=` in simpul-collector.service), exactly as the service.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use nix::unistd::{Gid, Uid};

/// Switches to the owner of `data_dir` when running as root and the directory exists and
/// belongs to someone else. Returns the uid and gid switched to, if any.
pub fn adopt_data_dir_owner(data_dir: &Path) -> anyhow::Result<Option<(u32, u32)>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let Ok(meta) = std::fs::metadata(data_dir) else {
        return Ok(None);
    };
    if meta.uid() == 0 {
        return Ok(None);
    }
    let (uid, gid) = (Uid::from_raw(meta.uid()), Gid::from_raw(meta.gid()));
    let fail = |what: &str, e: nix::Error| {
        anyhow::anyhow!(
            "running as root on {} (owned by uid {uid}): cannot switch to its owner ({what}: {e}); run the command as that user instead",
            data_dir.display()
        )
    };
    nix::unistd::setgroups(&[gid]).map_err(|e| fail("setgroups", e))?;
    nix::unistd::setgid(gid).map_err(|e| fail("setgid", e))?;
    nix::unistd::setuid(uid).map_err(|e| fail("setuid", e))?;
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o027));
    Ok(Some((meta.uid(), meta.gid())))
}
