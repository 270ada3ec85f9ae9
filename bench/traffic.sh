#!/usr/bin/env bash
# traffic.sh - interface counters (issue 23's performance figure): the agent's
# `simpul-agent-discover traffic` poll against Prometheus' snmp_exporter (Debian's
# prometheus-snmp-exporter, its if_mib module) on the same 48-port switch recording,
# side by side in one run, and the agent's RSS while it polls 20 such devices every 60 s.
#
#   The device: snmpsim (PyPI; scripts/test.sh installs it in SIMPUL_SNMPSIM_VENV, and
#   so does this script when it is missing) serving snmpsim-data's recording
#   network/switch/cisco-c3560: a Cisco Catalyst 3560 (IOS 12.2(55)SE3) with 52 Gigabit
#   ports Gi0/1-52 (48 access ports and 4 uplinks), 4 VLAN interfaces and Null0: 57
#   interfaces, 7 of them up, HC counters on all but Null0. A recording is static, so
#   both tools must read exactly the same counter values. Everything runs inside a
#   network namespace this script creates (its loopback only) and deletes at the end.
#
#   snmp_exporter 0.21 (Debian bookworm) comes without an snmp.yml (the MIBs' licences):
#   the script writes the if_mib module as the exporter's generator makes it from its
#   example generator.yml (walk `interfaces` and ifXTable, get sysUpTime.0, every
#   column of ifTable and ifXTable with ifAlias, ifDescr and ifName looked up as labels,
#   ifType as EnumAsInfo; version 2, max_repetitions 25, retries 3, timeout 5s) with the
#   recording's community; the help texts are left out.
#
#   Timing: ROUNDS (default 2) rounds; each round runs, one after the other, BLOCK
#   (default 10) polls of each of
#     exporter     curl http://127.0.0.1:9116/snmp?target=127.0.0.1:1161&module=if_mib
#                  wall: curl's time_total (and the exporter's own snmp_scrape_duration_seconds);
#                  CPU: the exporter's threads' schedstat before and after the scrape
#     simpul-all   simpul-agent-discover traffic (release build), interfaces = ["*"]:
#                  the same 57 interfaces as the exporter; traffic_interval_secs = 1;
#                  wall: each JSON line's duration_seconds; CPU: the helper's schedstat
#                  between two lines (one poll each); the first line (start-up) is dropped
#     simpul-up    the same with the default choice of interfaces (those up: 7)
#     simpul-agent simpul-all with the `--profile agent` build (the one that ships)
#   and for each poll the device's CPU (snmpsim's) and the SNMP requests (the
#   namespace's UDP datagrams, /proc/<pid>/net/snmp, halved). Counter values: the last
#   scrape against the last simpul-all poll, field by field, per ifIndex.
#   RSS: a release simpul-collector (SQLite) on the namespace's loopback; then, one after
#   the other, for RSS_S (default 180) seconds each after SETTLE_S (default 20):
#     agent    `simpul-agent run` (--profile agent, the build that ships) with 20
#              `[[discovery.snmp]]` devices (the recording on 127.0.1.1-20:1161),
#              traffic_interval_secs = 60, interfaces = ["*"] (57 each), reporting every 30 s
#     release  the same with the release build
#     helper   the agent profile's `simpul-agent-discover traffic` alone on the same
#              config (no daemon, so no discovery run at its start)
#   VmRSS of the daemon and of its traffic helper every second; VmHWM, RssAnon, RssFile
#   and Pss at the end; the daemon's `lan` discovery helper (run at its start) noted; the
#   polls the collector stored, read back through GET /api/v1/interfaces.
#
# Timing never fails the script; it exits non-zero only if it could not run.
# Needs root (a network namespace), ip, curl, python3, prometheus-snmp-exporter and
# snmpsim; installs what is missing (apt-get, pip into the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-2}"; BLOCK="${BLOCK:-10}"; RSS_S="${RSS_S:-180}"; SETTLE_S="${SETTLE_S:-20}"
DEVICES=20; PORT=19840
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] && [ "$BLOCK" -ge 1 ] && [ "$BLOCK" -le 100 ] &&
  [ "$RSS_S" -ge 0 ] && [ "$RSS_S" -le 1800 ] || { echo "knobs out of bounds" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "traffic.sh needs root (a network namespace)" >&2; exit 1; }

