#!/usr/bin/env bash
# Tests of scripts/crosscheck.sh itself (and of the table it feeds,
# scripts/crosscheck-table.py, at the end): it runs with fake runners (shell
# scripts printing made-up KTAP), a fake /dev/kvm and a small trace
# directory, through the CROSSCHECK_* variables, so that it needs no KVM.
# gmem-replay is the real one, given the Linux side from the .expected
# files (--linux-output). Each check runs crosscheck.sh once and wants its
# exit status and lines of its output. Prints "ok N name" or "not ok N
# name" per check and ends with "N passed, N failed, N skipped"; exit
# status 1 if a check failed. Needs build/host/gmem-replay (make tools).
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

B=${B:-build}
REAL_REPLAY=$PWD/$B/host/gmem-replay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0

# ----------------------------------------------------------- fake runners
# One script plays every runner; its first argument says which:
#   conf     conformance-linux: suite "conformance", cases c1..c4 (c4 is
#            skipped on linux), "--backend native|linux"
#   guests   guests-linux: "guest.g.guest_a..guest_c", backend linux
#   qemu     run-qemu.sh --filter 'guest.*': the same cases on native,
#            among firmware and QEMU lines
#   self     linux-backend-tests: "linux_backend.s1, s2", no backend line
# What goes wrong comes from the environment, FAKE_<ROLE>_<WHAT>, where
# ROLE is CONF_NATIVE, CONF_LINUX, GUESTS, QEMU or SELF:
#   _CRASH=K   after K cases the runner dies of SIGSEGV
#   _DROP=C    case C is left out of the run (but listed by --list)
#   _EXIT=S    the runner exits with status S after a complete run
mkdir -p "$tmp/bin"
cat >"$tmp/bin/fake-runner" <<'EOF'
#!/usr/bin/env bash
set -uo pipefail
role=$1 backend=native list=0
shift
while [ $# -gt 0 ]; do
	case $1 in
	--backend) backend=$2; shift ;;
	--list) list=1 ;;
	--filter) shift ;;
	*) echo "fake-runner: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
case $role in
conf) suite=conformance group="" cases="c1 c2 c3 c4" key=CONF_${backend^^} ;;
guests) suite=guest group=g cases="guest_a guest_b guest_c" key=GUESTS
	backend=linux ;;
qemu) suite=guest group=g cases="guest_a guest_b guest_c" key=QEMU ;;
self) suite=linux_backend group="" cases="s1 s2" key=SELF backend="" ;;
esac
crash=FAKE_${key}_CRASH drop=FAKE_${key}_DROP status=FAKE_${key}_EXIT
crash=${!crash:-} drop=${!drop:-} status=${!status:-0}
prefix=$suite${group:+.$group}
[ "$role" = qemu ] && echo "BdsDxe: starting Boot0001 \"UEFI Misc Device\""
if [ "$list" = 1 ]; then
	for c in $cases; do
		echo "$prefix.$c"
	done
	[ "$role" = qemu ] && echo "# QEMU exit status 65 after 1.00 s" &&
		echo "0 passed, 0 failed, 0 skipped"
	exit 0
fi
ind="    "
[ -n "$group" ] && ind="        "
echo "KTAP version 1"
echo "1..1"
echo "    KTAP version 1"
echo "    # Subtest: $suite"
echo "    1..1"
[ -n "$backend" ] && echo "    # backend: $backend"
if [ -n "$group" ]; then
	echo "        KTAP version 1"
	echo "        # Subtest: $group"
fi
i=0
for c in $cases; do
	[ "$c" = "$drop" ] && continue
	if [ -n "$crash" ] && [ "$i" -eq "$crash" ]; then
		ulimit -c 0 # no core file
		kill -SEGV $$
	fi
	i=$((i + 1))
	if [ "$role" = conf ] && [ "$c" = c4 ] && [ "$backend" = linux ]; then
		echo "${ind}ok $i $c # SKIP host lacks the feature"
	else
		echo "${ind}ok $i $c"
	fi
done
[ -n "$group" ] && echo "    ok 1 $group"
echo "ok 1 $suite"
echo "$i passed, 0 failed, 0 skipped"
[ "$role" = qemu ] && echo "# QEMU exit status 65 after 1.00 s"
exit "$status"
EOF
chmod +x "$tmp/bin/fake-runner"
for role in conf guests qemu self; do
	printf '#!/usr/bin/env bash\nexec "%s" %s "$@"\n' \
		"$tmp/bin/fake-runner" "$role" >"$tmp/bin/$role"
	chmod +x "$tmp/bin/$role"
