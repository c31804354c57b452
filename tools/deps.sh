#!/bin/sh
# Install what memhp needs on Debian 12, only when it is missing, and fetch
# the lab kernels (Debian's 6.1 and 6.12 images + modules) into a git-ignored
# cache with `apt-get download` + `dpkg -x` (never installed on the host).
#
# Usage: tools/deps.sh [build|lab|compat|bench|deb|all]   (default: all)
# bench: what `make bench` needs on top of build + lab (lsmem, bpftrace for the guest).
# deb: what `make deb` needs on top of build (dpkg-buildpackage, debhelper, lintian).
set -eu

what=${1:-all}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MEMHP_CACHE:-$top/.cache}

build_pkgs="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev pkg-config libmicrohttpd-dev libncurses-dev libyaml-dev libclang-rt-14-dev libcap-dev libsmartcols-dev curl valgrind"
lab_pkgs="qemu-system-x86 busybox-static cpio python3 util-linux kmod zstd xz-utils prometheus tmux"
bench_pkgs="util-linux bpftrace time libc6-dev liburing-dev"
deb_pkgs="dpkg-dev debhelper fakeroot lintian man-db"

need=""
check() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			need="$need $p"
	done
}

case $what in
build) check $build_pkgs ;;
lab) check $lab_pkgs ;;
bench) check $build_pkgs $lab_pkgs $bench_pkgs ;;
all) check $build_pkgs $lab_pkgs $deb_pkgs ;;
compat) check $build_pkgs ;;
deb) check $build_pkgs $deb_pkgs ;;
*) echo "usage: $0 [build|lab|compat|bench|deb|all]" >&2; exit 2 ;;
esac

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -n "$need" ]; then
	echo "deps: installing:$need"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -qq
	# shellcheck disable=SC2086
	as_root apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

case $what in build | deb) exit 0 ;; esac

# The lab kernels, one folder each under $cache/kernels/<name>/ (package,
# release, vmlinuz.path, root/ = the unpacked .deb, vmlinux = its ELF with
# BTF, made by tools/gen-vmlinux.sh), fetched with `apt-get download` +
# `dpkg -x` and never installed on the host:
#   6.1      whatever linux-image-amd64 points at in Debian 12 (6.1.x)
#   6.12     the newest linux-image-6.12.*+deb12-amd64-unsigned
#   6.12.107 (compat only) the last 6.12 build before memory_block's enum
#            types, while the archive offers it
# LAB_KERNELS="6.1 6.12" (default) picks which the lab and `make test` use.
lab_kernels=${LAB_KERNELS:-6.1 6.12}

# The package name for a kernel name, from the package lists.
resolve_kernel() {
	case $1 in
	6.1) apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1 ;;
	6.12) apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' | sort -V | tail -n1 ;;
	6.12.*) apt-cache pkgnames "linux-image-$1+" 2>/dev/null |
		grep -E "^linux-image-$1\\+deb12-amd64-unsigned\$" | head -n1 ;;
	*) echo "deps: unknown kernel name $1 (6.1, 6.12 or 6.12.N)" >&2; return 1 ;;
	esac
}

fetch_kernel() {
	name=$1
	kdir=$cache/kernels/$name
	if [ ! -f "$kdir/.done" ]; then
		pkg=$(resolve_kernel "$name")
		if [ -z "$pkg" ]; then
			as_root apt-get update -qq
			pkg=$(resolve_kernel "$name")
		fi
		[ -n "$pkg" ] || { echo "deps: cannot resolve a package for kernel $name" >&2; return 1; }
		echo "deps: fetching kernel $name: $pkg"
		rm -rf "$kdir"
		mkdir -p "$kdir/deb"
		(cd "$kdir/deb" && apt-get download -qq "$pkg")
		dpkg -x "$kdir"/deb/*.deb "$kdir/root"
		echo "$pkg" >"$kdir/package"
		ls "$kdir"/root/boot/vmlinuz-* | head -n1 >"$kdir/vmlinuz.path"
		basename "$(cat "$kdir/vmlinuz.path")" | sed 's/^vmlinuz-//' >"$kdir/release"
		touch "$kdir/.done"
	fi
	# The ELF with BTF (module BTF base, compat check, vmlinux.h).
	[ -s "$kdir/vmlinux" ] || LAB_KERNEL_DIR=$kdir "$top/tools/gen-vmlinux.sh" --btf-only
	echo "deps: kernel $name: $(cat "$kdir/release") in $kdir"
}

case $what in
lab | all | bench)
	for k in $lab_kernels; do fetch_kernel "$k"; done ;;
compat)
	for k in $lab_kernels 6.12.107; do
		fetch_kernel "$k" || echo "deps: kernel $k unavailable: compat skips it" >&2
	done ;;
esac
