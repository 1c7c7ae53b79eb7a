#!/usr/bin/env bash
# Resolve the Bochs that scripts/run-bochs.sh runs, and print its path.
#
# Bookworm's Bochs (2.7) installs from the package archive but runs the
# payload 2-3 times slower than Debian sid's 3.1, and a run of the whole
# payload is minutes long. So the default is sid's 3.1, fetched once into
# the cache: its .debs (bochs, and libc6 for the C library it was linked
# against, 2.38, newer than bookworm's) are downloaded through the private
# apt configuration scripts/linux-kernel.sh keeps, never the machine's own
# sources, and unpacked with dpkg-deb; a wrapper runs the binary through
# sid's dynamic loader with sid's libc first and the system's libraries
# (GTK, readline, libstdc++: same sonames, installed with bookworm's bochs)
# after, and points Bochs at its own plugins and BIOS files.
#
#   GMV_BOCHS=path   use this Bochs; nothing is downloaded
#   GMV_BOCHS=debian bookworm's installed Bochs
#   GMV_CACHE        the cache (as scripts/linux-kernel.sh: default
#                    /var/cache/gmemvisor, else $HOME/.cache/gmemvisor)
#
# Offline or when sid's packages cannot be had, Debian's installed Bochs is
# used, saying why on stderr. Prints the executable's path on stdout;
# on failure one line "bochs-resolve: <reason>" on stderr and exit 1.
set -uo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

die() {
	echo "bochs-resolve: $*" >&2
	exit 1
}
say() { echo "bochs-resolve: $*" >&2; }

# Debian's Bochs: the fallback, and the provider of the libraries sid's
# binary shares with it.
debian_bochs() {
	scripts/install-deps.sh bochs >&2 ||
		die "Bochs is missing and could not be installed (Debian packages bochs bochsbios vgabios)"
	command -v bochs || die "no bochs on PATH after scripts/install-deps.sh bochs"
}

case "${GMV_BOCHS:-}" in
"") ;;
debian)
	debian_bochs
	exit ;;
*)
	[ -x "$GMV_BOCHS" ] || die "GMV_BOCHS=$GMV_BOCHS is not an executable file"
	echo "$GMV_BOCHS"
	exit 0 ;;
esac

fallback=$(debian_bochs) || exit 1

CACHE=${GMV_CACHE:-/var/cache/gmemvisor}
if ! mkdir -p "$CACHE" 2>/dev/null || [ ! -w "$CACHE" ]; then
	CACHE=$HOME/.cache/gmemvisor
	mkdir -p "$CACHE" || die "cannot create the cache $CACHE"
fi
# The release this was checked with; a newer one in sid is used as well.
WANT=3.1
D=$CACHE/bochs-sid
if [ -f "$D/ready.stamp" ] && [ -x "$D/bochs" ]; then
	echo "$D/bochs"
	exit 0
fi

exec 9>>"$CACHE/bochs.lock"
flock -w 600 9 || die "another run has held $CACHE/bochs.lock for 10 minutes"
if [ -f "$D/ready.stamp" ] && [ -x "$D/bochs" ]; then
	echo "$D/bochs"
	exit 0
fi

use_fallback() {
	say "$*; using Debian's installed Bochs ($fallback)"
	echo "$fallback"
	exit 0
}

. "$(dirname "$0")/apt-sid.sh"
apt_sid_setup "$CACHE" || die "cannot create $CACHE/apt-sid"
apt_sid_refresh || use_fallback "cannot reach Debian sid (log: $APTD/update.log)"
ver=$(apt-cache "${APTX[@]}" show bochs 2>/dev/null | sed -n 's/^Version: //p' | head -1)
[ -n "$ver" ] || use_fallback "Debian sid lists no bochs package"
dpkg --compare-versions "$ver" ge "$WANT" ||
	use_fallback "sid's bochs is $ver, older than $WANT"

rm -rf "$D.new"
mkdir -p "$D.new/debs" || die "cannot create $D.new"
say "fetching bochs $ver and its C library from Debian sid into $D"
(cd "$D.new/debs" && timeout 900 apt-get "${APTX[@]}" download bochs libc6) \
	>"$D.new/download.log" 2>&1 ||
	use_fallback "cannot download sid's bochs (log: $D.new/download.log)"
for deb in "$D.new"/debs/bochs_*.deb "$D.new"/debs/libc6_*.deb; do
	dpkg-deb -x "$deb" "$D.new/root" || die "cannot unpack $deb"
done
cat >"$D.new/bochs" <<'EOF'
#!/bin/sh
# Debian sid's Bochs, run through sid's loader and C library (made by
# gmemvisor's scripts/bochs-resolve.sh).
d=$(dirname "$(readlink -f "$0")")
r=$d/root
l=$r/usr/lib/x86_64-linux-gnu
export LTDL_LIBRARY_PATH=$l/bochs/plugins BXSHARE=$r/usr/share/bochs
exec "$l/ld-linux-x86-64.so.2" \
	--library-path "$l:/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu" \
	"$r/usr/bin/bochs-bin" "$@"
EOF
chmod +x "$D.new/bochs"
# It must run here: list its CPU models.
models=$("$D.new/bochs" -q --help cpu 2>&1) && grep -qx ' *tigerlake' <<<"$models" ||
	use_fallback "sid's bochs $ver does not start here ($(tail -n 1 <<<"$models"))"
echo "$ver" >"$D.new/version"
touch "$D.new/ready.stamp"
rm -rf "$D" && mv "$D.new" "$D" || die "cannot move $D.new to $D"
echo "$D/bochs"
