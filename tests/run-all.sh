#!/usr/bin/env bash
# Runs every test suite and ends with the line "N passed, N failed" (plus
# ", N skipped" when some were skipped); exits non-zero if any failed.
#   - all tests/bats/*.bats, in one bats run with TAP output;
#   - every executable directly in build/tests/unit/ (C unit tests built
#     by a module.mk), one TAP line each by exit status; subdirectories
#     are left to their own bats files.
# All TAP output stays visible above the summary. Each bats file is capped
# (UMK_FILE_TIMEOUT, default 900 s) and the bats part as a whole
# (UMK_SUITE_TIMEOUT, default 3600 s, within CI's 80 minutes) so a hung
# kernel cannot hang CI; tests that never reported count as failed.
#
# usage: tests/run-all.sh [BATS_FILE...]   (default: all)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

export UMK_STATE_DIR
UMK_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/umk-state.XXXXXX")
log=$UMK_STATE_DIR/tap.log
trap 'rm -rf "$UMK_STATE_DIR"' EXIT

suite_timeout=${UMK_SUITE_TIMEOUT:-3600}
file_timeout=${UMK_FILE_TIMEOUT:-900}
passed=0 failed=0 skipped=0

# count_tap FILE: adds a TAP stream's results to the totals; results the
# plan announced but that never came count as failed.
count_tap() {
	local f=$1 plan=0 seen=0 p f_ s
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$f" | head -n 1)
	plan=${plan:-0}
	s=$(grep -cE '^ok [0-9]+.*# *(skip|SKIP)' "$f")
	p=$(grep -cE '^ok [0-9]+' "$f")
	f_=$(grep -cE '^not ok [0-9]+' "$f")
	p=$((p - s))
	seen=$((p + s + f_))
	if [ "$seen" -lt "$plan" ]; then
		echo "# $((plan - seen)) test(s) announced but never reported (timeout or crash): counted as failed"
		f_=$((f_ + plan - seen))
	fi
	passed=$((passed + p))
	failed=$((failed + f_))
	skipped=$((skipped + s))
}

# 1. bats, one file at a time: a hung kernel costs only its file
# (UMK_FILE_TIMEOUT), and the time each file took is printed for CI logs.
if [ $# -gt 0 ]; then
	files=("$@")
else
	files=(tests/bats/*.bats)
fi
if ! command -v bats >/dev/null 2>&1; then
	echo "not ok 1 bats is not installed (make deps)"
	failed=$((failed + 1))
elif [ -e "${files[0]}" ]; then
	suite_start=$SECONDS
	for f in "${files[@]}"; do
		if [ $((SECONDS - suite_start)) -ge "$suite_timeout" ]; then
			n=$(bats --count "$f" 2>/dev/null || echo 1)
			echo "not ok - $f: not run, the suite passed its ${suite_timeout}s budget ($n test(s) counted as failed)"
			failed=$((failed + n))
			continue
		fi
		left=$((suite_timeout - (SECONDS - suite_start)))
		[ "$left" -gt "$file_timeout" ] && left=$file_timeout
		start=$SECONDS
		timeout -k 10 "$left" bats --tap "$f" </dev/null 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		[ "$rc" = 124 ] && echo "# $f hit its ${left}s timeout"
		echo "# $f: $((SECONDS - start)) s"
		count_tap "$log"
		# bats failing without any "not ok" (e.g. a syntax error) is a failure
		if [ "$rc" != 0 ] && ! grep -q '^not ok' "$log"; then
			echo "# bats exited with status $rc on $f without reporting a failure"
			failed=$((failed + 1))
		fi
	done
fi

# 2. C unit tests (if any were built)
if [ $# -eq 0 ] && [ -d build/tests/unit ]; then
	n=0
	ulog=$UMK_STATE_DIR/unit.log
	: >"$ulog"
	for t in build/tests/unit/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		n=$((n + 1))
		out=$UMK_STATE_DIR/unit.out
		if timeout -k 5 120 "$t" >"$out" 2>&1 </dev/null; then
			echo "ok $n unit $(basename "$t")" | tee -a "$ulog"
		else
			echo "not ok $n unit $(basename "$t") (status $?)" | tee -a "$ulog"
			sed 's/^/# /' "$out" | tail -n 50
		fi
	done
	if [ "$n" -gt 0 ]; then
		count_tap "$ulog"
	fi
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ]
