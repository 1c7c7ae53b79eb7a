#!/usr/bin/env bash
# `make crosscheck-kernel`: the cross-check against a Linux kernel booted
# under QEMU, and the table of every behaviour in every place it ran.
#
#  1. scripts/linux-kernel.sh resolves the kernel: Debian's newest, with
#     kvm rebuilt for KVM_SW_PROTECTED_VM (cached), or KERNEL= and MODULES=
#     from the environment.
#  2. scripts/linux-vm.sh boots it and runs the static Linux-side runners
#     ($B/static/host, make static-runners) in it: each conformance case and
#     each guest case in a run of its own (a crash or hang costs one case),
#     the backend self-tests and `gmem-replay --backend linux` per trace.
#     Cases listed in host-kernel/booted-exclude are not run there (each
#     with its reason: a case that would harm a real kernel).
#  3. scripts/crosscheck.sh compares native with those results
#     (CROSSCHECK_LINUX_DIR): a crashed run, a case that did not report, an
#     unexplained divergence or a stale allow-list entry fails.
#  4. scripts/crosscheck-table.py prints the table: rows = behaviours,
#     columns = native (host build), native (payload under QEMU), Linux
#     host kernel (/dev/kvm; absent without it), Linux booted kernel, and
#     the payload under Bochs tigerlake (VMX) and ryzen (SVM) from the
#     KTAP of make test-bochs-vmx / test-bochs-svm when present;
#     written whole to $B/crosscheck-table.txt.
# Ends with "N passed, N failed, N skipped". A kernel that cannot be had,
# does not boot, does not load KVM or hangs ends the step with one reason
# (and the serial log's path). When Debian's newest release is not the one
# the expectations were checked against (KCHECKED in linux-kernel.sh), its
# failures are listed as rows to explain and counted as skipped.
#   CROSSCHECK_KERNEL_TIMEOUT  the whole VM run, boot included (default 600)
#   CROSSCHECK_KVM             the host's KVM device (/dev/kvm), for the
#                              host kernel's column
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