# --- what it needs ----------------------------------------------------------------------
pkgs=()
command -v prometheus-snmp-exporter >/dev/null || pkgs+=(prometheus-snmp-exporter)
command -v curl >/dev/null || pkgs+=(curl)
command -v ip >/dev/null || pkgs+=(iproute2)
[ -x /usr/bin/python3 ] || pkgs+=(python3)
/usr/bin/python3 -c 'import ensurepip' 2>/dev/null || pkgs+=(python3-venv)
/usr/bin/python3 -c 'import dbm.gnu' 2>/dev/null || pkgs+=(python3-gdbm)
if [ "${#pkgs[@]}" -gt 0 ]; then
  # the exporter's own service must not start: this script runs its own copy
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
  fi
  rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; } || rc=$?
  [ -z "$policy" ] || rm -f "$policy"
  [ "$rc" = 0 ] || { echo "apt-get install ${pkgs[*]} failed ($rc)" >&2; exit 1; }
fi
VENV="${SIMPUL_SNMPSIM_VENV:-/var/tmp/simpul-snmpsim-venv}"
if ! "$VENV/bin/python" -c 'import snmpsim, snmpsim_data, dbm.gnu' 2>/dev/null; then
  rm -rf "$VENV"; /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check snmpsim==1.2.2 snmpsim-data==1.0.1 pysmi==1.6.3
fi
flock /tmp/simpul-cargo.lock cargo build --release --locked -q -p simpul-agent -p simpul-collector
flock /tmp/simpul-cargo.lock cargo build --profile agent --locked -q -p simpul-agent
B="$PWD/target/release"; A="$PWD/target/agent"

