#!/usr/bin/env bash
# Tests of where the console goes (boot/console.h): images booted under
# QEMU + OVMF as virtio disks with no fw_cfg options, with COM1 and COM2
# each in its own file, so that each line can be told by the port it
# came out of. OVMF's own text console (ConOut) is a terminal on both
# ports, so the lines the payload prints before ExitBootServices show on
# both through its mirror, and only the chosen UART has what follows.
# Prints "ok N name" / "not ok N name: reason" and ends with
# "N passed, N failed, N skipped".
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."

EFI=build/gmemvisor.efi
OVMF=/usr/share/ovmf/OVMF.fd
# boot/exit.h through QEMU's isa-debug-exit: (code << 1) | 1.
QEMU_PASS=65
QEMU_FAIL=35
BOOT_SECONDS=40
SUMMARY='^[0-9]+ passed, 0 failed, [0-9]+ skipped$'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0
extra=()

ok() {
	n=$((n + 1)) passed=$((passed + 1))
	echo "ok $n $1"
}
# not_ok NAME REASON: the tail of both ports' logs follows.
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n $1: $2"
	for p in com1 com2; do
		[ -s "$tmp/$p" ] || continue
		echo "#   $p:"
		sed 's/^/#   | /' "$tmp/$p" | tail -n 8
	done
}

# image NAME OPTIONS: build $tmp/NAME.img with that options file.
image() {
	scripts/make-image.sh "$EFI" "$tmp/$1.img" "$2" >"$tmp/mk.log" 2>&1
}

# clean RAW OUT: terminal escapes and CRs dropped.
clean() {
	sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][0-9A-Za-z]//g' \
		-e 's/\r//g' "$1" >"$2" 2>/dev/null
	rm -f "$1"
}

# boot IMG: boot it (with the QEMU arguments in $extra); the ports' logs
# in $tmp/com1 and $tmp/com2, QEMU's status in $rc.
boot() {
	timeout -k 2 "$BOOT_SECONDS" qemu-system-x86_64 -machine q35 \
		-accel tcg -cpu max,phys-bits=48 -m 512M -nodefaults \
		-no-reboot -display none -serial "file:$tmp/com1.raw" \
		-serial "file:$tmp/com2.raw" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios "$OVMF" \
		-drive "if=virtio,format=raw,file=$1" "${extra[@]}" \
		</dev/null >"$tmp/qemu.out" 2>&1
	rc=$?
	clean "$tmp/com1.raw" "$tmp/com1"
	clean "$tmp/com2.raw" "$tmp/com2"
}

# on PORT FIXED-STRING; on_re PORT REGEX
on() { grep -qF -- "$2" "$tmp/$1"; }
on_re() { grep -qE -- "$2" "$tmp/$1"; }

# (1) console=com2 in the options file: the whole KTAP on COM2, none on
# COM1; the console suite's loopback checks run against COM2's UART.
t="console=com2: the KTAP verdict on COM2"
line='# console: com2 (I/O 0x2f8, 115200) from option'
if ! image com2 "filter=boot.* console=com2"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/com2.img"
	if [ "$rc" != "$QEMU_PASS" ]; then
		not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
	elif ! on com2 "$line"; then
		not_ok "$t" "no '$line' line on COM2"
	elif ! on_re com2 "$SUMMARY"; then
		not_ok "$t" "no summary line with 0 failed on COM2"
	elif ! on_re com2 '^ +ok [0-9]+ console$'; then
		not_ok "$t" "the boot.console suite did not pass on COM2"
	elif on com1 'KTAP version 1'; then
		not_ok "$t" "KTAP output on COM1 as well"
	else
		ok "$t"
	fi
fi

# (2) The same run's COM1 had only OVMF's console: the payload's lines
# from before ExitBootServices came there through the ConOut mirror, and
# nothing after it.
t="ConOut mirrors the output until ExitBootServices"
if ! on com1 "$line"; then
	not_ok "$t" "no '$line' line on COM1 (OVMF's ConOut)"
elif ! on com1 '# options: file \gmemvisor.opt: filter=boot.* console=com2'; then
	not_ok "$t" "no '# options:' line on COM1 (OVMF's ConOut)"
elif on com1 '# gmemvisor: pool'; then
	not_ok "$t" "output after ExitBootServices reached ConOut"
