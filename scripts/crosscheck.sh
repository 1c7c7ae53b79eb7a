#!/usr/bin/env bash
# Cross-check gmemvisor's guest_memfd against Linux's on this host.
#
#  1. The conformance suite on the native backend and on the linux backend
#     (build/host/conformance-linux --backend ...), case by case.
#  1b. The guest-level cases on gmemvisor's SVM hypervisor (the payload's
#     guest suite under QEMU) and on Linux's KVM (build/host/guests-linux),
#     case by case, compared the same way.
#  2. Every traces/*.trace under `gmem-replay --diff` (unexplained
#     divergences and stale allow-list entries fail), and its linux output
#     against traces/*.expected.
#  2b. Every traces/rmp/*.trace (the RMP ops: native only): its native
#     output must equal traces/rmp/*.native (reasoned from the AMD spec),
#     and on linux every op must give "<op> err ENOTTY" (no RMP uAPI).
#  2c. Every traces/tdx/*.trace (the TDX module ops: native only) the same
#     way against traces/tdx/*.native (reasoned from Intel's TDX Module
#     ABI spec); on linux "<op> err ENOTTY" (no SEAMCALL uAPI).
#  3. Every traces/malformed/*.trace must be refused (exit 2, nothing run)
#     naming the line given in its first-line "# expect:" comment.
#  4. The linux backend's own self-tests (build/host/linux-backend-tests).
#
# Prints a table (behaviours checked, agreeing, diverging: intentional with
# reason / unexplained) and ends with "N passed, N failed, N skipped".
# A case has the same path on both backends (conformance.CASE,
# guest.GROUP.CASE); each suite names its backend on a "# backend:" line.
# A conformance or guest case passes when it passes on both backends, is skipped
# when one backend skips it (the reason is listed), and fails otherwise.
# The cases expected are those either runner lists with --list or reports;
# one that a backend does not report (a runner crashed, or lost it) fails.
# A runner that exits non-zero or is killed is one more failure.
# A trace passes when it has no unexplained divergence, no stale allow-list
# entry and its linux output equals the .expected file. Exit status 1 if
# anything failed.
#
# For tests of this script (scripts/tests/crosscheck-test.sh), these
# variables replace what it runs; nothing is built for a replaced runner:
#   CROSSCHECK_KVM     the device that must be readable and writable
#                      (/dev/kvm)
#   CROSSCHECK_CONF, CROSSCHECK_GUESTS, CROSSCHECK_SELF, CROSSCHECK_REPLAY
#                      the runners ($B/host/conformance-linux, guests-linux,
#                      linux-backend-tests, gmem-replay)
#   CROSSCHECK_QEMU    the payload runner (scripts/run-qemu.sh)
#   CROSSCHECK_TRACES  the directory of traces (traces)
#
# CROSSCHECK_LINUX_DIR=DIR takes the linux side from files instead of
# running it here: the output of the same runners run elsewhere, e.g.
# inside a Linux kernel booted under QEMU (scripts/crosscheck-kernel.sh).
# /dev/kvm is then not needed. DIR holds:
#   label                  one line naming that kernel, for the table
#   conformance.ktap       conformance-linux --backend linux (the KTAP of
#                          several runs may follow each other)
#   guests.ktap, self.ktap guests-linux, linux-backend-tests
#   conformance.rc, guests.rc, self.rc
#                          one line per run, "STATUS [WHAT]": a status
#                          other than 0 is a failure named with WHAT; a
#                          missing file means the runs never finished
#   traces/NAME.out, NAME.rc  gmem-replay --backend linux NAME.trace and
#                          its status
#   excluded               optional, "PATH<tab>REASON": cases deliberately
#                          not run there, reported as skips with REASON
# The cases expected are still those the runners here list. Each trace's
# divergences are judged against the allow-list CROSSCHECK_LINUX_ALLOW
# (default TRACES/intentional-divergences.booted: the booted kernel
# differs from the reference host whose results traces/*.expected hold, so
# it has its own entries, stale ones failing as well), and the .expected
# files are not compared.
#   CROSSCHECK_KEEP=DIR    keep the flattened case lists (conf-native,
#                          conf-linux, guest-native, guest-linux) and each
#                          trace's linux results (NAME.linux) there, for
#                          scripts/crosscheck-table.py
set -uo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
KVM=${CROSSCHECK_KVM:-/dev/kvm}
LDIR=${CROSSCHECK_LINUX_DIR:-}
KEEP=${CROSSCHECK_KEEP:-}
if [ -z "$LDIR" ] && { [ ! -r "$KVM" ] || [ ! -w "$KVM" ]; }; then
	echo "crosscheck: SKIP: no usable $KVM, nothing to compare with"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
