#!/bin/sh
# Install what memhp needs on Debian 12, only when it is missing, and fetch
# the lab kernel (Debian's linux-image-6.1 + modules) into a git-ignored cache
# with `apt-get download` + `dpkg -x` (never installed on the host).
#
# Usage: tools/deps.sh [build|lab|bench|all]   (default: all)
# bench: what `make bench` needs on top of build + lab (lsmem, bpftrace for the guest).
set -eu

what=${1:-all}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MEMHP_CACHE:-$top/.cache}

build_pkgs="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libcmocka-dev pkg-config libmicrohttpd-dev libncurses-dev libyaml-dev libclang-rt-14-dev libcap-dev curl valgrind"
lab_pkgs="qemu-system-x86 busybox-static cpio python3 util-linux kmod zstd xz-utils prometheus tmux"
bench_pkgs="util-linux bpftrace time libc6-dev liburing-dev"

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
all) check $build_pkgs $lab_pkgs ;;
*) echo "usage: $0 [build|lab|bench|all]" >&2; exit 2 ;;
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

[ "$what" = build ] && exit 0

# The lab kernel: whatever linux-image-amd64 points at in Debian 12 (6.1.x).
kdir=$cache/kernel
if [ ! -f "$kdir/.done" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1)
	if [ -z "$pkg" ]; then
		as_root apt-get update -qq
		pkg=$(apt-cache depends linux-image-amd64 |
			sed -n 's/^ *Depends: \(linux-image-6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || { echo "deps: cannot resolve the lab kernel package" >&2; exit 1; }
	echo "deps: fetching lab kernel $pkg"
	rm -rf "$kdir"
	mkdir -p "$kdir/deb"
	(cd "$kdir/deb" && apt-get download -qq "$pkg")
	dpkg -x "$kdir"/deb/*.deb "$kdir/root"
	echo "$pkg" >"$kdir/package"
	ls "$kdir"/root/boot/vmlinuz-* | head -n1 >"$kdir/vmlinuz.path"
	basename "$(cat "$kdir/vmlinuz.path")" | sed 's/^vmlinuz-//' >"$kdir/release"
	touch "$kdir/.done"
fi
echo "deps: lab kernel $(cat "$kdir/release") in $kdir"
