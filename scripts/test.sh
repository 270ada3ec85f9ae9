#!/usr/bin/env bash
# Runs the whole Simpul test suite: format, lints, unit tests, and the end-to-end tests
# against real processes (collector, agent, Prometheus, promtool). Installs the Debian
# packages it needs when they are missing. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# --- what the tests need from Debian -------------------------------------------------
pkgs=()
command -v prometheus >/dev/null 2>&1 || pkgs+=(prometheus)   # also ships promtool
command -v amtool >/dev/null 2>&1 || pkgs+=(prometheus-alertmanager)  # amtool checks the routing example
command -v curl >/dev/null 2>&1 || pkgs+=(curl)
command -v restic >/dev/null 2>&1 || pkgs+=(restic)             # the restic backup probe's test
command -v borg >/dev/null 2>&1 || pkgs+=(borgbackup)           # the borg backup probe's test
command -v ip >/dev/null 2>&1 || pkgs+=(iproute2)               # the namespace LAN of the discovery test
command -v systemd-analyze >/dev/null 2>&1 || pkgs+=(systemd)   # verifies the shipped units
command -v file >/dev/null 2>&1 || pkgs+=(file)                 # proves the static agent static
command -v adduser >/dev/null 2>&1 || [ -x /usr/sbin/adduser ] || pkgs+=(adduser)  # the packages' postinst
command -v deb-systemd-helper >/dev/null 2>&1 || pkgs+=(init-system-helpers)   # enables their units
command -v victoria-metrics >/dev/null 2>&1 || pkgs+=(victoria-metrics)  # the remote-write test's receiver
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)         # the web pages' browser test
command -v chromedriver >/dev/null 2>&1 || pkgs+=(chromium-driver)
command -v dot >/dev/null 2>&1 || pkgs+=(graphviz)               # renders the DOT export with hostile names
command -v pdftotext >/dev/null 2>&1 || pkgs+=(poppler-utils)   # reads the printed pages back
# the PDF report's fonts (the .deb depends on the package too)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || pkgs+=(fonts-dejavu-core)
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || pkgs+=(postgresql)  # the PostgreSQL store's tests
has snmpd || pkgs+=(snmpd)                                       # the SNMP discovery test's "switch"
has lldpd || pkgs+=(lldpd)                                       # LLDP in every lab namespace
has iperf3 || pkgs+=(iperf3)                                     # traffic of a known size through the lab
has rpm || pkgs+=(rpm)                                           # a real rpm database for the software inventory test
has xz || pkgs+=(xz-utils)                                       # unpacks the real CentOS 7 rpm database fixture
# Debian's python3 (the SNMP test's garbage-answering device; snmpsim's venv, which must
# be readable by the `nobody` snmpsim drops to; gdbm indexes recordings fast)
[ -x /usr/bin/python3 ] || pkgs+=(python3)
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || pkgs+=(python3-venv)
/usr/bin/python3 -c 'import dbm.gnu' 2>/dev/null || pkgs+=(python3-gdbm)
if [ "${#pkgs[@]}" -gt 0 ]; then
  log "installing missing packages: ${pkgs[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  # the packages' own services (snmpd, lldpd) must not start on the machine's real
  # network: the tests run their own copies inside namespaces they create
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
  fi
  rc=0
  { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; } || rc=$?
  [ -z "$policy" ] || $SUDO rm -f "$policy"
  [ "$rc" = 0 ] || { echo "apt-get failed ($rc)" >&2; exit "$rc"; }
fi
for tool in prometheus promtool amtool restic borg ip systemd-analyze file snmpd lldpd lldpcli iperf3 rpm rpmbuild xz python3 adduser deb-systemd-helper chromium chromedriver victoria-metrics dot; do
  has "$tool" || { echo "missing $tool after install" >&2; exit 1; }
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || { echo "missing the DejaVu fonts after install" >&2; exit 1; }

