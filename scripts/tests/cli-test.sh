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
passed=0 failed=0 skipped=0 n=0

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

# ------------------------------------------------------------ gmem-replay
R=$B/host/gmem-replay
check "gmem-replay on a directory exits 2" 2 \
	'^gmem-replay: cannot read traces: Is a directory$' "$R" traces
check "gmem-replay --diff on a directory exits 2" 2 \
	'^gmem-replay: cannot read traces: Is a directory$' "$R" --diff traces
check "gmem-replay on a file that fails to read exits 2" 2 \
	'^gmem-replay: cannot read /proc/self/mem: Input/output error$' \
	"$R" /proc/self/mem
check "gmem-replay on a missing file exits 2" 2 \
	"^gmem-replay: cannot read $tmp/none.trace: No such file" \
	"$R" "$tmp/none.trace"
printf 'vm id=1\n' >"$tmp/locked.trace"
chmod 000 "$tmp/locked.trace"
if [ "$(id -u)" -ne 0 ]; then
	check "gmem-replay on a file without read permission exits 2" 2 \
		"^gmem-replay: cannot read $tmp/locked.trace: Permission denied" \
		"$R" "$tmp/locked.trace"
else
	n=$((n + 1)) skipped=$((skipped + 1))
	echo "ok $n gmem-replay on a file without read permission # SKIP root reads it"
fi
check "gmem-replay --diff --allow with a missing file exits 2" 2 \
	"^gmem-replay: cannot read the allow-list $tmp/none: No such file" \
	"$R" --diff --allow "$tmp/none" traces/create.trace
check "gmem-replay --diff --allow with a directory exits 2" 2 \
	"^gmem-replay: cannot read the allow-list traces: Is a directory" \
	"$R" --diff --allow traces traces/create.trace
check "gmem-replay --allow without --diff is a usage error" 2 '^usage: ' \
	"$R" --allow traces/intentional-divergences traces/create.trace
printf 'vm id=1\ngmem id=1 vm=1 size=4G\nwrite gmem=1 offset=0 byte=1 len=4G\n' \
	>"$tmp/big-write.trace"
check "a write of more than 1 MiB is refused at parse time" 2 \
	"^error: line 3: 'write' len 0x100000000 is above the bound of 1 MiB" \
	"$R" "$tmp/big-write.trace"
printf 'read gmem=1 offset=0 len=0x100001\n' >"$tmp/big-read.trace"
check "a read of more than 1 MiB is refused at parse time" 2 \
	"^error: line 1: 'read' len 0x100001 is above the bound of 1 MiB" \
	"$R" --backend linux "$tmp/big-read.trace"
printf 'vm id=1\ngmem id=1 vm=1 size=2M flags=3\nwrite gmem=1 offset=0 byte=1 len=1M\nread gmem=1 offset=0xffff0 len=16\n' \
	>"$tmp/mib-write.trace"
check "a write of exactly 1 MiB runs" 0 '^read ok (01){16}$' \
	"$R" "$tmp/mib-write.trace"

# The allow-list, checked against recorded linux results (--linux-output) so
# that the checks do not depend on this machine's /dev/kvm. t.trace line 2
# is the one divergence: native creates the SW_PROTECTED VM, "linux" not.
d=$tmp/allow
mkdir -p "$d"
printf 'vm id=1\nvm id=2 type=sw_protected\nclose vm=1\n' >"$d/t.trace"
printf 'vm ok\nvm err EINVAL\nclose ok\n' >"$d/t.linux"
diff_with() {
	printf '%s\n' "$@" >"$d/allow"
	"$R" --diff --allow "$d/allow" --linux-output "$d/t.linux" "$d/t.trace"
}
check "--diff: the allowed divergence with its exact results passes" 0 \
	'^diff t.trace: 3 ops, 2 agree, 1 intentional, 0 unexplained, 0 stale$' \
	diff_with "# comment" "" "t.trace:2 native 'vm ok' linux 'vm err EINVAL' why" \
	"other.trace:9 native 'a' linux 'b' entries of other traces are left alone"
check "--diff: a divergence with other results than allowed is unexplained" 1 \
	"^t.trace:2: DIVERGES: native 'vm ok', linux 'vm err EINVAL'$" \
	diff_with "t.trace:2 native 'vm ok' linux 'vm err ENOENT' why"
