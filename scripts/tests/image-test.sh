#!/usr/bin/env bash
# Tests of the disk image (scripts/make-image.sh) and of the options file:
# each image is booted under QEMU + OVMF as a virtio disk with no fw_cfg
# options (but one, which checks that the file comes first), so what the
# payload does can only come from its options file. A few boot OVMF as
# code plus a writable variable store and read the results variable
# (boot/resultvar.h) back from the store; those also end runs by the
# deadline= watchdog.
# Prints "ok N name" / "not ok N name: reason" and ends with
# "N passed, N failed, N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

EFI=build/gmemvisor.efi
OVMF=/usr/share/ovmf/OVMF.fd
# The same firmware split in two, for the tests that read the variable
# store back: code read-only, a copy of the store writable. (The 4 MiB
# build, OVMF_CODE_4M.fd, printed nothing under TCG in our runs.)
OVMF_CODE=/usr/share/OVMF/OVMF_CODE.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS.fd
# boot/resultvar.h
RESULT_VAR=GmemvisorResult
RESULT_GUID=7d3119a7-f799-4341-a8ae-518d6c2e55e6
# boot/exit.h through QEMU's isa-debug-exit: (code << 1) | 1.
QEMU_PASS=65
QEMU_FAIL=35
BOOT_SECONDS=30

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0
extra=()
# QEMU's machine arguments that some tests change: without -no-reboot a
# reset boots again, so QEMU's status 0 then means a real power-off.
noreboot=(-no-reboot)
debugexit=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
firmware=(-bios "$OVMF")
stop_count=1
linger=0

ok() {
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n $1"
}
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n $1: $2"
	[ -s "$tmp/log" ] && sed 's/^/#   | /' "$tmp/log" | tail -n 15
}

# image NAME OPTIONS [OPTFILE]: build $tmp/NAME.img; 1 on failure.
image() {
	IMAGE_OPTFILE=${3-} scripts/make-image.sh "$EFI" "$tmp/$1.img" "$2" \
		>"$tmp/mk.log" 2>&1
}

# boot IMG [STOP]: boot the image (with the QEMU arguments in $extra), its serial log (escapes and CRs dropped)
# in $tmp/log, QEMU's status in $rc. With STOP, QEMU is ended as soon as
# $stop_count lines matching that regex arrived and QEMU still runs $linger
# seconds later ($rc is then "stopped").
boot() {
	local img=$1 stop=${2-} pid
	: >"$tmp/log"
	timeout -k 2 "$BOOT_SECONDS" qemu-system-x86_64 -machine q35 -accel tcg \
		-cpu max,phys-bits=48 -m 512M -nodefaults "${noreboot[@]}" \
		-display none -serial "file:$tmp/raw" \
		"${debugexit[@]}" "${firmware[@]}" \
		-drive "if=virtio,format=raw,file=$img" "${extra[@]}" </dev/null \
		>"$tmp/qemu.out" 2>&1 &
	pid=$!
	rc=
	while kill -0 "$pid" 2>/dev/null; do
		if [ -n "$stop" ] && [ -f "$tmp/raw" ] &&
			sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' \
				"$tmp/raw" | grep -cE "$stop" |
				{ read -r c; [ "$c" -ge "$stop_count" ]; }; then
			# Still running $linger seconds on: "stopped".
			sleep "$linger"
			kill -0 "$pid" 2>/dev/null && kill "$pid" && rc=stopped
			break
		fi
		sleep 0.2
	done
	wait "$pid"
	local status=$?
	[ -z "$rc" ] && rc=$status
	sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][0-9A-Za-z]//g' \
		-e 's/\r//g' "$tmp/raw" >"$tmp/log" 2>/dev/null
	rm -f "$tmp/raw"
}

has() { grep -qF -- "$1" "$tmp/log"; }

