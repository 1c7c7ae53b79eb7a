#!/usr/bin/env bash
# The runners against the real emulators, with runs that end badly on
# purpose (tests/payload/runner_endings_test.c): a failing case, a triple
# fault and a hang each give their one reason, exit status 1 and a summary
# counting a failure, under scripts/run-qemu.sh and scripts/run-bochs.sh.
# And on Bochs, runs that must pass with --deadline, the one way there to
# the watchdog's NMI tick: the NMI exits of VMX (tigerlake) and of SVM
# (ryzen) reaching the host's handler.
#   ENDINGS_RUNNERS  which runners (default "qemu bochs")
# Prints "ok N name" / "not ok N name" and ends with "N passed, N failed,
# N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

passed=0 failed=0 n=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# check RUNNER CASE WANT [ARGS...]: the run ends with status 1, a line
# "<runner>: FAIL: ..." holding WANT, and a summary with a failure.
check() {
	local runner=$1 case=$2 want=$3
	shift 3
	n=$((n + 1))
	timeout 300 "scripts/run-$runner.sh" --filter "runner_endings.$case" "$@" \
		>"$out" 2>&1
	local rc=$? why
	why=$(grep -m 1 "^run-$runner.sh: FAIL: " "$out")
	local last
	last=$(tail -n 1 "$out")
	if [ "$rc" = 1 ] && [[ $why == *"$want"* ]] &&
		[[ $last =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed,\ [0-9]+\ skipped$ ]]; then
		echo "ok $n $runner: $case gives \"$want\""
		echo "# $why"
		passed=$((passed + 1))
	else
		echo "not ok $n $runner: $case gives \"$want\""
		echo "# exit status $rc (want 1), reason: ${why:-none}, last line: $last"
		sed 's/^/#   /' "$out" | tail -n 15
		failed=$((failed + 1))
	fi
}

# passes RUNNER CASE [ARGS...]: the run of the one case CASE
# ("suite.case") passes (status 0), its "ok" line is there, and it ran
# (the summary counts one pass, no skip).
passes() {
	local runner=$1 path=$2
	shift 2
	n=$((n + 1))
	timeout 300 "scripts/run-$runner.sh" --filter "$path" "$@" >"$out" 2>&1
	local rc=$? last
	last=$(tail -n 1 "$out")
	if [ "$rc" = 0 ] && grep -qxF "    ok 1 ${path#*.}" "$out" &&
		[ "$last" = "1 passed, 0 failed, 0 skipped" ]; then
		echo "ok $n $runner $*: $path passes"
		grep -m 1 -F "NMI exits" "$out"
		passed=$((passed + 1))
	else
		echo "not ok $n $runner $*: $path passes"
		echo "# exit status $rc (want 0), last line: $last"
		sed 's/^/#   /' "$out" | tail -n 15
		failed=$((failed + 1))
	fi
}

for r in ${ENDINGS_RUNNERS:-qemu bochs}; do
	if [ "$r" = bochs ]; then
		passes bochs vmx_run.vmx_run_watchdog_nmi_exits_reach_the_host \
			--cpu tigerlake --deadline 600 --timeout 120
		passes bochs svm_run.svm_run_watchdog_nmi_exits_reach_the_host \
			--cpu ryzen --deadline 600 --timeout 120
	fi
	check "$r" planted_failure "1 case(s) failed"
	check "$r" planted_triple_fault "triple fault"
	# Long enough to boot under load (Bochs: 10-30 s to the first
	# test), short enough to be a hang.
	t=30
	[ "$r" = bochs ] && t=75
	check "$r" planted_hang "timeout: no verdict after" --timeout $t
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