check "--diff: ... and its entry is stale, named by its line" 1 \
	"^t.trace:2: STALE: $d/allow:2 allows native 'vm ok', linux 'vm err ENOENT', but the run gives native 'vm ok', linux 'vm err EINVAL'$" \
	diff_with "# x" "t.trace:2 native 'vm ok' linux 'vm err ENOENT' why"
check "--diff: an entry for a line that agrees is stale" 1 \
	"^t.trace:3: STALE: $d/allow:2 allows native 'close ok', linux 'close err EBADF', but both give 'close ok'$" \
	diff_with "t.trace:2 native 'vm ok' linux 'vm err EINVAL' why" \
	"t.trace:3 native 'close ok' linux 'close err EBADF' no longer"
check "--diff: an entry for a line without an op is stale" 1 \
	"^t.trace:7: STALE: .* but no op is on line 7$" \
	diff_with "t.trace:2 native 'vm ok' linux 'vm err EINVAL' why" \
	"t.trace:7 native 'vm ok' linux 'vm ok' nothing there"
check "--diff: stale entries are counted" 1 \
	'^diff t.trace: 3 ops, 2 agree, 1 intentional, 0 unexplained, 1 stale$' \
	diff_with "t.trace:2 native 'vm ok' linux 'vm err EINVAL' why" \
	"t.trace:7 native 'vm ok' linux 'vm ok' nothing there"
check "--diff: an entry in the old format (line and reason only) exits 2" 2 \
	"^gmem-replay: $d/allow:1: not an allow-list entry" \
	diff_with "t.trace:2 G7: the reason alone"
check "--diff: an entry without a reason exits 2" 2 \
	"^gmem-replay: $d/allow:1: not an allow-list entry" \
	diff_with "t.trace:2 native 'vm ok' linux 'vm err EINVAL'"
check "--diff: a trace line allowed twice exits 2" 2 \
	"^gmem-replay: $d/allow:2: t.trace:2 is allowed already at line 1$" \
	diff_with "t.trace:2 native 'vm ok' linux 'vm err EINVAL' why" \
	"t.trace:2 native 'vm ok' linux 'vm err EBADF' again"
printf 'vm ok\n' >"$d/short.linux"
check "--diff --linux-output with too few lines exits 2" 2 \
	"^gmem-replay: $d/short.linux has 1 result lines, the trace 3 ops$" \
	"$R" --diff --linux-output "$d/short.linux" "$d/t.trace"
check "--linux-output without --diff is a usage error" 2 '^usage: ' \
	"$R" --linux-output "$d/t.linux" "$d/t.trace"
# The shipped allow-list against Linux's recorded results: every entry is
# used and nothing else diverges.
for trace in traces/*.trace; do
	name=$(basename "$trace")
	check "--diff $name against ${name%.trace}.expected: 0 unexplained, 0 stale" 0 \
		"^diff $name: [0-9]+ ops, [0-9]+ agree, [0-9]+ intentional, 0 unexplained, 0 stale$" \
		"$R" --diff --linux-output "${trace%.trace}.expected" "$trace"
done

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
for bad in 0 1000001 12s -5; do
	check "run-qemu.sh --deadline $bad is refused" 2 \
		"^run-qemu.sh: --deadline $bad: want whole seconds, 1 to 1000000$" \
		scripts/run-qemu.sh --deadline "$bad"
done
check "run-qemu.sh --deadline reaches the payload and starts its NMI tick" 0 \
	'^# deadline: 60 s \(.*; NMI every [0-9]+ ms: ' \
	scripts/run-qemu.sh --list --filter 'svm_run.*nmi*' --deadline 60 --timeout 120
check "run-qemu.sh --list with a filter matching nothing fails" 1 \
	'^run-qemu.sh: FAIL: no test case matches filter "nope\*"$' \
	scripts/run-qemu.sh --list --filter 'nope*' --timeout 120
check "run-qemu.sh --pool 4K says the pool is too small" 1 \
	'option "pool=4K" in .*: the pool is too small \(at least 1 MiB\)' \
	scripts/run-qemu.sh --pool 4K --timeout 120

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
