#!/usr/bin/env bash
# Boot a Linux kernel under QEMU (TCG, nested SVM), load KVM in it and run
# commands against its /dev/kvm; bring back each command's output and exit
# status.
#
# Usage:
#   scripts/linux-vm.sh --out DIR [options] -- CMD [ARGS...] [-- CMD [ARGS...]]...
#
# Each CMD runs in turn, from the guest folder /work, under busybox sh.
# Paths (DIR, CMD, --add) are relative to the folder you run this from.
# A CMD that names a host file (a static binary, e.g.
# build/static/host/conformance-linux) is copied into the guest's /bin and
# run from there; any other CMD is a guest command (busybox: sh, ls, ...).
# ARGS are passed as given ("--" separates commands, so it cannot be one).
#
# Results in DIR (emptied first):
#   N.cmd  the command line of command N (1, 2, ...)
#   N.out, N.err  its standard output and standard error, byte for byte
#   N.rc   its exit status (a number; 137 when --cmd-timeout killed it)
#   serial.log  the guest's console (kernel messages, init's progress)
#   reason  only when the run failed: the one-line reason
#
# Options:
#   --kernel FILE   the kernel image (bzImage)     } default: KERNEL and
#   --modules DIR   folder with kvm.ko, kvm-amd.ko  } MODULES from the
#                   and their dependencies, below   } environment, else
#                   it anywhere (flat, a lib/modules} scripts/linux-kernel.sh
#                   tree, a kernel build tree);     } (Debian's newest)
#                   "" when KVM is built in         }
#   --add PATH      copy a host file or folder into /work/PATH (PATH
#                   relative, e.g. traces); may be repeated
#   --load MOD      module to load with its dependencies (default kvm_amd;
#                   repeatable; --load none loads nothing)
#   --mem SIZE      guest memory (default 2G): also the bound on what a
#                   runaway kernel allocation can take from this host
#   --timeout S     the whole run, boot included (default 600)
#   --cmd-timeout S each command (default: the whole run's)
#   --smp N         vCPUs (default 1: QEMU 7.2's multi-threaded TCG has
#                   been seen to corrupt a guest patching its own code)
#
# Exit status: 0 when every command ran and reported its status (whatever
# the status); 2 for a usage error; 1 when the run failed, with one line
# on stderr naming why (QEMU did not start, the kernel did not boot or
# panicked, KVM did not load, a command hung past the timeout) and the
# serial log's path. QEMU always runs under `timeout`.
set -uo pipefail
export LC_ALL=C
HERE=$(dirname "$0")

usage() {
	echo "linux-vm.sh: $*" >&2
	echo "usage: scripts/linux-vm.sh --out DIR [options] -- CMD [ARGS...] [-- CMD...]" >&2
	exit 2
}
num() { [[ $2 =~ ^[1-9][0-9]*$ ]] || usage "$1 wants a positive number, not '$2'"; }

OUT='' KERN=${KERNEL:-} MODS=${MODULES:-} MEM=2G TIMEOUT=600 CTIMEOUT='' SMP=1
QEMU=${GMV_QEMU:-qemu-system-x86_64}
adds=() loads=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=${2-}; shift 2 || usage "--out wants a folder" ;;
	--kernel) KERN=${2-}; shift 2 || usage "--kernel wants a file" ;;
	--modules) MODS=${2-}; shift 2 || usage "--modules wants a folder" ;;
	--add) adds+=("${2-}"); shift 2 || usage "--add wants a path" ;;
	--load) loads+=("${2-}"); shift 2 || usage "--load wants a module" ;;
	--mem) MEM=${2-}; shift 2 || usage "--mem wants a size" ;;
	--timeout) num "$1" "${2-}"; TIMEOUT=$2; shift 2 ;;
	--cmd-timeout) num "$1" "${2-}"; CTIMEOUT=$2; shift 2 ;;
	--smp) num "$1" "${2-}"; SMP=$2; shift 2 ;;
	--) break ;;
	*) usage "unknown option '$1'" ;;
	esac