done
# gmem-replay: the real one, with the Linux side from TRACE.expected.
cat >"$tmp/bin/replay" <<EOF
#!/usr/bin/env bash
trace=\${!#}
if [ "\$1" = --diff ] && [ -f "\${trace%.trace}.expected" ]; then
	exec "$REAL_REPLAY" --diff --linux-output "\${trace%.trace}.expected" "\$trace"
fi
if [ "\$1 \$2" = "--backend linux" ] && [ -f "\${trace%.trace}.expected" ]; then
	exec cat "\${trace%.trace}.expected"
fi
exec "$REAL_REPLAY" "\$@"
EOF
chmod +x "$tmp/bin/replay"

# ------------------------------------------------------------ the traces
# t.trace line 3 diverges on purpose (native creates the SW_PROTECTED VM,
# "Linux" refuses it) and the allow-list allows exactly that.
T=$tmp/traces
mkdir -p "$T/malformed"
printf '# a trace\nvm id=1\nvm id=2 type=sw_protected\nclose vm=2\n' \
	>"$T/t.trace"
printf 'vm ok\nvm err EINVAL\nclose err EBADF\n' >"$T/t.expected"
printf '# expect: error: line 2\nvm id=x\n' >"$T/malformed/m.trace"
# A native-only RMP trace: its .native is the native output; on linux each
# op is ENOTTY (the real gmem-replay, as no .expected is there).
mkdir -p "$T/rmp"
printf 'psmash spa=0\nrmpupdate spa=0 assigned=1 asid=1 gpa=0 size=4K\n' \
	>"$T/rmp/r.trace"
printf 'psmash err FAIL_BADADDR\nrmpupdate ok\n' >"$T/rmp/r.native"
ALLOW_OK="t.trace:3 native 'vm ok' linux 'vm err EINVAL' no SW_PROTECTED VMs there
t.trace:4 native 'close ok' linux 'close err EBADF' follows line 3"
: >"$tmp/kvm"

# crosscheck [ALLOW-LIST]: crosscheck.sh on the fakes, with the given
# allow-list (default: the right one).
crosscheck() {
	printf '%s\n' "${1-$ALLOW_OK}" >"$T/intentional-divergences"
	CROSSCHECK_KVM=$tmp/kvm CROSSCHECK_CONF=$tmp/bin/conf \
		CROSSCHECK_GUESTS=$tmp/bin/guests CROSSCHECK_QEMU=$tmp/bin/qemu \
		CROSSCHECK_SELF=$tmp/bin/self CROSSCHECK_REPLAY=$tmp/bin/replay \
		CROSSCHECK_TRACES=$T scripts/crosscheck.sh
}

# with VAR=VALUE... CMD...: CMD with those variables in its environment
# (CMD may be a function; check runs it in a subshell).
with() {
	while [[ $1 == *=* ]]; do
		export "${1?}"
		shift
	done
	"$@"
}

# scenario NAME STATUS CMD...: run CMD (in a subshell, so "with" stays
# local), which must exit with STATUS; the lines checks below look at its
# output. Each run of crosscheck.sh takes seconds (ktap-cases.py starts
# Python five times), so one run serves several checks.
scenario() {
	local rc
	current=$1 want=$2
	shift 2
	("$@") </dev/null >"$tmp/out" 2>&1
	rc=$?
	report "$current: exit status $want" \
		"$([ "$rc" -eq "$want" ] || echo "exit $rc")"
}

# says WHAT LINE...: the current scenario printed each LINE (a fixed
# string) as a whole line.
says() {
	local what=$1 line bad=""
	shift
	for line in "$@"; do
		grep -qxF -- "$line" "$tmp/out" || bad+="${bad:+; }no line '$line'"
	done
	report "$current: $what" "$bad"
}

# report NAME PROBLEM: one result line; an empty PROBLEM passes.
report() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		passed=$((passed + 1))
		echo "ok $n $1"
		return
	fi
	failed=$((failed + 1))
	echo "not ok $n $1"
	echo "# $2; the output:"
	sed 's/^/#   /' "$tmp/out"
}