B=${B:-build}
REPLAY=${CROSSCHECK_REPLAY:-$B/host/gmem-replay}
CONF=${CROSSCHECK_CONF:-$B/host/conformance-linux}
SELF=${CROSSCHECK_SELF:-$B/host/linux-backend-tests}
GUESTS=${CROSSCHECK_GUESTS:-$B/host/guests-linux}
QEMU=${CROSSCHECK_QEMU:-scripts/run-qemu.sh}
TRACES=${CROSSCHECK_TRACES:-traces}
ALLOW=${CROSSCHECK_LINUX_ALLOW:-$TRACES/intentional-divergences.booted}
if [ -n "$LDIR" ] && [ ! -d "$LDIR" ]; then
	echo "crosscheck: CROSSCHECK_LINUX_DIR=$LDIR is not a folder"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
targets=()
[ -z "${CROSSCHECK_REPLAY:-}" ] && targets+=("$REPLAY")
[ -z "${CROSSCHECK_CONF:-}" ] && targets+=("$CONF")
[ -z "${CROSSCHECK_SELF:-}" ] && targets+=("$SELF")
[ -z "${CROSSCHECK_GUESTS:-}" ] && targets+=("$GUESTS")
if [ "${#targets[@]}" -gt 0 ]; then
	make -s "${targets[@]}" >/dev/null || exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
notes=$tmp/notes		# intentional divergences, with reasons
problems=$tmp/problems	# unexplained divergences and failures

# How a runner ended, for a problem line: "exit status N" or "killed by
# signal NAME" (bash reports a signal as 128 + its number).
ended() {
	if [ "$1" -gt 128 ] && kill -l $(($1 - 128)) >/dev/null 2>&1; then
		echo "killed by signal SIG$(kill -l $(($1 - 128)))"
	else
		echo "exit status $1"
	fi
}

# run_step NAME OUT CMD...: run CMD, its stdout and stderr to file OUT. A
# status other than 0 (a crash, a failed or aborted run) is one failure,
# named with NAME.
run_step() {
	local name=$1 out=$2 rc
	shift 2
	"$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "  $name: $(ended "$rc")" >>"$problems"
		failed=$((failed + 1))
	fi
}

# linux_step NAME KIND OUT CMD...: the linux side of a runner. Here: as
# run_step. With CROSSCHECK_LINUX_DIR: its KTAP is LDIR/KIND.ktap, each
# non-zero status of LDIR/KIND.rc is one failure, and so is a missing file.
linux_step() {
	local name=$1 kind=$2 out=$3 rc what
	shift 3
	if [ -z "$LDIR" ]; then
		run_step "$name" "$out" "$@"
		return
	fi
	if [ ! -f "$LDIR/$kind.ktap" ] || [ ! -f "$LDIR/$kind.rc" ]; then
		echo "  $name: never finished on the booted kernel" \
			"(no $LDIR/$kind.ktap or .rc)" >>"$problems"
		failed=$((failed + 1))
	fi
	cat "$LDIR/$kind.ktap" >"$out" 2>/dev/null
	while read -r rc what; do
		[ "$rc" = 0 ] && continue
		[[ $rc =~ ^[0-9]+$ ]] && rc=$(ended "$rc")
		echo "  $name${what:+ ($what)}: $rc" >>"$problems"
		failed=$((failed + 1))
	done < <(cat "$LDIR/$kind.rc" 2>/dev/null)
}

# excluded PREFIX CASES: with CROSSCHECK_LINUX_DIR, each case of
# LDIR/excluded whose path starts with PREFIX joins case list CASES as a
# skip with its reason.
excluded() {
	[ -n "$LDIR" ] && [ -f "$LDIR/excluded" ] || return 0
	awk -F '\t' -v p="$1" 'index($1, p) == 1 && NF >= 2 {
		printf "%s\tskip\tnot run there: %s\n", $1, $2 }' \
		"$LDIR/excluded" >>"$2"
}

