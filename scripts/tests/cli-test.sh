#!/usr/bin/env bash
# Bad input gets a clear error: each check below runs one command with a
# bad argument, option or file and wants its exit status and a line of its
# output (stdout and stderr together, matched as an extended regex).
# Needs the host tools and the payload built (make test-cli builds them).
# Prints "ok N name" or "not ok N name" per check and ends with
# "N passed, N failed, N skipped"; exit status 1 if a check failed.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

B=${B:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0

# check NAME STATUS REGEX CMD...: CMD must exit with STATUS and print a line
# matching REGEX (any output, or none, when REGEX is empty).
check() {
	local name=$1 want=$2 re=$3 rc
	shift 3
	n=$((n + 1))
	"$@" </dev/null >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ] &&
		{ [ -z "$re" ] || grep -Eq -- "$re" "$tmp/out"; }; then
		passed=$((passed + 1))
		echo "ok $n $name"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $name"
	echo "# $*: exit $rc (want $want), wanted a line matching: $re"
	sed -n '1,12s/^/#   /p' "$tmp/out"
}

# ------------------------------------------------------------ host runners
check "unit-tests --list with a filter matching nothing fails" 1 \
	'^# no test case matches filter "nope\*"$' \
	"$B/host/unit-tests" --list --filter 'nope*'
check "unit-tests with the same filter fails the same way" 1 \
	'^# no test case matches filter "nope\*"$' \
	"$B/host/unit-tests" --filter 'nope*'
check "unit-tests --list with an empty filter lists every case" 0 \
	'^lib\.' "$B/host/unit-tests" --list --filter ''

# -------------------------------------------------------- lib/ktap.h macros
# A test comparing a signed with an unsigned value must not build.
ktap_case() {
	printf '#include "lib/ktap.h"\nvoid f(struct kt *t, int s, u64 u)\n{\n\t%s;\n}\n' \
		"$1" >"$tmp/cmp.c"
	clang -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -I. \
		-fsyntax-only "$tmp/cmp.c"
}
check "KT_EXPECT_GE(t, int, 0) builds" 0 '' ktap_case 'KT_EXPECT_GE(t, s, 0)'
check "KT_EXPECT_EQ(t, int, u64) does not build" 1 \
	'signed compared with unsigned: s == u' \
	ktap_case 'KT_EXPECT_EQ(t, s, u)'
check "KT_EXPECT_LT(t, u64, -1) does not build" 1 \
	'signed compared with unsigned: u < -1' \
	ktap_case 'KT_EXPECT_LT(t, u, -1)'
check "KT_EXPECT_GE(t, u64, 0) does not build (it cannot fail)" 1 \
	'unsigned ordered against 0: u >= 0' \
	ktap_case 'KT_EXPECT_GE(t, u, 0)'

# ------------------------------------------------------------ run-qemu.sh
# Refused before anything is built or booted.
for bad in 0 0M 32M 12x -1 1.5G 0x100; do
	check "run-qemu.sh --mem $bad is refused" 2 \
		"^run-qemu.sh: --mem $bad: want a size of at least 64M" \
		scripts/run-qemu.sh --mem "$bad"
done
check "run-qemu.sh --smp 0 is refused" 2 '^run-qemu.sh: --smp 0: want' \
	scripts/run-qemu.sh --smp 0
check "run-qemu.sh --pool 1MB is refused" 2 '^run-qemu.sh: --pool 1MB: want' \
	scripts/run-qemu.sh --pool 1MB
check "run-qemu.sh --list with a filter matching nothing fails" 1 \
	'^run-qemu.sh: FAIL: no test case matches filter "nope\*"$' \
	scripts/run-qemu.sh --list --filter 'nope*' --timeout 120
check "run-qemu.sh --pool 4K says the pool is too small" 1 \
	'option "pool=4K" in .*: the pool is too small \(at least 1 MiB\)' \
	scripts/run-qemu.sh --pool 4K --timeout 120

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
