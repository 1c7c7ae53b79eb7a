#!/usr/bin/env bash
# Boot build/gmemvisor.efi under QEMU (TCG) + OVMF and report its verdict.
#
# The payload prints a KTAP document on COM1 and ends the run through the
# isa-debug-exit port; QEMU then exits with (code << 1) | 1. The codes are
# defined in boot/exit.h and mirrored here. Exit status: 0 only if QEMU
# exited with the PASS code and the payload's summary line reports 0 failed.
# The last line printed is always "N passed, N failed, N skipped".
set -uo pipefail
caller_dir=$PWD
cd "$(dirname "$0")/.."

# boot/exit.h: GMV_EXIT_PASS 0x20, GMV_EXIT_FAIL 0x11.
QEMU_PASS=65
QEMU_FAIL=35
OVMF=/usr/share/ovmf/OVMF.fd
ESP=build/esp
EFI=build/gmemvisor.efi

usage() {
	cat <<'EOF'
usage: scripts/run-qemu.sh [options]
  --filter GLOB   run only the cases whose "suite.case" path matches GLOB
                  (* and ? as in the shell; "" selects every case)
  --list          list the selected cases instead of running them
  --pool SIZE     cap the payload's page pool (e.g. 64M; at least 1M)
  --deadline S    the payload's watchdog (deadline=S): a run not over
                  after S seconds ends as a failure; whole seconds, 1 to
                  1000000; also starts the watchdog's NMI tick
  --bench         the payload's bench mode (bench=1): the guest-path
                  benchmark instead of the test suites (make bench)
  --smp N         number of CPUs (default 1)
  --mem SIZE      guest RAM (default 512M, at least 64M; no suffix: MiB)
  --cpu MODEL     QEMU CPU model (default max,phys-bits=48: the SNP model's
                  guests use bit 47 of their addresses as the C-bit)
  --timeout S     kill QEMU after S seconds (default 300)
  --gdb           start QEMU halted with a gdb server on :1234 (-s -S)
  --log FILE      also write the serial log to FILE
  --junit FILE    also write the results as JUnit XML to FILE
  --json FILE     also write the results as a JSON summary to FILE
  --help          this text
EOF
}

filter="" list=0 deadline="" bench=0 pool="" smp=1 mem=512M cpu=max,phys-bits=48 timeout_s=300 gdb=0 log="" junit="" json=""
need_arg() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		echo "run-qemu.sh: $1 needs a value" >&2
		usage >&2
		exit 2
	fi
}
while [ $# -gt 0 ]; do
	case "$1" in
	--filter) [ $# -ge 2 ] || need_arg "$@"; filter=$2; shift ;;
	--list) list=1 ;;
	--bench) bench=1 ;;
	--pool) need_arg "$@"; pool=$2; shift ;;
	--deadline) need_arg "$@"; deadline=$2; shift ;;
	--smp) need_arg "$@"; smp=$2; shift ;;
	--mem) need_arg "$@"; mem=$2; shift ;;
	--cpu) need_arg "$@"; cpu=$2; shift ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift ;;
	--gdb) gdb=1 ;;
	--log) need_arg "$@"; log=$2; shift ;;
	--junit) need_arg "$@"; junit=$2; shift ;;
	--json) need_arg "$@"; json=$2; shift ;;
	--help | -h) usage; exit 0 ;;
	*) echo "run-qemu.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
# timeout(1) takes 0 as "no limit": every run must have one.
case "$timeout_s" in
'' | *[!0-9]* | *[!0]*) ;;
*) timeout_s=bad ;;
esac
case "$timeout_s" in
'' | *[!0-9]*) echo "run-qemu.sh: --timeout wants whole seconds, at least 1" >&2; exit 2 ;;
esac
# --mem: what QEMU's -m takes, a number of MiB or one with a K, M, G or T
# suffix, and at least 64 MiB: OVMF does not boot with 32 MiB.
MEM_MIN_MIB=64
mem_ok() {
	local num suffix bytes
	[[ $1 =~ ^([0-9]{1,9})([KkMmGgTt]?)$ ]] || return 1
	num=$((10#${BASH_REMATCH[1]})) suffix=${BASH_REMATCH[2]^}
	case $suffix in
	K) bytes=$((num << 10)) ;;
	'' | M) bytes=$((num << 20)) ;;
	G) bytes=$((num << 30)) ;;
	T) bytes=$((num << 40)) ;;
	esac
	[ "$bytes" -ge $((MEM_MIN_MIB << 20)) ]
}
if ! mem_ok "$mem"; then
	echo "run-qemu.sh: --mem $mem: want a size of at least ${MEM_MIN_MIB}M" \
		"(MiB, or with a K, M, G or T suffix)" >&2
	exit 2
fi
if ! [[ $smp =~ ^[1-9][0-9]{0,2}$ ]]; then
	echo "run-qemu.sh: --smp $smp: want a number of CPUs, 1 to 999" >&2
	exit 2
fi
for w in "$filter" "$pool"; do
	case "$w" in
	*[[:space:]]*) echo "run-qemu.sh: option values cannot hold spaces" >&2; exit 2 ;;
	esac
