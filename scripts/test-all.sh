#!/usr/bin/env bash
# `make test`: every test step in turn, each streamed live. Each step ends
# with its own "N passed, N failed, N skipped" line; this script adds them up,
# prints a per-step table and ends with the grand total alone on a line.
# Exit status: 0 only if every step exited 0 and reported no failure.
#
# The payload runs on three implementations: QEMU's TCG (SVM) and, beside
# every other step, Bochs with an Intel model (VMX) and with an AMD one
# (SVM with NRIPS, decode assists, FlushByAsid, clean bits). A Bochs run is
# one single-threaded emulator for minutes, so those steps start at once
# in the background, and their output is shown and counted where they
# stand in the list, before the cross-check table that gives each
# implementation a column.
set -uo pipefail
cd "$(dirname "$0")/.."

MAKE=${MAKE:-make}
steps=()
names=()
add() { names+=("$1"); steps+=("$2"); }
bgdir=$(mktemp -d) || exit 1
bgpids=()
trap '[ ${#bgpids[@]} -eq 0 ] || kill -- "${bgpids[@]}" 2>/dev/null; rm -rf "$bgdir"' EXIT
# bg NAME CMD [AFTER]: start CMD now (or once the background step named
# AFTER has ended); its step waits for it and replays its output.
bg() {
	local n=${#steps[@]} after=""
	[ $# -ge 3 ] && for i in "${!names[@]}"; do
		[ "${names[$i]}" = "$3" ] && after=$bgdir/$i.rc
	done
	names+=("$1")
	steps+=("while [ ! -e $bgdir/$n.rc ]; do sleep 1; done; cat $bgdir/$n.log; exit \$(cat $bgdir/$n.rc)")
	(
		[ -n "$after" ] && while [ ! -e "$after" ]; do sleep 1; done
		start=$(date +%s.%N)
		bash -c "$2" >"$bgdir/$n.log" 2>&1
		rc=$?
		awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }' >"$bgdir/$n.secs"
		echo "$rc" >"$bgdir/$n.rc"
	) &
	bgpids+=($!)
}
# What the background runs share is built first, so that no two builds of
# the same files run at once: the payload, and the Bochs to run it.
$MAKE -s -j2 deps payload >/dev/null 2>&1
scripts/bochs-resolve.sh >/dev/null 2>&1

add "host unit tests"          "$MAKE -s -j2 test-host"
add "host unit tests, ASan+UBSan" "$MAKE -s -j2 test-san"
add "payload under QEMU/OVMF"  "$MAKE -s -j2 test-qemu"
add "disk image, options file (QEMU)" "$MAKE -s -j2 test-image"
add "console: COM2, SPCR, MMIO (QEMU)" "$MAKE -s -j2 test-console"
add "bad input: clear errors"  "$MAKE -s -j2 test-cli"
add "RMP traces, native (reasoned outputs)" "$MAKE -s -j2 test-rmp-traces"
add "TDX traces, native (reasoned outputs)" "$MAKE -s -j2 test-tdx-traces"
add "cross-check script, fake runners" "$MAKE -s -j2 test-crosscheck-sh"
add "differential fuzzer, planted bug" "$MAKE -s -j2 test-fuzz-diff"
add "booted-kernel runner, fake QEMU" "$MAKE -s -j2 test-linux-vm-sh"
add "Bochs runner, fake Bochs"  "$MAKE -s -j2 test-run-bochs-sh"
add "KTAP to JUnit XML and JSON" "$MAKE -s -j2 test-ktap-report"
add "bench-check, planted regressions" "$MAKE -s -j2 test-bench-check"
bg "payload under Bochs tigerlake (VMX)" "$MAKE -s test-bochs-vmx"
bg "payload under Bochs ryzen (SVM)" "$MAKE -s test-bochs-svm"
bg "runners, real QEMU and Bochs: bad endings" "$MAKE -s test-run-endings" \
	"payload under Bochs tigerlake (VMX)"
add "Linux cross-check (native vs /dev/kvm)" "$MAKE -s -j2 crosscheck"
add "Linux cross-check (booted kernel, table)" "$MAKE -s -j2 crosscheck-kernel"

tp=0 tf=0 ts=0 bad=0
table=()
for i in "${!steps[@]}"; do
	name=${names[$i]}
	log=$(mktemp)
	echo "=== $name: ${steps[$i]}"
	start=$(date +%s.%N)
	bash -c "${steps[$i]}" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	# A background step's time is its own run's.
	[ -e "$bgdir/$i.secs" ] && secs=$(cat "$bgdir/$i.secs")
	sum=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$sum" ]; then
		p=0 f=1 s=0
		echo "=== $name: no summary line (exit $rc): counted as one failure"
	else
		p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$sum")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$sum")
		s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$sum")
		s=${s:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "=== $name: exit status $rc with no failed test: counted as one failure"
		fi
	fi
	[ "$f" -ne 0 ] && bad=1
	tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	table+=("$(printf '%-40s %6d %6d %7d %8.1f' "$name" "$p" "$f" "$s" "$secs")")
done

echo
printf '%-40s %6s %6s %7s %8s\n' "step" passed failed skipped seconds
printf '%s\n' "${table[@]}"
echo
echo "$tp passed, $tf failed, $ts skipped"
exit $bad
