#!/usr/bin/env bash
# Runs each unit-test program given on the command line and totals their results.
# Check prints "NN%: Checks: N, Failures: N, Errors: N" per program; we add a plain
# closing line "unit: N passed, N failed".
set -u
passed=0; failed=0; bad=()
for t in "$@"; do
  out=$(CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} "$t" 2>&1); rc=$?
  line=$(grep -E '^[0-9]+%: Checks: ' <<<"$out" | tail -n1)
  if [[ -n $line ]]; then
    n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
    f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
    e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + n - f - e)); failed=$((failed + f + e))
  fi
  if [[ $rc -ne 0 || -z $line ]]; then
    [[ -z $line ]] && failed=$((failed + 1))
    bad+=("$t"); echo "$out" | tail -n 40
  fi
  printf '%-50s %s\n' "${t#build/}" "${line:-NO RESULT (exit $rc)}"
done
echo "unit: $passed passed, $failed failed"
((${#bad[@]} == 0)) || { echo "failing: ${bad[*]}"; exit 1; }
