#!/bin/sh
# Build the memhp lab VM initramfs: static busybox, busybox init + inittab,
# tools/lab/guest/{rc,agent.sh}, and a module subset of the lab kernel (virtio,
# 9p, virtio_mem, virtio_balloon, hv_balloon, memory-notifier-error-inject, virtio_net,
# loop, ext4 and crc32c_generic (ext4 loads it by name) for the readiness
# scenario's page cache)
# with a modules.dep made by `depmod -b`, so `modprobe NAME` works in the guest.
#
# Usage: tools/lab/mkinitramfs.sh OUT        (gzip'd newc cpio)
# Env:   MEMHP_CACHE (default <repo>/.cache), LAB_KERNEL_DIR (default
#        $MEMHP_CACHE/kernels/6.1), BUSYBOX (default: the static busybox on PATH).
# Rebuilds only when an input changed (content hash kept in OUT.stamp).
set -eu

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
case $1 in /*) out=$1 ;; *) out=$(pwd)/$1 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${MEMHP_CACHE:-$top/.cache}
kdir=${LAB_KERNEL_DIR:-$cache/kernels/6.1}

[ -f "$kdir/release" ] || die "lab kernel missing in $kdir: run tools/deps.sh lab"
rel=$(cat "$kdir/release")
mdir=$kdir/root/lib/modules/$rel
[ -d "$mdir/kernel" ] || die "no modules in $mdir: run tools/deps.sh lab"

bb=${BUSYBOX:-$(command -v busybox || true)}
if [ -z "$bb" ] || [ ! -x "$bb" ]; then
	die "busybox not found: run tools/deps.sh lab (busybox-static)"
fi
if command -v file >/dev/null 2>&1 && ! file -L "$bb" | grep -q 'statically linked'; then
	die "$bb is not statically linked: install busybox-static (tools/deps.sh lab)"
fi
for t in cpio gzip depmod xz; do
	command -v $t >/dev/null 2>&1 || die "$t not found: run tools/deps.sh lab"
done

# Modules wanted in the image; dependencies are added below.
want="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
virtio_mem virtio_balloon virtio_console virtio_net netfs fscache 9pnet 9pnet_virtio 9p
hv_vmbus hv_balloon notifier-error-inject memory-notifier-error-inject
loop ext4 crc32c_generic"

findmod() { # name -> relative path of the .ko (accepts - or _)
	pat=$(echo "$1" | sed 's/[-_]/[-_]/g')
	(cd "$mdir" && find kernel -regex ".*/$pat\.ko\(\.xz\|\.zst\|\.gz\)?" | head -n1)
}

builtin() { # name -> true when the kernel has it built in
	pat=$(echo "$1" | sed 's/[-_]/[-_]/g')
	grep -q "/$pat\.ko\$" "$mdir/modules.builtin" 2>/dev/null
}

files=
todo=$want
n=0
while [ -n "$todo" ] && [ $n -lt 200 ]; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	set -- $todo
	m=$1
	shift
	todo=$*
	f=$(findmod "$m")
	if [ -z "$f" ]; then
		# 6.12 builds virtio, virtio_ring and virtio_pci in, and folded
		# fscache into netfs (CONFIG_FSCACHE is a netfs option there).
		if builtin "$m"; then
			continue
		fi
		case $m in fscache) [ -n "$(findmod netfs)" ] && continue ;; esac
		die "module $m not found under $mdir (nor built in)"
	fi
	case " $files " in *" $f "*) continue ;; esac
	files="$files $f"
	deps=$(modinfo -F depends "$mdir/$f" 2>/dev/null | tr ',' ' ' || true)
	# shellcheck disable=SC2086
	todo=$(echo $todo $deps) # no trailing blank: the loop ends when empty
done

# Content hash of every input.
sum=$( (
	echo "$rel"
	cat "$0" "$here/guest/rc" "$here/guest/agent.sh"
	sha256sum "$bb" | cut -d' ' -f1
	for f in $files; do echo "$f"; sha256sum "$mdir/$f" | cut -d' ' -f1; done
) | sha256sum | cut -d' ' -f1)

if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$sum" ]; then
	echo "mkinitramfs: $out is up to date"
	exit 0
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/memhp-initramfs.XXXXXX")
trap 'rm -rf "$stage" "$out.tmp.$$" "$out.stamp.tmp.$$"' EXIT INT TERM
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev tmp run root memhp lab \
	"lib/modules/$rel"
# A root file system like a real one: mktemp made / 0700, which no
# unprivileged thread (memhp's HTTP side runs as nobody) could traverse.
chmod 755 . && chmod 1777 tmp && chmod 700 root
cp "$bb" bin/busybox
for a in $("$bb" --list); do
	[ "$a" = busybox ] && continue
	ln -sf busybox "bin/$a"
done
ln -sf bin/busybox init
cp "$here/guest/rc" etc/lab-rc
cp "$here/guest/agent.sh" etc/lab-agent.sh
chmod 755 etc/lab-rc etc/lab-agent.sh
cat >etc/inittab <<'EOF'
::sysinit:/etc/lab-rc
::respawn:/bin/sh /etc/lab-agent.sh
::shutdown:/bin/umount -a -r
EOF
echo "root:x:0:0:root:/root:/bin/sh" >etc/passwd
echo "root:x:0:" >etc/group
printf 'memhp lab VM, kernel %s\n' "$rel" >etc/lab-release
mknod -m 600 dev/console c 5 1 2>/dev/null ||
	echo "mkinitramfs: warning: cannot mknod dev/console (not root?)" >&2
mknod -m 666 dev/null c 1 3 2>/dev/null || true

# Compressed modules (6.12: .ko.xz) go in decompressed: neither busybox's
# insmod nor every kernel config (CONFIG_MODULE_DECOMPRESS) takes them.
for f in $files; do
	mkdir -p "lib/modules/$rel/$(dirname "$f")"
	case $f in
	*.ko.xz) xz -dc "$mdir/$f" >"lib/modules/$rel/${f%.xz}" ;;
	*.ko.zst) zstd -dcq "$mdir/$f" >"lib/modules/$rel/${f%.zst}" ;;
	*.ko.gz) gzip -dc "$mdir/$f" >"lib/modules/$rel/${f%.gz}" ;;
	*) cp "$mdir/$f" "lib/modules/$rel/$f" ;;
	esac
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$mdir/$f" ] && cp "$mdir/$f" "lib/modules/$rel/"
done
depmod -b "$stage" "$rel" || die "depmod failed"

mkdir -p "$(dirname "$out")"
# Unique temp names + rename: concurrent builds (parallel labs) never see a
# half-written image.
find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0 | gzip -1 >"$out.tmp.$$"
echo "$sum" >"$out.stamp.tmp.$$"
mv -f "$out.tmp.$$" "$out"
mv -f "$out.stamp.tmp.$$" "$out.stamp"
echo "mkinitramfs: wrote $out ($(wc -c <"$out") bytes, $(echo "$files" | wc -w) modules)"