# A row of the table as crosscheck.sh prints it.
row() { printf '%-34s %8s %8s %12s %12s' "$@"; }

scenario "clean run" 0 crosscheck
says "the table of today's format, every row agreeing" \
	"$(row behaviours checked agree intentional unexplained)" \
	"$(row "conformance cases" 4 3 1 0)" \
	"$(row "guest cases (SVM payload vs KVM)" 3 3 0 0)" \
	"$(row "trace ops (1 traces)" 3 1 2 0)" \
	"$(row "linux output = .expected (traces)" 1 1 - 0)" \
	"$(row "RMP traces (native only)" 1 1 - 0)" \
	"$(row "malformed traces refused" 1 1 - 0)" \
	"$(row "linux backend self-tests" 2 2 - 0)"
says "the skip and the allowed divergences listed with their reasons" \
	"  conformance conformance.c4: linux skips: host lacks the feature" \
	"  t.trace:3: intentional (no SW_PROTECTED VMs there): native 'vm ok', linux 'vm err EINVAL'" \
	"  t.trace:4: intentional (follows line 3): native 'close ok', linux 'close err EBADF'"
says "the summary" "11 passed, 0 failed, 1 skipped"

# conformance: native dies after 2 cases, linux after 1, so c3 and c4
# are reported by neither side: only the case lists (--list) know them.
# guests-linux dies before its first case.
scenario "crashed runners" 1 with FAKE_CONF_NATIVE_CRASH=2 \
	FAKE_CONF_LINUX_CRASH=1 FAKE_GUESTS_CRASH=0 crosscheck
says "each crashed runner is a failure, named" \
	"  conformance-linux --backend native: killed by signal SIGSEGV" \
	"  conformance-linux --backend linux: killed by signal SIGSEGV" \
	"  guests-linux: killed by signal SIGSEGV"
says "each case a crash took with it is a failure" \
	"$(row "conformance cases" 4 1 0 3)" \
	"$(row "guest cases (SVM payload vs KVM)" 3 0 0 3)" \
	"  conformance conformance.c2: native pass, linux missing" \
	"    linux never reported the case" \
	"  conformance conformance.c3: native missing, linux missing" \
	"  conformance conformance.c4: native missing, linux missing" \
	"  guest guest.g.guest_a: native pass, linux missing"
says "the summary counts them" "6 passed, 9 failed, 0 skipped"

# Runners that exit 0 but lose a case on the way.
scenario "vanished cases" 1 with FAKE_QEMU_DROP=guest_b \
	FAKE_GUESTS_DROP=guest_b FAKE_SELF_DROP=s2 crosscheck
says "a case no guest runner reported fails" \
	"$(row "guest cases (SVM payload vs KVM)" 3 2 0 1)" \
	"  guest guest.g.guest_b: native missing, linux missing" \
	"    native never reported the case" \
	"    linux never reported the case"
says "a backend self-test that did not report fails" \
	"$(row "linux backend self-tests" 2 1 - 1)" \
	"  linux backend self-test linux_backend.s2: never reported"
says "the summary counts them" "9 passed, 2 failed, 1 skipped"

# Every case reported and passed, yet the runners said they failed.
scenario "runners exiting non-zero" 1 with FAKE_SELF_EXIT=3 \
	FAKE_QEMU_EXIT=1 crosscheck
says "each is a failure, named" \
	"  linux-backend-tests: exit status 3" \
	"  run-qemu.sh --filter 'guest.*': exit status 1"
says "the summary counts them" "11 passed, 2 failed, 1 skipped"

# Line 2 agrees, yet the allow-list still excuses it; line 3 diverges
# with other results than its entry names.
scenario "stale allow-list entries" 1 crosscheck "t.trace:2 native 'vm ok' linux 'vm err ENOTTY' agrees by now
t.trace:3 native 'vm ok' linux 'vm err EBADF' other results
t.trace:4 native 'close ok' linux 'close err EBADF' follows line 3"
says "an entry whose line agrees fails the run, naming its line" \
	"  t.trace:2: STALE: $T/intentional-divergences:1 allows native 'vm ok', linux 'vm err ENOTTY', but both give 'vm ok'"
says "an entry naming other results excuses nothing and is stale" \
	"$(row "trace ops (1 traces)" 3 1 1 1)" \
	"  t.trace:3: DIVERGES: native 'vm ok', linux 'vm err EINVAL'" \
	"  t.trace:3: STALE: $T/intentional-divergences:2 allows native 'vm ok', linux 'vm err EBADF', but the run gives native 'vm ok', linux 'vm err EINVAL'"
