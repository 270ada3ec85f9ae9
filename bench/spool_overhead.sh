#!/usr/bin/env bash
# spool_overhead.sh - what the agent's fsynced spool costs per report: append with fsync,
# a steady-state cycle (append, read the batch, acknowledge) and draining a backlog.
# SPOOL_BENCH_DIR picks the filesystem (default: the repo's, like /var/lib in production).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  fs: $(df -T "${SPOOL_BENCH_DIR:-.}" | awk 'NR==2 {print $2}')"
cargo test --release --locked -q -p simpul-agent spool_cost_per_report -- --ignored --nocapture 2>&1 | grep "spool per report"