# --- snmpsim (PyPI), serving recordings of real devices to the SNMP parser test -------
export SIMPUL_SNMPSIM_VENV="${SIMPUL_SNMPSIM_VENV:-/var/tmp/simpul-snmpsim-venv}"
if ! "$SIMPUL_SNMPSIM_VENV/bin/python" -c 'import snmpsim, snmpsim_data, pysmi, dbm.gnu' 2>/dev/null; then
  log "installing snmpsim into $SIMPUL_SNMPSIM_VENV"
  rm -rf "$SIMPUL_SNMPSIM_VENV"
  /usr/bin/python3 -m venv "$SIMPUL_SNMPSIM_VENV"
  "$SIMPUL_SNMPSIM_VENV/bin/pip" install -q --disable-pip-version-check \
    snmpsim==1.2.2 snmpsim-data==1.0.1 pysmi==1.6.3
fi

# --- cargo-deb (crates.io), which builds the .deb packages the packaging test installs -
CARGO_DEB_VERSION=$(sed -n 's/^CARGO_DEB_VERSION=//p' scripts/build-debs.sh)
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  log "installing cargo-deb $CARGO_DEB_VERSION"
  cargo install -q cargo-deb --version "$CARGO_DEB_VERSION" --locked --no-default-features
fi

# --- Rust ----------------------------------------------------------------------------
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
log "cargo build (binaries for the end-to-end tests)"
cargo build --workspace --locked
log "cargo test: compiling"
cargo test --workspace --locked --no-run
# the compile phase's disk use, so a machine short of disk shows up here rather than as
# a linker crash (one CI machine ran out while linking the test binaries)
log "disk: target/ holds $(du -sh target | cut -f1); $(df -h --output=avail . | tail -1 | tr -d ' ') free"
# Three lanes side by side, as most of the suite waits on servers and timers rather than
# the CPU; each lane's output follows the others' below, whole.
#   sqlite:     the whole suite but two tests
#   postgresql: the collector's end-to-end tests again, with PostgreSQL as the store
#               (the store's unit tests already run on both engines in the sqlite lane)
#   builds:     the two tests that compile and package (the static agent, the .debs),
#               then the fuzzing of the report decoder (bounded time), all niced, so
#               that the waiting tests keep the CPU when they need it
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
builds=(the_static_agent_runs_without_a_libc packages_install_upgrade_and_purge_in_a_throwaway_root)
lane() { # name, command...
  local name=$1
  shift
  # (set -e would end the subshell at a failing command, before its status is kept)
  { rc=0; "$@" >"$out/$name.log" 2>&1 || rc=$?; echo "$rc" >"$out/$name.status"; } &
}
builds_lane() {
  cargo test --workspace --locked --test static_agent --test packaging &&
    printf '\n== fuzz decode_report (%s s)\n' "$FUZZ_SECS" &&
    scripts/fuzz.sh "$FUZZ_SECS"
}
: "${FUZZ_SECS:=60}"
lane builds nice -n 19 bash -c "set -o pipefail; FUZZ_SECS=$FUZZ_SECS; $(declare -f builds_lane); builds_lane"
lane postgresql env SIMPUL_TEST_STORE=postgres cargo test --workspace --locked --no-fail-fast \
  --test ingest --test e2e --test enroll --test sla --test backups --test lan \
  --test web --test prometheus --test remote_write --test tls --test security --test software \
  --test certificates
lane sqlite cargo test --workspace --locked --no-fail-fast -- "${builds[@]/#/--skip=}"
wait
status=0
for name in sqlite postgresql builds; do
  log "cargo test: $name lane"
  cat "$out/$name.log"
  [ "$(cat "$out/$name.status")" = 0 ] || { echo "the $name lane failed" >&2; status=1; }
done
# one closing line for the whole suite (cargo's last line is a doc-test run of one crate)
cat "$out"/*.log | awk '/^test result:/ {p += $4; f += $6} END {printf "%d passed, %d failed\n", p, f}'
exit "$status"
