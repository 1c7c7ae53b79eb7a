#!/usr/bin/env bash
# Tests of scripts/run-bochs.sh with a fake Bochs (GMV_BOCHS): each way a
# run can end gives its one reason and exit status, the last line is
# always the summary, and no run directory (with the disk image's lock
# file) is left behind. The fake answers --help the way Debian's Bochs
# does, reads its configuration for the serial and log files, locks the
# disk image as Bochs does, and plays the payload and Bochs's ending;
# FAKE_MODE says which story it tells; --junit and --json write their
# reports from the serial log. Prints "ok N name" / "not ok N
# name" and ends with "N passed, N failed, N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0

cat >"$tmp/bochs" <<'EOF'
#!/usr/bin/env bash
case "$*" in
--help) echo "  -rc filename     execute debugger commands stored in file"; exit 0 ;;
"-q --help cpu") printf 'Supported CPU models:\n\nbx_generic\nryzen\ntigerlake\n\n'; exit 0 ;;
esac
rc=$3
com1=$(sed -n 's/^com1: .*dev=//p' "$rc")
log=$(sed -n 's/^log: //p' "$rc")
disk=$(sed -n 's/^ata0-master: .*path=\([^,]*\),.*/\1/p' "$rc")
: >"$disk.lock"
echo "$disk" >"$FAKE_DISK_NOTE"
# The payload's options file, as the payload would read it: the EFI
# partition starts at sector 2048 (scripts/make-image.sh).
[ -z "${FAKE_OPTFILE_NOTE:-}" ] ||
	mtype -i "$disk@@$((2048 * 512))" ::/gmemvisor.opt >"$FAKE_OPTFILE_NOTE" 2>&1
serial() { printf '%s\r\n' "$@" >>"$com1"; }
off() { echo "00814212685p[ACPI  ] >>PANIC<< ACPI control: soft power off" >>"$log"; exit 1; }
serial "BdsDxe: starting Boot0001" "KTAP version 1" "1..1"
case $FAKE_MODE in
pass) serial "ok 1 a" "1 passed, 0 failed, 0 skipped" \
	"gmemvisor: run passed, ending by shutdown"; off ;;
garbled) serial "Zok 1 a" "1 passed, 0 failed, 0 skipped" \
	"gmemvisor: run passed, ending by shutdown"; off ;;
casefail) serial "not ok 1 a" "0 passed, 1 failed, 0 skipped" \
	"gmemvisor: run FAILED, ending by shutdown"; off ;;
passfail) serial "not ok 1 a" "0 passed, 1 failed, 0 skipped" \
	"gmemvisor: run passed, ending by shutdown"; off ;;
panic) serial "PANIC: page pool corrupt" "gmemvisor: run FAILED, ending by shutdown"; off ;;
triple) echo "00099p[CPU0  ] >>PANIC<< exception(): 3rd (13) exception with no resolution" >>"$log"
	exit 1 ;;
triple_runs_on) echo "00817362086e[CPU0  ] exception(): 3rd (13) exception with no resolution" >>"$log"
	exec sleep 60 ;;
hang) exec sleep 60 ;;
endless) serial "3 passed, 0 failed, 0 skipped" "gmemvisor: run passed, ending by shutdown"
	exec sleep 60 ;;
locked) echo "00000000000e[HD    ] image locked: $disk"; exit 1 ;;
silent) off ;;
whole) serial "    KTAP version 1" "    # Subtest: boot" "    1..2" "    ok 1 uefi" \
	"    ok 2 acpi # SKIP no ACPI" "ok 1 boot" "1 passed, 0 failed, 1 skipped" \
	"gmemvisor: run passed, ending by shutdown"; off ;;
esac
EOF
chmod +x "$tmp/bochs"

