#!/usr/bin/env bash
# snmp_walk.sh - SNMP polling: `simpul-agent snmp-poll` against net-snmp's snmpbulkwalk,
# side by side in one run, against the same snmpd, inside a namespace LAN this script
# builds and deletes: bridge br0 in namespace P-lan with 20 hosts and a scanner; snmpd
# on br0's address 10.250.0.250 (v2c), lldpd in every namespace (the switch's lldpd
# serves LLDP-MIB to snmpd over AgentX), so the switch has 21 LLDP neighbours. Traffic
# never leaves the lab.
#   RUNS (default 5) runs, interleaved, of (from the scanner namespace):
#     simpul     simpul-agent snmp-poll --tables ifTable,ifXTable,lldpRemTable
#                (one process; GETBULK with 25 rows per request)
#     bulkwalk   snmpbulkwalk -v2c -c public -On of the same three tables, one process
#                per table (net-snmp's default: 10 rows per request)
#     bulkwalk25 the same with -Cr25
#     simpul-all the agent's whole poll (all 12 tables) and `discover` (sweep of the /24
#                plus the poll) with its peak RSS
#   Wall time of the whole commands (process start-up included), OIDs per table.
# Needs root, ip, snmpd, snmpbulkwalk (apt-get install snmpd snmp lldpd time).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-5}"
[ "$(id -u)" = 0 ] || { echo "snmp_walk.sh needs root (network namespaces)" >&2; exit 1; }
for b in ip snmpd snmpbulkwalk lldpd lldpcli /usr/bin/time; do
  command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] ||
    { echo "missing $b (apt-get install snmpd snmp lldpd time iproute2)" >&2; exit 1; }
done
cargo build --profile agent -q -p simpul-agent
AGENT="$PWD/target/agent/simpul-agent"
P="snb$$"
W=$(mktemp -d); chmod 755 "$W"   # lldpd's unprivileged side reaches its socket here
source bench/lab.sh   # the working directory is the repository root
lab_up 10.250.0.250

mkdir -p "$W/persist" /run/lldpd
cat > "$W/snmpd.conf" <<EOF
agentAddress udp:10.250.0.250:161
rocommunity public 10.250.0.0/22
sysName switch-bench
master agentx
agentXSocket $W/agentx.sock
EOF
SNMP_PERSISTENT_DIR="$W/persist" ip netns exec "$P-lan" snmpd -f -C -c "$W/snmpd.conf" -m '' -I -smux,mteTrigger,mteTriggerConf -Lf "$W/snmpd.log" >/dev/null 2>&1 &
for _ in $(seq 1 50); do [ -S "$W/agentx.sock" ] && break; sleep 0.2; done
lldp() {  # ns name [extra...]
  local ns=$1 name=$2; shift 2
  printf 'configure system hostname %s\nconfigure lldp tx-interval 1\n' "$name" > "$W/lldpd-$name.conf"
  ip netns exec "$ns" lldpd -d -u "$W/lldpd-$name.sock" -O "$W/lldpd-$name.conf" "$@" >"$W/lldpd-$name.log" 2>&1 &
}
lldp "$P-lan" switch -x -X "$W/agentx.sock"
for i in $(seq 1 20); do lldp "$P-h$i" "h$i"; done
lldp "$P-scan" scan
for _ in $(seq 1 150); do
  n=$(lldpcli -u "$W/lldpd-switch.sock" -f keyvalue show neighbors 2>/dev/null | grep -c '\.chassis\.name=' || true)
  [ "$n" -ge 21 ] && break; sleep 0.2
done
echo "LLDP neighbours of the switch: $n"; [ "$n" -ge 21 ] || { for f in "$W"/lldpd-switch.log "$W"/lldpd-h1.log; do echo "== $f"; tail -n 5 "$f"; done; exit 1; }

