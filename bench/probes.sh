#!/usr/bin/env bash
# probes.sh - link probes (issue 24's performance figure): the agent's `[[probes]]`
# against `fping -C 20 -p 50 -q` (SmokePing's FPing probe), side by side in one run, on
# the same namespace WAN of 100 targets that this script builds and deletes.
#
#   The WAN: namespace P-core (the agent, fping, the collector) has 100 links, each to a
#   target namespace P-t<i> (10.253.i.2/24; the core's end is 10.253.i.1/24), through
#   namespace P-wire where tests/tests/probes/shaper.py relays the frames in user space
#   (this kernel has no sch_netem; with `tc ... netem` available the links are shaped by
#   netem instead): target i is delayed 5 + 35 (i-1)/99 ms (5 .. 40 ms) on the way out,
#   and every tenth target (10, 20, .. 100) also loses 2, 3, 4 or 5 % of the requests:
#   LOSS_MODE=even (default) drops them evenly, of each tool's requests to the target
#   exactly floor(n x ratio) of its first n (the shaper tells the tools apart by their
#   echo payload), so that 100 requests lose exactly 2 to 5 whoever sends them and the
#   two tools' loss figures can be compared without the sampling spread of random loss;
#   LOSS_MODE=random drops at random, as netem does (and netem, where the kernel has it,
#   always does).
#   Both ends know each other's MAC (permanent neighbours); IPv6 is off; no namespace has
#   a default route. Traffic never leaves the lab.
#
#   Side by side, from P-core, over the same window:
#     fping   ROUNDS (default 5) runs of `fping -C 20 -p 50 -q` over the 100 targets, one
#             after the other; a run is a round: 20 requests to every target. (fping keeps
#             10 ms between any two requests (-i default), so with 100 targets each target
#             is in fact asked once a second and a run takes about 20 s; it waits for an
#             answer as long as the period, 50 ms, hence delays below 50 ms.) CPU: the
#             run's getrusage (user + system) as its parent sees it.
#     simpul  the agent (--profile agent, the build that ships) with 100 `[[probes]]`
#             (icmp, count 20, interval_secs ROUND_S = 20: requests 0.5 s apart, also
#             one round of 20 per target about every 20 s), reporting every 10 s to a
#             release `simpul-collector` (SQLite) on the core's loopback; its rounds are
#             read back through GET /api/v1/agents/{id}/probes with an admin token. A
#             second agent with the same config without probes runs beside it.
#   Agreement per target: the median of all the RTTs of the rounds that started in the
#   window (Simpul) against the median of all of fping's answers (pooled the same way),
#   and the loss of each over its requests, with the binomial spread expected between
#   two independent samples of the shaped loss.
#   CPU per round (20 requests to each of the 100 targets): the agent's whole-process
#   CPU over the window minus the probe-less agent's, divided by the rounds the window
#   holds (100 probes x window / ROUND_S); also the probe thread's own CPU
#   (`simpul-probes`, /proc/<pid>/task/<tid>/schedstat). fping: its rusage per run.
#   RSS: VmRSS of both agents sampled every second through the window; VmHWM at the end.
#
# Timing never fails the script; it exits non-zero only if it could not run.
# Needs root, ip, python3, curl, fping (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"; ROUND_S="${ROUND_S:-20}"; SETTLE_S="${SETTLE_S:-30}"; PORT="${PORT:-19830}"
LOSS_MODE="${LOSS_MODE:-even}"
case "$LOSS_MODE" in even) EVEN=even ;; random) EVEN= ;; *) echo "LOSS_MODE must be even or random" >&2; exit 2 ;; esac
N=100
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || { echo "ROUNDS must be 1 .. 50" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "probes.sh needs root (network namespaces)" >&2; exit 1; }
command -v fping >/dev/null || ! command -v apt-get >/dev/null || apt-get install -y -q fping >/dev/null
for b in ip python3 curl fping; do
  command -v "$b" >/dev/null || { echo "missing $b (apt-get install fping iproute2 python3 curl)" >&2; exit 1; }
