#!/usr/bin/env bash
# Runs scenario.sh as root in a throwaway copy of this machine's root filesystem:
# an overlay (this root read-only below, a tmpfs above) in a private mount namespace,
# so the packages' files, the simpul user and dpkg's database change only in the copy,
# which vanishes when this script exits (even when it fails). No systemd runs in it:
# units are enabled offline, as on a machine being provisioned.
#
#   unshare --mount --propagation private tests/packaging/throwaway-root.sh DEBS OUT PORT
#
# DEBS: old/ and new/ .debs; OUT: where scenario.sh leaves logs and the database copy.
set -euo pipefail
debs=$1 out=$2 port=$3
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
mount -t tmpfs tmpfs "$t"
trap 'umount -l "$t" 2>/dev/null; rmdir "$t" 2>/dev/null || true' EXIT
mkdir "$t/upper" "$t/work" "$t/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$t/upper,workdir=$t/work" "$t/root"
r=$t/root
mount -t proc proc "$r/proc"
mount --rbind /dev "$r/dev"
mount -t tmpfs tmpfs "$r/run"
mount -t tmpfs tmpfs "$r/tmp"
mkdir -p "$r/debs" "$r/out" "$r/scenario"
mount --bind "$debs" "$r/debs"
mount --bind "$out" "$r/out"
mount --bind "$here" "$r/scenario"
chroot "$r" /bin/bash /scenario/scenario.sh "$port"
