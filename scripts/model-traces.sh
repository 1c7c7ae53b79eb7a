#!/usr/bin/env bash
# `make test-rmp-traces` / `make test-tdx-traces`: scripts/model-traces.sh
# rmp|tdx runs every traces/DIR/*.trace (the native-only ops of a hardware
# model: SEV-SNP's RMP or the TDX module) on gmem-replay's native backend
# and compares its output with traces/DIR/*.native, the results reasoned
# from the AMD spec or the Intel TDX Module ABI spec (each trace line names
# its rule). Needs no /dev/kvm (scripts/crosscheck.sh runs the same
# comparison, plus the linux side, where there is one). Ends with
# "N passed, N failed, N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
case ${1:-} in
rmp | tdx) dir=traces/$1 ;;
*)
	echo "usage: scripts/model-traces.sh rmp|tdx" >&2
	exit 2
	;;
esac
REPLAY=${REPLAY:-${B:-build}/host/gmem-replay}
passed=0 failed=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for trace in "$dir"/*.trace; do
	"$REPLAY" --backend native "$trace" >"$tmp" 2>&1
	status=$?
	if [ "$status" -eq 0 ] && cmp -s "$tmp" "${trace%.trace}.native"; then
		passed=$((passed + 1))
		echo "ok $trace"
	else
		failed=$((failed + 1))
		echo "not ok $trace (exit $status)"
		diff "${trace%.trace}.native" "$tmp" | head -n 10 | sed 's/^/# /'
	fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