# list_cases NAME GLOB OUT CMD...: the case paths CMD --list prints, sorted,
# into OUT. Its other lines (firmware, QEMU, "#" lines) are left out: a
# path is a word of letters, digits, "_", "-" and "." that matches GLOB.
# A failed run or an empty list is one failure.
list_cases() {
	local name=$1 glob=$2 out=$3 line rc
	shift 3
	"$@" --list >"$out.raw" 2>&1
	rc=$?
	: >"$out"
	while IFS= read -r line; do
		# shellcheck disable=SC2053 # GLOB is a pattern
		[[ $line =~ ^[A-Za-z0-9_.-]+$ && $line == $glob ]] &&
			printf '%s\n' "$line" >>"$out"
	done < <(cat "$out.raw" && echo)
	sort -u -o "$out" "$out"
	if [ "$rc" -ne 0 ] || [ ! -s "$out" ]; then
		echo "  $name --list: $(ended "$rc"), $(wc -l <"$out") case(s)" \
			>>"$problems"
		failed=$((failed + 1))
	fi
}

# Flatten KTAP file $1 into sorted case list $2 (ktap-cases.py); the run
# must say it was on backend $3, else that counts as one failure.
cases_of() {
	if ! scripts/ktap-cases.py --backend "$3" <"$1" 2>"$tmp/be.err" |
		sort >"$2"; then
		echo "  $(basename "$1"): $(cat "$tmp/be.err")" >>"$problems"
		failed=$((failed + 1))
	fi
}

# expect_cases CASES FILES...: case list CASES (ktap-cases.py) gets a line
# "PATH<tab>missing<tab>never reported" at its end for each path that FILES
# (case lists or lists of paths) name and it does not.
expect_cases() {
	local cases=$1
	shift
	cut -f1 "$cases" | sort -u >"$tmp/seen"
	cut -f1 "$@" | sort -u | join -v1 - "$tmp/seen" |
		sed 's/$/\tmissing\tnever reported/' >>"$cases"
}

# ------------------------------------------------------ conformance suite
for be in native linux; do
	list_cases "conformance-linux --backend $be" '*' \
		"$tmp/conf-$be.list" "$CONF" --backend "$be"
	if [ "$be" = linux ]; then
		linux_step "conformance-linux --backend $be" conformance \
			"$tmp/conf-$be.ktap" "$CONF" --backend "$be"
	else
		run_step "conformance-linux --backend $be" "$tmp/conf-$be.ktap" \
			"$CONF" --backend "$be"
	fi
	cases_of "$tmp/conf-$be.ktap" "$tmp/conf-$be" "$be"
done
excluded conformance. "$tmp/conf-linux"
for be in native linux; do
	expect_cases "$tmp/conf-$be" "$tmp"/conf-*.list "$tmp/conf-native" \
		"$tmp/conf-linux"
done
# Compare two flattened case lists (ktap-cases.py, sorted) case by case:
# LABEL NATIVE LINUX. Sets k_total k_agree k_intent k_unexpl.
compare_cases() {
	local label=$1 path nv nr lv lr
	k_total=0 k_agree=0 k_intent=0 k_unexpl=0
	while IFS=$'\t' read -r path nv nr lv lr; do
		k_total=$((k_total + 1))
		if [ "$nv" = pass ] && [ "$lv" = pass ]; then
			k_agree=$((k_agree + 1))
			passed=$((passed + 1))
		elif [ "$nv" = fail ] || [ "$lv" = fail ] ||
			[ "$nv" = missing ] || [ "$lv" = missing ]; then
			k_unexpl=$((k_unexpl + 1))
			failed=$((failed + 1))
			echo "  $label $path: native $nv, linux $lv" >>"$problems"
			[ "$nv" = missing ] && [ "$nr" = "never reported" ] &&
				echo "    native never reported the case" \
					>>"$problems"
			[ "$lv" = missing ] && [ "$lr" = "never reported" ] &&
				echo "    linux never reported the case" \
					>>"$problems"
		elif [ "$nv" = skip ] && [ "$lv" = skip ]; then
			k_agree=$((k_agree + 1))
			skipped=$((skipped + 1))
			echo "  $label $path: skipped on both: $lr" >>"$notes"
		else
			k_intent=$((k_intent + 1))
			skipped=$((skipped + 1))
			if [ "$lv" = skip ]; then
				echo "  $label $path: linux skips: $lr" >>"$notes"
			else
				echo "  $label $path: native skips: $nr" >>"$notes"
			fi
		fi
	done < <(join -t $'\t' -a1 -a2 -e missing -o 0,1.2,1.3,2.2,2.3 \
		<(sort "$2") <(sort "$3"))
	if [ "$k_total" -eq 0 ]; then
		echo "  $label: no case ran" >>"$problems"
		failed=$((failed + 1))
	fi
}
compare_cases conformance "$tmp/conf-native" "$tmp/conf-linux"
c_total=$k_total c_agree=$k_agree c_intent=$k_intent c_unexpl=$k_unexpl

