# lab.sh - sourced by the LAN benchmarks (sweep.sh, snmp_walk.sh): builds an isolated
# namespace LAN and deletes it on exit. Set P (namespace prefix) and W (work directory)
# first; `lab_up [MGMT]` creates namespace $P-lan holding bridge br0 (with MGMT as its
# /22 address when given), 20 hosts $P-h1..$P-h20 at 10.250.0.N/22 and the scanner
# $P-scan at 10.250.0.254/22. Every link is created inside the lab; no namespace has a
# route beyond its /22; the exit trap kills what runs inside and deletes everything.
NS=()
lab_cleanup() {
  exec 2>/dev/null
  for ns in "${NS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$W"
}
trap lab_cleanup EXIT INT TERM
addns() {
  ip netns add "$1"; NS+=("$1")
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}
attach() {  # ns addr port
  ip -n "$P-lan" link add "$3" type veth peer name eth0 netns "$1"
  ip -n "$P-lan" link set "$3" master br0; ip -n "$P-lan" link set "$3" up
  ip -n "$1" addr add "$2/22" dev eth0; ip -n "$1" link set eth0 up
}
lab_up() {  # [mgmt address of br0]
  addns "$P-lan"
  ip -n "$P-lan" link add br0 type bridge stp_state 0; ip -n "$P-lan" link set br0 up
  if [ -n "${1:-}" ]; then ip -n "$P-lan" addr add "$1/22" dev br0; fi
  local i
  for i in $(seq 1 20); do addns "$P-h$i"; attach "$P-h$i" "10.250.0.$i" "p$i"; done
  addns "$P-scan"; attach "$P-scan" 10.250.0.254 pscan
  sleep 1
  if ip netns exec "$P-scan" ip route | grep -q default; then echo "lab has a default route" >&2; exit 1; fi
}
