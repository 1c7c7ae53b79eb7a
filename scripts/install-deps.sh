#!/usr/bin/env bash
# Install the Debian packages gmemvisor needs, if any are missing.
# Fast when everything is there: it only looks for files.
#
# usage: scripts/install-deps.sh [bochs|bench]
#   bochs  also what scripts/run-bochs.sh needs (Bochs, its BIOS and VGA
#          BIOS packages); only the runs on Bochs ask for it.
#   bench  also what `make bench` needs: gnuplot (the plots) and valgrind
#          (callgrind's instruction counts, and its callgrind.h that
#          bench/linux/main.c includes).
set -euo pipefail

with_bochs=0 with_bench=0
case "${1-}" in
'') ;;
bochs) with_bochs=1 ;;
bench) with_bench=1 ;;
*) echo "install-deps: unknown group '$1' (want: bochs or bench)" >&2; exit 2 ;;
esac

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -e "$1" ]; }
want() { have "$1" || need+=("$2"); }

want clang clang
want lld-link lld
want ld.lld lld
want llvm-objcopy llvm
want nasm nasm
want qemu-system-x86_64 qemu-system-x86
want /usr/share/ovmf/OVMF.fd ovmf
want /usr/include/efi/efi.h gnu-efi
want /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
want python3 python3
# make image: a FAT file system and a GPT in plain files (no root).
want mformat mtools
want /usr/sbin/sgdisk gdisk
# The initramfs of a booted Linux kernel (scripts/linux-vm.sh); what only
# the kernel's own build needs is installed by scripts/linux-kernel.sh.
want /bin/busybox busybox-static
want cpio cpio
want modinfo kmod
want xz xz-utils
if [ "$with_bochs" = 1 ]; then
	want bochs bochs
	want /usr/share/bochs/BIOS-bochs-latest bochsbios
	want /usr/share/vgabios/vgabios.bin vgabios
fi
if [ "$with_bench" = 1 ]; then
	want gnuplot gnuplot-nox
	want valgrind valgrind
	want /usr/include/valgrind/callgrind.h valgrind
fi

if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi
# Deduplicate (lld provides two of the commands).
mapfile -t pkgs < <(printf '%s\n' "${need[@]}" | sort -u)
echo "install-deps: installing ${pkgs[*]}"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
