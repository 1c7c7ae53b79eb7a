#!/usr/bin/env bash
# Boot build/gmemvisor.efi under Bochs + OVMF and report its verdict.
#
# Bochs (Debian's, 2.7 on bookworm) runs bookworm's OVMF.fd as its ROM on
# the i440fx chipset; the payload sits on an ATA disk image with a GPT and
# an EFI system partition (scripts/make-image.sh), its options in the
# partition's options file (Bochs has no fw_cfg user files). COM1 goes to a
# file, which this script follows. Bochs has no isa-debug-exit device: the
# payload ends the run with ResetSystem(EfiResetShutdown) (end=shutdown),
# which OVMF does through the ACPI PM1 control register; Bochs takes that
# "soft power off" as a fatal event (iodev/acpi.cc) and quits with status
# 1, as it does on its own errors. So the verdict comes from the
# serial log: the summary line and the payload's "run passed" line, and the
# power-off in Bochs's log tells a clean end from anything else.
# Exit status: 0 only for a run that powered off after a passing summary.
# The last line printed is always "N passed, N failed, N skipped".
set -uo pipefail
caller_dir=$PWD
cd "$(dirname "$0")/.."

OVMF=/usr/share/ovmf/OVMF.fd
VGABIOS=/usr/share/vgabios/vgabios.bin
EFI=build/gmemvisor.efi

usage() {
	cat <<'EOF'
usage: scripts/run-bochs.sh [options]
  --filter GLOB   run only the cases whose "suite.case" path matches GLOB
                  (* and ? as in the shell; "" selects every case)
  --list          list the selected cases instead of running them
  --pool SIZE     cap the payload's page pool (e.g. 64M; at least 1M)
  --deadline S    the payload's watchdog (deadline=S): a run not over
                  after S seconds ends as a failure; whole seconds, 1 to
                  1000000; also starts the watchdog's NMI tick
  --mem SIZE      guest RAM (default 512M, 64M to 2G; no suffix: MiB)
  --cpu MODEL     Bochs CPU model (default tigerlake, Intel with VMX;
                  ryzen for AMD with SVM); bochs --help cpu lists them
  --timeout S     kill Bochs after S seconds (default 600)
  --log FILE      also write the serial log to FILE
  --junit FILE    also write the results as JUnit XML to FILE
  --json FILE     also write the results as a JSON summary to FILE
  --help          this text
Bochs: Debian sid's 3.1, fetched once into the cache, else Debian's own;
GMV_BOCHS=PATH runs that binary, GMV_BOCHS=debian the installed one
(scripts/bochs-resolve.sh).
EOF
}

filter="" list=0 deadline="" pool="" mem=512M cpu=tigerlake timeout_s=600 log="" junit="" json=""
need_arg() {
	if [ $# -lt 2 ] || [ -z "$2" ]; then
		echo "run-bochs.sh: $1 needs a value" >&2
		usage >&2
		exit 2
	fi
}
while [ $# -gt 0 ]; do
	case "$1" in
	--filter) [ $# -ge 2 ] || need_arg "$@"; filter=$2; shift ;;
	--list) list=1 ;;
	--pool) need_arg "$@"; pool=$2; shift ;;
	--deadline) need_arg "$@"; deadline=$2; shift ;;
	--mem) need_arg "$@"; mem=$2; shift ;;
	--cpu) need_arg "$@"; cpu=$2; shift ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift ;;
	--log) need_arg "$@"; log=$2; shift ;;
	--junit) need_arg "$@"; junit=$2; shift ;;
	--json) need_arg "$@"; json=$2; shift ;;
	--help | -h) usage; exit 0 ;;
	*) echo "run-bochs.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
# timeout(1) takes 0 as "no limit": every run must have one.
if ! [[ $timeout_s =~ ^[0-9]{1,6}$ ]] || [ "$((10#$timeout_s))" -eq 0 ]; then
	echo "run-bochs.sh: --timeout wants whole seconds, at least 1" >&2
	exit 2
