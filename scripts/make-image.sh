#!/usr/bin/env bash
# Build a raw disk image for real machines (and QEMU): a GPT with one EFI
# system partition (FAT32) holding EFI/BOOT/BOOTX64.EFI and, when options
# are given, the options file gmemvisor.opt at its root (boot/options.h).
# No root and no loop devices: the file system is made in a file with
# mtools and copied into the disk image, whose GPT sgdisk writes.
#
# usage: scripts/make-image.sh EFI OUT [OPTIONS]
#   OPTIONS  the payload's options (e.g. "filter=alloc.* pool=64M"); none
#            (or "") leaves the options file out.
# Set IMAGE_OPTFILE to a file to copy it as gmemvisor.opt verbatim instead.
set -euo pipefail

die() {
	echo "make-image.sh: $*" >&2
	exit 1
}

[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: make-image.sh EFI OUT [OPTIONS]"
efi=$1 out=$2 options=${3-}

PATH=$PATH:/usr/sbin
for t in mformat:mtools mmd:mtools mcopy:mtools mdir:mtools sgdisk:gdisk; do
	command -v "${t%%:*}" >/dev/null 2>&1 ||
		die "${t%%:*} is missing: install the Debian package ${t#*:}" \
			"(scripts/install-deps.sh does)"
done
[ -f "$efi" ] || die "$efi: no such file (make payload)"
case "$options" in
*$'\n'* | *'#'*) die "OPTIONS must be one line of words without '#'" ;;
esac
[ -z "${IMAGE_OPTFILE:-}" ] || [ -f "$IMAGE_OPTFILE" ] ||
	die "IMAGE_OPTFILE=$IMAGE_OPTFILE: no such file"

# 1 MiB alignment; FAT32 wants at least 65525 clusters: 64 MiB with
# 512-byte clusters leaves room. The backup GPT takes the last 33 sectors.
SECTOR=512
PART_START=2048
PART_MIB=64
part_sectors=$((PART_MIB << 11))
# A whole number of cylinders of 16 heads and 63 sectors, so that an
# emulator that wants a CHS geometry for a flat image (Bochs's ATA disk,
# scripts/run-bochs.sh) takes the image as it is.
CYL_SECTORS=$((16 * 63))
disk_sectors=$((PART_START + part_sectors + 2048))
disk_sectors=$(((disk_sectors + CYL_SECTORS - 1) / CYL_SECTORS * CYL_SECTORS))

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
part=$tmp/esp.img
export MTOOLS_SKIP_CHECK=1

truncate -s $((part_sectors * SECTOR)) "$part"
mformat -i "$part" -F -v GMEMVISOR -T "$part_sectors" -h 64 -s 32 \
	-H "$PART_START" :: || die "mformat failed"
mmd -i "$part" ::/EFI ::/EFI/BOOT
mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI
if [ -n "${IMAGE_OPTFILE:-}" ]; then
	mcopy -i "$part" "$IMAGE_OPTFILE" ::/gmemvisor.opt
elif [ -n "$options" ]; then
	printf '# gmemvisor options (README: "Running on a real machine")\n%s\n' \
		"$options" >"$tmp/gmemvisor.opt"
	mcopy -i "$part" "$tmp/gmemvisor.opt" ::/gmemvisor.opt
fi

rm -f "$out.tmp"
truncate -s $((disk_sectors * SECTOR)) "$out.tmp"
sgdisk -o -n "1:$PART_START:+$part_sectors" -t 1:EF00 \
	-c "1:EFI system partition" "$out.tmp" >/dev/null ||
	die "sgdisk could not write the GPT"
dd if="$part" of="$out.tmp" bs=1M seek=$((PART_START * SECTOR >> 20)) \
	conv=notrunc,sparse status=none
# Check what was written: the GPT and the file system's contents.
sgdisk -v "$out.tmp" | grep -q "No problems found" ||
	die "sgdisk -v finds problems in the GPT: $(sgdisk -v "$out.tmp")"
# The EFI system partition's type GUID (UEFI 2.10 section 5.3.3).
sgdisk -i 1 "$out.tmp" | grep -q "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" ||
	die "partition 1 is not an EFI system partition: $(sgdisk -p "$out.tmp")"
mdir -i "$out.tmp@@$((PART_START * SECTOR))" -b ::/EFI/BOOT |
	grep -q BOOTX64.EFI || die "EFI/BOOT/BOOTX64.EFI is not in the image"
mv "$out.tmp" "$out"
echo "make-image.sh: $out: GPT, ESP FAT32 ${PART_MIB} MiB, EFI/BOOT/BOOTX64.EFI$(
	[ -n "${IMAGE_OPTFILE:-}$options" ] && echo ', gmemvisor.opt')"
