#!/usr/bin/env bash
# Tests of scripts/ktap-report.py: hand-made KTAP documents (passing,
# failing with diagnostics, skipping with a reason, nested suites,
# truncated, garbage, a summary that disagrees, characters XML cannot hold)
# and runner commands (passing, killed) give exactly the JUnit XML and
# JSON written here, XML that python3's parser reads, and the exit
# status and message documented in the script. Prints "ok N name" / "not
# ok N name" and ends with "N passed, N failed, N skipped".
# Usage: ktap-report-test.sh HOST-RUNNER (build/host/unit-tests).
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
runner=${1:?usage: ktap-report-test.sh HOST-RUNNER}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0
report=scripts/ktap-report.py


# check NAME WANT-STATUS WANT-STDERR WANT-JSON [ARGS...]: runs the report
# on ARGS (the KTAP in $tmp/in when none) with $tmp/want.xml the expected
# XML ("" in WANT-STDERR: no message; otherwise a fixed string the message
# holds). WANT-JSON is the JSON on one line.
check() {
	local name=$1 want=$2 msg=$3 json=$4 rc err
	shift 4
	[ $# -gt 0 ] || set -- "$tmp/in"
	n=$((n + 1))
	rm -f "$tmp/out.xml" "$tmp/out.json"
	"$report" --junit "$tmp/out.xml" --json "$tmp/out.json" "$@" \
		>"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	err=$(cat "$tmp/stderr")
	if [ "$rc" != "$want" ]; then
		echo "# $name: exit status $rc, want $want; stderr: $err"
	elif [ -z "$msg" ] && [ -n "$err" ]; then
		echo "# $name: unexpected message: $err"
	elif [ -n "$msg" ] && [[ $err != *"$msg"* ]]; then
		echo "# $name: message '$err', want one holding '$msg'"
	elif ! cp "$tmp/out.xml" "$tmp/$n.xml"; then
		echo "# $name: no JUnit XML written"
	elif ! cmp -s "$tmp/want.xml" "$tmp/out.xml"; then
		echo "# $name: JUnit XML differs (want, got):"
		diff "$tmp/want.xml" "$tmp/out.xml" | sed 's/^/#   /'
	elif [ "$(cat "$tmp/out.json")" != "$json" ]; then
		echo "# $name: JSON differs:"
		echo "#   want $json"
		echo "#   got  $(cat "$tmp/out.json")"
	else
		passed=$((passed + 1))
		echo "ok $n $name"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $name"
}

# bad NAME WANT-MESSAGE ARGS...: a bad command line or output file gives
# status 2 and the message.
bad() {
	local name=$1 msg=$2 rc err
	shift 2
	n=$((n + 1))
	err=$("$report" "$@" </dev/null 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 2 ] && [[ $err == *"$msg"* ]]; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "# $name: exit status $rc, message: $err"
		echo "not ok $n $name"
	fi
}

header='<?xml version="1.0" encoding="UTF-8"?>'

echo "KTAP version 1"
echo "1..19"

cat >"$tmp/in" <<'EOF'
BdsDxe: starting Boot0001
KTAP version 1
1..1
    KTAP version 1
    # Subtest: lib
    1..2
    ok 1 fmt
    ok 2 glob
ok 1 lib
2 passed, 0 failed, 0 skipped
gmemvisor: run passed
EOF
cp "$tmp/in" "$tmp/pass.ktap"
cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="2" failures="0" errors="0" skipped="0">
  <testsuite name="lib" tests="2" failures="0" errors="0" skipped="0">
    <testcase name="fmt" classname="lib"/>
    <testcase name="glob" classname="lib"/>
  </testsuite>
</testsuites>
EOF
pass_json='{"passed": 2, "failed": 0, "skipped": 0, "cases": [{"path": "lib.fmt", "result": "pass"}, {"path": "lib.glob", "result": "pass"}]}'
check "passing cases" 0 "" "$pass_json"
check "KTAP on standard input" 0 "" "$pass_json" - <"$tmp/in"
check "a runner's output" 0 "" "$pass_json" -- cat "$tmp/pass.ktap"
n=$((n + 1))
if cmp -s "$tmp/stdout" "$tmp/pass.ktap"; then
	passed=$((passed + 1)) && echo "ok $n the runner's output passes through"
else
	failed=$((failed + 1)) && echo "not ok $n the runner's output passes through"
fi

cat >"$tmp/in" <<'EOF'
KTAP version 1
1..1
    KTAP version 1
    # Subtest: gmem
    1..3
    # punch: gmem_test.c:12: expected a == b, got 0x1 vs 0x2
    # detail <&"'>
    not ok 1 punch
    ok 2 bind
    not ok 3 convert # made no checks
not ok 1 gmem
1 passed, 2 failed, 0 skipped
EOF
cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="3" failures="2" errors="0" skipped="0">
  <testsuite name="gmem" tests="3" failures="2" errors="0" skipped="0">
    <testcase name="punch" classname="gmem">
      <failure message="punch: gmem_test.c:12: expected a == b, got 0x1 vs 0x2">punch: gmem_test.c:12: expected a == b, got 0x1 vs 0x2
detail &lt;&amp;"'&gt;</failure>
    </testcase>
    <testcase name="bind" classname="gmem"/>
    <testcase name="convert" classname="gmem">
      <failure message="made no checks"></failure>
    </testcase>
  </testsuite>
</testsuites>
EOF
fail_json='{"passed": 1, "failed": 2, "skipped": 0, "cases": [{"path": "gmem.punch", "result": "fail", "diagnostics": ["punch: gmem_test.c:12: expected a == b, got 0x1 vs 0x2", "detail <&\"'"'"'>"]}, {"path": "gmem.bind", "result": "pass"}, {"path": "gmem.convert", "result": "fail", "reason": "made no checks"}]}'
check "failures keep their diagnostics and notes" 0 "" "$fail_json"
check "a failed case makes --run-failed redundant" 0 "" "$fail_json" \
	--run-failed "1 case(s) failed" "$tmp/in"

cat >"$tmp/in" <<'EOF'
KTAP version 1
1..1
    KTAP version 1
    # Subtest: snp
    1..2
    ok 1 rmp_walk # SKIP no SEV-SNP on this CPU
    ok 2 psc
ok 1 snp
1 passed, 0 failed, 1 skipped
EOF
cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="2" failures="0" errors="0" skipped="1">
  <testsuite name="snp" tests="2" failures="0" errors="0" skipped="1">
    <testcase name="rmp_walk" classname="snp">
      <skipped message="no SEV-SNP on this CPU"/>
    </testcase>
    <testcase name="psc" classname="snp"/>
  </testsuite>
</testsuites>
EOF
check "a skip keeps its reason" 0 "" '{"passed": 1, "failed": 0, "skipped": 1, "cases": [{"path": "snp.rmp_walk", "result": "skip", "reason": "no SEV-SNP on this CPU"}, {"path": "snp.psc", "result": "pass"}]}'

cat >"$tmp/in" <<'EOF'
KTAP version 1
1..2
    KTAP version 1
    # Subtest: conf
    1..2
    # backend: native
    ok 1 create
        KTAP version 1
        # Subtest: convert
        1..2
        ok 1 shared
        # private: conv.c:9: expected 0, got -22
        not ok 2 private
    not ok 2 convert
not ok 1 conf
    KTAP version 1
    # Subtest: boot
    1..1
    ok 1 uefi
ok 2 boot
3 passed, 1 failed, 0 skipped
EOF
cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="4" failures="1" errors="0" skipped="0">
  <testsuite name="conf" tests="1" failures="0" errors="0" skipped="0">
    <testcase name="create" classname="conf"/>
  </testsuite>
  <testsuite name="conf.convert" tests="2" failures="1" errors="0" skipped="0">
    <testcase name="shared" classname="conf.convert"/>
    <testcase name="private" classname="conf.convert">
      <failure message="private: conv.c:9: expected 0, got -22">private: conv.c:9: expected 0, got -22</failure>
    </testcase>
  </testsuite>
  <testsuite name="boot" tests="1" failures="0" errors="0" skipped="0">
    <testcase name="uefi" classname="boot"/>
  </testsuite>
</testsuites>
EOF
check "nested suites flatten to dotted names" 0 "" '{"passed": 3, "failed": 1, "skipped": 0, "cases": [{"path": "conf.create", "result": "pass"}, {"path": "conf.convert.shared", "result": "pass"}, {"path": "conf.convert.private", "result": "fail", "diagnostics": ["private: conv.c:9: expected 0, got -22"]}, {"path": "boot.uefi", "result": "pass"}]}'

# A run cut short: the cases seen so far, and the run itself failed.
cat >"$tmp/in" <<'EOF'
KTAP version 1
1..2
    KTAP version 1
    # Subtest: boot
    1..3
    ok 1 uefi
    # acpi: boot.c:40: expected 1, got 0
    not ok 2 acpi
    ok 3 sm
EOF
cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="4" failures="2" errors="0" skipped="0">
  <testsuite name="boot" tests="3" failures="1" errors="0" skipped="0">
    <testcase name="uefi" classname="boot"/>
    <testcase name="acpi" classname="boot">
      <failure message="acpi: boot.c:40: expected 1, got 0">acpi: boot.c:40: expected 1, got 0</failure>
    </testcase>
    <testcase name="sm" classname="boot"/>
  </testsuite>
  <testsuite name="(run)" tests="1" failures="1" errors="0" skipped="0">
    <testcase name="(run)" classname="(run)">
      <failure message="the KTAP document ends early inside suite boot: no summary line (truncated run?)"></failure>
    </testcase>
  </testsuite>
</testsuites>
EOF
check "a truncated document fails the run" 1 "ends early inside suite boot" '{"passed": 2, "failed": 2, "skipped": 0, "cases": [{"path": "boot.uefi", "result": "pass"}, {"path": "boot.acpi", "result": "fail", "diagnostics": ["acpi: boot.c:40: expected 1, got 0"]}, {"path": "boot.sm", "result": "pass"}, {"path": "(run)", "result": "fail", "reason": "the KTAP document ends early inside suite boot: no summary line (truncated run?)"}]}'

run_fail() {
	cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="$1" failures="1" errors="0" skipped="0">
$2  <testsuite name="(run)" tests="1" failures="1" errors="0" skipped="0">
    <testcase name="(run)" classname="(run)">
      <failure message=$3></failure>
    </testcase>
  </testsuite>
</testsuites>
EOF
}
# Not KTAP at all: bytes that are not UTF-8, escapes, a stray result line
# before any header.
printf 'BdsDxe: \x1b[0m\x01 \xff\xfe\nok 1 stray\n' >"$tmp/in"
run_fail 1 "" '"no KTAP document (no &quot;KTAP version 1&quot; line)"' 
check "garbage fails the run" 1 "no KTAP document" '{"passed": 0, "failed": 1, "skipped": 0, "cases": [{"path": "(run)", "result": "fail", "reason": "no KTAP document (no \"KTAP version 1\" line)"}]}'

head -n 8 "$tmp/pass.ktap" >"$tmp/in"
echo "3 passed, 0 failed, 0 skipped" >>"$tmp/in"
lib='  <testsuite name="lib" tests="1" failures="0" errors="0" skipped="0">
    <testcase name="fmt" classname="lib"/>
  </testsuite>
'
lib2='  <testsuite name="lib" tests="2" failures="0" errors="0" skipped="0">
    <testcase name="fmt" classname="lib"/>
    <testcase name="glob" classname="lib"/>
  </testsuite>
'
sed -i '/ok 2 glob/d' "$tmp/in"
run_fail 2 "$lib" '"the summary line says 3 passed, 0 failed, 0 skipped; the cases say 1, 0, 0"'
check "a summary that disagrees fails the run" 1 "the summary line says 3 passed" '{"passed": 1, "failed": 1, "skipped": 0, "cases": [{"path": "lib.fmt", "result": "pass"}, {"path": "(run)", "result": "fail", "reason": "the summary line says 3 passed, 0 failed, 0 skipped; the cases say 1, 0, 0"}]}'

run_fail 3 "$lib2" '"timeout: no verdict after 300 s"'
check "--run-failed fails a run with no failed case" 1 "" '{"passed": 2, "failed": 1, "skipped": 0, "cases": [{"path": "lib.fmt", "result": "pass"}, {"path": "lib.glob", "result": "pass"}, {"path": "(run)", "result": "fail", "reason": "timeout: no verdict after 300 s"}]}' \
	--run-failed "timeout: no verdict after 300 s" "$tmp/pass.ktap"

# A runner killed before its summary: its status, and both reasons.
head -n 8 "$tmp/pass.ktap" >"$tmp/cut.ktap"
run_fail 3 "$lib2" '"the KTAP document ends early inside suite lib: no summary line (truncated run?); sh killed by signal 11"'
check "a killed runner fails the run" 139 "sh killed by signal 11" '{"passed": 2, "failed": 1, "skipped": 0, "cases": [{"path": "lib.fmt", "result": "pass"}, {"path": "lib.glob", "result": "pass"}, {"path": "(run)", "result": "fail", "reason": "the KTAP document ends early inside suite lib: no summary line (truncated run?); sh killed by signal 11"}]}' \
	-- sh -c 'cat "$1"; kill -SEGV $$' sh "$tmp/cut.ktap"

# Characters XML 1.0 cannot hold become U+FFFD there; JSON keeps them.
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: hv\n    1..1\n    # map: a\001b \377 end\n    not ok 1 map\nnot ok 1 hv\n0 passed, 1 failed, 0 skipped\n' >"$tmp/in"
cat >"$tmp/want.xml" <<EOF
$header
<testsuites name="gmemvisor" tests="1" failures="1" errors="0" skipped="0">
  <testsuite name="hv" tests="1" failures="1" errors="0" skipped="0">
    <testcase name="map" classname="hv">
      <failure message="map: a$(printf '\357\277\275')b $(printf '\357\277\275') end">map: a$(printf '\357\277\275')b $(printf '\357\277\275') end</failure>
    </testcase>
  </testsuite>
</testsuites>
EOF
check "control characters stay out of the XML" 0 "" '{"passed": 0, "failed": 1, "skipped": 0, "cases": [{"path": "hv.map", "result": "fail", "diagnostics": ["map: a\u0001b \ufffd end"]}]}'

# A host runner's own --junit and --json (plat/host/kt_main.c runs it
# under the converter): the reports' counts are its summary line's, and a
# run that selects nothing fails in them too.
runner_check() {
	local name=$1 want_rc=$2 want=$3 rc out sum counts
	shift 3
	n=$((n + 1))
	rm -f "$tmp/r.xml" "$tmp/r.json"
	out=$("$runner" "$@" --junit "$tmp/r.xml" --json "$tmp/r.json" 2>&1)
	rc=$?
	sum=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$out" | tail -n 1)
	counts=$(python3 -c '
import json, sys, xml.dom.minidom
r = xml.dom.minidom.parse(sys.argv[1]).documentElement
d = json.load(open(sys.argv[2]))
t = int(r.getAttribute("tests"))
f, s = int(r.getAttribute("failures")), int(r.getAttribute("skipped"))
print("%d passed, %d failed, %d skipped / %d passed, %d failed, %d skipped"
      % (t - f - s, f, s, d["passed"], d["failed"], d["skipped"]))' \
		"$tmp/r.xml" "$tmp/r.json" 2>&1)
	if [ "$rc" = "$want_rc" ] && [ "$counts" = "$want / $want" ] &&
		{ [ "$want_rc" != 0 ] || [ "$sum" = "$want" ]; }; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "# $name: exit status $rc (want $want_rc), summary '$sum'," \
			"reports '$counts', want '$want'"
		echo "not ok $n $name"
	fi
}
runner_check "a host runner's --junit and --json" 0 \
	"$("$runner" --filter 'lib.*' | tail -n 1)" --filter 'lib.*'
runner_check "a host runner selecting nothing fails in the reports" 1 \
	"0 passed, 1 failed, 0 skipped" --filter 'no.such.case'

# Every JUnit file written above, through python3's XML parser (one
# python3 for all: each start costs a good part of a second here).
n=$((n + 1))
if err=$(python3 -c '
import sys, xml.dom.minidom
for f in sys.argv[1:]:
    try:
        xml.dom.minidom.parse(f)
    except Exception as e:
        sys.exit(f"{f}: {e}")' "$tmp"/[0-9]*.xml 2>&1); then
	passed=$((passed + 1)) && echo "ok $n every JUnit file is well-formed XML"
else
	failed=$((failed + 1)) && echo "# $err" && echo "not ok $n every JUnit file is well-formed XML"
fi
bad "no report asked for" "give --junit FILE, --json FILE or both" "$tmp/pass.ktap"
bad "an unwritable report" "cannot write $tmp/no/dir.xml" \
	--junit "$tmp/no/dir.xml" "$tmp/pass.ktap"
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