says "the summary counts the trace once" "10 passed, 1 failed, 1 skipped"

# An RMP trace whose native output is not its .native fails, with the diff.
wrong_native() {
	printf 'psmash ok\nrmpupdate ok\n' >"$T/rmp/r.native"
	crosscheck
	local rc=$?
	printf 'psmash err FAIL_BADADDR\nrmpupdate ok\n' >"$T/rmp/r.native"
	return $rc
}
scenario "RMP trace output differs" 1 wrong_native
says "the RMP trace fails, showing the line" \
	"$(row "RMP traces (native only)" 1 0 - 1)" \
	"    > psmash err FAIL_BADADDR"
says "the summary counts it" "10 passed, 1 failed, 1 skipped"

scenario "no usable /dev/kvm" 0 with CROSSCHECK_KVM="$tmp/none" \
	scripts/crosscheck.sh
says "skipped, nothing run" \
	"crosscheck: SKIP: no usable $tmp/none, nothing to compare with" \
	"0 passed, 0 failed, 1 skipped"

# ------------------------------------------ the linux side from files
# CROSSCHECK_LINUX_DIR: what a booted kernel's runs left, in files. The
# fake runners make them; the real gmem-replay judges the trace with the
# booted kernel's allow-list.
L=$tmp/booted
mkfiles() {
	rm -rf "$L" && mkdir -p "$L/traces"
	echo "Linux 9.9 (fake), booted under QEMU" >"$L/label"
	"$tmp/bin/conf" --backend linux >"$L/conformance.ktap"
	echo "0 conformance" >"$L/conformance.rc"
	"$tmp/bin/guests" >"$L/guests.ktap"
	echo "0 guests" >"$L/guests.rc"
	"$tmp/bin/self" >"$L/self.ktap"
	echo 0 >"$L/self.rc"
	cp "$T/t.expected" "$L/traces/t.out"
	echo 0 >"$L/traces/t.rc"
}
BOOTED_OK="t.trace:3 native 'vm ok' linux 'vm err EINVAL' version: no SW_PROTECTED VMs in 9.9
t.trace:4 native 'close ok' linux 'close err EBADF' follows line 3"
# booted [ALLOW-LIST]: crosscheck.sh with the linux side from $L, no KVM.
booted() {
	printf '%s\n' "${1-$BOOTED_OK}" >"$T/intentional-divergences.booted"
	printf '%s\n' "$ALLOW_OK" >"$T/intentional-divergences"
	CROSSCHECK_KVM=$tmp/none CROSSCHECK_LINUX_DIR=$L \
		CROSSCHECK_CONF=$tmp/bin/conf CROSSCHECK_GUESTS=$tmp/bin/guests \
		CROSSCHECK_QEMU=$tmp/bin/qemu CROSSCHECK_SELF=$tmp/bin/self \
		CROSSCHECK_REPLAY=$REAL_REPLAY CROSSCHECK_TRACES=$T \
		scripts/crosscheck.sh
}

mkfiles
scenario "booted kernel: clean" 0 booted
says "the table names that kernel and compares every case and op" \
	"Cross-check: native backend vs Linux 9.9 (fake), booted under QEMU" \
	"$(row "conformance cases" 4 3 1 0)" \
	"$(row "trace ops (1 traces)" 3 1 2 0)" \
	"$(row "RMP traces (native only)" 1 1 - 0)" \
	"  t.trace:3: intentional (version: no SW_PROTECTED VMs in 9.9): native 'vm ok', linux 'vm err EINVAL'"
says "the summary" "11 passed, 0 failed, 1 skipped"

# c2 crashed (its run ended by SIGSEGV and left no line); a case left
# out on purpose is a skip with its reason.
mkfiles
grep -v ' c2$' "$L/conformance.ktap" >"$L/x" && mv "$L/x" "$L/conformance.ktap"
printf '0 conformance.c1\n139 conformance.c2\n' >"$L/conformance.rc"
grep -v ' c3$' "$L/conformance.ktap" >"$L/x" && mv "$L/x" "$L/conformance.ktap"
printf 'conformance.c3\twould eat the memory\n' >"$L/excluded"
scenario "booted kernel: a crashed case, an excluded one" 1 booted
says "the crashed run and its case are failures, named" \
	"  conformance-linux --backend linux (conformance.c2): killed by signal SIGSEGV" \
	"  conformance conformance.c2: native pass, linux missing" \
	"    linux never reported the case"
