#!/usr/bin/env bash
# Resolve the Linux kernel that scripts/linux-vm.sh boots as the cross-check
# oracle, fetching and building it into a cache when needed.
#
# Default: Debian's newest generic amd64 kernel in the unstable suite
# (package linux-binary-<rel>, <rel> like 7.2.13+deb14-amd64), found and
# downloaded through a private apt configuration kept in the cache, so the
# machine's own package sources are never touched. Debian builds it without
# CONFIG_KVM_SW_PROTECTED_VM (arch/x86/kvm/Kconfig: the VM type that has
# private memory without hardware), so kvm.ko and kvm-amd.ko are rebuilt
# from Debian's linux-source package of the same version with that option
# on, against the headers package's Module.symvers; the stock vmlinuz loads
# them (unsigned modules only taint it).
#
#   KERNEL=path/to/bzImage MODULES=dir  use this kernel instead: MODULES holds
#       kvm.ko, kvm-amd.ko and the modules they depend on, anywhere below it
#       (a flat folder, a lib/modules/<rel> tree or a kernel build tree), or
#       is empty when KVM is built in. Nothing is downloaded.
#   GMV_CACHE  the cache (default /var/cache/gmemvisor, else
#       $HOME/.cache/gmemvisor when that is not writable). Everything is kept
#       under linux/<rel>/; a step's stamp file marks it finished, a step
#       without its stamp is redone from scratch, never used.
#
# Prints, on stdout, shell assignments for the caller to eval:
#   KREL=<release>  KLABEL=<text for tables>  KERNEL=<vmlinuz>
#   MODULES=<dir>   KCHECKED=<release the expectations were checked against>
# Progress goes to stderr. On failure: one line "linux-kernel: <reason>" on
# stderr (with the log kept, path given) and exit status 1.
set -uo pipefail
export LC_ALL=C

# The release the cases' expectations and the booted kernel's allow-list
# were last checked against. When Debian has moved on, the newest release
# is used all the same and its new differences show as rows to explain.
KCHECKED=7.2.13+deb14-amd64

die() {
	echo "linux-kernel: $*" >&2
	exit 1
}
say() { echo "linux-kernel: $*" >&2; }

if [ -n "${KERNEL:-}" ]; then
	[ -f "$KERNEL" ] || die "KERNEL=$KERNEL is not a file"
	[ -z "${MODULES:-}" ] || [ -d "$MODULES" ] ||
		die "MODULES=$MODULES is not a folder"
	# The release as the kernel image states it ("Linux version ...").
	rel=$(file -bL "$KERNEL" 2>/dev/null | sed -n 's/.*version \([^ ,]*\).*/\1/p')
	printf 'KREL=%q\nKLABEL=%q\nKERNEL=%q\nMODULES=%q\nKCHECKED=%q\n' \
		"${rel:-unknown}" "Linux ${rel:-$KERNEL} (KERNEL=)" \
		"$(realpath "$KERNEL")" \
		"$([ -n "${MODULES:-}" ] && realpath "$MODULES")" "$KCHECKED"
	exit 0
fi

CACHE=${GMV_CACHE:-/var/cache/gmemvisor}
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
	CACHE=$HOME/.cache/gmemvisor
	mkdir -p "$CACHE" || die "cannot create the cache $CACHE"
fi

# One resolver at a time per cache: another run building the same release
# is waited for, not raced.
exec 9>>"$CACHE/linux.lock"
flock -w 1800 9 || die "another run has held $CACHE/linux.lock for 30 minutes"

# ------------------------------------------------- packages this needs
# Debian package for each command or file the download, the initramfs
# and the module rebuild use.
need=()
want() { command -v "$1" >/dev/null 2>&1 || [ -e "$1" ] || need+=("$2"); }
want apt-get apt
want dpkg-deb dpkg
want gcc gcc
want make make
want flex flex
want bison bison
want bc bc
want pahole dwarves
want /usr/include/libelf.h libelf-dev
want /usr/include/openssl/ssl.h libssl-dev
want xz xz-utils
want /bin/busybox busybox-static
want cpio cpio
want modinfo kmod
want file file
want /usr/share/keyrings/debian-archive-keyring.gpg debian-archive-keyring
if [ "${#need[@]}" -gt 0 ]; then
	say "installing ${need[*]}"
	SUDO=
	[ "$(id -u)" -ne 0 ] && SUDO=sudo
	{ $SUDO apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
			--no-install-recommends "${need[@]}"; } >"$CACHE/deps.log" 2>&1 ||
		die "could not install ${need[*]} (log: $CACHE/deps.log)"
fi
# busybox-static may not be the busybox on PATH; the initramfs needs it
# static.
file -bL /bin/busybox | grep -q 'statically linked' ||
	die "/bin/busybox is not static: install busybox-static"

# ------------------------------------------------ private apt for sid
. "$(dirname "$0")/apt-sid.sh"
apt_sid_setup "$CACHE" || die "cannot create $CACHE/apt-sid"

