#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer target fuzz/decode_report on stable Rust (with
# the coverage flags cargo-fuzz passes, no sanitizer) and run it for SECONDS (default 60)
# over the corpus kept in fuzz/corpus/decode_report. New inputs go to a temporary
# directory (FUZZ_MERGE=1 merges those that add coverage into the kept corpus); a crash
# is written to fuzz/artifacts/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS="${1:-60}"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
# an explicit --target keeps the coverage flags off build scripts and proc macros
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
cargo build --release --locked -q --target "$TRIPLE" --bin decode_report
W=$(mktemp -d /tmp/simpul-fuzz.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p artifacts
set +e
./target/$TRIPLE/release/decode_report -max_total_time="$SECS" -max_len=65536 -print_final_stats=1 \
  -artifact_prefix=artifacts/ "$W" corpus/decode_report >"$W/log" 2>&1
rc=$?
set -e
execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$W/log")
if [ "$rc" -ne 0 ]; then
  tail -40 "$W/log"
  echo "fuzz: decode_report FAILED after ${execs:-?} executions; reproducer in fuzz/artifacts/" >&2
  exit 1
fi
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
  ./target/$TRIPLE/release/decode_report -merge=1 corpus/decode_report "$W" >"$W/merge.log" 2>&1
  grep -E "MERGE-OUTER: [0-9]+ new files" "$W/merge.log" || true
fi
echo "fuzz: decode_report ran ${SECS}s, ${execs} executions, 0 crashes, corpus $(ls corpus/decode_report | wc -l) seeds + $(ls "$W" | grep -vc '^log$') new"
