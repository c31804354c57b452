#!/bin/sh
# Build memhp's test kernel modules (tests/kmod/*.c) for the lab kernel into
# build/kmod/ (git-ignored; the lab guest sees it at /memhp/build/kmod).
#
# Usage: tests/kmod/build.sh   (env: LAB_KERNEL_DIR=<kernel dir>, default
#                               .cache/kernels/6.1; KMOD_OUT=<dir>, default
#                               build/kmod/<release>)
# When /usr/src/linux-headers-<release> is missing it installs
# linux-headers-<release> (pulls -common, linux-kbuild-6.1 and gcc-12) with
# apt-get, pinned to the lab kernel package's version when known.
# Fast no-op when the modules are newer than their inputs.
#
# Module BTF (/sys/kernel/btf/<module> in the guest, which BPF CO-RE needs to
# read the module's types): kbuild would run pahole in Makefile.modfinal, but
# only with a vmlinux in the headers tree, which Debian's headers package
# doesn't ship ("Skipping BTF generation ... due to unavailability of
# vmlinux"), and then resolve_btfids, which it doesn't ship either.  So this
# script runs the same pahole command itself after the build, with the lab
# kernel's own vmlinux (<kernel dir>/vmlinux, extracted from the same
# linux-image package by tools/gen-vmlinux.sh --btf-only) as the split-BTF
# base, and installs pahole (package dwarves) when missing.  resolve_btfids
# is skipped: these modules have no .BTF_ids section.  Without pahole or
# vmlinux the modules are built without BTF and a warning says so.
#
# Exit: 0 built or up to date, 1 build failed, 77 headers unavailable.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tests/kmod
cache=${MEMHP_CACHE:-$top/.cache}
kdir=${LAB_KERNEL_DIR:-$cache/kernels/6.1}
mods="memhp_fakeballoon memhp_holdpage memhp_stallnotify"

if [ ! -f "$kdir/release" ]; then
	echo "kmod: no lab kernel release ($kdir/release): run tools/deps.sh lab" >&2
	exit 77
fi
rel=$(cat "$kdir/release")
out=${KMOD_OUT:-$top/build/kmod/$rel}
hdr=/usr/src/linux-headers-$rel
vmlinux=$kdir/vmlinux

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

has_btf() {
	LC_ALL=C readelf -S "$1" 2>/dev/null | grep -q ' \.BTF '
}

# The headers package for exactly this release; same version as the image.
if [ ! -f "$hdr/Makefile" ]; then
	pkg=linux-headers-$rel
	ver=
	for deb in "$kdir"/deb/linux-image-"$rel"*_*.deb; do
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

# The lab kernel's vmlinux (BTF base) and pahole, for module BTF.
if [ ! -s "$vmlinux" ] && [ -x "$top/tools/gen-vmlinux.sh" ]; then
	LAB_KERNEL_DIR=$kdir "$top/tools/gen-vmlinux.sh" --btf-only >/dev/null 2>&1 || true
fi
if ! command -v pahole >/dev/null 2>&1; then
	echo "kmod: installing dwarves (pahole, for module BTF)"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get install -y -qq --no-install-recommends dwarves >/dev/null 2>&1 ||
		{ as_root apt-get update -qq && as_root apt-get install -y -qq --no-install-recommends dwarves >/dev/null 2>&1; } ||
		true
fi
btf=1
if ! command -v pahole >/dev/null 2>&1; then
	echo "kmod: WARNING: no pahole (package dwarves): modules get no BTF" >&2
	btf=0
elif [ ! -s "$vmlinux" ]; then
	echo "kmod: WARNING: no $vmlinux (tools/gen-vmlinux.sh --btf-only): modules get no BTF" >&2
	btf=0
fi

mkdir -p "$out"
# One build at a time (scenarios may run this concurrently).
if command -v flock >/dev/null 2>&1; then
	exec 9>"$out/.lock"
	flock 9
fi

# Up to date: every module exists, was built for $rel, is newer than its
# inputs (sources, Kbuild, this script, the headers' config, the BTF base
# vmlinux) and has BTF when it can.
uptodate=1
[ "$(cat "$out/.release" 2>/dev/null)" = "$rel" ] || uptodate=0
for m in $mods; do
	ko=$out/$m.ko
	if [ ! -f "$ko" ] || [ -n "$(find "$src" "$hdr/.config" "$hdr/Module.symvers" \
		"$vmlinux" -newer "$ko" -type f 2>/dev/null | head -n1)" ]; then
		uptodate=0
	fi
	# Built without BTF before, pahole and vmlinux there now.
	if [ $btf -eq 1 ] && [ -f "$ko" ] && ! has_btf "$ko"; then
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
# Modfinal's "Skipping BTF generation" note is expected (see the top).
rc=0
make -s -C "$hdr" M="$out" modules 2>"$out/.make.err" || rc=$?
grep -v '^Skipping BTF generation' "$out/.make.err" >&2 || true
if [ $rc -ne 0 ]; then
	echo "kmod: build failed" >&2
	exit 1
fi
if [ $btf -eq 1 ]; then
	# Makefile.modfinal's cmd_btf_ko with vmlinux := the lab kernel's,
	# pahole flags from the headers' scripts/pahole-flags.sh (6.1), or,
	# where that script is gone (6.12 computes them in scripts/Makefile.btf,
	# for the pahole the kernel was configured with), from Makefile.btf
	# evaluated for the pahole installed here.
	if [ -f "$hdr/scripts/pahole-flags.sh" ]; then
		flags=$(PAHOLE=pahole sh "$hdr/scripts/pahole-flags.sh")
	elif [ -f "$hdr/scripts/Makefile.btf" ]; then
		pver=$(pahole --version | sed 's/^v//; s/\.//')
		flags=$(printf 'include %s/scripts/Kbuild.include\nCONFIG_PAHOLE_VERSION := %s\ninclude %s/scripts/Makefile.btf\nall:\n\t@echo $(PAHOLE_FLAGS)\n' \
			"$hdr" "$pver" "$hdr" | make -s -f - all)
	else
		echo "kmod: no pahole flags in $hdr (pahole-flags.sh, Makefile.btf)" >&2
		exit 1
	fi
	for m in $mods; do
		# shellcheck disable=SC2086
		if ! LLVM_OBJCOPY=objcopy pahole -J $flags --btf_base "$vmlinux" "$out/$m.ko" ||
			! has_btf "$out/$m.ko"; then
			echo "kmod: pahole failed to add BTF to $m.ko" >&2
			exit 1
		fi
	done
fi
echo "$rel" >"$out/.release"
for m in $mods; do
	touch "$out/$m.ko"
done