else
	ok "$t"
fi

# (3) An SPCR table (QEMU's -acpitable) naming COM2 and no console=.
t="ACPI SPCR names COM2: the KTAP verdict on COM2"
line='# console: com2 (I/O 0x2f8, 115200) from ACPI SPCR'
image lib "filter=lib.*" || not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
if ! scripts/tests/spcr-table.py "$tmp/spcr-com2.bin" 0 1 0x2f8 7; then
	not_ok "$t" "spcr-table.py failed"
elif [ -f "$tmp/lib.img" ]; then
	extra=(-acpitable "file=$tmp/spcr-com2.bin")
	boot "$tmp/lib.img"
	if [ "$rc" != "$QEMU_PASS" ]; then
		not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
	elif ! on com2 "$line"; then
		not_ok "$t" "no '$line' line on COM2"
	elif ! on_re com2 "$SUMMARY"; then
		not_ok "$t" "no summary line with 0 failed on COM2"
	elif on com1 'KTAP version 1'; then
		not_ok "$t" "KTAP output on COM1"
	else
		ok "$t"
	fi
fi

# (4) console= wins over SPCR.
t="console=com1 overrides ACPI SPCR"
line='# console: com1 (I/O 0x3f8, 115200) from option'
if ! image lib1 "filter=lib.* console=com1"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	extra=(-acpitable "file=$tmp/spcr-com2.bin")
	boot "$tmp/lib1.img"
	if [ "$rc" != "$QEMU_PASS" ]; then
		not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
	elif ! on com1 "$line"; then
		not_ok "$t" "no '$line' line on COM1"
	elif ! on_re com1 "$SUMMARY"; then
		not_ok "$t" "no summary line with 0 failed on COM1"
	elif on com2 'KTAP version 1'; then
		not_ok "$t" "KTAP output on COM2, which SPCR named"
	else
		ok "$t"
	fi
fi

# (5) SPCR naming a UART we cannot drive (an Arm PL011): COM1, and why.
t="ACPI SPCR for a PL011: COM1, with the reason"
line='# console: com1 (I/O 0x3f8, 115200) default (ACPI SPCR not used: interface type 0x3 is not a 16550'
if ! scripts/tests/spcr-table.py "$tmp/spcr-pl011.bin" 3 0 0x9000000 7; then
	not_ok "$t" "spcr-table.py failed"
elif [ -f "$tmp/lib.img" ]; then
	extra=(-acpitable "file=$tmp/spcr-pl011.bin")
	boot "$tmp/lib.img"
	if [ "$rc" != "$QEMU_PASS" ]; then
		not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
	elif ! on com1 "$line"; then
		not_ok "$t" "no '$line' line on COM1"
	elif ! on_re com1 "$SUMMARY"; then
		not_ok "$t" "no summary line with 0 failed on COM1"
	else
		ok "$t"
	fi
fi
extra=()

# (6) A bad console= value: the run stops, on the default console, with
# the accepted forms.
t="bad console= value names the forms on COM1"
if ! image bad "filter=lib.* console=com3"; then
	not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
else
	boot "$tmp/bad.img"
	panic=$(grep -m1 '^PANIC' "$tmp/com1")
	if [ "$rc" != "$QEMU_FAIL" ]; then
		not_ok "$t" "QEMU status $rc, want the FAIL code $QEMU_FAIL"
	elif [[ $panic != *'"console=com3"'*'console= takes com1, com2, mmio,ADDR or mmio32,ADDR'* ]]; then
		not_ok "$t" "no PANIC on COM1 naming console=com3 and the forms: '$panic'"
	elif ! on com1 '# console: com1 (I/O 0x3f8, 115200) default (no ACPI SPCR)'; then
		not_ok "$t" "no '# console: com1 ... default (no ACPI SPCR)' line on COM1"
	elif on com1 'KTAP version 1'; then
		not_ok "$t" "cases started despite the bad option"
	else
		ok "$t"
	fi
fi

# (7) An MMIO UART. QEMU's x86 machines have none (isa-serial and
# pci-serial decode I/O ports), so an ivshmem device's BAR, memory the
# host sees as a file, stands in for the registers: the test reads where
# each register write landed. Its LSR reads "transmitter empty", as a
# live UART's would. The BAR's address comes from a first boot, asked of
# QEMU's monitor once the payload has halted.
shm=(-object "memory-backend-file,id=shm,mem-path=$tmp/shm,size=4096,share=on"
	-device ivshmem-plain,memdev=shm)
