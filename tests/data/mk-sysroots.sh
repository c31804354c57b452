#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make the small sysfs fixture trees used by the sysfs and ls unit tests and by
# ls_vs_lsmem.sh. Each tree is OUTDIR/sysroot-NAME/sys/devices/system/...
# laid out like a real kernel's (memoryN/{state,valid_zones,removable,
# phys_device,phys_index,online}, memoryN/nodeK and node/nodeK/memoryN links).
#
# usage: mk-sysroots.sh OUTDIR
#
# Trees (lsmem-comparable unless marked):
#   2node       128M blocks, 2 nodes, None/DMA32/Normal/Movable, one offline run
#   holes       no memory0, holes, single node          (lsmem #4055: ZONES)
#   bs1g        block_size_bytes 0x40000000, 3 nodes, offline lists
#   bs128m      block_size_bytes 0x8000000 with sizes that need rounding
#   oddbs       block_size_bytes 0x18000000 (not a power of two)
#   offline     offline/going-offline blocks with valid_zones lists
#   noremovable no removable files (old/odd kernels)
#   nonuma      no node links anywhere (CONFIG_NUMA=n)
#   weird       malformed files, stray names, a symlink loop (not compared)
#   overflow    block size 2^63: blocks past 64-bit addresses   (not compared)
#   bad-*       fatal problems: no memory dir, bad block_size_bytes, no blocks
set -eu

out=${1:?usage: mk-sysroots.sh OUTDIR}
mkdir -p "$out"

# root
sysroot() {
	R="$out/sysroot-$1"
	rm -rf "$R"
	M="$R/sys/devices/system/memory"
	N="$R/sys/devices/system/node"
	mkdir -p "$M" "$N"
	printf '%s\n' "$2" >"$M/block_size_bytes"
	printf 'online\n' >"$M/auto_online_blocks"
	mkdir -p "$R/sys/module/memory_hotplug/parameters"
	P="$R/sys/module/memory_hotplug/parameters"
	printf 'N\n' >"$P/memmap_on_memory"
	printf 'contig-zones\n' >"$P/online_policy"
	printf '301\n' >"$P/auto_movable_ratio"
	printf 'Y\n' >"$P/auto_movable_numa_aware"
}

# blk ID STATE ZONES REMOVABLE NODE ("-" for REMOVABLE/NODE: no file/link)
blk() {
	d="$M/memory$1"
	mkdir -p "$d/power"
	printf '%s\n' "$2" >"$d/state"
	printf '%s\n' "$3" >"$d/valid_zones"
	[ "$4" = - ] || printf '%s\n' "$4" >"$d/removable"
	printf '0\n' >"$d/phys_device"
	printf '%08x\n' "$1" >"$d/phys_index"
	if [ "$2" = online ]; then echo 1; else echo 0; fi >"$d/online"
	: >"$d/uevent"
	if [ "$5" != - ]; then
		mkdir -p "$N/node$5"
		ln -s "../../node/node$5" "$d/node$5"
		ln -s "../../memory/memory$1" "$N/node$5/memory$1"
	fi
}

# blks FIRST LAST STATE ZONES REMOVABLE NODE
blks() {
	i=$1
	while [ "$i" -le "$2" ]; do
		blk "$i" "$3" "$4" "$5" "$6"
		i=$((i + 1))
	done
}

nodes_online() {
	printf '%s\n' "$1" >"$N/online"
	printf '%s\n' "$1" >"$N/possible"
}

sysroot 2node 8000000
blk 0 online none 1 0
blks 1 7 online DMA32 1 0
blks 8 15 online Normal 1 0
blks 16 23 online Normal 1 1
blks 24 29 online Movable 1 1
blks 30 31 offline "Movable Normal" 1 1
nodes_online 0-1

sysroot holes 8000000
blks 1 3 online DMA32 1 0
blks 8 9 online Normal 1 0
blk 11 online Normal 1 0
blks 16 19 online Normal 0 0
blks 20 21 offline "Normal Movable" 0 0
blks 1000 1001 online Movable 1 0
nodes_online 0