done

me=run-qemu.sh
. scripts/run-report.sh

scripts/install-deps.sh || fail "could not install the build dependencies"
make -s -j2 payload || fail "the payload does not build"
mkdir -p "$ESP/EFI/BOOT"
cp "$EFI" "$ESP/EFI/BOOT/BOOTX64.EFI"

# The payload's command line, through fw_cfg (boot/fwcfg.h).
cmdline=""
[ -n "$filter" ] && cmdline+=" filter=$filter"
[ "$list" = 1 ] && cmdline+=" list"
[ "$bench" = 1 ] && cmdline+=" bench=1"
[ -n "$pool" ] && cmdline+=" pool=$pool"
[ -n "$deadline" ] && cmdline+=" deadline=$deadline"
cmdline=${cmdline# }

# -mem-prealloc: the host touches guest RAM once up front (~0.1 s for
# 512M), where first touches from the guest cost ~11 us per 4 KiB page
# under TCG (zeroing a fresh 128 MiB block: 408 ms without, 33 ms with).
qemu=(qemu-system-x86_64 -machine q35 -accel tcg -cpu "$cpu" -m "$mem"
	-smp "$smp" -mem-prealloc -nodefaults -no-reboot -display none -serial stdio
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios "$OVMF"
	-drive "if=virtio,format=raw,readonly=on,file=fat:$ESP")
# QEMU's option parser takes a doubled comma as a literal one.
[ -n "$cmdline" ] && qemu+=(-fw_cfg "name=opt/gmemvisor/cmdline,string=${cmdline//,/,,}")
if [ "$gdb" = 1 ]; then
	qemu+=(-s -S)
	echo "# QEMU waits for gdb: target remote :1234" >&2
fi

if [ -n "$log" ]; then
	# A relative --log names a file where the caller stands.
	[[ $log == /* ]] || log=$caller_dir/$log
	: >"$log" || fail "cannot write $log"
fi

summary="" panic="" nomatch="" ktap_at="" sum_at=""
start=$EPOCHREALTIME
shopt -s lastpipe
# stdin from /dev/null keeps QEMU's stdio backend off the terminal.
timeout -k 5 "$timeout_s" "${qemu[@]}" </dev/null |
	sed -u -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][0-9A-Za-z]//g' \
		-e 's/\r//g' |
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		[ -n "$log" ] && printf '%s\n' "$line" >>"$log"
		printf '%s\n' "$line" >>"$ktap_copy"
		case "$line" in
		"KTAP version 1")
			[ -z "$ktap_at" ] && ktap_at=$EPOCHREALTIME ;;
		PANIC*)
			[ -z "$panic" ] && panic=$line ;;
		"# no test case matches filter "*)
			nomatch=${line#\# } ;;
		esac
		if [[ $line =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
			summary=$line
			sum_at=$EPOCHREALTIME
		fi
	done
rc=${PIPESTATUS[0]}
end=$EPOCHREALTIME

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
[ -n "$ktap_at" ] && echo "# boot to first test: $(secs "$start" "$ktap_at") s"
[ -n "$ktap_at" ] && echo "# suites: $(secs "$ktap_at" "${sum_at:-$end}") s"
echo "# QEMU exit status $rc after $(secs "$start" "$end") s"

failed=""
[ -n "$summary" ] && failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
case $rc in
"$QEMU_PASS")
	if [ -z "$summary" ] && [ "$list" = 0 ]; then
		reason="the payload exited PASS without a summary line"
	elif [ -n "$failed" ] && [ "$failed" -ne 0 ]; then
		reason="$failed case(s) failed, yet the payload exited PASS"
	else
		reason=""
	fi ;;
"$QEMU_FAIL")
	if [ -n "$panic" ]; then
		reason="the payload panicked: $panic"
	elif [ -n "$nomatch" ]; then
		reason=$nomatch
	elif [ -n "$failed" ] && [ "$failed" -ne 0 ]; then
		reason="$failed case(s) failed"
	else
		reason="the payload reported failure (did any case run?)"
	fi ;;
0) reason="QEMU exited 0: triple fault or reset (-no-reboot)" ;;
1) reason="QEMU error (exit 1); see its message above" ;;
124 | 137) reason="timeout: no verdict after $timeout_s s, QEMU killed" ;;
*) reason="QEMU exited with unexpected status $rc" ;;
esac

[ -n "$reason" ] || reason=$(document_problem)
report "$reason"
if [ -z "$reason" ]; then
	# A --list run prints no summary of its own.
	echo "${summary:-0 passed, 0 failed, 0 skipped}"
	exit 0
fi
echo "run-qemu.sh: FAIL: $reason"
if [ -z "$summary" ]; then
	echo "0 passed, 1 failed, 0 skipped"
elif [ "$failed" -eq 0 ]; then
	# The run failed with no failed case: count the run as one.
	sed -E 's/ 0 failed/ 1 failed/' <<<"$summary"
else
	echo "$summary"
fi
exit 1