says "the excluded case is a skip with its reason" \
	"  conformance conformance.c3: linux skips: not run there: would eat the memory"
says "the summary" "9 passed, 2 failed, 2 skipped"

# A kernel that could not run the trace (gmem-replay's "# skip:" line):
# the trace is a skip with that reason, not a divergence.
mkfiles
echo "# skip: no guest_memfd for default VMs here" >"$L/traces/t.out"
scenario "booted kernel: a trace the kernel cannot run" 0 booted ""
says "it is a skip with the kernel's reason" \
	"  t.trace: skipped on the booted kernel: no guest_memfd for default VMs here"
says "the summary" "10 passed, 0 failed, 2 skipped"

# The run died before the guests and the trace finished.
mkfiles
rm "$L/guests.rc" "$L/traces/t.rc"
scenario "booted kernel: runs that never finished" 1 booted
says "each is a failure" \
	"  guests-linux: never finished on the booted kernel (no $L/guests.ktap or .rc)" \
	"  t.trace: gmem-replay --backend linux on the booted kernel: never finished"

# The booted kernel's allow-list has an entry no divergence uses.
mkfiles
scenario "booted kernel: stale allow-list entry" 1 booted "$BOOTED_OK
t.trace:2 native 'vm ok' linux 'vm err ENOTTY' agrees there"
says "it fails, naming its line" \
	"  t.trace:2: STALE: $T/intentional-divergences.booted:3 allows native 'vm ok', linux 'vm err ENOTTY', but both give 'vm ok'"

scenario "booted kernel: no such folder" 1 with CROSSCHECK_LINUX_DIR=$tmp/nope \
	scripts/crosscheck.sh
says "one reason" "crosscheck: CROSSCHECK_LINUX_DIR=$tmp/nope is not a folder" \
	"0 passed, 1 failed, 0 skipped"

# ------------------------------------------------ crosscheck-table.py
# Two columns over the trace t.trace and three cases: each cell kind,
# and an unexplained one makes the exit status 1.
K=$tmp/keep
mkdir -p "$K"
printf 'native\tnative (host)\t\nhost\tLinux host\tno usable /dev/kvm\nbooted\tLinux 9.9\t\n' \
	>"$K/columns"
printf 'conformance.a\tpass\t\nconformance.b\tpass\t\nconformance.c\tpass\t\n' \
	>"$K/native.conf"
printf 'conformance.a\tpass\tversion: EEXIST since 9.9\nconformance.b\tskip\tno such VM\n' \
	>"$K/booted.conf"
printf 'vm ok\nvm ok\nclose ok\n' >"$K/native.t"
printf 'vm ok\nvm err EINVAL\nclose err EBADF\n' >"$K/booted.t"
printf '%s\n' "$ALLOW_OK" >"$T/intentional-divergences"
printf "t.trace:3 native 'vm ok' linux 'vm err EINVAL' version: no such VM in 9.9\n" \
	>"$T/intentional-divergences.booted"
scenario "table: each kind of cell" 1 scripts/crosscheck-table.py "$K" "$T" --all
says "the cells" \
	"conformance.a  agree        -            version    " \
	"conformance.b  agree        -            skip       " \
	"conformance.c  agree        -            UNEXPLAINED" \
	"t.trace:2      agree        -            agree      " \
	"t.trace:3      intentional  -            version    " \
	"t.trace:4      intentional  -            UNEXPLAINED"
says "the reasons" \
	"  col 3 conformance.a: version: EEXIST since 9.9" \
	"  col 3 conformance.c: unexplained: never reported" \
	"  col 3 t.trace:4: unexplained: native 'close ok', linux 'close err EBADF'"
says "a summary per column, the absent one with its reason" \
	"  col 1 native (host): 4 agree, 2 intentional, 0 version, 0 unexplained, 0 skipped, 0 not run" \
	"  col 2 Linux host: absent (no usable /dev/kvm)" \
	"  col 3 Linux 9.9: 1 agree, 0 intentional, 2 version, 2 unexplained, 1 skipped, 0 not run"

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