done
[ -n "$OUT" ] || usage "--out DIR is required"
[ "${1-}" = -- ] || usage "no command given"
[[ $MEM =~ ^[1-9][0-9]*[MG]$ ]] || usage "--mem wants a size like 512M or 2G, not '$MEM'"
CTIMEOUT=${CTIMEOUT:-$TIMEOUT}
[ "${#loads[@]}" -eq 0 ] && loads=(kvm_amd)
[ "${loads[*]}" = none ] && loads=()
for a in "${adds[@]}"; do
	[ -e "$a" ] || usage "--add $a: no such file or folder"
	case $a in /* | *..*) usage "--add $a: give a relative path without '..'" ;; esac
done

# The commands: cmds[i] is the quoted guest command line of command i+1.
cmds=() bins=()
squote() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }
while [ "${1-}" = -- ]; do
	shift
	[ $# -gt 0 ] && [ "$1" != -- ] || usage "an empty command after '--'"
	line=''
	first=1
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		w=$1
		if [ "$first" = 1 ] && [ -f "$w" ]; then
			bins+=("$w")
			w=/bin/$(basename "$w")
		fi
		line+="${line:+ }$(squote "$w")"
		first=0
		shift
	done
	cmds+=("$line")
done

mkdir -p "$OUT" || usage "cannot create $OUT"
rm -f "$OUT"/[0-9]*.cmd "$OUT"/[0-9]*.out "$OUT"/[0-9]*.err "$OUT"/[0-9]*.rc \
	"$OUT/serial.log" "$OUT/reason"
OUT=$(realpath "$OUT")
LOG=$OUT/serial.log
fail() {
	echo "$*" >"$OUT/reason"
	echo "linux-vm: $* (serial log: $LOG)" >&2
	exit 1
}

if [ -z "$KERN" ]; then
	env=$("$HERE/linux-kernel.sh") || fail "no kernel to boot (see above)"
	eval "$env"
	KERN=$KERNEL MODS=$MODULES
fi
[ -f "$KERN" ] || fail "kernel image $KERN does not exist"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,work,lib/modules} || exit 1
cp /bin/busybox "$root/bin/busybox" || fail "no /bin/busybox (busybox-static)"
for b in "${bins[@]}"; do
	cp "$b" "$root/bin/" || fail "cannot copy $b"
done
for a in "${adds[@]}"; do
	mkdir -p "$root/work/$(dirname "$a")"
	cp -r "$a" "$root/work/$a" || fail "cannot copy $a"
done

# ------------------------------------------------------------ modules
# Each module to load, after its dependencies (modinfo's "depends"), as an
# uncompressed .ko in /lib/modules. A module built into the kernel
# (modules.builtin) is left out.
order=()
declare -A seen=()
modfile() {
	find "$MODS" -name '*.ko*' 2>/dev/null | awk -v n="$1" '{
		b = $0; sub(/.*\//, "", b); sub(/\.ko.*/, "", b); gsub(/-/, "_", b)
		if (b == n) { print; exit } }'
}
addmod() {
	local n=${1//-/_} f d
	[ -n "${seen[$n]:-}" ] && return 0
	seen[$n]=1
	# No modules folder: KVM must be built into the kernel.
	[ -z "$MODS" ] && return 0
	if find "$MODS" -maxdepth 1 -name modules.builtin \
		-exec grep -qE "/${n//_/[-_]}\.ko\$" {} \; -print 2>/dev/null |
		grep -q .; then
		return 0
	fi
	f=$(modfile "$n")
	[ -n "$f" ] || fail "KVM did not load: module $n is not under ${MODS:-(no --modules folder)}"
	for d in $(modinfo -F depends "$f" 2>/dev/null | tr ',' ' '); do
		addmod "$d"
	done
	case $f in
	*.ko.xz) xz -dc "$f" ;;
	*.ko.zst) zstd -qdc "$f" ;;
	*.ko.gz) gzip -dc "$f" ;;
	*) cat "$f" ;;
	esac >"$root/lib/modules/$n.ko" || fail "cannot unpack module $f"
	order+=("$n")
}
for m in "${loads[@]}"; do
	addmod "$m"
done

# --------------------------------------------------------------- init
# Progress lines "gmv-vm: ..." go to the serial console; results go over
# the virtio console hvc0 (raw, so nothing is translated), each file as
# base64 between "@@gmv-begin N KIND" and "@@gmv-end N KIND" lines.
{
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
export PATH=/bin
echo "gmv-vm: init $(uname -r), $(cut -d' ' -f1 /proc/uptime) s"
stop() { echo "gmv-vm: stop: $*"; dmesg | tail -n 8 | sed 's/^/gmv-vm: dmesg: /'; sync; poweroff -f; }
EOF
	for n in "${order[@]}"; do
		echo "insmod /lib/modules/$n.ko || stop \"insmod $n failed\""
	done
	if [ "${#order[@]}" -gt 0 ] || [ "${#loads[@]}" -gt 0 ]; then
		echo "[ -c /dev/kvm ] || stop \"no /dev/kvm after loading ${order[*]:-no module (none given: KVM must be built in)}\""
	fi
	cat <<EOF
echo "gmv-vm: modules loaded, \$(cut -d' ' -f1 /proc/uptime) s"
exec 3<>/dev/hvc0 || stop "no /dev/hvc0 (virtio console)"
stty -F /dev/hvc0 raw -echo
send() { echo "@@gmv-begin \$1 \$2" >&3; base64 <"\$3" >&3; echo "@@gmv-end \$1 \$2" >&3; }
mkdir /tmp/o
cd /work
EOF
	i=0
	for c in "${cmds[@]}"; do
		i=$((i + 1))
		cat <<EOF
echo "gmv-vm: run $i"
timeout -s KILL $CTIMEOUT $c >/tmp/o/$i.out 2>/tmp/o/$i.err </dev/null
echo \$? >/tmp/o/$i.rc
send $i out /tmp/o/$i.out; send $i err /tmp/o/$i.err; send $i rc /tmp/o/$i.rc
echo "gmv-vm: done $i status \$(cat /tmp/o/$i.rc)"
rm -f /tmp/o/$i.*
EOF
	done
	cat <<'EOF'
echo "@@gmv-all-done" >&3
echo "gmv-vm: all done, $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
EOF
} >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz" ||
	fail "cannot build the initramfs"

