#!/bin/sh
# Build memhp's test kernel modules (tests/kmod/*.c) for the lab kernel into
# build/kmod/ (git-ignored; the lab guest sees it at /memhp/build/kmod).
#
# Usage: tests/kmod/build.sh   (env: KREL=<release>, default from
#                               .cache/kernel/release; KMOD_OUT=<dir>)
# When /usr/src/linux-headers-<release> is missing it installs
# linux-headers-<release> (pulls -common, linux-kbuild-6.1 and gcc-12) with
# apt-get, pinned to the lab kernel package's version when known.
# Fast no-op when the modules are newer than their inputs.
# Exit: 0 built or up to date, 1 build failed, 77 headers unavailable.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tests/kmod
cache=${MEMHP_CACHE:-$top/.cache}
out=${KMOD_OUT:-$top/build/kmod}
mods="memhp_fakeballoon"

rel=${KREL:-}
if [ -z "$rel" ]; then
	if [ ! -f "$cache/kernel/release" ]; then
		echo "kmod: no lab kernel release ($cache/kernel/release): run tools/deps.sh lab" >&2
		exit 77
	fi
	rel=$(cat "$cache/kernel/release")
fi
hdr=/usr/src/linux-headers-$rel

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The headers package for exactly this release; same version as the image.
if [ ! -f "$hdr/Makefile" ]; then
	pkg=linux-headers-$rel
	ver=
	for deb in "$cache"/kernel/deb/linux-image-"$rel"_*.deb; do
		[ -f "$deb" ] && ver=$(dpkg-deb -f "$deb" Version)
	done
	echo "kmod: installing $pkg${ver:+=$ver}"
	export DEBIAN_FRONTEND=noninteractive
	inst() { as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
	if ! { inst "$pkg${ver:+=$ver}" || { as_root apt-get update -qq && inst "$pkg${ver:+=$ver}"; } ||
		{ [ -n "$ver" ] && inst "$pkg"; }; }; then
		echo "kmod: headers unavailable: cannot install $pkg" >&2
		exit 77
	fi
	if [ ! -f "$hdr/Makefile" ]; then
		echo "kmod: headers unavailable: $hdr missing after installing $pkg" >&2
		exit 77
	fi
fi

mkdir -p "$out"
# One build at a time (scenarios may run this concurrently).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out/.lock"
	flock 9
fi

# Up to date: every module exists, was built for $rel, and is newer than
# its inputs (sources, Kbuild, this script, the headers' config).
uptodate=1
[ "$(cat "$out/.release" 2>/dev/null)" = "$rel" ] || uptodate=0
for m in $mods; do
	ko=$out/$m.ko
	if [ ! -f "$ko" ] || [ -n "$(find "$src" "$hdr/.config" "$hdr/Module.symvers" \
		-newer "$ko" -type f 2>/dev/null | head -n1)" ]; then
		uptodate=0
	fi
done
[ $uptodate -eq 1 ] && exit 0

# kbuild writes next to the sources (no MO= in 6.1): build from a copy in
# $out.  cp -p keeps mtimes so make sees what really changed.
if [ "$(cat "$out/.release" 2>/dev/null)" != "$rel" ]; then
	rm -f "$out"/*.o "$out"/*.ko "$out"/*.mod* "$out"/.*.cmd "$out"/Module.symvers "$out"/modules.order
fi
for f in "$src"/Kbuild "$src"/*.c; do
	cmp -s "$f" "$out/${f##*/}" || cp -p "$f" "$out/"
done
echo "kmod: building $mods for $rel in $out"
if ! make -s -C "$hdr" M="$out" modules; then
	echo "kmod: build failed" >&2
	exit 1
fi
echo "$rel" >"$out/.release"
for m in $mods; do
	touch "$out/$m.ko"
done