# check NAME WANT-STATUS WANT-REASON MODE ARGS...: the run exits with the
# status, names the reason (a fixed string; "" for a pass) on its
# second-to-last line and ends with a summary line.
check() {
	local name=$1 want=$2 reason=$3 mode=$4 rc out last why
	shift 4
	n=$((n + 1))
	rm -f "$tmp/disk"
	out=$(FAKE_DISK_NOTE=$tmp/disk FAKE_MODE=$mode GMV_BOCHS=${GMV_BOCHS:-$tmp/bochs} \
		scripts/run-bochs.sh "$@" 2>&1)
	rc=$?
	last=$(tail -n 1 <<<"$out")
	why=$(tail -n 2 <<<"$out" | head -n 1)
	if [ "$rc" != "$want" ]; then
		echo "# $name: exit status $rc, want $want; output:"
		sed 's/^/#   /' <<<"$out"
	elif ! [[ $last =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
		echo "# $name: last line '$last' is not a summary"
	elif [ -n "$reason" ] && [[ $why != *"$reason"* ]]; then
		echo "# $name: reason '$why', want one naming '$reason'"
	elif [ -f "$tmp/disk" ] && [ -e "$(dirname "$(cat "$tmp/disk")")" ]; then
		echo "# $name: the run directory is left: $(dirname "$(cat "$tmp/disk")")"
	else
		passed=$((passed + 1))
		echo "ok $n $name"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $name"
}

# report NAME MODE WANT-JSON: --json and --junit write the reports from
# the serial log: the JSON is WANT-JSON exactly, the XML is well-formed.
report() {
	local name=$1 mode=$2 want=$3 got
	n=$((n + 1))
	rm -f "$tmp/r.json" "$tmp/r.xml"
	FAKE_DISK_NOTE=$tmp/disk FAKE_MODE=$mode GMV_BOCHS=$tmp/bochs \
		scripts/run-bochs.sh --json "$tmp/r.json" --junit "$tmp/r.xml" >/dev/null 2>&1
	got=$(cat "$tmp/r.json" 2>&1)
	if [ "$got" != "$want" ]; then
		echo "# $name: JSON '$got', want '$want'"
	elif ! python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' \
		"$tmp/r.xml"; then
		echo "# $name: the JUnit file is not well-formed XML"
	else
		passed=$((passed + 1))
		echo "ok $n $name"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $name"
}

# optfile NAME WANT-STATUS WANT ARGS...: with ARGS, run-bochs.sh exits
# with the status and either puts the options line WANT in the disk
# image's options file (status 0) or refuses with the message WANT before
# starting Bochs (status 2).
optfile() {
	local name=$1 want=$2 line=$3 rc out got
	shift 3
	n=$((n + 1))
	rm -f "$tmp/opt"
	out=$(FAKE_DISK_NOTE=$tmp/disk FAKE_OPTFILE_NOTE=$tmp/opt FAKE_MODE=pass \
		GMV_BOCHS=$tmp/bochs scripts/run-bochs.sh "$@" 2>&1)
	rc=$?
	got=$(grep -v '^#' "$tmp/opt" 2>/dev/null)
	if [ "$rc" != "$want" ]; then
		echo "# $name: exit status $rc, want $want; output:"
		sed 's/^/#   /' <<<"$out"
	elif [ "$want" = 0 ] && [ "$got" != "$line" ]; then
		echo "# $name: options file '$got', want '$line'"
	elif [ "$want" != 0 ] && { [ -e "$tmp/opt" ] ||
		[ "$(head -n 1 <<<"$out")" != "$line" ]; }; then
		echo "# $name: output '$(head -n 1 <<<"$out")', want '$line'" \
			"and no Bochs started"
	else
		passed=$((passed + 1))
		echo "ok $n $name"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $name"
}

echo "KTAP version 1"
echo "1..20"
check "a passing run passes with its summary" 0 "" pass
check "a result line broken by stray bytes fails the run" 1 "the KTAP document is not whole: the summary line says 1 passed" garbled
check "a failing case fails the run" 1 "1 case(s) failed" casefail
check "failed cases fail a run reported PASS" 1 "yet the payload reported PASS" passfail
check "a payload panic is named" 1 "the payload panicked: PANIC: page pool" panic
check "a triple fault is named" 1 "triple fault" triple
check "a triple fault Bochs only logs ends the run" 1 "triple fault: Bochs shut the machine down" triple_runs_on
check "a hang is a timeout" 1 "timeout: no verdict after 2 s" hang --timeout 2
check "no end after the summary is a timeout" 1 "did not end" endless --timeout 2
check "Bochs's own error is shown" 1 "image locked" locked
check "a power-off without a verdict fails" 1 "without the payload's verdict" silent
check "an unknown CPU model is named" 1 "no such CPU model" pass --cpu pentium9
GMV_BOCHS=$tmp/none check "a missing Bochs is named" 1 "Bochs is missing" pass
optfile "--deadline reaches the options file" 0 \
	"end=shutdown machine=bochs filter=x.* deadline=600" --filter 'x.*' --deadline 600
optfile "--deadline 1000000 is the largest taken" 0 \
	"end=shutdown machine=bochs deadline=1000000" --deadline 1000000
for bad in 0 1000001 12s; do
	optfile "--deadline $bad is refused readably" 2 \
		"run-bochs.sh: --deadline $bad: want whole seconds, 1 to 1000000" \
		--deadline "$bad"
done
report "--json and --junit report the cases" whole \
	'{"passed": 1, "failed": 0, "skipped": 1, "cases": [{"path": "boot.uefi", "result": "pass"}, {"path": "boot.acpi", "result": "skip", "reason": "no ACPI"}]}'
report "the reports of a panicked run say it failed" panic \
	'{"passed": 0, "failed": 1, "skipped": 0, "cases": [{"path": "(run)", "result": "fail", "reason": "the KTAP document ends early: no summary line (truncated run?); the payload panicked: PANIC: page pool corrupt"}]}'
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
