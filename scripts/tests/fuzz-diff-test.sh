#!/usr/bin/env bash
# Tests of the differential fuzzer itself (make test-fuzz-diff), with no
# KVM: gmem-fuzz-diff runs the native backend against itself (nothing may
# diverge) and against "native-planted", the native backend with one
# planted bug (a punch of 8 KiB or more ending at a 2 MiB chunk edge
# reports EINVAL once done), which must be found, minimized to a few ops and
# saved; an allow-list entry for that divergence must make the run pass;
# bad options and settings get their clear errors, from the binary and
# from scripts/fuzz-diff.sh. Prints "ok N name" / "not ok N name" and ends
# with "N passed, N failed, N skipped".
# Usage: scripts/tests/fuzz-diff-test.sh BIN (build/host/gmem-fuzz-diff)
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

bin=${1:-build/host/gmem-fuzz-diff}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0
out="" rc=0

check() { # name, then a command whose success is the check
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "not ok $n $name"
		echo "# exit status $rc, output:"
		sed 's/^/#   /' <<<"$out" | tail -n 20
	fi
}
run() { # run a command, keep its output and status
	out=$("$@" 2>&1)
	rc=$?
}
has() { grep -qF -- "$1" <<<"$out"; }
status() { [ "$rc" -eq "$1" ]; }

# ------------------------------------------------ native against itself
run "$bin" --against native --ops 20000 --seed 5
check "native against itself: exit 0" status 0
check "native against itself: PASS, nothing diverges" \
	bash -c 'grep -q "^fuzz-diff: PASS$" <<<"$0" &&
		grep -q "^fuzz-diff: 0 explained divergences, 0 unexplained, 0 invariant failures, 0 reproducers$" <<<"$0"' "$out"
check "native against itself: the op bound is reached and reported with ops/s" \
	bash -c 'l=$(grep -E "^fuzz-diff: [0-9]+ traces \([0-9]+ generated, [0-9]+ mutated\), [0-9]+ ops compared, [0-9]+ ops/s" <<<"$0") &&
		ops=$(sed -E "s/.*, ([0-9]+) ops compared.*/\1/" <<<"$l") && [ "$ops" -ge 20000 ] && [ "$ops" -lt 21000 ]' "$out"

# ------------------------------------------------- a planted divergence
run "$bin" --against native-planted --ops 20000 --seed 5 --out "$tmp/out"
check "planted bug: exit 1, FAIL" bash -c '[ "$0" -eq 1 ] && grep -q "^fuzz-diff: FAIL$" <<<"$1"' "$rc" "$out"
check "planted bug: found as falloc ok natively, EINVAL on the other side" \
	has "native 'falloc ok', native-planted 'falloc err EINVAL'"
check "planted bug: saved as repro-1.trace" test -s "$tmp/out/repro-1.trace"
repro=$(cat "$tmp/out/repro-1.trace" 2>/dev/null)
check "planted bug: minimized to at most 3 ops, the last a punch ending at a chunk edge" \
	bash -c 'ops=$(grep -v "^#" <<<"$0") && [ "$(wc -l <<<"$ops")" -le 3 ] &&
		last=$(tail -n 1 <<<"$ops") && [[ $last == "falloc "*"mode=0x3"* ]]' "$repro"
check "planted bug: the reproducer is also printed between its markers" \
	bash -c 'sed -n "/^=== repro 1$/,/^=== end repro 1$/p" <<<"$0" | grep -q "^falloc "' "$out"
run "$bin" --against native-planted --replay "$tmp/out/repro-1.trace"
check "planted bug: --replay of the reproducer diverges again (exit 1)" \
	bash -c '[ "$0" -eq 1 ] && grep -q "native .falloc ok., native-planted .falloc err EINVAL." <<<"$1"' "$rc" "$out"
run "$bin" --against native --replay "$tmp/out/repro-1.trace"
check "planted bug: the same reproducer agrees without the bug (exit 0)" status 0

# ------------------------------------------------ an allowed divergence
cat >"$tmp/allow" <<'AL'
# the planted bug, allowed
falloc mode=3 len>=0x2000 native 'falloc ok' linux 'falloc err EINVAL' planted for the test
AL
run "$bin" --against native-planted --ops 20000 --seed 5 --allow "$tmp/allow"
check "allowed divergence: exit 0, PASS" \
	bash -c '[ "$0" -eq 0 ] && grep -q "^fuzz-diff: PASS$" <<<"$1"' "$rc" "$out"
check "allowed divergence: counted as explained, by its entry" \
	bash -c 'grep -qE "^fuzz-diff: [1-9][0-9]* explained divergences, 0 unexplained" <<<"$0" &&
		grep -qE "^fuzz-diff: explained [0-9]+ x by allow-list line 2: planted for the test$" <<<"$0"' "$out"
cat >"$tmp/allow-other" <<'AL'
falloc mode=3 len>=0x2000 native 'falloc ok' linux 'falloc err EBADF' other results
AL
run "$bin" --against native-planted --ops 5000 --seed 5 --allow "$tmp/allow-other"
check "an entry with other results explains nothing (exit 1)" status 1

# ------------------------------------------------------------ bad input
run "$bin" --seconds abc
check "--seconds abc: exit 2 with its error" \
	bash -c '[ "$0" -eq 2 ] && grep -q "seconds wants a positive number, got .abc." <<<"$1"' "$rc" "$out"
run "$bin" --ops 0
check "--ops 0: exit 2 with its error" \
	bash -c '[ "$0" -eq 2 ] && grep -q "ops must be at least 1" <<<"$1"' "$rc" "$out"
