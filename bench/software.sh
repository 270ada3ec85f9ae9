#!/usr/bin/env bash
# software.sh - the CPU the agent's software inventory costs, on this machine only.
# Builds a dpkg status file of PACKAGES (2000) packages from this machine's own
# /var/lib/dpkg/status (its real paragraphs, then renamed copies of them until there are
# enough), and runs the shipped agent build's `simpul-agent once` RUNS (20) times with
# [software] on and RUNS times with it off, alternating; the difference of the median
# CPU (user + system, from /usr/bin/time) is what reading and parsing the list costs.
# The issue's goal: under 50 ms of CPU for 2,000 packages. An unchanged database is not
# read again (a stat per check; agent/src/software/mod.rs tests it).
#
# Then the same for rpm: an rpm database (rpm's own, built with this machine's rpm and
# rpmbuild, Debian's `rpm` package) of PACKAGES noarch packages, each with RPM_FILES (100)
# files, a 10-line description and the 30-entry changelog they share, installed with
# `rpm -i --justdb` into a database directory of the run's own (rpmdb.sqlite, rpm's
# SQLite backend, as on RHEL 9). The agent reads it the two ways it can: directly (its
# own reader of the SQLite file and rpm's headers, the default) and through
# `rpm -qa --qf` (`rpm_sqlite = false`, and what a Berkeley DB host gets; rpm's CPU, a
# child's, is in the agent's rusage). The packages are synthetic: their headers are
# smaller than a real distribution's (no scripts, dependencies or signatures), so the
# rpm figure is a lower bound of what rpm itself costs; the direct read, which reads a
# header only up to its name, version and arch, costs about the same either way.
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES="${PACKAGES:-2000}"; RUNS="${RUNS:-20}"; RPM_FILES="${RPM_FILES:-100}"
[ "$PACKAGES" -le 50000 ] && [ "$RUNS" -le 200 ] && [ "$RPM_FILES" -le 2000 ] ||
  { echo "knobs out of bounds" >&2; exit 1; }
W=$(mktemp -d /tmp/simpul-software.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
cargo build --profile agent --locked -q -p simpul-agent
A=$PWD/target/agent/simpul-agent
python3 - "$PACKAGES" /var/lib/dpkg/status "$W/status" <<'PY'
import sys
want, src, dst = int(sys.argv[1]), sys.argv[2], sys.argv[3]
paras = [p for p in open(src).read().split("\n\n") if "Package:" in p]
out, n = [], 0
while len(out) < want:
    for p in paras:
        if len(out) >= want:
            break
        out.append(p if n == 0 else p.replace("Package: ", f"Package: copy{n}-", 1))
    n += 1
open(dst, "w").write("\n\n".join(out) + "\n")
PY
installed=$(grep -c '^Status: .* installed$' "$W/status")
printf 'dpkg_status = "%s"\n' "$W/status" > "$W/on.toml"
sed -i '1s/^/[software]\n/' "$W/on.toml"
printf '[software]\nenabled = false\n' > "$W/off.toml"
# CPU of one run in ms, from the child's rusage (microseconds; /usr/bin/time rounds to 10 ms)
cpu_ms() { python3 -c 'import os,sys,subprocess
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print("%.2f" % ((ru.ru_utime + ru.ru_stime) * 1000))' "$A" once --config "$1"; }
on=(); off=()
for _ in $(seq 1 "$RUNS"); do on+=("$(cpu_ms "$W/on.toml")"); off+=("$(cpu_ms "$W/off.toml")"); done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}")
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  commit: $(git rev-parse --short HEAD)"
echo "status file: $(stat -c %s "$W/status") bytes, $installed installed packages; runs: $RUNS each"
echo "simpul-agent once, CPU ms (user+sys), median: software on $m_on, off $m_off"
echo "software inventory: $(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.1f", a - b}') ms of CPU for $installed packages (goal: under 50 ms for 2000)"

