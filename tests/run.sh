#!/usr/bin/env bash
# run.sh: runs dockward's test suites (unit, integration, fuzz-smoke) and ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${DOCKWARD_BUILD:-build}
suites=${*:-unit integration fuzz}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_unit() {
	local t n_pass n_fail
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] || continue
		"$t" >"$log" 2>&1
		local rc=$?
		n_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		n_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		n_pass=${n_pass:-0}
		n_fail=${n_fail:-0}
		# a crash before cmocka's summary still counts as a failure
		if [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then n_fail=1; fi
		if [ "$n_fail" -ne 0 ]; then
			cat "$log"
			echo "unit: $(basename "$t"): $n_fail failed"
		else
			echo "unit: $(basename "$t"): $n_pass passed"
		fi
		passed=$((passed + n_pass))
		failed=$((failed + n_fail))
	done
}

run_integration() {
	# Debian's pytest lives with Debian's python, whatever python3 is first on PATH
	local py=/usr/bin/python3
	[ -x "$py" ] || py=python3
	DOCKWARD_BIN="$PWD/$B/dockward" "$py" -m pytest -p no:cacheprovider -q -rfE tests/integration 2>&1 | tee "$log"
	local line n_pass n_fail n_err
	line=$(grep -E '^(=+ )?[0-9]+ (passed|failed)|no tests ran' "$log" | tail -1)
	n_pass=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	n_fail=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	n_err=$(echo "$line" | grep -oE '[0-9]+ error' | grep -oE '[0-9]+')
	n_pass=${n_pass:-0}
	n_fail=$(( ${n_fail:-0} + ${n_err:-0} ))
	if [ -z "$line" ] || { [ "$n_pass" -eq 0 ] && [ "$n_fail" -eq 0 ]; }; then n_fail=$((n_fail + 1)); fi
	passed=$((passed + n_pass))
	failed=$((failed + n_fail))
}

run_fuzz() {
	if make --no-print-directory fuzz-smoke B="$B" >"$log" 2>&1; then
		local n
		n=$(grep -c "^fuzz-smoke: .* ok$" "$log")
		grep '^fuzz-smoke:' "$log"
		passed=$((passed + n))
	else
		cat "$log"
		failed=$((failed + 1))
	fi
}

for s in $suites; do
	case $s in
	unit) run_unit ;;
	integration) run_integration ;;
	fuzz) run_fuzz ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