NS="strf$$"
W=$(mktemp -d /tmp/simpul-traffic.XXXXXX); chmod 755 "$W"   # snmpsim runs as nobody
cleanup() {
  exec 2>/dev/null
  for pid in $(ip netns pids "$NS"); do kill -9 "$pid" || true; done
  sleep 0.2
  ip netns del "$NS" || true
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up
inns() { ip netns exec "$NS" "$@"; }   # foreground only: a backgrounded function is a subshell, $! not the program

# --- the device ------------------------------------------------------------------------
mkdir -p "$W/data" "$W/cache"; chmod 755 "$W/data"; chown nobody:nogroup "$W/cache"
"$VENV/bin/python" - "$W/data/c3560.snmprec" <<'EOF'
import bz2, os, snmpsim_data, sys
src = os.path.join(os.path.dirname(snmpsim_data.__file__), "data", "network/switch/cisco-c3560.snmprec.bz2")
open(sys.argv[1], "wb").write(bz2.open(src).read())
EOF
chmod 644 "$W/data/c3560.snmprec"
EPS=(--agent-udpv4-endpoint=127.0.0.1:1161)
for i in $(seq 1 $DEVICES); do EPS+=("--agent-udpv4-endpoint=127.0.1.$i:1161"); done
ip netns exec "$NS" "$VENV/bin/snmpsim-command-responder" --data-dir="$W/data" --cache-dir="$W/cache" "${EPS[@]}" \
  --process-user=nobody --process-group=nogroup >"$W/snmpsim.log" 2>&1 & SIM=$!

# --- the exporter's if_mib module ----------------------------------------------------------
python3 - c3560 > "$W/snmp.yml" <<'EOF'
import sys
IF = [(1, "ifIndex", "gauge"), (3, "ifType", "EnumAsInfo"), (4, "ifMtu", "gauge"), (5, "ifSpeed", "gauge"),
      (6, "ifPhysAddress", "PhysAddress48"), (7, "ifAdminStatus", "gauge"), (8, "ifOperStatus", "gauge"),
      (9, "ifLastChange", "gauge"), (10, "ifInOctets", "counter"), (11, "ifInUcastPkts", "counter"),
      (12, "ifInNUcastPkts", "counter"), (13, "ifInDiscards", "counter"), (14, "ifInErrors", "counter"),
      (15, "ifInUnknownProtos", "counter"), (16, "ifOutOctets", "counter"), (17, "ifOutUcastPkts", "counter"),
      (18, "ifOutNUcastPkts", "counter"), (19, "ifOutDiscards", "counter"), (20, "ifOutErrors", "counter"),
      (21, "ifOutQLen", "gauge")]
IFX = [(2, "ifInMulticastPkts", "counter"), (3, "ifInBroadcastPkts", "counter"),
       (4, "ifOutMulticastPkts", "counter"), (5, "ifOutBroadcastPkts", "counter"),
       (6, "ifHCInOctets", "counter"), (7, "ifHCInUcastPkts", "counter"), (8, "ifHCInMulticastPkts", "counter"),
       (9, "ifHCInBroadcastPkts", "counter"), (10, "ifHCOutOctets", "counter"), (11, "ifHCOutUcastPkts", "counter"),
       (12, "ifHCOutMulticastPkts", "counter"), (13, "ifHCOutBroadcastPkts", "counter"),
       (14, "ifLinkUpDownTrapEnable", "gauge"), (15, "ifHighSpeed", "gauge"), (16, "ifPromiscuousMode", "gauge"),
       (17, "ifConnectorPresent", "gauge"), (19, "ifCounterDiscontinuityTime", "gauge")]
LOOKUPS = [("ifAlias", "1.3.6.1.2.1.31.1.1.1.18"), ("ifDescr", "1.3.6.1.2.1.2.2.1.2"),
           ("ifName", "1.3.6.1.2.1.31.1.1.1.1")]
o = ["if_mib:", "  walk:", "  - 1.3.6.1.2.1.2", "  - 1.3.6.1.2.1.31.1.1", "  get:", "  - 1.3.6.1.2.1.1.3.0",
     "  metrics:", "  - name: sysUpTime", "    oid: 1.3.6.1.2.1.1.3", "    type: gauge",
     "  - name: ifNumber", "    oid: 1.3.6.1.2.1.2.1", "    type: gauge"]
for base, cols in (("1.3.6.1.2.1.2.2.1", IF), ("1.3.6.1.2.1.31.1.1.1", IFX)):
    for c, name, kind in cols:
        o += [f"  - name: {name}", f"    oid: {base}.{c}", f"    type: {kind}",
              "    indexes:", "    - labelname: ifIndex", "      type: gauge", "    lookups:"]
        for label, oid in LOOKUPS:
            o += ["    - labels:", "      - ifIndex", f"      labelname: {label}", f"      oid: {oid}",
                  "      type: DisplayString"]
        if name == "ifType":
            o += ["    enum_values:"] + [f"      {k}: {v}" for k, v in (
                (1, "other"), (6, "ethernetCsmacd"), (24, "softwareLoopback"), (53, "propVirtual"),
                (135, "l2vlan"), (136, "l3ipvlan"), (161, "ieee8023adLag"))]
o += ["  version: 2", "  max_repetitions: 25", "  retries: 3", "  timeout: 5s", "  auth:",
      f"    community: {sys.argv[1]}"]
print("\n".join(o))
EOF
prometheus-snmp-exporter --config.file="$W/snmp.yml" --dry-run >/dev/null 2>&1 ||
  { echo "the exporter refuses $W/snmp.yml" >&2; prometheus-snmp-exporter --config.file="$W/snmp.yml" --dry-run; exit 1; }
ip netns exec "$NS" prometheus-snmp-exporter --config.file="$W/snmp.yml" --web.listen-address=127.0.0.1:9116 \
  >"$W/exporter.log" 2>&1 & EXP=$!
URL='http://127.0.0.1:9116/snmp?target=127.0.0.1:1161&module=if_mib'
# snmpsim indexes the recording before it answers; this is also the exporter's warm-up
for _ in $(seq 1 240); do
  [ "$(inns curl -s "$URL" 2>/dev/null | grep -c '^ifHCInOctets{')" -gt 0 ] && break; sleep 0.5
done
[ "$(inns curl -s "$URL" | grep -c '^ifHCInOctets{')" -gt 0 ] ||
  { echo "no counters through the exporter:" >&2; tail -5 "$W/snmpsim.log" "$W/exporter.log" >&2; exit 1; }

# --- timing ------------------------------------------------------------------------------
cpu_ns() { local s=0 v t; for t in /proc/"$1"/task/*/schedstat; do read -r v _ < "$t" 2>/dev/null || continue; s=$((s + v)); done; echo "$s"; }
udp_out() { awk '/^Udp:/ { if (h) print $5; h = 1 }' "/proc/$SIM/net/snmp"; }
helper_toml() {  # interfaces-line
  printf '[discovery]\n[[discovery.snmp]]\naddress = "127.0.0.1"\nport = 1161\ncommunity = "c3560"\ntraffic_interval_secs = 1\n%s\n' "$1"
}
helper_toml 'interfaces = ["*"]' > "$W/all.toml"
helper_toml '' > "$W/up.toml"
: > "$W/raw"   # tool round wall_ms exporter_scrape_ms cpu_ms device_cpu_ms requests exporter_packets
exporter_block() {  # round
  local k c0 c1 s0 s1 u0 u1 wall
  for k in $(seq 1 "$BLOCK"); do
    c0=$(cpu_ns "$EXP"); s0=$(cpu_ns "$SIM"); u0=$(udp_out)
    wall=$(inns curl -s -o "$W/scrape.txt" -w '%{time_total}' "$URL")
    c1=$(cpu_ns "$EXP"); s1=$(cpu_ns "$SIM"); u1=$(udp_out)
    awk -v r="$1" -v w="$wall" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v u=$((u1 - u0)) \
      -v d="$(awk '/^snmp_scrape_duration_seconds / {print $2}' "$W/scrape.txt")" \
      -v p="$(awk '/^snmp_scrape_packets_sent / {print $2}' "$W/scrape.txt")" \
      'BEGIN { printf "exporter %s %.3f %.3f %.3f %.3f %d %d\n", r, w * 1e3, d * 1e3, c / 1e6, s / 1e6, u / 2, p }' >> "$W/raw"
  done
}
simpul_block() {  # tool binary config round
  local tool=$1 bin=$2 cfg=$3 r=$4 k line c0 c1 s0 s1 u0 u1 hp
  rm -f "$W/fifo"; mkfifo "$W/fifo"
  # `ip netns exec` execs the helper: $! is the helper, and its parent is this shell
  ip netns exec "$NS" "$bin" traffic --config "$cfg" > "$W/fifo" 2>>"$W/helper.log" & hp=$!
  exec 3< "$W/fifo"
  IFS= read -r -t 30 line <&3 || { echo "$tool: no poll within 30 s" >&2; cat "$W/helper.log" >&2; exit 1; }
  c0=$(cpu_ns "$hp"); s0=$(cpu_ns "$SIM"); u0=$(udp_out)
  for k in $(seq 1 "$BLOCK"); do
    IFS= read -r -t 30 line <&3 || { echo "$tool: no poll within 30 s" >&2; cat "$W/helper.log" >&2; exit 1; }
    c1=$(cpu_ns "$hp"); s1=$(cpu_ns "$SIM"); u1=$(udp_out)
    printf '%s\n' "$line" > "$W/$tool.json"
    awk -v t="$tool" -v r="$r" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v u=$((u1 - u0)) \
      -v d="$(python3 -c 'import json, sys; p = json.loads(sys.argv[1]); assert not p.get("error"), p["error"]; print(p["duration_seconds"])' "$line")" \
      'BEGIN { printf "%s %s %.3f - %.3f %.3f %d -\n", t, r, d * 1e3, c / 1e6, s / 1e6, u / 2 }' >> "$W/raw"
    c0=$c1; s0=$s1; u0=$u1
  done
  echo "$tool $(awk '/^(VmHWM|VmRSS|RssAnon|RssFile):/ {printf "%s ", $2}' "/proc/$hp/status")" >> "$W/helper-status"
  kill "$hp"; wait "$hp" 2>/dev/null || true
  exec 3<&-
}
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "exporter: $(prometheus-snmp-exporter --version 2>&1 | head -1)  snmpsim: $("$VENV/bin/pip" show snmpsim 2>/dev/null | awk '/^Version/ {print $2}')  device: snmpsim-data network/switch/cisco-c3560 (57 interfaces, 7 up)"
echo "rounds: $ROUNDS x $BLOCK polls per tool"
for r in $(seq 1 "$ROUNDS"); do
  exporter_block "$r"
  simpul_block simpul-all "$B/simpul-agent-discover" "$W/all.toml" "$r"
  simpul_block simpul-up "$B/simpul-agent-discover" "$W/up.toml" "$r"
  simpul_block simpul-agent "$A/simpul-agent-discover" "$W/all.toml" "$r"
done
EXP_STATUS=$(grep -E '^Vm(RSS|HWM)' "/proc/$EXP/status" | tr -s ' \n' ' ')

python3 - "$W" "$EXP_STATUS" <<'EOF'
import json, re, statistics, sys
w = sys.argv[1]
rows = [l.split() for l in open(f"{w}/raw")]
med = lambda tool, col: statistics.median(float(r[col]) for r in rows if r[0] == tool)
tools = ["exporter", "simpul-all", "simpul-up", "simpul-agent"]
print("\ntool\tpolls\twall_ms\tcpu_ms\tdevice_cpu_ms\trequests\t(medians)")
for t in tools:
    n = sum(r[0] == t for r in rows)
    print(f"{t}\t{n}\t{med(t, 2):.1f}\t{med(t, 4):.2f}\t{med(t, 5):.1f}\t{med(t, 6):.0f}")
ew, es, ec, ed = med("exporter", 2), med("exporter", 3), med("exporter", 4), med("exporter", 5)
print(f"exporter: its own snmp_scrape_duration_seconds median {es:.1f} ms; snmp_scrape_packets_sent "
      f"{med('exporter', 7):.0f}; per-poll wall ranges: " + ", ".join(
          f"{t} {min(float(r[2]) for r in rows if r[0] == t):.1f}-{max(float(r[2]) for r in rows if r[0] == t):.1f} ms" for t in tools))
pdus = [l.split()[1] for l in open(f"{w}/scrape.txt") if l.startswith("snmp_scrape_pdus_returned ")]
print(f"exporter after the scrapes: {sys.argv[2]}; values (PDUs) returned in its last scrape: {pdus[0] if pdus else '?'}")
for l in open(f"{w}/helper-status"):
    t, hwm, rss, anon, file_ = l.split()
    print(f"{t} helper (1 device) before it was stopped: VmRSS {rss} KiB (anon {anon}, file {file_}), VmHWM {hwm} KiB")
for t in tools[1:]:
    print(f"{t}/exporter: wall {med(t, 2) / ew:.2f} (vs the exporter's scrape duration {med(t, 2) / es:.2f}), "
          f"CPU {med(t, 4) / ec:.2f}, device CPU {med(t, 5) / ed:.2f}, requests {med(t, 6) / med('exporter', 6):.2f}")
for r_ in sorted({r[1] for r in rows}):
    print(f"round {r_}: " + ", ".join(
        f"{t} {statistics.median(float(r[2]) for r in rows if r[0] == t and r[1] == r_):.1f} ms / "
        f"{statistics.median(float(r[4]) for r in rows if r[0] == t and r[1] == r_):.2f} ms CPU" for t in tools))

# counter values: the last scrape against the last simpul-all poll
exp = {}
for line in open(f"{w}/scrape.txt"):
    m = re.match(r'^(\w+)\{([^}]*)\} (\S+)$', line.strip())
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    if "ifIndex" in labels:
        exp.setdefault(int(labels["ifIndex"]), {})[m.group(1)] = float(m.group(3))
        exp[int(labels["ifIndex"])]["_name"] = labels.get("ifName") or labels.get("ifDescr", "")
poll = json.loads(open(f"{w}/simpul-all.json").read())
fields = [("in_octets", "ifHCInOctets", "ifInOctets"), ("out_octets", "ifHCOutOctets", "ifOutOctets"),
          ("in_unicast_packets", "ifHCInUcastPkts", "ifInUcastPkts"),
          ("out_unicast_packets", "ifHCOutUcastPkts", "ifOutUcastPkts"),
          ("in_broadcast_packets", "ifHCInBroadcastPkts", "ifInBroadcastPkts"),
          ("out_broadcast_packets", "ifHCOutBroadcastPkts", "ifOutBroadcastPkts"),
          ("in_errors", "ifInErrors", "ifInErrors"), ("out_errors", "ifOutErrors", "ifOutErrors"),
          ("in_discards", "ifInDiscards", "ifInDiscards"), ("out_discards", "ifOutDiscards", "ifOutDiscards"),
          ("discontinuity_ticks", "ifCounterDiscontinuityTime", "ifCounterDiscontinuityTime"),
          ("oper_status", "ifOperStatus", "ifOperStatus")]
same = differ = both_absent = 0
bad = []
names_same = 0
for i in poll["interfaces"]:
    e = exp.get(i["index"], {})
    names_same += e.get("_name") == i["name"]
    for ours, hc, old in fields:
        theirs = e.get(hc if i["counter_bits"] == 64 else old)
        mine = i.get(ours)
        if mine is None and theirs is None:
            both_absent += 1
        elif mine is not None and theirs is not None and float(mine) == theirs:
            same += 1
        else:
            differ += 1
            bad.append(f"{i['index']} {ours}: simpul {mine} exporter {theirs}")
octets = sum(1 for i in poll["interfaces"] for f in ("in_octets", "out_octets")
             if i.get(f) is not None and float(i[f]) == exp.get(i["index"], {}).get(
                 ("ifHCInOctets" if f == "in_octets" else "ifHCOutOctets") if i["counter_bits"] == 64
                 else ("ifInOctets" if f == "in_octets" else "ifOutOctets")))
print(f"\ncounter values (last scrape vs last simpul-all poll): interfaces simpul {len(poll['interfaces'])}, "
      f"exporter {len(exp)}; names equal {names_same}; octet counters equal {octets} of {2 * len(poll['interfaces'])}; "
      f"all {len(fields)} fields: {same} equal, {differ} differ, {both_absent} absent on both "
      f"({sum(i['counter_bits'] == 32 for i in poll['interfaces'])} interface(s) read through the 32-bit fallback)")
for b in bad[:20]:
    print("  differs:", b)
big = max((v for e in exp.values() for k, v in e.items() if k.startswith("ifHC")), default=0)
print(f"largest HC counter {big:.0f} ({'below' if big < 2 ** 53 else 'above'} 2^53: the exporter's float is exact)")
EOF

# --- RSS: 20 devices every 60 s, one agent at a time -------------------------------------------
[ "$RSS_S" -gt 0 ] || exit 0
sed -e "s|^metrics_auth = .*|metrics_auth = false|" -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" \
    -e "s|^data_dir = .*|data_dir = \"$W/collector\"|" config/collector.toml > "$W/collector.toml"
ADMIN=$("$B/simpul-collector" admin add --config "$W/collector.toml" --name bench 2>/dev/null)
ip netns exec "$NS" "$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
for _ in $(seq 1 100); do inns curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
for kind in agent release; do
  "$B/simpul-collector" agent add --config "$W/collector.toml" --agency diskominfo --host "bench-$kind" > "$W/$kind.token" 2>/dev/null
  { printf 'collector_url = "http://127.0.0.1:%s"\ntoken_file = "%s"\nstate_dir = "%s"\nhostname = "bench-%s"\n[discovery]\n' \
      "$PORT" "$W/$kind.token" "$W/state-$kind" "$kind"
    for i in $(seq 1 $DEVICES); do
      printf '[[discovery.snmp]]\naddress = "127.0.1.%s"\nport = 1161\ncommunity = "c3560"\ntraffic_interval_secs = 60\ninterfaces = ["*"]\n' "$i"
    done; } > "$W/agent-$kind.toml"
done
"$B/simpul-agent" check-config "$W/agent-release.toml" >/dev/null
child_of() {  # pid subcommand: the daemon's helper running that subcommand, or 0
  local c; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    tr '\0' ' ' < "/proc/$c/cmdline" 2>/dev/null | grep -q " $2 " && { echo "$c"; return; }; done; echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
status_of() { echo "$(awk '/^(VmRSS|VmHWM|RssAnon|RssFile):/ {printf "%s ", $2}' "/proc/$1/status") $(awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup") $(ls "/proc/$1/task" | wc -l)"; }
rss_run() {  # label: agent (daemon, --profile agent), release (daemon, release), helper (the agent profile's helper alone)
  local label=$1 d=0 h l t0 cd0 ch0
  case $label in
    agent) ip netns exec "$NS" "$A/simpul-agent" run --config "$W/agent-agent.toml" 2>"$W/run-$label.log" & d=$! ;;
    release) ip netns exec "$NS" "$B/simpul-agent" run --config "$W/agent-release.toml" 2>"$W/run-$label.log" & d=$! ;;
    helper) ip netns exec "$NS" "$A/simpul-agent-discover" traffic --config "$W/agent-agent.toml" >/dev/null 2>"$W/run-$label.log" & h=$! ;;
  esac
  sleep "$SETTLE_S"
  if [ "$d" != 0 ]; then
    kill -0 "$d" || { echo "the $label agent exited:" >&2; tail -5 "$W/run-$label.log" >&2; exit 1; }
    h=$(child_of "$d" traffic)
    [ "$h" != 0 ] || { echo "no traffic helper under the $label agent" >&2; tail -5 "$W/run-$label.log" >&2; exit 1; }
  fi
  t0=$(date +%s); cd0=$( [ "$d" != 0 ] && cpu_ns "$d" || echo 0); ch0=$(cpu_ns "$h")
  # per second: VmRSS of the daemon and its traffic helper, the helper's pid (a restart
  # shows), and the `lan` discovery helper the daemon runs at its start and every 900 s
  for _ in $(seq 1 "$RSS_S"); do
    l=0; [ "$d" = 0 ] || l=$(child_of "$d" lan)
    echo "$([ "$d" = 0 ] && echo 0 || rss_kb "$d") $(rss_kb "$h") $([ "$d" = 0 ] && echo "$h" || child_of "$d" traffic) $l $([ "$l" = 0 ] && echo 0 || rss_kb "$l")" >> "$W/rss-$label"
    sleep 1
  done
  { echo "cpu $( [ "$d" != 0 ] && echo $(( $(cpu_ns "$d") - cd0 )) || echo 0) $(( $(cpu_ns "$h") - ch0 )) $h"
    [ "$d" = 0 ] || echo "daemon $(status_of "$d")"
    echo "helper $(status_of "$h")"; } > "$W/status-$label"
  if [ "$d" != 0 ]; then
    sleep 32   # the last polls go out with the next report (every 30 s)
    inns curl -sf -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/api/v1/interfaces" > "$W/interfaces-$label.json" || echo '{}' > "$W/interfaces-$label.json"
    echo "$t0 $(sed -E 's/^smp1_(.*)_[^_]*$/\1/' "$W/$label.token")" > "$W/agent-$label"
    kill "$d"; wait "$d" 2>/dev/null || true
  fi
  kill "$h" 2>/dev/null || true; wait "$h" 2>/dev/null || true
}
echo; echo "RSS: 20 devices, 57 interfaces each, every 60 s; windows of ${RSS_S} s after ${SETTLE_S} s; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
for label in agent release helper; do rss_run "$label"; done
grep -h -E 'WARN|ERROR' "$W"/run-*.log | sed -E 's/^.*(WARN|ERROR)/\1/' | sort | uniq -c | sort -rn | head -5 > "$W/agent-warnings" || true
python3 - "$W" "$RSS_S" "$DEVICES" <<'EOF'
import json, statistics, sys
w, secs, devices = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
polls = devices * secs / 60
print("run\tprocess\tVmRSS median KiB\tVmRSS max KiB\tVmHWM end KiB\tRssAnon end\tRssFile end\tPss end KiB\tthreads\tCPU in the window ms")
for label, what in (("agent", "daemon + helper, --profile agent (ships)"), ("release", "daemon + helper, release"),
                    ("helper", "helper alone, --profile agent, no daemon, no discovery")):
    rows = [[int(x) for x in l.split()] for l in open(f"{w}/rss-{label}") if len(l.split()) == 5]
    st = {l.split()[0]: l.split()[1:] for l in open(f"{w}/status-{label}")}
    cd, ch, hpid = int(st["cpu"][0]) / 1e6, int(st["cpu"][1]) / 1e6, int(st["cpu"][2])
    procs = ([("daemon", 0, cd)] if label != "helper" else []) + [("helper", 1, ch)]
    for name, col, cpu in procs:
        v = [r[col] for r in rows]
        hwm, rss, anon, file_, pss, threads = st[name]
        print(f"{label}\t{name}\t{statistics.median(v):.0f}\t{max(v)}\t{hwm}\t{anon}\t{file_}\t{pss}\t{threads}\t{cpu:.0f}")
    s = [r[0] + r[1] for r in rows]
    print(f"{label}: {what}: VmRSS median {statistics.median(s):.0f} KiB ({statistics.median(s) / 1024:.2f} MiB), "
          f"max {max(s)} KiB; helper CPU per device poll {ch / polls:.2f} ms (about {polls:.0f} polls in the window)")
    busy = [i for i, r in enumerate(rows) if r[3]]
    if busy:
        print(f"  discovery (`lan` helper) still running in seconds {busy[0] + 1}-{busy[-1] + 1} of the window, VmRSS up to {max(r[4] for r in rows)} KiB")
    if any(r[2] != hpid for r in rows):
        print("  the traffic helper was started again during the window")
    if label != "helper":
        t0, agent_id = open(f"{w}/agent-{label}").read().split()
        d = json.load(open(f"{w}/interfaces-{label}.json"))
        mine = [x for x in d.get("devices", []) if x.get("agent_id") == agent_id and x.get("last_poll_seconds", 0) >= float(t0)]
        print(f"  collector: {len(mine)} of {devices} devices polled in the window and stored, "
              f"{sum(not x.get('error') for x in mine)} without error")
for l in open(f"{w}/agent-warnings"):
    print("agent log:", l.rstrip()[:200])
EOF