sysroot bs1g 40000000
blk 0 online none 1 0
blk 1 online DMA32 1 0
blk 2 online DMA32 1 0
blks 4 7 online Normal 1 0
blks 8 11 online Normal 1 1
blks 12 13 online Movable 1 1
blks 14 15 offline "Movable Normal" 1 1
blks 16 19 offline "Normal Movable" 1 2
nodes_online 0-2

sysroot bs128m 0x8000000
blk 0 online none 1 0
blks 1 22 online DMA32 1 0
blks 32 44 online Normal 1 0
blks 45 45 online Normal 0 0
blks 46 50 offline "Normal Movable" 1 0
nodes_online 0

sysroot oddbs 18000000
blk 0 online none 1 0
blks 1 4 online DMA32 1 0
blks 5 9 online Normal 1 0
blks 10 12 offline "Normal Movable" 1 0
nodes_online 0

sysroot offline 8000000
blk 0 online none 1 0
blks 1 7 online DMA32 1 0
blks 8 11 online Normal 1 0
blks 12 13 going-offline Normal 1 0
blks 14 17 offline "Normal Movable" 1 0
blks 18 19 offline "Movable Normal" 1 0
blks 20 21 offline "DMA32 Normal Movable" 0 0
blks 22 23 online Movable 1 1
blks 24 27 offline "Movable" 1 1
nodes_online 0-1

sysroot noremovable 8000000
blk 0 online none - 0
blks 1 7 online DMA32 - 0
blks 8 15 online Normal - 0
blks 16 19 offline "Normal Movable" - 0
nodes_online 0

sysroot nonuma 8000000
blk 0 online none 1 -
blks 1 7 online DMA32 1 -
blks 8 11 online Normal 1 -
blks 12 15 offline "Normal Movable" 1 -
rm -rf "$N"

# Every oddity a damaged or synthetic tree can have; lsmem is not compared.
sysroot weird 8000000
blk 0 online none 1 0
blk 1 online DMA32 1 0
blk 2 bogus DMA32 1 0         # unknown state
blk 3 online DMA32 7 0        # malformed removable
blk 4 online "Foo" 1 0        # unknown zone name
blk 5 online Normal 1 0
rm -f "$M/memory5/state"      # missing state
blk 6 online Normal x 0
printf 'online' >"$M/memory6/state" # no newline
printf '' >"$M/memory6/valid_zones" # empty
blk 7 online Normal 1 0
ln -s loop "$M/memory7/loop"
rm -f "$M/memory7/state"
ln -s state "$M/memory7/state" # symlink loop
blk 8 online Normal 1 0
head -c 5000 /dev/zero | tr '\0' 'A' >"$M/memory8/valid_zones" # huge
printf '99999999999999999999999\n' >"$M/memory8/phys_device"
mkdir -p "$M/memoryfoo" "$M/memory" "$M/memory12x" "$M/memory007"
ln -s memory_loop "$M/memory_loop"
ln -s memory99 "$M/memory99" # a block that is a symlink loop
mkdir -p "$M/memory99999999999999999999999"
nodes_online 0

# Fatal problems.
R="$out/sysroot-bad-nomem"
rm -rf "$R"
mkdir -p "$R/sys/devices/system"

sysroot bad-bsize zz
blk 0 online none 1 0

sysroot bad-bsize-zero 0
blk 0 online none 1 0

sysroot bad-bsize-huge 10000000000000000
blk 0 online none 1 0

sysroot bad-bsize-empty ''
blk 0 online none 1 0

sysroot bad-noblocks 8000000

# Block size 2^63: memory1 and memory2 end beyond 64-bit addresses (skipped).
sysroot overflow 8000000000000000
blk 0 online none 1 0
blk 1 online none 1 0
blk 2 online none 1 0
