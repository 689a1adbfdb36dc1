#!/usr/bin/env bash
# The bounded libFuzzer run over every decoder of untrusted bytes (make fuzz-files).
# Each target starts from its committed seeds (Tests/FuzzCorpus/<target>) and runs for
# SECONDS; new inputs, the log and any crash/leak/timeout/oom input land in
# bench-data/fuzz/<target>/. A crash input is minimised into a regression test by hand
# (and kept in Tests/FuzzCorpus/<target>/regression-*). Prints one summary row per target.
# Usage: scripts/fuzz-files.sh SECONDS target...   (the binary: .build-fuzz/release/file-fuzz)
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:?seconds per target}; shift
BIN=${FUZZ_BIN:-$PWD/.build-fuzz/release/file-fuzz}
[ -x "$BIN" ] || { echo "fuzz-files: $BIN missing (make fuzz-files builds it)" >&2; exit 1; }
failed=0
printf "| target | seconds | executions | exec/s | corpus (seeds → end) | peak RSS | crashes |\n|---|---|---|---|---|---|---|\n"
for t in "$@"; do
  w=bench-data/fuzz/$t
  mkdir -p "$w/corpus"
  rm -f "$w"/crash-* "$w"/leak-* "$w"/timeout-* "$w"/oom-*
  seeds=$(ls "Tests/FuzzCorpus/$t" | wc -l)
  # Swift's own backtracer would fight ASan's handler; libFuzzer reports the crash.
  SWIFT_BACKTRACE=enable=no CITYTWIN_FUZZ_TARGET=$t "$BIN" "$w/corpus" "Tests/FuzzCorpus/$t" \
    -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix="$w/" -print_final_stats=1 >"$w/log" 2>&1
  rc=$?
  stat() { sed -n "s/^stat::$1: *//p" "$w/log" | tail -1; }
  runs=$(stat number_of_executed_units); eps=$(stat average_exec_per_sec); rss=$(stat peak_rss_mb)
  corp=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$w/log" | tail -1 | cut -d' ' -f2)
  crashes=$(ls "$w" | grep -cE '^(crash|leak|timeout|oom)-')
  printf "| %s | %s | %s | %s | %s → %s | %s MB | %s |\n" "$t" "$SECONDS_EACH" "${runs:-?}" "${eps:-?}" "$seeds" "${corp:-?}" "${rss:-?}" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    failed=1
    echo "fuzz-files: $t stopped (exit $rc); see $w/log:" >&2
    grep -E "ERROR|Fatal error|SUMMARY|Test unit written|precondition" "$w/log" | head -8 >&2
  fi
done
exit $failed