# --- rpm ------------------------------------------------------------------------------
command -v rpmbuild >/dev/null || ! command -v apt-get >/dev/null || apt-get install -y -q rpm >/dev/null
command -v rpmbuild >/dev/null || { echo "rpm run skipped: no rpmbuild (apt-get install rpm)"; exit 0; }
python3 - "$PACKAGES" "$RPM_FILES" "$W/bench.spec" <<'PY'
import datetime, sys
n, files, dst = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
desc = [f"Line {k} of a description as long as a real package's, about what it does." for k in range(10)]
out = ["Name: simpulbench", "Version: 2.4.1", "Release: 3.el9", "Summary: synthetic package",
       "License: MIT", "BuildArch: noarch", "%description", *desc, "%install"]
out += [f"mkdir -p %{{buildroot}}/opt/bench/p{i:05d} && cd %{{buildroot}}/opt/bench/p{i:05d} && "
        f"touch $(seq -f 'file%04g' 1 {files})" for i in range(n)]
for i in range(n):
    out += [f"%package -n bench-p{i:05d}", "Summary: synthetic package", f"Version: 1.{i % 17}.{i % 5}",
            f"%description -n bench-p{i:05d}", *desc, f"%files -n bench-p{i:05d}", f"/opt/bench/p{i:05d}", ""]
out.append("%changelog")
day = datetime.date(2024, 12, 30)
for k in range(30, 0, -1):
    out += [f"* {day:%a %b %d %Y} Builder <builder@example.org> - 2.4.1-{k}",
            f"- Change {k}: fixes and updates of the packaged software"]
    day -= datetime.timedelta(days=12)
open(dst, "w").write("\n".join(out) + "\n")
PY
rpmbuild --quiet --define "_topdir $W/rpmbuild" -bb "$W/bench.spec" >"$W/rpmbuild.log" 2>&1 ||
  { tail -5 "$W/rpmbuild.log"; exit 1; }
mkdir -p "$W/rpmdb"
rpm --dbpath "$W/rpmdb" --initdb
find "$W/rpmbuild/RPMS" -name '*.rpm' -print0 |
  xargs -0 rpm --dbpath "$W/rpmdb" -i --justdb --nodeps --noscripts --notriggers 2>/dev/null
rpm_count=$(rpm --dbpath "$W/rpmdb" -qa | wc -l)
printf '[software]\ndpkg_status = "%s"\nrpm_dbpath = "%s"\n' "$W/no-dpkg" "$W/rpmdb" > "$W/direct.toml"
printf '[software]\ndpkg_status = "%s"\nrpm_dbpath = "%s"\nrpm_sqlite = false\n' "$W/no-dpkg" "$W/rpmdb" > "$W/rpm.toml"
direct=(); on=(); off=(); q=()
for _ in $(seq 1 "$RUNS"); do
  direct+=("$(cpu_ms "$W/direct.toml")"); on+=("$(cpu_ms "$W/rpm.toml")"); off+=("$(cpu_ms "$W/off.toml")")
done
for _ in $(seq 1 "$RUNS"); do
  q+=("$(python3 -c 'import os,sys,subprocess
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
print("%.2f" % ((ru.ru_utime + ru.ru_stime) * 1000))' rpm --dbpath "$W/rpmdb" -qa --qf '%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\n')")
done
m_direct=$(median "${direct[@]}"); m_on=$(median "${on[@]}"); m_off=$(median "${off[@]}"); m_q=$(median "${q[@]}")
echo "rpm database: $(du -sb "$W/rpmdb" | cut -f1) bytes, $rpm_count packages of $RPM_FILES files each ($(rpm --version))"
echo "simpul-agent once, CPU ms (user+sys, rpm included), median: software read directly $m_direct, through rpm $m_on, off $m_off"
echo "rpm -qa --qf (the agent's query) alone, CPU ms, median: $m_q"
echo "software inventory (rpm), read directly: $(awk -v a="$m_direct" -v b="$m_off" 'BEGIN {printf "%.1f", a - b}') ms of CPU for $rpm_count packages (goal: under 50 ms for 2000)"
echo "software inventory (rpm), through rpm -qa: $(awk -v a="$m_on" -v b="$m_off" 'BEGIN {printf "%.1f", a - b}') ms of CPU for $rpm_count packages"