# ------------------------------------------------------------ guest cases
# The same guest programs on gmemvisor's SVM hypervisor (the payload under
# QEMU) and on Linux's KVM (guests-linux).
list_cases guests-linux '*' "$tmp/guest-linux.list" "$GUESTS"
linux_step guests-linux guests "$tmp/guest-linux.ktap" "$GUESTS"
cases_of "$tmp/guest-linux.ktap" "$tmp/guest-linux" linux
excluded guest. "$tmp/guest-linux"
list_cases "run-qemu.sh --filter 'guest.*'" 'guest.*' \
	"$tmp/guest-native.list" "$QEMU" --filter 'guest.*'
run_step "run-qemu.sh --filter 'guest.*'" "$tmp/guest-native.ktap" \
	"$QEMU" --filter 'guest.*'
cases_of "$tmp/guest-native.ktap" "$tmp/guest-native" native
for be in native linux; do
	expect_cases "$tmp/guest-$be" "$tmp"/guest-*.list \
		"$tmp/guest-native" "$tmp/guest-linux"
done
compare_cases guest "$tmp/guest-native" "$tmp/guest-linux"
g_total=$k_total g_agree=$k_agree g_intent=$k_intent g_unexpl=$k_unexpl

# ---------------------------------------------------------------- traces
t_total=0 o_total=0 o_agree=0 o_intent=0 o_unexpl=0 e_bad=0
for trace in "$TRACES"/*.trace; do
	name=$(basename "$trace")
	t_total=$((t_total + 1))
	ok=1
	if [ -n "$LDIR" ] &&
		[[ $(head -n 1 "$LDIR/traces/${name%.trace}.out" 2>/dev/null) == "# skip: "* ]]
	then
		# The booted kernel could not run it (gmem-replay's plain run
		# on a kernel without guest_memfd for default VMs).
		echo "  $name: skipped on the booted kernel: $(head -n 1 \
			"$LDIR/traces/${name%.trace}.out" | cut -c9-)" >>"$notes"
		[ -n "$KEEP" ] && cp "$LDIR/traces/${name%.trace}.out" \
			"$KEEP/${name%.trace}.linux"
		skipped=$((skipped + 1))
		continue
	fi
	if [ -n "$LDIR" ]; then
		lout=$LDIR/traces/${name%.trace}.out
		"$REPLAY" --diff --allow "$ALLOW" --linux-output "$lout" \
			"$trace" >"$tmp/diff" 2>"$tmp/diff.err"
	else
		"$REPLAY" --diff "$trace" >"$tmp/diff" 2>"$tmp/diff.err"
	fi
	status=$?
	# "diff NAME: N ops, N agree, N intentional, N unexplained, N stale"
	summary=$(grep "^diff $name: " "$tmp/diff")
	counts=()
	[ -n "$summary" ] &&
		read -ra counts < <(echo "${summary#*: }" | tr -cs '0-9' ' ')
	if [ "${#counts[@]}" -ne 5 ] ||
		{ [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; }; then
		echo "  $name: gmem-replay --diff: $(ended "$status")," \
			"summary '$summary':" \
			"$(head -n 3 "$tmp/diff.err")" >>"$problems"
		ok=0
	else
		read -r ops agree intent unexpl stale <<<"${counts[*]}"
		o_total=$((o_total + ops)) o_agree=$((o_agree + agree))
		o_intent=$((o_intent + intent)) o_unexpl=$((o_unexpl + unexpl))
		grep ': intentional (' "$tmp/diff" | sed 's/^/  /' >>"$notes"
		if [ "$unexpl" -ne 0 ]; then
			grep ': DIVERGES: ' "$tmp/diff" | sed 's/^/  /' \
				>>"$problems"
			ok=0
		fi
		# Allow-list entries that no divergence used.
		if [ "$stale" -ne 0 ]; then
			grep ': STALE: ' "$tmp/diff" | sed 's/^/  /' \
				>>"$problems"
			ok=0
		fi
		if [ "$status" -ne $((unexpl + stale > 0)) ]; then
			echo "  $name: gmem-replay --diff: $(ended "$status")" \
				"with $unexpl unexplained, $stale stale" \
				>>"$problems"
			ok=0
		fi
	fi
	if [ -n "$LDIR" ]; then
		# The booted kernel's run: it must have finished with 0.
		status=$(cat "$LDIR/traces/${name%.trace}.rc" 2>/dev/null)
		cat "$lout" >"$tmp/linux.out" 2>/dev/null
		if [ "$status" != 0 ]; then
			echo "  $name: gmem-replay --backend linux on the booted" \
				"kernel: $([[ $status =~ ^[0-9]+$ ]] &&
				ended "$status" || echo "never finished")" >>"$problems"
			ok=0
		fi
	else
		"$REPLAY" --backend linux "$trace" >"$tmp/linux.out" 2>&1
		status=$?
		if [ "$status" -ne 0 ]; then
			echo "  $name: gmem-replay --backend linux:" \
				"$(ended "$status")" >>"$problems"
			ok=0
		fi
	fi
	[ -n "$KEEP" ] && cp "$tmp/linux.out" "$KEEP/${name%.trace}.linux"
	if [ -z "$LDIR" ] &&
		! cmp -s "$tmp/linux.out" "${trace%.trace}.expected"; then
		e_bad=$((e_bad + 1))
		echo "  $name: linux output differs from" \
			"${trace%.trace}.expected:" >>"$problems"
		diff "${trace%.trace}.expected" "$tmp/linux.out" | head -n 10 |
			sed 's/^/    /' >>"$problems"
		ok=0
	fi
	if [ "$ok" -eq 1 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done

# ------------------------------- RMP and TDX module traces (native only)
# native_only DIR: every DIR/*.trace against its .native, and on linux
# every op "err ENOTTY"; n_total and n_ok count them.
native_only() {
	local trace name want status ok
	n_total=0 n_ok=0
	for trace in "$TRACES"/"$1"/*.trace; do
		[ -e "$trace" ] || continue
		name=$1/$(basename "$trace")
		want=${trace%.trace}.native
		n_total=$((n_total + 1))
		ok=1
		"$REPLAY" --backend native "$trace" >"$tmp/no.out" 2>&1
		status=$?
		if [ "$status" -ne 0 ] || ! cmp -s "$tmp/no.out" "$want"; then
			echo "  $name: native $(ended "$status"), output" \
				"differs from $want:" >>"$problems"
			diff "$want" "$tmp/no.out" | head -n 10 |
				sed 's/^/    /' >>"$problems"
			ok=0
		fi
		# The linux backend answers these itself (no kernel call),
		# so only where this host's /dev/kvm is the Linux side.
		[ -z "$LDIR" ] &&
			"$REPLAY" --backend linux "$trace" >"$tmp/no.out" 2>&1
		status=$?
		sed -E 's/^([a-z_]+) .*/\1 err ENOTTY/' "$want" >"$tmp/no.want"
		if [ -z "$LDIR" ] && { [ "$status" -ne 0 ] ||
			! cmp -s "$tmp/no.out" "$tmp/no.want"; }
		then
			echo "  $name: linux $(ended "$status"), not ENOTTY" \
				"for every op:" >>"$problems"
			diff "$tmp/no.want" "$tmp/no.out" | head -n 10 |
				sed 's/^/    /' >>"$problems"
			ok=0
		fi
		if [ "$ok" -eq 1 ]; then
			n_ok=$((n_ok + 1)) passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
}
native_only rmp
r_total=$n_total r_ok=$n_ok
native_only tdx
x_total=$n_total x_ok=$n_ok

