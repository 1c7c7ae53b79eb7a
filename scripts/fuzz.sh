#!/usr/bin/env bash
# Fuzz the trace interpreter on the native backend for a fixed time.
# Usage: scripts/fuzz.sh FUZZ_BINARY SECONDS
# The corpus lives in fuzz-corpus/ (git-ignored), seeded from traces/
# (traces/rmp/ and traces/tdx/ included).
# Prints libFuzzer's final statistics and how many RMP ops ran per op and
# outcome ("fuzz: rmp psmash FAIL_BADADDR 45"); exit status is libFuzzer's (non-zero
# on a crash, a leak, a failed invariant check or a timeout).
set -euo pipefail

bin=$1
secs=$2
corpus=fuzz-corpus
log=build/fuzz/fuzz.log

mkdir -p "$corpus" "$(dirname "$log")"
cp traces/*.trace traces/malformed/*.trace traces/rmp/*.trace traces/tdx/*.trace \
	"$corpus"/
echo "fuzz: $bin for ${secs}s, corpus $corpus/, log $log"
status=0
"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -dict=tools/fuzz/trace.dict \
	"$corpus" >"$log" 2>&1 || status=$?
grep -E '^(stat::|Done|INFO: fuzzed for|fuzz: rmp )|ERROR|SUMMARY' "$log" || true
if [ "$status" -ne 0 ]; then
	echo "fuzz: FAILED (status $status), see $log"
	tail -n 40 "$log"
fi
exit "$status"
