#!/usr/bin/env bash
# `make bench`: every benchmark in one go, with its tables, CSVs and plots.
#
#  1. The host benchmarks of bench/*.c (allocator, gmem metadata, page
#     tables, RMP and TDX models, conversion with the security models).
#  2. The side-by-side gmem benchmark (bench/linux/, bench-linux): native
#     and Linux's guest_memfd in one process, BENCH_ROUNDS rounds (default
#     5; cheap rows more), median and spread. With a usable /dev/kvm it runs here; without
#     one it runs inside the Linux kernel that scripts/linux-vm.sh boots
#     under QEMU (the cross-check's oracle, scripts/linux-kernel.sh; KVM
#     there runs on QEMU's emulated SVM), so both sides share that VM.
#     Where neither can be had the native side runs alone and every Linux
#     figure is replaced by the reason.
#  3. The guest paths (guest-tests/cases/bench.c): on the payload under
#     QEMU (the payload's bench=1 mode) and on Linux KVM (in the same VM
#     run as step 2, or on /dev/kvm here).
#  4. Instruction counts of the native rows under valgrind's callgrind
#     (rows over at most BENCH_COUNT_RANGE bytes, default 64 MiB), which
#     do not depend on the machine's speed.
#  5. scripts/bench-report.py: the tables, $B/bench/*.csv, the plots.
# Settings: B (build folder), BENCH_ROUNDS, BENCH_COUNT_RANGE,
# BENCH_COUNT=0 (skip step 4), BENCH_VM_TIMEOUT (default 900 s),
# BENCH_KVM (the KVM device, default /dev/kvm).
# Exit status 0; 1 when a benchmark failed (the reason is printed).
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

B=${B:-build}
OUT=$B/bench
ROUNDS=${BENCH_ROUNDS:-5}
COUNT_RANGE=${BENCH_COUNT_RANGE:-67108864}
KVM=${BENCH_KVM:-/dev/kvm}
VMT=${BENCH_VM_TIMEOUT:-900}
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "bench: BENCH_ROUNDS must be 1 to 50, not '$ROUNDS'"; exit 2; }
[[ $COUNT_RANGE =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_COUNT_RANGE must be a number of bytes"; exit 2; }
failed=0
rm -rf "$OUT"
mkdir -p "$OUT" || exit 1
start=$(date +%s)
note() { echo "bench: $* ($(($(date +%s) - start)) s)"; }

# ------------------------------------------------- 1. host benchmarks
for b in "$B"/host/bench-*; do
	case $b in */bench-linux) continue ;; esac
	"$b" | tee -a "$OUT/host.txt" || { echo "bench: $b failed"; failed=1; }
	echo | tee -a "$OUT/host.txt"
done
note "host benchmarks done"

# -------------------------------------- 2 + 3. native vs Linux, guests
S=$B/static/host
side_args=(--rounds "$ROUNDS")
if [ -r "$KVM" ] && [ -w "$KVM" ]; then
	echo "this host's $KVM (Linux $(uname -r))" >"$OUT/side.where"
	note "native vs Linux on this host's $KVM"
	"$B/host/bench-linux" "${side_args[@]}" >"$OUT/side.tsv" || failed=1
	"$B/host/bench-linux" --guest >"$OUT/guest-linux.log" 2>&1 || failed=1
else
	novkm="no $KVM: $( [ -e "$KVM" ] && echo "not usable" || echo "no such device")"
	env=$(scripts/linux-kernel.sh 2>"$OUT/kernel.err")
	if [ $? -eq 0 ]; then
		eval "$env"
		note "$novkm here: both sides in $KLABEL, booted under QEMU (TCG)"
		if scripts/linux-vm.sh --out "$OUT/vm" --kernel "$KERNEL" \
			--modules "$MODULES" --mem 3G --timeout "$VMT" \
			-- "$S/bench-linux" "${side_args[@]}" \
			-- "$S/bench-linux" --guest >"$OUT/vm.log" 2>&1; then
			cp "$OUT/vm/1.out" "$OUT/side.tsv"
			cp "$OUT/vm/2.out" "$OUT/guest-linux.log"
			[ "$(cat "$OUT/vm/1.rc")" = 0 ] || { cat "$OUT/vm/1.err"; failed=1; }
			[ "$(cat "$OUT/vm/2.rc")" = 0 ] || { cat "$OUT/vm/2.err"; failed=1; }
			echo "$KLABEL booted under QEMU TCG, KVM on emulated SVM ($novkm here); figures are TCG's, compare ratios" >"$OUT/side.where"
		else
			why="$novkm; the booted kernel failed: $(cat "$OUT/vm/reason" 2>/dev/null)"
		fi
	else
		why="$novkm; no kernel to boot: $(tail -n 1 "$OUT/kernel.err")"
	fi
	if [ ! -s "$OUT/side.tsv" ]; then
		note "native alone ($why)"
		echo "$why" >"$OUT/side.where"
		echo "$why" >"$OUT/guest-linux.skip"
		"$B/host/bench-linux" "${side_args[@]}" --linux-absent "$why" \
			>"$OUT/side.tsv" || failed=1
	fi
fi
note "native vs Linux done"
if [ -f "$B/gmemvisor.efi" ]; then
	scripts/run-qemu.sh --bench --timeout 600 >"$OUT/guest-payload.log" 2>&1 ||
		{ echo "bench: the payload's bench run failed (log: $OUT/guest-payload.log)"; failed=1; }
	note "payload guest paths done"
else
	echo "no payload: $B/gmemvisor.efi was not built" >"$OUT/guest-payload.skip"
fi

# -------------------------------------------- 4. instruction counts
if [ "${BENCH_COUNT:-1}" != 0 ]; then
	if command -v valgrind >/dev/null; then
		cg=$OUT/callgrind
		mkdir -p "$cg"
		# Valgrind's DWARF reader predates clang's DWARF 5: no debug info.
		llvm-objcopy --strip-debug "$B/host/bench-linux" "$cg/bench-linux"
		valgrind --tool=callgrind --collect-atstart=no \
			--callgrind-out-file="$cg/cg.out" "$cg/bench-linux" --count \
			--max-range "$COUNT_RANGE" >"$cg/run.tsv" 2>"$cg/valgrind.log" ||
			{ echo "bench: the callgrind run failed (log: $cg/valgrind.log)"; failed=1; }
		# Each dump: "desc: Trigger: Client Request: ROW", "totals: N";
		# the units of each row from the run's own row lines.
		awk -F'\t' 'FNR == NR { if ($1 == "row") units[$3] = $6; next }
			/^desc: Trigger: Client Request: / { sub(/^desc: Trigger: Client Request: /, ""); row = $0 }
			/^totals: / && row != "" { split($0, t, " "); print row "\t" t[2] "\t" units[row]; row = "" }' \
			"$cg/run.tsv" "$cg"/cg.out.* >"$OUT/callgrind.tsv"
		note "callgrind counts done"
	else
		echo "bench: no valgrind: no instruction counts"
	fi
fi

# ------------------------------------------------------- 5. report
scripts/bench-report.py "$OUT" | tee "$OUT/report.txt" || failed=1
note "finished"
exit "$failed"