done
flock /tmp/simpul-cargo.lock cargo build --release --locked -q -p simpul-collector
flock /tmp/simpul-cargo.lock cargo build --profile agent --locked -q -p simpul-agent
B="$PWD/target/release"; AGENT="$PWD/target/agent/simpul-agent"; SHAPER="$PWD/tests/tests/probes/shaper.py"
P="spb$$"
W=$(mktemp -d /tmp/simpul-probes.XXXXXX)
NS=()
cleanup() {
  exec 2>/dev/null
  for ns in "${NS[@]}"; do
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" || true; done
  done
  sleep 0.2
  for ns in "${NS[@]}"; do ip netns del "$ns" || true; done
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
addns() {
  ip netns add "$1"; NS+=("$1")
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}
CORE="$P-core"; WIRE="$P-wire"
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# --- the WAN ---------------------------------------------------------------------------
addns "$CORE"; addns "$WIRE"
NETEM=0
ip -n "$WIRE" link add probe0 type veth peer name probe1
ip netns exec "$WIRE" tc qdisc add dev probe0 root netem delay 1ms 2>/dev/null && NETEM=1
ip -n "$WIRE" link del probe0
SPECS=(); : > "$W/targets"; : > "$W/shapes"
for i in $(seq 1 $N); do
  t="$P-t$i"; addns "$t"
  delay=$(awk -v i="$i" 'BEGIN{printf "%.0f", 5 + 35 * (i - 1) / 99}')
  loss=0; [ $((i % 10)) = 0 ] && loss=$(( (i / 10 - 1) % 4 + 2 ))
  h=$(printf '%02x' "$i")
  ip -n "$CORE" link add "l$i" address "02:53:00:00:$h:01" type veth peer name "a$i" netns "$WIRE"
  ip -n "$t" link add eth0 address "02:53:00:00:$h:02" type veth peer name "b$i" netns "$WIRE"
  ip -n "$CORE" addr add "10.253.$i.1/24" dev "l$i"; ip -n "$CORE" link set "l$i" up
  ip -n "$t" addr add "10.253.$i.2/24" dev eth0; ip -n "$t" link set eth0 up
  ip -n "$CORE" neigh replace "10.253.$i.2" lladdr "02:53:00:00:$h:02" dev "l$i" nud permanent
  ip -n "$t" neigh replace "10.253.$i.1" lladdr "02:53:00:00:$h:01" dev eth0 nud permanent
  ip -n "$WIRE" link set "a$i" up; ip -n "$WIRE" link set "b$i" up
  if [ "$NETEM" = 1 ]; then
    ip -n "$WIRE" link add "br$i" type bridge stp_state 0
    ip -n "$WIRE" link set "a$i" master "br$i"; ip -n "$WIRE" link set "b$i" master "br$i"; ip -n "$WIRE" link set "br$i" up
    ip netns exec "$WIRE" tc qdisc add dev "b$i" root netem delay "${delay}ms" loss "${loss}%"
  else
    SPECS+=("a$i:b$i:$delay:$EVEN$(awk -v l="$loss" 'BEGIN{print l / 100}')")
  fi
  echo "10.253.$i.2" >> "$W/targets"; echo "10.253.$i.2 $delay $loss" >> "$W/shapes"
done
if [ "$NETEM" = 0 ]; then
  inns "$WIRE" python3 "$SHAPER" "$W/shaper.ready" "${SPECS[@]}" >"$W/shaper.log" 2>&1 &
  for _ in $(seq 1 100); do [ -e "$W/shaper.ready" ] && break; sleep 0.1; done
  [ -e "$W/shaper.ready" ] || { echo "the shaper did not start:" >&2; cat "$W/shaper.log" >&2; exit 1; }
fi
if inns "$CORE" ip route | grep -q default; then echo "the lab has a default route" >&2; exit 1; fi
inns "$CORE" fping -q -c 1 -t 500 10.253.1.2 10.253.$N.2 2>/dev/null || { echo "the WAN does not answer" >&2; exit 1; }

# --- collector and agents (all on the core's loopback) ----------------------------------
sed -e "s|^metrics_auth = .*|metrics_auth = false|" -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" \
    -e "s|^data_dir = .*|data_dir = \"$W/data\"|" config/collector.toml > "$W/collector.toml"
"$B/simpul-collector" agent add --config "$W/collector.toml" --agency diskominfo --host bench-probes > "$W/probes.token" 2>/dev/null
"$B/simpul-collector" agent add --config "$W/collector.toml" --agency diskominfo --host bench-idle > "$W/idle.token" 2>/dev/null
ADMIN=$("$B/simpul-collector" admin add --config "$W/collector.toml" --name bench 2>/dev/null)
agent_toml() {  # name
  printf 'collector_url = "http://127.0.0.1:%s"\ntoken_file = "%s"\ninterval_secs = 10\nstate_dir = "%s"\nhostname = "bench-%s"\n' \
    "$PORT" "$W/$1.token" "$W/state-$1" "$1"
}
agent_toml idle > "$W/idle.toml"
{ agent_toml probes
  i=0; while read -r t; do i=$((i + 1))
    printf '[[probes]]\nname = "t%s"\nkind = "icmp"\ntarget = "%s"\ncount = 20\ninterval_secs = %s\n' "$i" "$t" "$ROUND_S"
  done < "$W/targets"; } > "$W/probes.toml"
"$AGENT" check-config "$W/probes.toml" >/dev/null
inns "$CORE" "$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
for _ in $(seq 1 100); do inns "$CORE" curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
# `ip netns exec` execs the agent: $! is the agent
ip netns exec "$CORE" "$AGENT" run --config "$W/probes.toml" 2>"$W/agent-probes.log" & SA=$!
ip netns exec "$CORE" "$AGENT" run --config "$W/idle.toml" 2>"$W/agent-idle.log" & SI=$!

echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fping: $(fping -v 2>&1 | head -1)  shaper: $([ "$NETEM" = 1 ] && echo 'tc netem, random loss' || echo "shaper.py (no sch_netem), loss ${EVEN:-random}")  rounds: $ROUNDS  agent interval_secs: $ROUND_S"
sleep "$SETTLE_S"
for p in $SA $SI; do kill -0 "$p" || { echo "an agent exited:" >&2; tail -5 "$W"/agent-*.log >&2; exit 1; }; done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
probe_ns() { local t; for t in /proc/"$1"/task/*; do
  [ "$(cat "$t/comm")" = simpul-probes ] && { read -r v _ < "$t/schedstat"; echo "$v"; return; }; done; echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
( while sleep 1; do echo "$(rss_kb "$SA") $(rss_kb "$SI")" >> "$W/rss"; done ) & RSSLOOP=$!
T0=$(date +%s.%N); A0=$(ticks "$SA"); I0=$(ticks "$SI"); PT0=$(probe_ns "$SA")
cat > "$W/fping_runs.py" <<'EOF'
import json, resource, subprocess, sys, time
targets, rounds, out = open(sys.argv[1]).read().split(), int(sys.argv[2]), sys.argv[3]
runs = []
for r in range(rounds):
    before, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    p = subprocess.run(["fping", "-C", "20", "-p", "50", "-q", *targets],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
    open(f"{out}.{r}", "w").write(p.stderr)
    runs.append({"start": t0, "end": t1, "rc": p.returncode, "maxrss_kb": after.ru_maxrss,
                 "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)})
json.dump(runs, open(out + ".json", "w"))
EOF
inns "$CORE" python3 "$W/fping_runs.py" "$W/targets" "$ROUNDS" "$W/fping"
T1=$(date +%s.%N); A1=$(ticks "$SA"); I1=$(ticks "$SI"); PT1=$(probe_ns "$SA")
kill "$RSSLOOP"; wait "$RSSLOOP" 2>/dev/null || true
grep -E '^Vm(RSS|HWM)' "/proc/$SA/status" | tr -s ' ' > "$W/status-probes"; grep -E '^Vm(RSS|HWM)' "/proc/$SI/status" | tr -s ' ' > "$W/status-idle"
# the last rounds of the window end up to 15 s later and go out with the next report
sleep $((ROUND_S / 2 + 5 + 10 + 2))
ID=$(sed -E 's/^smp1_(.*)_[^_]*$/\1/' "$W/probes.token")   # the token is smp1_<agent id>_<secret>
inns "$CORE" curl -sf -H "Authorization: Bearer $ADMIN" \
  "http://127.0.0.1:$PORT/api/v1/agents/$ID/probes?from=$T0&to=$T1&limit=50000" > "$W/rounds.json"

python3 - "$W" "$T0" "$T1" "$A0" "$A1" "$I0" "$I1" "$PT0" "$PT1" "$(getconf CLK_TCK)" "$ROUND_S" "$N" <<'EOF'
import json, math, statistics, sys
w = sys.argv[1]
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
a0, a1, i0, i1, pt0, pt1, hz = (int(x) for x in sys.argv[4:11])
round_s, n = int(sys.argv[11]), int(sys.argv[12])
shapes = {l.split()[0]: (int(l.split()[1]), int(l.split()[2])) for l in open(f"{w}/shapes")}
runs = json.load(open(f"{w}/fping.json"))
fp = {t: [] for t in shapes}
for r in range(len(runs)):
    for line in open(f"{w}/fping.{r}"):
        if ":" not in line:
            continue
        t, vals = line.split(":", 1)
        if t.strip() in fp:
            fp[t.strip()] += [None if v == "-" else float(v) / 1e3 for v in vals.split()]
body = json.load(open(f"{w}/rounds.json"))
assert not body["truncated"]
sp = {t: [] for t in shapes}
sent = {t: 0 for t in shapes}
nrounds = {t: 0 for t in shapes}
for r in body["rounds"]:
    sp[r["target"]] += r["rtt_seconds"]
    sent[r["target"]] += r["sent"]
    nrounds[r["target"]] += 1
rows, worst_med, med_ok, loss_ok = [], 0.0, 0, 0
for t, (delay, loss) in shapes.items():
    f_ok = [x for x in fp[t] if x is not None]
    fm = statistics.median(f_ok) * 1e3 if f_ok else float("nan")
    sm = statistics.median(sp[t]) * 1e3 if sp[t] else float("nan")
    fl = 100 * (len(fp[t]) - len(f_ok)) / len(fp[t]) if fp[t] else float("nan")
    sl = 100 * (sent[t] - len(sp[t])) / sent[t] if sent[t] else float("nan")
    p = loss / 100
    sd = 100 * math.sqrt(p * (1 - p) * (1 / max(1, len(fp[t])) + 1 / max(1, sent[t])))
    d = abs(sm - fm)
    worst_med = max(worst_med, d) if not math.isnan(d) else float("inf")
    med_ok += d <= 1.0
    loss_ok += abs(sl - fl) <= 1.0
    rows.append((t, delay, loss, nrounds[t], sent[t], len(fp[t]), sm, fm, d, sl, fl, sd))
print("\ntarget\tdelay_ms\tloss_%\tsimpul_rounds\tsimpul_sent\tfping_sent\tsimpul_median_ms\tfping_median_ms\t|diff|_ms\tsimpul_loss_%\tfping_loss_%\tbinomial_sd_of_diff_pp")
for r in rows:
    print("%s\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%.1f" % r)
diffs = sorted(r[8] for r in rows)
lossy = [r for r in rows if r[2] > 0]
clean = [r for r in rows if r[2] == 0]
print(f"\nmedian RTT: |Simpul - fping| <= 1 ms on {med_ok} of {len(rows)} targets; "
      f"median difference {statistics.median(diffs):.3f} ms, largest {diffs[-1]:.3f} ms; "
      f"Simpul - fping signed mean {statistics.mean(r[6] - r[7] for r in rows):+.3f} ms")
print(f"loss: |Simpul - fping| <= 1 pp on {loss_ok} of {len(rows)} targets; "
      f"unshaped targets: Simpul lost {sum(r[4] * r[9] / 100 for r in clean):.0f} of {sum(r[4] for r in clean)}, "
      f"fping {sum(r[5] * r[10] / 100 for r in clean):.0f} of {sum(r[5] for r in clean)}")
for r in lossy:
    print(f"  {r[0]} shaped {r[2]} %: Simpul {r[9]:.1f} % of {r[4]}, fping {r[10]:.1f} % of {r[5]}, "
          f"difference {r[9] - r[10]:+.1f} pp (binomial sd of the difference {r[11]:.1f} pp)")
win = t1 - t0
agent_rounds = n * win / round_s
stored = sum(nrounds.values())
a_ms = (a1 - a0) * 1000 / hz
i_ms = (i1 - i0) * 1000 / hz
thread_ms = (pt1 - pt0) / 1e6
fcpu = [r["cpu_s"] * 1e3 for r in runs]
f_round = statistics.median(fcpu)
s_round = (a_ms - i_ms) / (agent_rounds / n)
t_round = thread_ms / (agent_rounds / n)
print(f"\nwindow {win:.1f} s: fping runs {len(runs)} (wall {', '.join('%.1f' % (r['end'] - r['start']) for r in runs)} s; "
      f"maxrss {max(r['maxrss_kb'] for r in runs)} KiB); Simpul rounds in the window {agent_rounds:.1f} "
      f"(x {round_s} s; stored rounds that started in it: {stored})")
print(f"CPU per round (20 requests to each of {n} targets):")
print(f"  fping                    {f_round:8.1f} ms  (runs: {', '.join('%.1f' % x for x in fcpu)} ms)")
print(f"  simpul (agent - idle)    {s_round:8.1f} ms  (agent {a_ms:.0f} ms, idle agent {i_ms:.0f} ms over the window)  simpul/fping {s_round / f_round:.2f}")
print(f"  simpul (probe thread)    {t_round:8.1f} ms  simpul/fping {t_round / f_round:.2f}")
rss = [tuple(int(x) for x in l.split()) for l in open(f"{w}/rss") if len(l.split()) == 2]
st = {k: dict(l.split(":") for l in open(f"{w}/status-{k}")) for k in ("probes", "idle")}
kb = lambda k, f: int(st[k][f].split()[0])
pm = statistics.median(r[0] for r in rss); im = statistics.median(r[1] for r in rss)
print(f"RSS over the window (KiB, median / max): with probes {pm:.0f} / {max(r[0] for r in rss)}, "
      f"without {im:.0f} / {max(r[1] for r in rss)}; difference of the medians {pm - im:+.0f} KiB")
print(f"at the end: VmRSS {kb('probes', 'VmRSS')} vs {kb('idle', 'VmRSS')} KiB ({kb('probes', 'VmRSS') - kb('idle', 'VmRSS'):+d}), "
      f"VmHWM {kb('probes', 'VmHWM')} vs {kb('idle', 'VmHWM')} KiB ({kb('probes', 'VmHWM') - kb('idle', 'VmHWM'):+d})")
EOF