cat > "$W/agent.toml" <<'EOF'
hostname = "bench"
[discovery]
subnets = ["10.250.0.0/24"]
reverse_dns = false
[[discovery.snmp]]
address = "10.250.0.250"
community = "public"
EOF
export SNMP_PERSISTENT_DIR="$W/persist-client"
TABLES="ifTable=1.3.6.1.2.1.2.2 ifXTable=1.3.6.1.2.1.31.1.1 lldpRemTable=1.0.8802.1.1.2.1.4.1"
# wall time in ms from the clock (time(1) rounds to 10 ms), peak RSS from time(1)
run_in() {
  local t0 t1 rc=0
  t0=$(date +%s%N)
  ip netns exec "$P-scan" /usr/bin/time -o "$W/t0" -f '%M' "$@" || rc=$?
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) $(tail -1 "$W/t0")" > "$W/t"
  return $rc
}
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cpus: $(nproc)"
echo "snmpd: $(snmpd -v 2>&1 | grep -m1 version | tr -s ' ')  lldpd: $(lldpd -v)"
printf 'run\ttool\twall_ms\tmaxrss_kb\toids\n'
: > "$W/raw"
for run in $(seq 1 "$RUNS"); do
  # Simpul: the three tables in one process
  run_in "$AGENT" snmp-poll --config "$W/agent.toml" --tables ifTable,ifXTable,lldpRemTable > "$W/simpul.json" 2>/dev/null || true
  read -r wall rss < <(tail -1 "$W/t")
  oids=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[0]['device']['tables']; print(' '.join(f'{k}={v}' for k,v in sorted(d.items())))" "$W/simpul.json")
  printf '%s\tsimpul\t%s\t%s\t%s\n' "$run" "$wall" "$rss" "$oids" | tee -a "$W/raw"
  # snmpbulkwalk: one process per table, default and 25 rows per request
  for variant in bulkwalk bulkwalk25; do
    total=0; counts=""; maxrss=0
    for t in $TABLES; do
      extra=(); [ "$variant" = bulkwalk25 ] && extra=(-Cr25)
      run_in snmpbulkwalk -v2c -c public -On "${extra[@]}" 10.250.0.250 "${t#*=}" > "$W/walk" 2>/dev/null || true
      read -r wall rss < <(tail -1 "$W/t")
      total=$(awk -v a="$total" -v b="$wall" 'BEGIN{print a+b}')
      [ "$rss" -gt "$maxrss" ] && maxrss=$rss
      counts="$counts ${t%%=*}=$(grep -c '^\.[0-9]' "$W/walk" || true)"
    done
    printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$variant" "$total" "$maxrss" "${counts# }" | tee -a "$W/raw"
  done
  # the agent's whole poll, and a whole discovery (sweep + poll)
  run_in "$AGENT" snmp-poll --config "$W/agent.toml" > "$W/all.json" 2>/dev/null || true
  read -r wall rss < <(tail -1 "$W/t")
  oids=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['device']['oids'])" "$W/all.json")
  printf '%s\tsimpul-all\t%s\t%s\t%s\n' "$run" "$wall" "$rss" "$oids"
  ip -n "$P-scan" neigh flush all 2>/dev/null || true
  run_in "$AGENT" discover --config "$W/agent.toml" > "$W/disc.json" 2>/dev/null || true
  read -r wall rss < <(tail -1 "$W/t")
  links=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d['devices']), 'devices', len(d['links']), 'links')" "$W/disc.json")
  printf '%s\tdiscover\t%s\t%s\t%s\n' "$run" "$wall" "$rss" "$links"
done
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m() { awk -F'\t' -v t="$1" '$2==t {print $3}' "$W/raw" | median; }
s=$(m simpul); b=$(m bulkwalk); b25=$(m bulkwalk25)
echo "median wall: simpul ${s} ms, snmpbulkwalk ${b} ms (default -Cr10), ${b25} ms (-Cr25);" \
  "simpul/snmpbulkwalk = $(awk -v a="$s" -v b="$b" 'BEGIN{printf "%.2f", a/b}')"