fi
timeout_s=$((10#$timeout_s))
# --mem: Bochs takes whole MiB (memory: guest=); OVMF does not boot with
# 32 MiB, and 2 GiB is as much as the i440fx machine maps below 4 GiB.
MEM_MIN_MIB=64 MEM_MAX_MIB=2048
mem_mib=""
if [[ $mem =~ ^([0-9]{1,7})([MmGg]?)$ ]]; then
	mem_mib=$((10#${BASH_REMATCH[1]}))
	case ${BASH_REMATCH[2]} in [Gg]) mem_mib=$((mem_mib << 10)) ;; esac
fi
if [ -z "$mem_mib" ] || [ "$mem_mib" -lt $MEM_MIN_MIB ] ||
	[ "$mem_mib" -gt $MEM_MAX_MIB ]; then
	echo "run-bochs.sh: --mem $mem: want ${MEM_MIN_MIB}M to ${MEM_MAX_MIB}M" \
		"(MiB, or with an M or G suffix)" >&2
	exit 2
fi
if ! [[ $cpu =~ ^[a-z0-9_]+$ ]]; then
	echo "run-bochs.sh: --cpu $cpu: want a Bochs CPU model name" \
		"(bochs --help cpu lists them)" >&2
	exit 2
fi
for w in "$filter" "$pool"; do
	case "$w" in
	*[[:space:]]* | *'#'*)
		echo "run-bochs.sh: option values cannot hold spaces or '#'" >&2
		exit 2 ;;
	esac
done

me=run-bochs.sh
. scripts/run-report.sh

# Which Bochs: sid's 3.1 from the cache (fetched once), GMV_BOCHS, or
# Debian's installed one (scripts/bochs-resolve.sh).
resolve_err=$(mktemp) || fail "cannot make a temporary file"
bochs=$(scripts/bochs-resolve.sh 2>"$resolve_err")
resolve_rc=$?
cat "$resolve_err" >&2
why=$(sed -n 's/^bochs-resolve: //p' "$resolve_err" | tail -n 1)
rm -f "$resolve_err"
[ "$resolve_rc" = 0 ] || fail "Bochs is missing: $why"
[ -f "$OVMF" ] || fail "$OVMF is missing (Debian package ovmf)"
[ -f "$VGABIOS" ] || fail "$VGABIOS is missing (Debian package vgabios)"
# An unknown model makes Bochs panic at startup: name it here instead.
models=$("$bochs" -q --help cpu 2>&1 | sed -n 's/^ *\([a-z0-9_]\{2,\}\)$/\1/p')
[ -z "$models" ] || grep -qx -- "$cpu" <<<"$models" ||
	fail "--cpu $cpu: Bochs has no such CPU model; it has:" $models

make -s -j2 payload || fail "the payload does not build"

# Each run gets its own directory: the disk image, the configuration and
# the logs. Removing it also removes the image's lock file, which Bochs
# leaves behind when it is killed and which makes the next start fail.
mkdir -p build
run=$(mktemp -d build/bochs-run.XXXXXX) || fail "cannot make a run directory in build/"
bpid=""
cleanup() {
	[ -n "$bpid" ] && kill -- "$bpid" 2>/dev/null
	[ -n "${GMV_BOCHS_KEEP:-}" ] || rm -rf "$run"
	rm -f "$ktap_copy"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The payload's options, through the options file (boot/optfile.h).
# machine=bochs: the cases that meet a known Bochs defect skip naming it
# (hv/vcpu.h: on its SVM a guest with IF clear gets no INTR exit).
options="end=shutdown machine=bochs"
[ -n "$filter" ] && options+=" filter=$filter"
[ "$list" = 1 ] && options+=" list"
[ -n "$pool" ] && options+=" pool=$pool"
[ -n "$deadline" ] && options+=" deadline=$deadline"
scripts/make-image.sh "$EFI" "$run/disk.img" "$options" >/dev/null ||
	fail "cannot build the disk image (scripts/make-image.sh)"
# make-image.sh sizes the image in cylinders of 16 heads x 63 sectors.
cyls=$(($(stat -c %s "$run/disk.img") / (16 * 63 * 512)))

# display rfb with timeout=0: headless, no waiting for a VNC viewer (the
# Debian build has no nogui). The dummy sound drivers keep Bochs from
# opening ALSA, which aborts it on a machine without a sound card.
# error: ignore, or Bochs logs every SVM/VMX exit; panic: fatal and
# reset_on_triple_fault=0 make a triple fault end the run. The TSC counts
# at ips and emulated time follows the instruction count (sync=none):
# 150 MHz keeps it above the payload's plausibility floor of 100 MHz
# (boot.cpu), which a 100 MHz TSC meets only within calibration error.
cat >"$run/bochsrc" <<EOF
display_library: rfb, options="timeout=0"
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=0
memory: guest=$mem_mib, host=$mem_mib
cpu: model=$cpu, count=1, ips=150000000, reset_on_triple_fault=0
clock: sync=none, time0=local
romimage: file=$OVMF
vgaromimage: file=$VGABIOS
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path=$run/disk.img, mode=flat, cylinders=$cyls, heads=16, spt=63
boot: disk
com1: enabled=1, mode=file, dev=$run/serial.txt
log: $run/bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
EOF
# A Bochs built with its debugger (Debian's) stops at a prompt unless
# told to continue.
rc_file=()
bx_help=$("$bochs" --help 2>&1)
if grep -q -- '-rc ' <<<"$bx_help"; then
	echo c >"$run/debugger-commands"
	rc_file=(-rc "$run/debugger-commands")
fi

if [ -n "$log" ]; then
	# A relative --log names a file where the caller stands.
	[[ $log == /* ]] || log=$caller_dir/$log
	: >"$log" || fail "cannot write $log"
fi

echo "# Bochs $cpu, ${mem_mib} MiB, options: $options"
: >"$run/serial.txt"
summary="" panic="" nomatch="" verdict="" ktap_at="" sum_at=""
start=$EPOCHREALTIME
timeout -k 5 "$timeout_s" "$bochs" -q -f "$run/bochsrc" "${rc_file[@]}" \
	</dev/null >"$run/bochs.out" 2>&1 &
bpid=$!
# A triple fault: with reset_on_triple_fault=0, Bochs 2.7 panics, but 3.1
# only logs "3rd (N) exception with no resolution" and leaves the CPU shut
# down, running on: watch its log and end it there.
(
	while kill -0 "$bpid" 2>/dev/null; do
		line=$(grep -m 1 'exception with no resolution' "$run/bochs.log" 2>/dev/null)
		if [ -n "$line" ]; then
			printf '%s\n' "${line#*] }" >"$run/triple"
			kill "$bpid" 2>/dev/null
			break
		fi
		sleep 0.5
	done
) &
wpid=$!
shopt -s lastpipe
# tail ends once Bochs has ended and the file is read to its end.
tail -n +1 -f --pid="$bpid" "$run/serial.txt" |
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
		"gmemvisor: run passed"*)
			verdict=passed ;;
		"gmemvisor: run FAILED"*)
			verdict=failed ;;
		esac
		if [[ $line =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
			summary=$line
			sum_at=$EPOCHREALTIME
		fi
	done
wait "$bpid"
rc=$?
bpid=""
wait "$wpid"
end=$EPOCHREALTIME

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
[ -n "$ktap_at" ] && echo "# boot to first test: $(secs "$start" "$ktap_at") s"
[ -n "$ktap_at" ] && echo "# suites: $(secs "$ktap_at" "${sum_at:-$end}") s"
echo "# Bochs exit status $rc after $(secs "$start" "$end") s"

# Bochs's own panic: the ACPI power-off the run ends with, or what
# stopped the machine (a triple fault: "3rd (N) exception with no
# resolution"). Its log file, or its output when the log was not opened.
bx_panic=$(cat "$run/bochs.log" "$run/bochs.out" 2>/dev/null |
	sed -n 's/.*>>PANIC<< *//p' | head -n 1)
powered_off=0
[[ $bx_panic == *"soft power off"* ]] && powered_off=1
bx_error=$(grep -v -e 'ALSA lib' -e '^[0-9a-f]*i\[' "$run/bochs.out" 2>/dev/null |
	grep -m 1 -i -e 'error' -e 'cannot' -e 'could not' -e 'locked')

failed=""
[ -n "$summary" ] && failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")
if [ -s "$run/triple" ]; then
	reason="triple fault: Bochs shut the machine down ($(cat "$run/triple"))"
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	if [ -n "$summary" ]; then
		reason="timeout: the run did not end within $timeout_s s"
		reason+=" although its summary was printed; Bochs killed"
	else
		reason="timeout: no verdict after $timeout_s s, Bochs killed"
	fi
elif [ -n "$panic" ]; then
	reason="the payload panicked: $panic"
elif [[ $bx_panic == *"3rd ("*"exception with no resolution"* ]]; then
	reason="triple fault: Bochs stopped the machine ($bx_panic)"
elif [ -n "$bx_panic" ] && [ "$powered_off" = 0 ]; then
	reason="Bochs panicked: $bx_panic"
elif [ "$powered_off" = 0 ]; then
	reason="Bochs exited (status $rc) without the payload ending the run${bx_error:+: $bx_error}"
elif [ "$verdict" = passed ]; then
	if [ -z "$summary" ] && [ "$list" = 0 ]; then
		reason="the payload reported PASS without a summary line"
	elif [ -n "$failed" ] && [ "$failed" -ne 0 ]; then
		reason="$failed case(s) failed, yet the payload reported PASS"
	else
		reason=""
	fi
elif [ "$verdict" = failed ]; then
	if [ -n "$nomatch" ]; then
		reason=$nomatch
	elif [ -n "$failed" ] && [ "$failed" -ne 0 ]; then
		reason="$failed case(s) failed"
	else
		reason="the payload reported failure (did any case run?)"
	fi
else
	reason="the machine powered off without the payload's verdict line"
fi

[ -n "$reason" ] || reason=$(document_problem)
report "$reason"
if [ -z "$reason" ]; then
	# A --list run prints no summary of its own.
	echo "${summary:-0 passed, 0 failed, 0 skipped}"
	exit 0
fi
echo "run-bochs.sh: FAIL: $reason"
if [ -z "$summary" ]; then
	echo "0 passed, 1 failed, 0 skipped"
elif [ "$failed" -eq 0 ]; then
	# The run failed with no failed case: count the run as one.
	sed -E 's/ 0 failed/ 1 failed/' <<<"$summary"
else
	echo "$summary"
fi
exit 1
