#!/usr/bin/env bash
# software.sh - the CPU the agent's software inventory costs, on this machine only.
# Builds a dpkg status file of PACKAGES (2000) packages from this machine's own
# /var/lib/dpkg/status (its real paragraphs, then renamed copies of them until there are
# enough), and runs the shipped agent build's `simpul-agent once` RUNS (20) times with
# [software] on and RUNS times with it off, alternating; the difference of the median
# CPU (user + system, from /usr/bin/time) is what reading and parsing the list costs.
# The issue's goal: under 50 ms of CPU for 2,000 packages. An unchanged database is not
# read again (a stat per check; agent/src/software.rs tests it).
set -euo pipefail
cd "$(dirname "$0")/.."
PACKAGES="${PACKAGES:-2000}"; RUNS="${RUNS:-20}"
[ "$PACKAGES" -le 50000 ] && [ "$RUNS" -le 200 ] || { echo "knobs out of bounds" >&2; exit 1; }
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
