#!/usr/bin/env bash
# sweep.sh - LAN sweep: `simpul-agent discover` (sweep only: no reverse DNS) against
# fping and nmap, side by side in one run, inside a namespace LAN this script builds
# and deletes (20 live hosts, 10.250.0.1-20; the scanner is 10.250.0.254/22). Traffic
# never leaves the lab: every link is created inside it and no namespace has a route
# beyond its /22.
#   RUNS (default 3) runs, interleaved; the scanner's neighbour cache is flushed before
#   every command. Commands:
#     simpul   simpul-agent discover (timeout_ms 500, retries 1, 1,000 probes/s; the
#              subnet is on-link, so an ARP sweep, then ICMP to the hosts it found)
#     fping    fping -a -q -r 1 -t 500 -g NET
#     nmap     nmap -sn -n NET   (root, on-link: ARP ping)
#   for NET = 10.250.0.0/24 and 10.250.0.0/22. Needs root, ip, fping, nmap.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
[ "$(id -u)" = 0 ] || { echo "sweep.sh needs root (network namespaces)" >&2; exit 1; }
for b in ip fping nmap /usr/bin/time; do
  command -v "$b" >/dev/null || { echo "missing $b (apt-get install fping nmap time iproute2)" >&2; exit 1; }
done
cargo build --profile agent -q -p simpul-agent
AGENT="$PWD/target/agent/simpul-agent"
P="swb$$"
W=$(mktemp -d)
source bench/lab.sh   # the working directory is the repository root
lab_up

echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cpus: $(nproc)"
echo "fping: $(fping -v 2>&1 | head -1)  nmap: $(nmap --version | head -1)"
printf 'net\ttool\trun\twall_s\tmaxrss_kb\tfound_of_20\n'
for run in $(seq 1 "$RUNS"); do
  for net in 10.250.0.0/24 10.250.0.0/22; do
    printf 'hostname = "bench"\n[discovery]\nsubnets = ["%s"]\nreverse_dns = false\n' "$net" > "$W/agent.toml"
    for tool in simpul fping nmap; do
      ip -n "$P-scan" neigh flush all 2>/dev/null || true
      case $tool in
        simpul) cmd=("$AGENT" discover --config "$W/agent.toml") ;;
        fping) cmd=(fping -a -q -r 1 -t 500 -g "$net") ;;
        nmap) cmd=(nmap -sn -n "$net") ;;
      esac
      ip netns exec "$P-scan" /usr/bin/time -o "$W/t" -f '%e %M' "${cmd[@]}" > "$W/out" 2>/dev/null || true
      read -r wall rss < <(tail -1 "$W/t")
      found=$(grep -oE '10\.250\.0\.([1-9]|1[0-9]|20)\b' "$W/out" | sort -u | wc -l)
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$net" "$tool" "$run" "$wall" "$rss" "$found"
    done
  done
done