run "$bin" --ops 12x
check "--ops 12x: exit 2 with its error" \
	bash -c '[ "$0" -eq 2 ] && grep -q "ops wants a number, got .12x." <<<"$1"' "$rc" "$out"
run "$bin" --against bhyve
check "--against bhyve: exit 2 naming the backends" \
	bash -c '[ "$0" -eq 2 ] && grep -q "unknown backend .bhyve. for --against (linux, native or native-planted)" <<<"$1"' "$rc" "$out"
run "$bin" --frobnicate 1
check "an unknown option: exit 2 with the usage" \
	bash -c '[ "$0" -eq 2 ] && grep -q "^usage: gmem-fuzz-diff" <<<"$1"' "$rc" "$out"
run "$bin" --seconds
check "an option without its value: exit 2" \
	bash -c '[ "$0" -eq 2 ] && grep -q "an option needs its value" <<<"$1"' "$rc" "$out"
run "$bin" --against native --allow "$tmp/missing"
check "a missing allow-list: exit 2 naming it" \
	bash -c '[ "$0" -eq 2 ] && grep -q "cannot read the allow-list .*missing" <<<"$1"' "$rc" "$out"
printf '# fine\nfalloc mode=3 native falloc ok linux x reason\n' >"$tmp/bad-allow"
run "$bin" --against native --allow "$tmp/bad-allow"
check "an allow-list line that is not an entry: exit 2 naming the line" \
	bash -c '[ "$0" -eq 2 ] && grep -q "bad-allow:2: not an entry" <<<"$1"' "$rc" "$out"
printf "falloc size~3 native 'falloc ok' linux 'falloc err EINVAL' r\n" >"$tmp/bad-cond"
run "$bin" --against native --allow "$tmp/bad-cond"
check "an allow-list condition that does not parse: exit 2" status 2
run "$bin" --against native --replay "$tmp"
check "--replay of a directory: exit 2 with its error" \
	bash -c '[ "$0" -eq 2 ] && grep -q "cannot read .*: Is a directory" <<<"$1"' "$rc" "$out"
printf 'vm id=1\nfrobnicate\n' >"$tmp/bad.trace"
run "$bin" --against native --replay "$tmp/bad.trace"
check "--replay of a malformed trace: exit 2 naming the line" \
	bash -c '[ "$0" -eq 2 ] && grep -q "error: line 2: unknown op" <<<"$1"' "$rc" "$out"
run "$bin" --out /proc/nope --ops 10 --against native
check "an --out that cannot be made: exit 2" status 2

# ------------------------------------------------ scripts/fuzz-diff.sh
run env FUZZ_DIFF_KVM="$tmp/no-kvm" FUZZ_DIFF_RUN= FUZZ_DIFF_OUT="$tmp/w" \
	scripts/fuzz-diff.sh build
check "wrapper: no /dev/kvm and no FUZZ_DIFF_RUN: exit 2 saying what to set" \
	bash -c '[ "$0" -eq 2 ] && grep -q "no usable .*no-kvm here and FUZZ_DIFF_RUN is not set" <<<"$1"' "$rc" "$out"
run env FUZZ_DIFF_SECONDS=0 FUZZ_DIFF_OUT="$tmp/w" scripts/fuzz-diff.sh build
check "wrapper: FUZZ_DIFF_SECONDS=0: exit 2" \
	bash -c '[ "$0" -eq 2 ] && grep -q "FUZZ_DIFF_SECONDS must be a positive number" <<<"$1"' "$rc" "$out"
run env FUZZ_DIFF_OPS=1e6 FUZZ_DIFF_OUT="$tmp/w" scripts/fuzz-diff.sh build
check "wrapper: FUZZ_DIFF_OPS=1e6: exit 2" \
	bash -c '[ "$0" -eq 2 ] && grep -q "FUZZ_DIFF_OPS must be a positive whole number" <<<"$1"' "$rc" "$out"
# A runner that prefixes every line with a timestamp, as a console does,
# and runs the planted backend: the reproducer is cut out into a file.
cat >"$tmp/runner" <<'RN'
#!/usr/bin/env bash
bin=$1
shift
"$bin" "$@" --against native-planted | sed 's/^/[  12.34] /'
RN
chmod +x "$tmp/runner"
run env FUZZ_DIFF_RUN="$tmp/runner" FUZZ_DIFF_BIN="$bin" FUZZ_DIFF_OPS=20000 \
	FUZZ_DIFF_SEED=5 FUZZ_DIFF_OUT="$tmp/w" scripts/fuzz-diff.sh build
check "wrapper via a runner: the planted bug fails the run (exit 1)" status 1
check "wrapper via a runner: its reproducer is extracted to a file" \
	bash -c 'grep -q "^falloc .*mode=0x3" "$0/repro-1.trace" && ! grep -q "^\[" "$0/repro-1.trace"' "$tmp/w"
cat >"$tmp/runner-dies" <<'RN'
#!/usr/bin/env bash
echo "booting..."
exit 0
RN
chmod +x "$tmp/runner-dies"
run env FUZZ_DIFF_RUN="$tmp/runner-dies" FUZZ_DIFF_BIN="$bin" \
	FUZZ_DIFF_OUT="$tmp/w" scripts/fuzz-diff.sh build
check "wrapper via a runner that never reports: exit 1, said so" \
	bash -c '[ "$0" -eq 1 ] && grep -q "summary never came back" <<<"$1"' "$rc" "$out"

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