# ------------------------------------------------------ malformed traces
m_total=0 m_ok=0
for trace in "$TRACES"/malformed/*.trace; do
	m_total=$((m_total + 1))
	want=$(sed -n '1s/^# expect: //p' "$trace")
	# (the trace is refused before a backend opens)
	"$REPLAY" --backend "$([ -n "$LDIR" ] && echo native || echo linux)" \
		"$trace" >"$tmp/m.out" 2>"$tmp/m.err"
	status=$?
	if [ "$status" -eq 2 ] && [ ! -s "$tmp/m.out" ] &&
		grep -q "^$want: " "$tmp/m.err"; then
		m_ok=$((m_ok + 1))
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  malformed/$(basename "$trace"): status $status," \
			"stderr '$(head -n 1 "$tmp/m.err")', want '$want'" \
			>>"$problems"
	fi
done

# ------------------------------------------------- backend self-tests
list_cases linux-backend-tests '*' "$tmp/self.list" "$SELF"
linux_step linux-backend-tests self "$tmp/self.ktap" "$SELF"
scripts/ktap-cases.py <"$tmp/self.ktap" >"$tmp/self"
expect_cases "$tmp/self" "$tmp/self.list"
s_total=0 s_pass=0
while IFS=$'\t' read -r path verdict reason; do
	s_total=$((s_total + 1))
	case $verdict in
	pass) s_pass=$((s_pass + 1)) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1))
		echo "  linux backend self-test $path skipped: $reason" \
			>>"$notes" ;;
	missing) failed=$((failed + 1))
		echo "  linux backend self-test $path: never reported" \
			>>"$problems" ;;
	*) failed=$((failed + 1))
		echo "  linux backend self-test $path failed" >>"$problems" ;;
	esac
done <"$tmp/self"
if [ "$s_total" -eq 0 ]; then
	echo "  linux backend self-tests: none ran" >>"$problems"
	failed=$((failed + 1))
fi

# ----------------------------------------------------------------- table
if [ -n "$KEEP" ]; then
	cp "$tmp"/conf-native "$tmp"/conf-linux "$tmp"/guest-native \
		"$tmp"/guest-linux "$KEEP"/
fi
if [ -n "$LDIR" ]; then
	printf '\nCross-check: native backend vs %s\n\n' \
		"$(head -n 1 "$LDIR/label" 2>/dev/null || echo "$LDIR")"
else
	printf '\nCross-check: native backend vs Linux %s (/dev/kvm)\n\n' \
		"$(uname -r)"
fi
printf '%-34s %8s %8s %12s %12s\n' "behaviours" checked agree intentional \
	unexplained
printf '%-34s %8d %8d %12d %12d\n' "conformance cases" "$c_total" \
	"$c_agree" "$c_intent" "$c_unexpl"
printf '%-34s %8d %8d %12d %12d\n' "guest cases (SVM payload vs KVM)" \
	"$g_total" "$g_agree" "$g_intent" "$g_unexpl"
printf '%-34s %8d %8d %12d %12d\n' "trace ops ($t_total traces)" \
	"$o_total" "$o_agree" "$o_intent" "$o_unexpl"
[ -z "$LDIR" ] &&
	printf '%-34s %8d %8d %12s %12d\n' \
		"linux output = .expected (traces)" "$t_total" \
		$((t_total - e_bad)) - "$e_bad"
printf '%-34s %8d %8d %12s %12d\n' "RMP traces (native only)" \
	"$r_total" "$r_ok" - $((r_total - r_ok))
printf '%-34s %8d %8d %12s %12d\n' "TDX traces (native only)" \
	"$x_total" "$x_ok" - $((x_total - x_ok))
printf '%-34s %8d %8d %12s %12d\n' "malformed traces refused" \
	"$m_total" "$m_ok" - $((m_total - m_ok))
printf '%-34s %8d %8d %12s %12d\n' "linux backend self-tests" \
	"$s_total" "$s_pass" - $((s_total - s_pass))
if [ -s "$notes" ]; then
	printf '\nIntentional divergences and skips (with reasons):\n'
	cat "$notes"
fi
if [ -s "$problems" ]; then
	printf '\nUnexplained divergences and failures:\n'
	cat "$problems"
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
