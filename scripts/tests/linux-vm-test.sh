#!/usr/bin/env bash
# Tests of scripts/linux-vm.sh with a fake QEMU (GMV_QEMU): each way a
# booted kernel's run can end gives its one reason, and the results of a
# good run arrive byte for byte. The fake plays the guest: it prints the
# console lines init would print and writes the virtio console file the
# way init does; FAKE_MODE says which story it tells. Prints "ok N name" /
# "not ok N name" and ends with "N passed, N failed, N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0

cat >"$tmp/qemu" <<'EOF'
#!/usr/bin/env bash
# Finds the virtio console's file among the arguments, as QEMU would.
hvc=
for a in "$@"; do
	case $a in file,id=hvc,path=*) hvc=${a#file,id=hvc,path=} ;; esac
done
b64() { printf '%s' "$1" | base64; }
case $FAKE_MODE in
nostart) echo "qemu-system-x86_64: -kernel k: could not load kernel"; exit 1 ;;
panic) echo "Linux version 9.9"
	echo "Kernel panic - not syncing: VFS: Unable to mount root fs"; exit 0 ;;
slowboot) echo "Linux version 9.9"; sleep 30 ;;
nokvm) echo "Linux version 9.9"; echo "gmv-vm: init 9.9, 1.0 s"
	echo "gmv-vm: stop: insmod kvm_amd failed"
	echo "gmv-vm: dmesg: [1.2] kvm: module has bad taint, invalid module format"
	exit 0 ;;
hang) echo "Linux version 9.9"; echo "gmv-vm: init 9.9, 1.0 s"
	echo "gmv-vm: modules loaded, 1.1 s"; echo "gmv-vm: run 1"; sleep 30 ;;
oops) echo "Linux version 9.9"; echo "gmv-vm: init 9.9, 1.0 s"
	echo "gmv-vm: run 1"; echo "BUG: kernel NULL pointer dereference"; exit 0 ;;
good) echo "Linux version 9.9"; echo "gmv-vm: init 9.9, 1.0 s"
	echo "gmv-vm: run 1"
	{ echo "@@gmv-begin 1 out"; b64 $'KTAP version 1\n\tno newline at the end'
	  echo "@@gmv-end 1 out"; echo "@@gmv-begin 1 err"; b64 ''
	  echo "@@gmv-end 1 err"; echo "@@gmv-begin 1 rc"; b64 $'3\n'
	  echo "@@gmv-end 1 rc"; echo "@@gmv-all-done"; } >"$hvc"
	echo "gmv-vm: all done, 2.0 s"; exit 0 ;;
esac
EOF
chmod +x "$tmp/qemu"
echo "not a kernel" >"$tmp/bzImage"

# vm MODE [--timeout S]: linux-vm.sh against the fake, one command.
vm() {
	local mode=$1
	shift
	FAKE_MODE=$mode GMV_QEMU=$tmp/qemu scripts/linux-vm.sh --out "$tmp/out" \
		--kernel "$tmp/bzImage" --load none "$@" -- sh -c 'echo hi'
}

# check NAME WANT-STATUS WANT-LINE MODE ARGS...: the run exits with the
# status and prints WANT-LINE (a fixed string) as its last stderr line.
check() {
	local name=$1 want=$2 line=$3 rc got
	shift 3
	vm "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	got=$(tail -n 1 "$tmp/stderr")
	n=$((n + 1))
	if [ "$rc" -eq "$want" ] && [ "$got" = "$line" ]; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "not ok $n $name"
		echo "# status $rc (want $want); last line: '$got'"
		echo "# want: '$line'"
	fi
}
log="(serial log: $tmp/out/serial.log)"
check "QEMU that cannot start" 1 \
	"linux-vm: QEMU did not start the kernel (status 1): qemu-system-x86_64: -kernel k: could not load kernel $log" nostart
check "a kernel that panics at boot" 1 \
	"linux-vm: the kernel did not boot (QEMU status 0): Kernel panic - not syncing: VFS: Unable to mount root fs $log" panic
check "a kernel that never reaches init" 1 \
	"linux-vm: the kernel did not boot within 2 s $log" slowboot --timeout 2
check "KVM that does not load" 1 \
	"linux-vm: KVM did not load: insmod kvm_amd failed ([1.2] kvm: module has bad taint, invalid module format) $log" nokvm
check "a command that hangs" 1 \
	"linux-vm: the guest hung: command 1 ('sh' '-c' 'echo hi') did not finish within the run's 2 s $log" hang --timeout 2
check "a kernel that dies during a command" 1 \
	"linux-vm: the guest kernel failed during command 1 ('sh' '-c' 'echo hi'): BUG: kernel NULL pointer dereference $log" oops
n=$((n + 1))
vm good >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out/1.rc")" = 3 ] &&
	[ ! -s "$tmp/out/1.err" ] && [ ! -e "$tmp/out/reason" ] &&
	printf 'KTAP version 1\n\tno newline at the end' | cmp -s - "$tmp/out/1.out"; then
	passed=$((passed + 1))
	echo "ok $n a good run: each file byte for byte, the status, no reason"
else
	failed=$((failed + 1))
	echo "not ok $n a good run: each file byte for byte, the status, no reason"
	echo "# status $rc"; ls -l "$tmp/out" | sed 's/^/# /'
fi
for bad in "--smp 0" "--mem 1T" "--timeout x" "--bogus" "--add /etc" "--add nonexistent"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # the option and its value
	scripts/linux-vm.sh --out "$tmp/out" $bad -- true >/dev/null 2>"$tmp/stderr"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^linux-vm.sh: ' "$tmp/stderr"; then
		passed=$((passed + 1))
		echo "ok $n usage error '$bad': status 2, a message"
	else
		failed=$((failed + 1))
		echo "not ok $n usage error '$bad': status $rc"
	fi
done
# scripts/linux-kernel.sh with a kernel of the user's that is not there.
for bad in "KERNEL=$tmp/nope:linux-kernel: KERNEL=$tmp/nope is not a file" \
	"MODULES=$tmp/nope:linux-kernel: MODULES=$tmp/nope is not a folder"; do
	n=$((n + 1))
	env KERNEL="$tmp/bzImage" "${bad%%:*}" scripts/linux-kernel.sh \
		>"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/stderr")" = "${bad#*:}" ] &&
		[ ! -s "$tmp/stdout" ]; then
		passed=$((passed + 1))
		echo "ok $n linux-kernel.sh ${bad%%=*}: its reason, nothing resolved"
	else
		failed=$((failed + 1))
		echo "not ok $n linux-kernel.sh ${bad%%=*}: status $rc, '$(cat "$tmp/stderr")'"
	fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