# Refresh the package lists once a day. Offline, the newest release
# already built in the cache is used.
if ! apt_sid_refresh; then
	done_rel=$(ls -1 "$CACHE"/linux/*/modules.stamp 2>/dev/null |
		sed 's|/modules.stamp$||; s|.*/||' | sort -V | tail -1)
	[ -n "$done_rel" ] ||
		die "cannot reach Debian sid ($(tail -n 1 "$APTD/update.log")); log: $APTD/update.log"
	say "cannot reach Debian sid; using the cached $done_rel"
	REL=$done_rel
fi

# ----------------------------------------------- resolve the release
if [ -z "${REL:-}" ]; then
	# The generic flavour only: linux-binary-<version>+<tag>-amd64, not
	# -cloud-amd64, -rt-amd64 or linux-binary-unsigned-*.
	REL=$(apt-cache "${APTX[@]}" pkgnames linux-binary- 2>/dev/null |
		grep -E '^linux-binary-[0-9][^-]*-amd64$' |
		sed 's/^linux-binary-//' | sort -V | tail -1)
	[ -n "$REL" ] ||
		die "no linux-binary-<release>-amd64 package in Debian sid's list ($APTD/lists)"
fi
D=$CACHE/linux/$REL
mkdir -p "$D"
log=$D/build.log

if [ ! -f "$D/modules.stamp" ]; then
	t0=$(date +%s)
	# ------------------------------------------------ download
	if [ ! -f "$D/debs.stamp" ]; then
		say "downloading Linux $REL from Debian sid (~290 MB)"
		series=$(echo "$REL" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
		rm -rf "$D/debs" && mkdir -p "$D/debs"
		(cd "$D/debs" && timeout 900 apt-get "${APTX[@]}" download \
			"linux-binary-$REL" "linux-modules-$REL" \
			"linux-headers-$REL" "linux-source-$series") >"$log" 2>&1 ||
			die "download of Linux $REL failed: $(grep -E '^(E|W):' "$log" | head -n 1) (log: $log)"
		touch "$D/debs.stamp"
	fi
	# ------------------------------------------------ extract
	if [ ! -f "$D/tree.stamp" ]; then
		say "unpacking"
		rm -rf "$D/kroot" "$D/hdr" "$D/srcdeb"
		for p in binary modules; do
			dpkg-deb -x "$D"/debs/linux-"$p"-*.deb "$D/kroot" ||
				die "cannot unpack linux-$p (log: $log)"
		done
		dpkg-deb -x "$D"/debs/linux-headers-*.deb "$D/hdr" &&
			dpkg-deb -x "$D"/debs/linux-source-*.deb "$D/srcdeb" ||
			die "cannot unpack the headers or source package"
		touch "$D/tree.stamp"
	fi
	mods=$D/kroot/usr/lib/modules/$REL
	hdr=$D/hdr/usr/src/linux-headers-$REL
	[ -f "$mods/vmlinuz" ] || die "no vmlinuz in linux-binary-$REL"
	[ -f "$hdr/.config" ] && [ -f "$hdr/Module.symvers" ] ||
		die "linux-headers-$REL has no .config or Module.symvers"
	# ------------------------------------------------ rebuild kvm
	say "rebuilding kvm.ko and kvm-amd.ko with KVM_SW_PROTECTED_VM (2-5 min)"
	src=$D/src
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf "$D"/srcdeb/usr/src/linux-source-*.tar.xz -C "$src" \
		--strip-components=1 >>"$log" 2>&1 || die "cannot unpack linux-source (log: $log)"
	(
		set -e
		cd "$src"
		cp "$hdr/.config" .config
		# Rust and module signing need tools and keys we do not have;
		# EXPERT is what KVM_SW_PROTECTED_VM depends on (Debian sets it).
		# kvm-intel.ko is not built: QEMU's TCG offers SVM only.
		scripts/config -d RUST -e KVM_SW_PROTECTED_VM -d KVM_INTEL \
			--set-str SYSTEM_TRUSTED_KEYS "" \
			--set-str SYSTEM_REVOCATION_KEYS "" -d MODULE_SIG_ALL
		make -s olddefconfig
		grep -q '^CONFIG_KVM_SW_PROTECTED_VM=y' .config
		# Without pahole Kconfig drops DEBUG_INFO_BTF_MODULES, which
		# changes struct module: the kernel then refuses the module as
		# "invalid module format".
		grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' .config
		cp "$hdr/Module.symvers" .
		make -s -j"$(nproc)" KERNELRELEASE="$REL" modules_prepare
		make -s -j"$(nproc)" KERNELRELEASE="$REL" M=arch/x86/kvm modules
	) >>"$log" 2>&1 || die "rebuilding the kvm modules failed: $(grep -iE 'error|not set' "$log" | tail -n 1) (log: $log)"
	# The modules tree with the two rebuilt modules in place of Debian's.
	out=$D/modules-swp
	rm -rf "$out"
	cp -al "$mods" "$out" || die "cannot copy $mods"
	k=$out/kernel/arch/x86/kvm
	rm -f "$k"/kvm.ko* "$k"/kvm-amd.ko*
	strip --strip-debug -o "$k/kvm.ko" "$src/arch/x86/kvm/kvm.ko" &&
		strip --strip-debug -o "$k/kvm-amd.ko" "$src/arch/x86/kvm/kvm-amd.ko" ||
		die "cannot copy the rebuilt modules"
	rm -rf "$src" "$D/srcdeb"
	touch "$D/modules.stamp"
	say "Linux $REL ready in $(($(date +%s) - t0)) s"
fi

printf 'KREL=%q\nKLABEL=%q\nKERNEL=%q\nMODULES=%q\nKCHECKED=%q\n' \
	"$REL" "Linux $REL (Debian sid, KVM_SW_PROTECTED_VM)" \
	"$D/kroot/usr/lib/modules/$REL/vmlinuz" "$D/modules-swp" "$KCHECKED"