bar=
if image halt "filter=lib.* end=halt"; then
	extra=("${shm[@]}" -monitor "unix:$tmp/mon,server,nowait")
	truncate -s 4096 "$tmp/shm"
	boot "$tmp/halt.img" &
	qpid=$!
	for _ in $(seq 1 $((BOOT_SECONDS * 5))); do
		grep -qa 'ending by halt' "$tmp/com1.raw" 2>/dev/null && break
		sleep 0.2
	done
	bar=$(python3 - "$tmp/mon" <<'PY'
import re, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"info pci\n")
out, end = b"", time.time() + 5
while time.time() < end:
    s.settimeout(0.5)
    try:
        out += s.recv(65536)
    except socket.timeout:
        if b"1110" in out:
            break
s.sendall(b"quit\n")
text = out.decode(errors="replace").split("1af4:1110", 1)[-1]
m = re.search(r"BAR2: 64 bit prefetchable memory at (0x[0-9a-f]+)", text)
print(m.group(1) if m else "")
PY
)
	wait "$qpid"
	extra=()
fi
# mmio_case NAME WHAT OPTIONS STRIDE LINE [QEMU ARGS]: boot with OPTIONS
# (ADDR stands for the BAR) and check that the UART's register r lands at
# r * STRIDE and that ConOut shows "# console: LINE".
mmio_case() {
	local name=$1 t="$2: the UART's registers at stride $4" stride=$4 regs want
	local opts=${3//ADDR/$bar} line="# console: ${5//ADDR/$bar}"
	shift 5
	if [ -z "$bar" ]; then
		not_ok "$t" "no ivshmem BAR2 address from QEMU's monitor"
		return
	fi
	if ! image "$name" "$opts"; then
		not_ok "$t" "make-image.sh failed: $(cat "$tmp/mk.log")"
		return
	fi
	rm -f "$tmp/shm"
	truncate -s 4096 "$tmp/shm"
	printf '\x60' | dd of="$tmp/shm" bs=1 seek=$((5 * stride)) conv=notrunc status=none
	extra=("${shm[@]}" "$@")
	boot "$tmp/$name.img"
	extra=()
	# DATA (the last byte sent), IER, FCR, LCR, MCR.
	regs=$(for r in 0 1 2 3 4; do
		od -An -tx1 -j $((r * stride)) -N1 "$tmp/shm" | tr -d ' \n'
		echo -n ' '
	done)
	want="0a 00 07 03 03 "
	if [ "$rc" != "$QEMU_PASS" ]; then
		not_ok "$t" "QEMU status $rc, want the PASS code $QEMU_PASS"
	elif ! on com1 "$line"; then
		not_ok "$t" "no '$line' line on COM1 (ConOut)"
	elif [ "$regs" != "$want" ]; then
		not_ok "$t" "registers DATA IER FCR LCR MCR hold '$regs', want '$want' (the last byte a newline, FIFOs on, 8N1, DTR|RTS)"
	elif on com1 'KTAP version 1' || on com2 'KTAP version 1'; then
		not_ok "$t" "KTAP output on a COM port"
	else
		ok "$t"
	fi
}
mmio_case mmio "console=mmio,ADDR" "filter=lib.* console=mmio,ADDR" 1 \
	"mmio (MMIO ADDR, baud as the firmware set it) from option"
mmio_case mmio32 "console=mmio32,ADDR,115200" \
	"filter=lib.* console=mmio32,ADDR,115200" 4 \
	"mmio32 (MMIO ADDR, 115200) from option"
# (8) SPCR's own MMIO form: type 0x12, system memory, dword access.
if [ -n "$bar" ] &&
	! scripts/tests/spcr-table.py "$tmp/spcr-mmio.bin" 0x12 0 "$bar" 7 32 3; then
	not_ok "ACPI SPCR names an MMIO UART" "spcr-table.py failed"
else
	mmio_case spcrmmio "ACPI SPCR 0x12, memory, dword access" \
		"filter=lib.*" 4 "mmio32 (MMIO ADDR, 115200) from ACPI SPCR" \
		-acpitable "file=$tmp/spcr-mmio.bin"
fi

echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