# --------------------------------------------------------------- boot
i=0
for c in "${cmds[@]}"; do
	i=$((i + 1))
	echo "$c" >"$OUT/$i.cmd"
done
hvc=$work/hvc.out
: >"$hvc"
# panic=-1 with -no-reboot: a kernel panic ends QEMU at once.
timeout -k 5 "$TIMEOUT" "$QEMU" -machine q35 -accel tcg \
	-cpu max,phys-bits=48 -smp "$SMP" -m "$MEM" -nographic -no-reboot \
	-kernel "$KERN" -initrd "$work/initrd.gz" \
	-append 'console=ttyS0 rdinit=/init panic=-1 loglevel=4' \
	-device virtio-serial-pci -chardev "file,id=hvc,path=$hvc" \
	-device virtconsole,chardev=hvc </dev/null 2>&1 | tr -d '\r' >"$LOG"
qrc=${PIPESTATUS[0]}

# Unpack what arrived, even from a run that failed later.
python3 - "$hvc" "$OUT" <<'EOF' || fail "the results from the guest are garbled"
import base64, sys
src, out = sys.argv[1], sys.argv[2]
cur, buf = None, []
for line in open(src, 'rb'):
    line = line.rstrip(b'\n')
    if line.startswith(b'@@gmv-begin '):
        cur, buf = line.split()[1:3], []
    elif line.startswith(b'@@gmv-end ') and cur is not None:
        n, kind = (x.decode() for x in cur)
        with open(f'{out}/{n}.{kind}', 'wb') as f:
            f.write(base64.b64decode(b''.join(buf)))
        cur = None
    elif cur is not None:
        buf.append(line)
    elif line == b'@@gmv-all-done':
        open(f'{out}/.all-done', 'w').close()
EOF

done_all=0
[ -e "$OUT/.all-done" ] && done_all=1
rm -f "$OUT/.all-done"
[ "$done_all" = 1 ] && exit 0

# Why the run ended early: the last progress line says how far it got.
last=$(grep -o 'gmv-vm: [a-z].*' "$LOG" | grep -v dmesg | tail -n 1)
panic=$(grep -m1 -E 'Kernel panic|BUG:|Oops:' "$LOG")
stop=$(grep -m1 -o 'gmv-vm: stop: .*' "$LOG" | sed 's/^gmv-vm: stop: //')
running=$(sed -n 's/^gmv-vm: run \([0-9]*\)$/\1/p' "$LOG" | tail -n 1)
if [ -n "$stop" ]; then
	why=$(grep -m1 -iE 'gmv-vm: dmesg: .*(kvm|svm|module|invalid|unknown)' "$LOG" |
		sed 's/^gmv-vm: dmesg: //')
	fail "KVM did not load: $stop${why:+ ($why)}"
elif ! grep -q '^gmv-vm: init' "$LOG"; then
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		fail "the kernel did not boot within $TIMEOUT s${panic:+: $panic}"
	elif ! grep -q 'Linux version' "$LOG"; then
		fail "QEMU did not start the kernel (status $qrc): $(grep -v '^$' "$LOG" | head -n 1)"
	else
		fail "the kernel did not boot (QEMU status $qrc)${panic:+: $panic}"
	fi
elif [ -n "$panic" ]; then
	fail "the guest kernel failed${running:+ during command $running (${cmds[$((running - 1))]})}: $panic"
elif [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	if [ -n "$running" ] && ! grep -q "^gmv-vm: done $running " "$LOG"; then
		fail "the guest hung: command $running (${cmds[$((running - 1))]}) did not finish within the run's $TIMEOUT s"
	fi
	fail "the run did not finish within $TIMEOUT s (last: ${last:-nothing})"
else
	fail "the guest stopped early (QEMU status $qrc; last: ${last:-nothing})"
fi