# Boot with the split firmware and a fresh copy of its variable store,
# $tmp/vars.fd, which the results variable is then read from.
split_firmware() {
	cp "$OVMF_VARS" "$tmp/vars.fd" &&
		firmware=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
			-drive "if=pflash,format=raw,file=$tmp/vars.fd")
}
# The results variable's data from $tmp/vars.fd into $tmp/var; 1 with
# the reason in $tmp/var.err when it is not there.
read_result_var() {
	scripts/efi-var.py "$tmp/vars.fd" "$RESULT_VAR" "$RESULT_GUID" \
		>"$tmp/var" 2>"$tmp/var.err"
}
# check_result_var: the variable's attributes are NV|BS|RT and it holds
# the serial log's summary line, then one "not ok PATH[ # note]" line per
# failed case, each the serial's result line for that case (its name the
# last part of PATH); else a reason on stdout.
check_result_var() {
	local sum attrs failed lines line name rest serial
	if ! read_result_var; then
		echo "no results variable: $(cat "$tmp/var.err")"
		return 1
	fi
	attrs=$(scripts/efi-var.py "$tmp/vars.fd" "$RESULT_VAR" "$RESULT_GUID" --attrs)
	if [ "$attrs" != 0x00000007 ]; then
		echo "attributes $attrs, want 0x00000007 (NV|BS|RT)"
		return 1
	fi
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$tmp/log" | tail -n 1)
	if [ "$(head -n 1 "$tmp/var")" != "$sum" ]; then
		echo "its first line '$(head -n 1 "$tmp/var")' is not the serial summary '$sum'"
		return 1
	fi
	failed=$(echo "$sum" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	lines=$(tail -n +2 "$tmp/var" | grep -c '^not ok ')
	if [ "$lines" != "$failed" ] || [ "$(wc -l <"$tmp/var")" != $((failed + 1)) ]; then
		echo "$lines failure lines for $failed failed cases: '$(tail -n +2 "$tmp/var")'"
		return 1
	fi
	serial=$(sed -nE 's/^ *not ok [0-9]+ //p' "$tmp/log")
	while IFS= read -r line; do
		rest=${line#not ok }
		name=${rest%% *}
		rest=${rest#"$name"}
		if ! grep -qxF -- "${name##*.}$rest" <<<"$serial"; then
			echo "'$line' matches no serial result line"
			return 1
		fi
	done < <(tail -n +2 "$tmp/var")
}

# (a) make image OPTIONS="filter=lib.*": only the lib cases run.
t="options file filter runs only the selected cases"
if ! image filter "filter=lib.*"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/filter.img"
	cases=$(grep -cE '^ +ok [0-9]+ lib_' "$tmp/log")
	others=$(grep -E '^ +(not )?ok [0-9]+ ' "$tmp/log" | grep -vE ' lib_' | head -n 1)
	if [ "$rc" != "$QEMU_PASS" ]; then
		not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
	elif ! has '# options: file \gmemvisor.opt: filter=lib.*'; then
		not_ok "$t" "no '# options: file \\gmemvisor.opt: filter=lib.*' line"
	elif [ "$cases" -eq 0 ]; then
		not_ok "$t" "no lib case ran"
	elif [ -n "$others" ]; then
		not_ok "$t" "a case outside lib.* ran: $others"
	else
		ok "$t ($cases lib cases)"
	fi
fi

# The file comes before fw_cfg: with both, the file's filter is used.
t="options file before fw_cfg"
extra=(-fw_cfg "name=opt/gmemvisor/cmdline,string=filter=alloc.*")
boot "$tmp/filter.img"
extra=()
if ! has '# options: file \gmemvisor.opt: filter=lib.*'; then
	not_ok "$t" "no '# options: file \\gmemvisor.opt: filter=lib.*' line"
elif grep -qE '# Subtest: alloc$' "$tmp/log"; then
	not_ok "$t" "fw_cfg's filter=alloc.* was used"
elif [ "$rc" != "$QEMU_PASS" ]; then
	not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
else
	ok "$t"
fi

# The UEFI shell's command line comes before the options file: the image
# has no BOOTX64.EFI, so OVMF starts its shell, whose startup.nsh runs the
# payload with filter=lib.* while the file says filter=alloc.*.
t="UEFI shell command line before the options file"
if ! image shell "filter=alloc.*"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	printf 'fs0:\r\n\\gmemvisor.efi filter=lib.*\r\n' >"$tmp/startup.nsh"
	export MTOOLS_SKIP_CHECK=1
	if ! { mdel -i "$tmp/shell.img@@1M" ::/EFI/BOOT/BOOTX64.EFI &&
		mcopy -i "$tmp/shell.img@@1M" "$EFI" ::/gmemvisor.efi &&
		mcopy -i "$tmp/shell.img@@1M" "$tmp/startup.nsh" ::/startup.nsh; } \
		>"$tmp/mk.log" 2>&1; then
		not_ok "$t" "mtools could not edit the image: $(cat "$tmp/mk.log")"
	else
		boot "$tmp/shell.img"
		if ! has '# options: LoadOptions: filter=lib.*'; then
			not_ok "$t" "no '# options: LoadOptions: filter=lib.*' line"
		elif grep -qE '# Subtest: alloc$' "$tmp/log"; then
			not_ok "$t" "the file's filter=alloc.* was used"
		elif [ "$rc" != "$QEMU_PASS" ]; then
			not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
		else
			ok "$t"
		fi
	fi
fi

# (a') several lines with comments: every word is used, comments are not.
t="options file lines and comments"
printf '# comment: filter=nothing\r\nfilter=lib.*  # the lib suite\n\tlist\n' \
	>"$tmp/multi.opt"
if ! image multi "" "$tmp/multi.opt"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/multi.img"
	if ! has '# options: file \gmemvisor.opt: filter=lib.* list'; then
		not_ok "$t" "no '# options: file \\gmemvisor.opt: filter=lib.* list' line"
	elif ! grep -qx 'lib.lib_glob' "$tmp/log"; then
		not_ok "$t" "list did not list lib.lib_glob"
	elif grep -qE '^ +ok [0-9]+ ' "$tmp/log"; then
		not_ok "$t" "cases ran although list was given"
	else
		ok "$t"
	fi
fi

# (b) an unknown option: the run stops and names every known option.
t="unknown option in the options file"
if ! image unknown "filter=lib.* verbose"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/unknown.img"
	panic=$(grep -m1 '^PANIC' "$tmp/log")
	if [ "$rc" != "$QEMU_FAIL" ]; then
		not_ok "$t" "QEMU status $rc, want the FAIL code $QEMU_FAIL"
	elif [[ $panic != *'"verbose"'*'file \gmemvisor.opt'* ]]; then
		not_ok "$t" "no PANIC naming \"verbose\" and the file: '$panic'"
	elif [[ $panic != *'filter=GLOB, list, pool=SIZE'* ]]; then
		not_ok "$t" "the PANIC does not list the known options: '$panic'"
	elif grep -q '^KTAP version' "$tmp/log"; then
		not_ok "$t" "cases started despite the bad option"
	else
		ok "$t"
	fi
fi

# An options file over the limit (boot/options.h OPT_FILE_MAX) is refused.
t="oversized options file"
{ echo "filter=lib.*"; head -c 5000 /dev/zero | tr '\0' '#'; echo; } \
	>"$tmp/big.opt"
if ! image big "" "$tmp/big.opt"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/big.img"
	if [ "$rc" != "$QEMU_FAIL" ]; then
		not_ok "$t" "QEMU status $rc, want the FAIL code $QEMU_FAIL"
	elif ! grep -q '^PANIC.*options file \\gmemvisor.opt: longer than 4096 bytes' "$tmp/log"; then
		not_ok "$t" "no PANIC saying the file is longer than 4096 bytes"
	else
		ok "$t"
	fi
fi

# (c) no options file, no fw_cfg: defaults; stopped once the cases start.
t="no options file: defaults"
if ! image none ""; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
elif mdir -i "$tmp/none.img@@1M" ::/gmemvisor.opt >/dev/null 2>&1; then
	not_ok "$t" "make-image.sh wrote an options file without options"
else
	boot "$tmp/none.img" '^ +ok 1 '
	if [ "$rc" != stopped ]; then
		not_ok "$t" "no first case result (QEMU status $rc)"
	elif ! has '# options: none'; then
		not_ok "$t" "no '# options: none' line"
	elif ! grep -qE '^ +ok 1 ' "$tmp/log" ||
		! grep -q '^1\.\.[0-9][0-9]*$' "$tmp/log"; then
		not_ok "$t" "no plan or first case"
	elif [ "$(grep -m1 '^1\.\.' "$tmp/log")" = "1..1" ]; then
		not_ok "$t" "the plan has one suite: a filter was applied"
	else
		ok "$t"
	fi
fi

# Ending a run (end=, boot/exit.h). The summary must come before the end.
# summary_then_end ACTION: the summary line, then "ending by ACTION".
summary_then_end() {
	local sum end
	sum=$(grep -nE '^[0-9]+ passed, 0 failed, [0-9]+ skipped$' "$tmp/log" | head -n 1 | cut -d: -f1)
	end=$(grep -nF "gmemvisor: run passed, ending by $1" "$tmp/log" | head -n 1 | cut -d: -f1)
	[ -n "$sum" ] && [ -n "$end" ] && [ "$sum" -lt "$end" ]
}
# One per boot: the lines before ExitBootServices show twice (ConOut).
boots() { grep -c '^KTAP version 1$' "$tmp/log"; }

# end=shutdown: ResetSystem(EfiResetShutdown). Without -no-reboot, QEMU
# exits 0 only when the guest powers the machine off (a reset boots again).
# The firmware is split so that the results variable can be read back.
t="end=shutdown powers off through ResetSystem"
t2="results variable holds the serial summary"
noreboot=()
if ! image shutdown "filter=lib.* end=shutdown"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
	not_ok "$t2" "make-image.sh failed"
elif ! split_firmware; then
	not_ok "$t" "cannot copy $OVMF_VARS"
	not_ok "$t2" "cannot copy $OVMF_VARS"
else
	boot "$tmp/shutdown.img"
	firmware=(-bios "$OVMF")
	if [ "$rc" != 0 ]; then
		not_ok "$t" "QEMU status $rc, want 0 (a power-off)"
	elif ! summary_then_end shutdown; then
		not_ok "$t" "no summary line followed by 'ending by shutdown'"
	elif [ "$(boots)" != 1 ]; then
		not_ok "$t" "the payload started $(boots) times, want once"
	else
		ok "$t"
	fi
	if ! why=$(check_result_var); then
		not_ok "$t2" "$why"
	elif ! has "# results variable $RESULT_VAR-$RESULT_GUID written"; then
		not_ok "$t2" "the payload did not say it wrote the variable"
	else
		ok "$t2 ($(head -n 1 "$tmp/var"))"
	fi
fi

# deadline= (boot/watchdog.h). A guest that spins for the run limit (2 s)
# outlives deadline=1: the timer's interrupt ends the run inside that case
# as a failure, by end=shutdown, and the variable says so.
t="deadline expiry in a spinning guest ends the run as a failure"
spin=vcpu_native_spin_meets_the_time_limit
if ! image deadline "filter=vcpu_native.$spin deadline=1 end=shutdown"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
elif ! split_firmware; then
	not_ok "$t" "cannot copy $OVMF_VARS"
else
	boot "$tmp/deadline.img"
	firmware=(-bios "$OVMF")
	expired="not ok 1 $spin # deadline expired after 1 s (timer interrupt)"
	tail3=$(grep -A2 -F -- "$expired" "$tmp/log" | sed 's/^ *//')
	want3="$expired
0 passed, 1 failed, 0 skipped
# results variable $RESULT_VAR-$RESULT_GUID written"
	if [ "$rc" != 0 ]; then
		not_ok "$t" "QEMU status $rc, want 0 (a power-off by end=shutdown)"
	elif ! grep -qxF "    $expired" "$tmp/log"; then
		not_ok "$t" "no line '    $expired'"
	elif [ "$tail3" != "$want3" ]; then
		not_ok "$t" "not followed by the summary and the variable: '$tail3'"
	elif ! has "gmemvisor: run FAILED, ending by shutdown"; then
		not_ok "$t" "no 'gmemvisor: run FAILED, ending by shutdown'"
	elif ! why=$(check_result_var); then
		not_ok "$t" "results variable: $why"
	elif [ "$(cat "$tmp/var")" != "0 passed, 1 failed, 0 skipped
not ok vcpu_native.$spin # deadline expired after 1 s (timer interrupt)" ]; then
		not_ok "$t" "results variable: '$(cat "$tmp/var")'"
	else
		ok "$t"
	fi
fi

# The watchdog's NMI tick (boot/nmi_watchdog.h), in the one boot that
# asks for its cases by the filter: first a guest spinning through NMIs,
# each of which must reach the host's handler (svm_run; vmx_run's twin
# skips under QEMU, which has no VMX), then host code that hangs with
# interrupts off, mid-line (the watchdog suite, which runs only when the
# filter holds "watchdog_nmi"). The expiry line starts
# a line of its own, the summary and the variable follow, and end=halt
# halts quietly: QEMU still runs, nothing after the verdict line.
t="NMI watchdog: NMIs reach the host from a guest, a host hang ends by NMI"
hang=watchdog_nmi_ends_a_host_hang
if ! image nmihang "filter=*watchdog_nmi* deadline=2 end=halt"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
elif ! split_firmware; then
	not_ok "$t" "cannot copy $OVMF_VARS"
else
	linger=2
	boot "$tmp/nmihang.img" '^gmemvisor: run FAILED, ending by halt$'
	linger=0
	firmware=(-bios "$OVMF")
	expired="not ok 1 $hang # deadline expired after 2 s (NMI)"
	tail4=$(grep -A3 -F -- "$expired" "$tmp/log" | sed 's/^ *//')
	want4="$expired
1 passed, 1 failed, 1 skipped
# results variable $RESULT_VAR-$RESULT_GUID written
gmemvisor: run FAILED, ending by halt"
	if [ "$rc" != stopped ]; then
		not_ok "$t" "QEMU status $rc, want it still running after the halt"
	elif ! grep -qE '^# deadline: 2 s \(.*; NMI every [0-9]+ ms: PIT through I/O APIC ' "$tmp/log"; then
		not_ok "$t" "no '# deadline:' line naming the NMI tick"
	elif ! grep -qxF "    ok 1 svm_run_watchdog_nmi_exits_reach_the_host" "$tmp/log"; then
		not_ok "$t" "svm_run's NMI case did not pass"
	elif ! grep -qxF "    $expired" "$tmp/log"; then
		not_ok "$t" "no line '    $expired'"
	elif [ "$tail4" != "$want4" ]; then
		not_ok "$t" "not followed by the summary, the variable and the halt: '$tail4'"
	elif [ "$(tail -n 1 "$tmp/log")" != "gmemvisor: run FAILED, ending by halt" ]; then
		not_ok "$t" "output after the halt: '$(tail -n 1 "$tmp/log")'"
	elif ! why=$(check_result_var); then
		not_ok "$t" "results variable: $why"
	elif [ "$(cat "$tmp/var")" != "1 passed, 1 failed, 1 skipped
not ok watchdog.$hang # deadline expired after 2 s (NMI)" ]; then
		not_ok "$t" "results variable: '$(cat "$tmp/var")'"
	else
		ok "$t"
	fi
fi

# The whole run (far longer than a second under TCG) with deadline=1 and
# the default end: the expiry is seen at the end of the case then running
# (host code runs with interrupts off), should a guest or an interrupt
# test run then, by the timer, or by the NMI tick in a case that runs on
# with interrupts off; QEMU gets the FAIL code.
t="deadline expiry in host code ends the run as a failure"
if ! image deadline2 "deadline=1"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/deadline2.img"
	line=$(grep -nE '^ *not ok [0-9]+ [a-z0-9_]+ # deadline expired after 1 s \((end of case|timer interrupt|NMI)\)$' "$tmp/log" | head -n 1)
	next=$(grep -A1 -F -- "${line#*:}" "$tmp/log" | tail -n 1)
	if [ "$rc" != "$QEMU_FAIL" ]; then
		not_ok "$t" "QEMU status $rc, want the FAIL code $QEMU_FAIL"
	elif [ -z "$line" ]; then
		not_ok "$t" "no 'not ok N CASE # deadline expired after 1 s (...)' line"
	elif ! [[ $next =~ ^[0-9]+\ passed,\ [1-9][0-9]*\ failed,\ [0-9]+\ skipped$ ]]; then
		not_ok "$t" "the expiry is not followed by a summary with a failure: '$next'"
	else
		ok "$t (${line#*# })"
	fi
fi

# A bad deadline= names the accepted form. The run ends before any
# summary, and the results variable says so.
t="bad deadline= value"
t2="results variable after a PANIC"
if ! image baddeadline "deadline=0"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
	not_ok "$t2" "make-image.sh failed"
elif ! split_firmware; then
	not_ok "$t" "cannot copy $OVMF_VARS"
	not_ok "$t2" "cannot copy $OVMF_VARS"
else
	boot "$tmp/baddeadline.img"
	firmware=(-bios "$OVMF")
	panic=$(grep -m1 '^PANIC' "$tmp/log")
	if [ "$rc" != "$QEMU_FAIL" ]; then
		not_ok "$t" "QEMU status $rc, want the FAIL code $QEMU_FAIL"
	elif [[ $panic != *'"deadline=0"'*'deadline= takes whole seconds, 1 to 1000000'* ]]; then
		not_ok "$t" "no PANIC naming deadline=0 and the accepted form: '$panic'"
	else
		ok "$t"
	fi
	if ! read_result_var; then
		not_ok "$t2" "no results variable: $(cat "$tmp/var.err")"
	elif [ "$(cat "$tmp/var")" != "run FAILED before its summary line" ]; then
		not_ok "$t2" "it holds '$(cat "$tmp/var")'"
	else
		ok "$t2"
	fi
fi

# The variable store reader on a store without the variable: a reason.
t="efi-var.py without the variable"
if scripts/efi-var.py "$OVMF_VARS" "$RESULT_VAR" "$RESULT_GUID" >"$tmp/var" 2>"$tmp/var.err"; then
	not_ok "$t" "it found one in the pristine $OVMF_VARS"
elif ! grep -qF "no live variable $RESULT_VAR-$RESULT_GUID" "$tmp/var.err"; then
	not_ok "$t" "unclear error: $(cat "$tmp/var.err")"
else
	ok "$t"
fi

# end=reboot: ResetSystem(EfiResetCold); the image boots again.
t="end=reboot boots again through ResetSystem"
stop_count=2
boot_reboot() {
	image reboot "filter=lib.* end=reboot" && boot "$tmp/reboot.img" '^KTAP version 1$'
}
if ! boot_reboot; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
elif [ "$rc" != stopped ]; then
	not_ok "$t" "QEMU status $rc, want a second boot"
elif ! summary_then_end reboot; then
	not_ok "$t" "no summary line followed by 'ending by reboot'"
else
	ok "$t"
fi
stop_count=1
noreboot=(-no-reboot)

# end=halt: the verdict, then nothing: QEMU is still running a second on.
t="end=halt halts after the verdict"
if ! image halt "filter=lib.* end=halt"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	linger=1
	boot "$tmp/halt.img" 'ending by halt'
	linger=0
	if [ "$rc" != stopped ]; then
		not_ok "$t" "QEMU status $rc, want it still running"
	elif ! summary_then_end halt; then
		not_ok "$t" "no summary line followed by 'ending by halt'"
	elif ! grep -v '^$' "$tmp/log" | tail -n 1 | grep -q 'ending by halt$'; then
		not_ok "$t" "more after the verdict: '$(grep -v '^$' "$tmp/log" | tail -n 1)'"
	else
		ok "$t"
	fi
fi

# The default without QEMU's debug-exit device: the write to its port
# does nothing, so the run ends by shutdown.
t="default end without the debug-exit device is shutdown"
debugexit=()
noreboot=()
boot "$tmp/filter.img"
debugexit=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
noreboot=(-no-reboot)
if [ "$rc" != 0 ]; then
	not_ok "$t" "QEMU status $rc, want 0 (a power-off)"
elif ! summary_then_end shutdown; then
	not_ok "$t" "no summary line followed by 'ending by shutdown'"
else
	ok "$t"
fi

# An unknown end= value names the allowed ones.
t="unknown end= value"
if ! image badend "end=off"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/badend.img"
	panic=$(grep -m1 '^PANIC' "$tmp/log")
	if [ "$rc" != "$QEMU_FAIL" ]; then
		not_ok "$t" "QEMU status $rc, want the FAIL code $QEMU_FAIL"
	elif [[ $panic != *'"end=off"'*'end= takes shutdown, reboot or halt'* ]]; then
		not_ok "$t" "no PANIC naming end=off and the allowed values: '$panic'"
	else
		ok "$t"
	fi
fi

# make-image.sh: a missing payload is a clear error, not an image.
t="make-image.sh without the payload"
if scripts/make-image.sh "$tmp/nothing.efi" "$tmp/x.img" >"$tmp/mk.log" 2>&1; then
	not_ok "$t" "it succeeded"
elif ! grep -q 'nothing.efi: no such file' "$tmp/mk.log" || [ -e "$tmp/x.img" ]; then
	not_ok "$t" "unclear error or an image left: $(cat "$tmp/mk.log")"
else
	ok "$t"
fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