B=${B:-build}
S=$B/static/host
OUT=$B/crosscheck-kernel
TABLE=$B/crosscheck-table.txt
VMT=${CROSSCHECK_KERNEL_TIMEOUT:-600}
step_fail() {
	echo "crosscheck-kernel: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
rm -rf "$OUT"
mkdir -p "$OUT/linux/traces" "$OUT/keep" || exit 1
for r in conformance-linux guests-linux linux-backend-tests gmem-replay; do
	[ -x "$S/$r" ] || step_fail "$S/$r is missing (make static-runners)"
done

# ------------------------------------------------------------ 1. kernel
user_kernel=${KERNEL:-}
env=$(scripts/linux-kernel.sh 2> >(tee "$OUT/kernel.err" >&2)) ||
	step_fail "no kernel to boot: $(tail -n 1 "$OUT/kernel.err")"
eval "$env"
echo "crosscheck-kernel: booting $KLABEL; the expectations were checked against $KCHECKED"

# ------------------------------------------------------- 2. the VM run
# cmd_of[N] says what command N of the VM run was: "KIND<tab>WHAT".
args=(--out "$OUT/vm" --kernel "$KERNEL" --modules "$MODULES" --add traces
	--timeout "$VMT" --cmd-timeout 120)
cmd_of=()
add_cmd() {
	cmd_of+=("$1"$'\t'"$2")
	shift 2
	args+=(-- "$@")
}
declare -A skip_case=()
while read -r path reason; do
	[ -z "$path" ] || [[ $path == \#* ]] && continue
	skip_case[$path]=1
	printf '%s\t%s\n' "$path" "$reason" >>"$OUT/linux/excluded"
done <host-kernel/booted-exclude
for c in $("$S/conformance-linux" --list); do
	[ -n "${skip_case[$c]:-}" ] && continue
	add_cmd conformance "$c" "$S/conformance-linux" --backend linux --filter "$c"
done
for c in $("$S/guests-linux" --list); do
	[ -n "${skip_case[$c]:-}" ] && continue
	add_cmd guests "$c" "$S/guests-linux" --filter "$c"
done
add_cmd self linux-backend-tests "$S/linux-backend-tests"
for t in traces/*.trace; do
	add_cmd trace "$(basename "$t" .trace)" "$S/gmem-replay" --backend linux "$t"
done
echo "crosscheck-kernel: ${#cmd_of[@]} runs in the booted kernel"
start=$(date +%s)
scripts/linux-vm.sh "${args[@]}" ||
	step_fail "$(cat "$OUT/vm/reason" 2>/dev/null || echo "linux-vm.sh failed")" \
		"(serial log: $OUT/vm/serial.log)"
echo "crosscheck-kernel: the VM run took $(($(date +%s) - start)) s"

# Gather the results in crosscheck.sh's CROSSCHECK_LINUX_DIR layout.
L=$OUT/linux
echo "$KLABEL, booted under QEMU" >"$L/label"
: >"$L/conformance.ktap" && : >"$L/guests.ktap" && : >"$L/self.ktap"
: >"$L/conformance.rc" && : >"$L/guests.rc" && : >"$L/self.rc"
for i in "${!cmd_of[@]}"; do
	n=$((i + 1))
	IFS=$'\t' read -r kind what <<<"${cmd_of[$i]}"
	rc=$(cat "$OUT/vm/$n.rc" 2>/dev/null || echo "never-finished")
	[ "$rc" = 137 ] && rc="timed-out"
	if [ "$kind" = trace ]; then
		cp "$OUT/vm/$n.out" "$L/traces/$what.out"
		echo "$rc" >"$L/traces/$what.rc"
		continue
	fi
	cat "$OUT/vm/$n.out" >>"$L/$kind.ktap"
	# A case that fails exits 1, which its "not ok" line already counts.
	[ "$rc" = 1 ] && [ "$kind" != self ] && rc=0
	echo "$rc $what" >>"$L/$kind.rc"
done

# ---------------------------------------------------- 3. the comparison
K=$OUT/keep
CROSSCHECK_LINUX_DIR=$L CROSSCHECK_KEEP=$K scripts/crosscheck.sh |
	tee "$OUT/crosscheck.txt"
sum=$(tail -n 1 "$OUT/crosscheck.txt")
read -r passed failed skipped < <(echo "$sum" | tr -cs '0-9' ' ')

# ------------------------------------------------------- 4. the table
{
	printf 'native\tnative (host build)\t\n'
	printf 'payload\tnative (payload under QEMU)\t\n'
	host_absent=
	kvm=${CROSSCHECK_KVM:-/dev/kvm}
	[ -r "$kvm" ] && [ -w "$kvm" ] ||
		host_absent="no usable $kvm on this machine"
	printf 'host\tLinux host kernel %s (/dev/kvm)\t%s\n' "$(uname -r)" \
		"$host_absent"
	printf 'booted\t%s\t\n' "$KLABEL"
	# The payload on Bochs: the runs `make test` makes beside this one
	# (make test-bochs-vmx, test-bochs-svm), when their KTAP is there.
	for b in "tigerlake vmx VMX" "ryzen svm SVM"; do
		set -- $b
		absent=
		[ -s "$B/bochs-$1.ktap" ] ||
			absent="not run: no $B/bochs-$1.ktap (make test-bochs-$2)"
		printf 'bochs-%s\tnative (payload under Bochs %s, %s)\t%s\n' \
			"$2" "$1" "$3" "$absent"
		[ -n "$absent" ] && continue
		scripts/ktap-cases.py <"$B/bochs-$1.ktap" >"$OUT/bochs-$1.cases"
		grep '^conformance\.' "$OUT/bochs-$1.cases" >"$K/bochs-$2.conf"
		grep '^guest\.' "$OUT/bochs-$1.cases" >"$K/bochs-$2.guest"
	done
} >"$K/columns"
mv "$K/conf-native" "$K/native.conf"
mv "$K/guest-native" "$K/payload.guest"
mv "$K/conf-linux" "$K/booted.conf"
mv "$K/guest-linux" "$K/booted.guest"
for t in traces/*.trace; do
	base=$(basename "$t" .trace)
	mv "$K/$base.linux" "$K/booted.$base"
	"$B/host/gmem-replay" --backend native "$t" >"$K/native.$base" 2>&1
done
scripts/run-qemu.sh --filter 'conformance.*' >"$OUT/payload-conf.ktap" 2>&1 ||
	echo "crosscheck-kernel: the payload's conformance run failed (log: $OUT/payload-conf.ktap)"
scripts/ktap-cases.py <"$OUT/payload-conf.ktap" >"$K/payload.conf"
if [ -z "$host_absent" ]; then
	# Case by case, leaving out what would harm a real kernel.
	: >"$OUT/host-conf.ktap"
	for c in $("$B/host/conformance-linux" --list); do
		[ -n "${skip_case[$c]:-}" ] && continue
		"$B/host/conformance-linux" --backend linux --filter "$c" \
			>>"$OUT/host-conf.ktap" 2>&1
	done
	scripts/ktap-cases.py <"$OUT/host-conf.ktap" >"$K/host.conf"
	"$B/host/guests-linux" >"$OUT/host-guest.ktap" 2>&1
	scripts/ktap-cases.py <"$OUT/host-guest.ktap" >"$K/host.guest"
	for t in traces/*.trace; do
		"$B/host/gmem-replay" --backend linux "$t" \
			>"$K/host.$(basename "$t" .trace)" 2>&1
	done
fi
scripts/crosscheck-table.py "$K" traces --all >"$TABLE"
tstatus=$?
{
	echo
	echo "Table (every row in $TABLE):"
	scripts/crosscheck-table.py "$K" traces
} | tee -a "$OUT/crosscheck.txt"
if [ "$tstatus" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "crosscheck-kernel: the table has unexplained rows"
	failed=1
fi

if [ -z "$user_kernel" ] && [ "$KREL" != "$KCHECKED" ] && [ "$failed" -ne 0 ]; then
	echo "crosscheck-kernel: Linux $KREL is newer than $KCHECKED, the release" \
		"the expectations were checked against: its $failed failure(s)" \
		"above are rows to explain, counted as skipped"
	skipped=$((skipped + failed)) failed=0
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
