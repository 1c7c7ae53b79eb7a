#!/usr/bin/env bash
# Tests of scripts/bench-check.py (`make bench-check`) on hand-made result
# files: a planted regression of a time ratio and of an instruction count
# is flagged, a move inside the tolerance is not, a fall beyond it is
# "better", keys only one side has are listed, the tolerances can be
# changed, and files it cannot read get their message and status 2.
# Prints "ok N name" / "not ok N name" and ends with
# "N passed, N failed, N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0
check_py=scripts/bench-check.py

# check NAME WANT-STATUS WANT-PATTERN... -- ARGS: runs bench-check with
# ARGS; each WANT-PATTERN is a grep -E pattern a line of its output must
# match, or !PATTERN one no line may match.
check() {
	local name=$1 want=$2 rc ok=1 p
	shift 2
	local pats=()
	while [ "$1" != -- ]; do pats+=("$1"); shift; done
	shift
	n=$((n + 1))
	"$check_py" "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "# $name: exit status $rc, want $want"
		ok=0
	fi
	for p in "${pats[@]}"; do
		if [[ $p == !* ]]; then
			grep -qE -- "${p#!}" "$tmp/out" && { echo "# $name: output has '${p#!}'"; ok=0; }
		else
			grep -qE -- "$p" "$tmp/out" || { echo "# $name: no line matches '$p'"; ok=0; }
		fi
	done
	if [ "$ok" = 1 ]; then
		echo "ok $n $name"
		passed=$((passed + 1))
	else
		sed 's/^/#   /' "$tmp/out"
		echo "not ok $n $name"
		failed=$((failed + 1))
	fi
}

cat >"$tmp/base.csv" <<'CSV'
# where: a booted kernel under TCG
key,value,kind
ops:punch:native/linux,2.0,time ratio
ops:fallocate:native/linux,0.5,time ratio
ops:convert:native/memset,0.1,time ratio
ops:punch:instructions,1000,instructions
ops:create:instructions,500,instructions
growth:slots:native,1.0,time ratio
CSV
cat >"$tmp/run.csv" <<'CSV'
key,value,kind
ops:punch:native/linux,4.5,time ratio
ops:fallocate:native/linux,0.9,time ratio
ops:convert:native/memset,0.04,time ratio
ops:punch:instructions,1030,instructions
ops:create:instructions,505,instructions
guest:native:exit/vmrun,1.5,time ratio
CSV

check "a planted time-ratio regression is flagged" 0 \
	'^  REGRESSION  ops:punch:native/linux: baseline 2, now 4.5 \(\+125%, time ratio\)$' \
	'!REGRESSION  ops:fallocate' -- "$tmp/run.csv" "$tmp/base.csv"
check "a planted instruction-count regression is flagged" 0 \
	'^  REGRESSION  ops:punch:instructions: baseline 1000, now 1030 \(\+3%, instructions\)$' \
	'!REGRESSION  ops:create' -- "$tmp/run.csv" "$tmp/base.csv"
check "a fall beyond the tolerance is better, missing and new keys listed" 0 \
	'^  better      ops:convert:native/memset: baseline 0.1, now 0.04 \(-60%' \
	'^  MISSING     growth:slots:native' '^  new         guest:native:exit/vmrun' \
	'^bench-check: 5 compared, 2 regressions, 1 better, 1 missing, 1 new$' \
	'^  baseline # where: a booted kernel under TCG$' -- "$tmp/run.csv" "$tmp/base.csv"
check "the tolerances can be widened" 0 '!REGRESSION' '!^  better' \
	'^bench-check: 5 compared, 0 regressions, 0 better' -- \
	--time-tolerance 1.6 --count-tolerance 0.05 "$tmp/run.csv" "$tmp/base.csv"
check "and narrowed: +80% is flagged at 0.3, not at the default" 0 \
	'^  REGRESSION  ops:fallocate:native/linux: baseline 0.5, now 0.9' -- \
	--time-tolerance 0.3 "$tmp/run.csv" "$tmp/base.csv"
check "a missing results file: status 2" 2 \
	"bench-check: cannot read $tmp/none.csv" -- "$tmp/none.csv" "$tmp/base.csv"
printf 'key,value,kind\nx,abc,time ratio\n' >"$tmp/bad.csv"
check "a value that is not a number: status 2" 2 \
	'bad.csv:2: value "abc" is not a number' -- "$tmp/bad.csv" "$tmp/base.csv"
printf 'key,value,kind\nx,1,speed\n' >"$tmp/bad.csv"
check "an unknown kind: status 2" 2 'kind "speed" is not one of' -- \
	"$tmp/bad.csv" "$tmp/base.csv"
printf 'k,v\n' >"$tmp/bad.csv"
check "a wrong header: status 2" 2 'must be "key,value,kind"' -- \
	"$tmp/run.csv" "$tmp/bad.csv"
printf 'key,value,kind\nx,1,time ratio\nx,2,time ratio\n' >"$tmp/bad.csv"
check "a key twice: status 2" 2 'bad.csv:3: key "x" appears twice' -- \
	"$tmp/bad.csv" "$tmp/base.csv"
check "a bad tolerance: status 2" 2 'takes a fraction above 0' -- \
	--time-tolerance 0 "$tmp/run.csv" "$tmp/base.csv"

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
