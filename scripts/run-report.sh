# scripts/run-report.sh - sourced by scripts/run-qemu.sh and
# scripts/run-bochs.sh after their options are parsed: the checks of the
# payload options both pass on (--deadline, --pool), --junit, --json
# (scripts/ktap-report.py turns the KTAP read from the serial log, a copy
# kept in $ktap_copy, into the reports; a relative FILE names a file where
# the caller stands), document_problem() (the same parse checks that
# document), report() and fail(). Expects $me (the
# script's name for messages), $list, $deadline, $pool, $junit, $json
# and $caller_dir.

# The payload's own options, held to what it takes (boot/options.h), so
# that a bad value is refused here rather than as a panic at boot:
# --deadline S (deadline=S: whole seconds, 1 to 1000000) and --pool SIZE
# (pool=SIZE; the payload checks the minimum itself).
if [ -n "$deadline" ] && { ! [[ $deadline =~ ^[0-9]{1,7}$ ]] ||
	[ "$((10#$deadline))" -lt 1 ] || [ "$((10#$deadline))" -gt 1000000 ]; }; then
	echo "$me: --deadline $deadline: want whole seconds, 1 to 1000000" >&2
	exit 2
fi
[ -n "$deadline" ] && deadline=$((10#$deadline))
if [ -n "$pool" ] && ! [[ $pool =~ ^[0-9]+[KkMmGg]?$ ]]; then
	echo "$me: --pool $pool: want bytes with an optional K, M" \
		"or G suffix, e.g. 64M" >&2
	exit 2
fi

if [ "$list" = 1 ] && [ -n "$junit$json" ]; then
	echo "$me: --junit and --json report a run; --list runs no case" >&2
	exit 2
fi
for f in junit json; do
	[ -z "${!f}" ] || [[ ${!f} == /* ]] || printf -v "$f" '%s' "$caller_dir/${!f}"
	if [ -n "${!f}" ] && ! : >"${!f}"; then
		echo "$me: --$f: cannot write ${!f}" >&2
		exit 2
	fi
done
# The KTAP as read from the serial log: for the reports, and for
# document_problem().
ktap_copy=$(mktemp) || exit 2
trap 'rm -f "$ktap_copy"' EXIT

# report REASON: write the reports; REASON (the run's failure, or "")
# makes them say the run failed when no case did.
report() {
	local args=()
	[ -n "$junit$json" ] || return 0
	[ -n "$junit" ] && args+=(--junit "$junit")
	[ -n "$json" ] && args+=(--json "$json")
	[ -n "$1" ] && args+=(--run-failed "$1")
	scripts/ktap-report.py "${args[@]}" "$ktap_copy" >/dev/null
}

# document_problem: nothing for a KTAP document every reader of it can
# take whole, else why not (a result line broken by stray bytes on the
# serial line, so that the cases disagree with the summary): a run whose
# cases the reports and the cross-check table would not all see has not
# passed.
document_problem() {
	local why
	[ "$list" = 1 ] && return 0
	why=$(scripts/ktap-report.py --json /dev/null "$ktap_copy" 2>&1 >/dev/null) &&
		return 0
	why=${why//ktap-report.py: /}
	echo "the KTAP document is not whole: ${why//$'\n'/; }"
}

# The verdict for a run that produced no summary line.
fail() {
	echo "$me: FAIL: $*"
	report "$*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
