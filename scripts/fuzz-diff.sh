#!/usr/bin/env bash
# `make fuzz-diff`: differential fuzzing of the native backend against
# Linux (README.md, "make fuzz-diff").
# Usage: scripts/fuzz-diff.sh BUILD_DIR
# Environment:
#   FUZZ_DIFF_SECONDS  time bound (default 60)
#   FUZZ_DIFF_OPS      operation bound (the run stops at whichever comes first)
#   FUZZ_DIFF_SEED     the generator's seed (default: from the clock)
#   FUZZ_DIFF_RUN      a command that runs a static binary with its arguments
#                      under a Linux kernel with KVM and prints the binary's
#                      output on its stdout: "$FUZZ_DIFF_RUN BIN ARGS...".
#                      Unset: the fuzzer runs here when /dev/kvm is usable,
#                      else inside the Linux kernel scripts/linux-vm.sh
#                      boots (Debian's newest, or KERNEL= MODULES=).
#   FUZZ_DIFF_OUT      where reproducers and the log go (default BUILD_DIR/fuzz-diff)
#   FUZZ_DIFF_KVM      the device checked instead of /dev/kvm (tests); when
#                      set, a missing one is an error, not a booted kernel
#   FUZZ_DIFF_BIN      the binary to run (default: BUILD_DIR/host/gmem-fuzz-diff
#                      here, a static build of it, BUILD_DIR/static/host/,
#                      in a booted kernel or under FUZZ_DIFF_RUN)
# Exit status: 0 when the fuzzer reported PASS, 1 on a FAIL or a run that
# never reported, 2 on bad settings.
set -uo pipefail
cd "$(dirname "$0")/.."

b=${1:-build}
secs=${FUZZ_DIFF_SECONDS:-60}
ops=${FUZZ_DIFF_OPS:-}
seed=${FUZZ_DIFF_SEED:-}
run=${FUZZ_DIFF_RUN:-}
out=${FUZZ_DIFF_OUT:-$b/fuzz-diff}
kvm=${FUZZ_DIFF_KVM:-/dev/kvm}
bin=${FUZZ_DIFF_BIN:-}

die() {
	echo "fuzz-diff: $*" >&2
	exit 2
}

[[ $secs =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v s="$secs" 'BEGIN { exit !(s > 0) }' ||
	die "FUZZ_DIFF_SECONDS must be a positive number of seconds, got '$secs'"
[ -z "$ops" ] || [[ $ops =~ ^[1-9][0-9]*$ ]] ||
	die "FUZZ_DIFF_OPS must be a positive whole number, got '$ops'"
[ -z "$seed" ] || [[ $seed =~ ^[0-9]+$ ]] ||
	die "FUZZ_DIFF_SEED must be a whole number, got '$seed'"

args=(--seconds "$secs")
[ -n "$ops" ] && args+=(--ops "$ops")
[ -n "$seed" ] && args+=(--seed "$seed")

mkdir -p "$out" || die "cannot make $out"
rm -f "$out"/repro-*.trace
log=$out/fuzz-diff.log

# The default runner without /dev/kvm: the booted kernel, the binary's
# output printed when it ends, its exit status returned (1 when the run
# itself failed, with linux-vm.sh's reason).
in_booted_kernel() {
	local d=$out/vm rc
	scripts/linux-vm.sh --out "$d" \
		--timeout "$(awk -v s="$secs" 'BEGIN { printf "%d", s + 900 }')" \
		-- "$@" >&2
	rc=$?
	cat "$d/1.out" "$d/1.err" 2>/dev/null
	[ "$rc" -eq 0 ] || return 1
	return "$(cat "$d/1.rc")"
}

start=$(date +%s.%N)
if [ -z "$run" ] && { [ ! -r "$kvm" ] || [ ! -w "$kvm" ]; }; then
	[ -n "${FUZZ_DIFF_KVM:-}" ] &&
		die "no usable $kvm here and FUZZ_DIFF_RUN is not set: set it to a command that runs a static binary and its arguments under a Linux kernel with KVM and prints its output (README.md, \"make fuzz-diff\")"
	echo "fuzz-diff: no usable $kvm here: in a Linux kernel booted under QEMU (scripts/linux-vm.sh)"
	run=in_booted_kernel
fi
if [ -z "$run" ]; then
	bin=${bin:-$b/host/gmem-fuzz-diff}
	echo "fuzz-diff: $bin ${args[*]} --out $out (log $log)"
	"$bin" "${args[@]}" --out "$out" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
else
	if [ -z "$bin" ]; then
		bin=$b/static/host/gmem-fuzz-diff
		${MAKE:-make} -s B="$b/static" \
			HOST_CC='clang -static -Wno-unused-command-line-argument' \
			"$bin" || die "cannot build the static $bin"
	fi
	echo "fuzz-diff: $run $bin ${args[*]} (log $log)"
	# The runner may prefix each line (e.g. with a timestamp in
	# brackets); the reproducers are cut out of what comes back.
	$run "$bin" "${args[@]}" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	awk -v dir="$out" '
		{ sub(/\r$/, ""); sub(/^\[ *[0-9.]+\] /, "") }
		/^=== repro [0-9]+$/ { f = dir "/repro-" $3 ".trace"; next }
		/^=== end repro [0-9]+$/ { close(f); print "fuzz-diff: saved " f; f = ""; next }
		f != "" { print > f }
	' "$log"
fi
# The fuzzer's own clock may run inside a guest whose time drifts: the
# wall time of the whole run here (boot included) gives the other rate.
wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
nops=$(sed -nE 's/^(\[ *[0-9.]+\] )?fuzz-diff: .*, ([0-9]+) ops compared.*/\2/p' "$log" | tail -n 1)
if [ -n "$nops" ]; then
	echo "fuzz-diff: wall time here ${wall} s, $(awk -v n="$nops" -v w="$wall" 'BEGIN { printf "%.0f", n / w }') ops/s of wall time"
fi
verdict=$(sed -E 's/^\[ *[0-9.]+\] //' "$log" | grep -E '^fuzz-diff: (PASS|FAIL)$' | tail -n 1)
case "$verdict" in
"fuzz-diff: PASS")
	[ "$rc" -eq 0 ] && exit 0
	echo "fuzz-diff: FAIL: the fuzzer said PASS but the run exited $rc"
	;;
"fuzz-diff: FAIL") ;;
*) echo "fuzz-diff: FAIL: the fuzzer's summary never came back (exit status $rc)" ;;
esac
exit 1
