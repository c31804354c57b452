#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make a synthetic sysfs memory tree for `memhp ls --sysroot` / `lsmem
# --sysroot`: benchmarks at scale (32,768 or 131,072 blocks) and, small,
# tests.
#
# usage: gen-sysfs-tree.sh DIR NBLOCKS NODES [BLOCK_SIZE_HEX]
#
# DIR/sys/devices/system/memory gets NBLOCKS memoryN directories (state,
# valid_zones, removable, phys_device, phys_index, online, uevent and a nodeK
# link) and DIR/sys/devices/system/node/nodeK/memoryN links, laid out like an
# x86 machine: memory0 spans DMA and DMA32 ("none"), DMA32 up to 3 GiB, a
# hole up to 4 GiB, then Normal; the NBLOCKS blocks are split evenly over the
# NODES nodes, and the last quarter of each node is hotplugged memory:
# mostly online Movable, some offline (valid_zones lists), a few going
# offline. The pattern is deterministic. Default block size: 0x8000000.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 DIR NBLOCKS NODES [BLOCK_SIZE_HEX]" >&2
	exit 2
fi
dir=$1
nblocks=$2
nodes=$3
bs=${4:-8000000}

case "$nblocks$nodes" in
*[!0-9]*)
	echo "$0: NBLOCKS and NODES must be numbers" >&2
	exit 2
	;;
esac
if [ "$nblocks" -lt 1 ] || [ "$nodes" -lt 1 ] || [ "$nodes" -gt "$nblocks" ]; then
	echo "$0: need 1 <= NODES <= NBLOCKS" >&2
	exit 2
fi

rm -rf "$dir/sys/devices/system/memory" "$dir/sys/devices/system/node"
mkdir -p "$dir/sys/devices/system/memory" "$dir/sys/devices/system/node" \
	"$dir/sys/module/memory_hotplug/parameters"

exec perl -e '
use strict;
use warnings;
my ($dir, $n, $nodes, $bshex) = @ARGV;
my $bs = hex($bshex);
die "bad block size\n" unless $bs > 0;
my $mem = "$dir/sys/devices/system/memory";
my $nd = "$dir/sys/devices/system/node";
my $par = "$dir/sys/module/memory_hotplug/parameters";

sub put {
	my ($path, $s) = @_;
	open(my $fh, ">", $path) or die "$path: $!\n";
	print $fh $s;
	close($fh) or die "$path: $!\n";
}

put("$mem/block_size_bytes", sprintf("%x\n", $bs));
put("$mem/auto_online_blocks", "offline\n");
put("$par/memmap_on_memory", "N\n");
put("$par/online_policy", "contig-zones\n");
put("$par/auto_movable_ratio", "301\n");
put("$par/auto_movable_numa_aware", "Y\n");
my $G = 1 << 30;
my $dma32_end = int(3 * $G / $bs);	# first block id of the PCI hole
my $normal_start = int(4 * $G / $bs);	# first block id above 4 GiB
$normal_start = $dma32_end if $normal_start == $dma32_end;
for my $k (0 .. $nodes - 1) {
	mkdir("$nd/node$k") or die "$nd/node$k: $!\n";
}
put("$nd/online", $nodes > 1 ? "0-" . ($nodes - 1) . "\n" : "0\n");
put("$nd/possible", $nodes > 1 ? "0-" . ($nodes - 1) . "\n" : "0\n");

my $per = int(($n + $nodes - 1) / $nodes);
my $id = 0;
for my $i (0 .. $n - 1) {
	$id = $normal_start if $id == $dma32_end && $id > 0 && $i > 1;
	my $node = int($i / $per);
	my $pos = $i - $node * $per;	# index inside the node
	my $hot = $pos >= $per - int($per / 4);
	my ($state, $zones, $rem) = ("online", "Normal", 1);
	if ($id == 0) {
		$zones = "none";
		$rem = 0;
	} elsif ($id < $dma32_end) {
		$zones = "DMA32";
	} elsif ($hot) {
		my $h = int($pos / 4) % 16;	# runs of 4 blocks
		if ($h < 10) {
			$zones = "Movable";
		} elsif ($h < 13) {
			($state, $zones) = ("offline", "Movable Normal");
		} elsif ($h < 15) {
			($state, $zones) = ("offline", "Normal Movable");
		} else {
			($state, $zones) = ("going-offline", "Movable");
		}
	}
	$rem = 0 if $pos % 97 == 13;
	my $d = "$mem/memory$id";
	mkdir($d) or die "$d: $!\n";
	put("$d/state", "$state\n");
	put("$d/valid_zones", "$zones\n");
	put("$d/removable", "$rem\n");
	put("$d/phys_device", "0\n");
	put("$d/phys_index", sprintf("%08x\n", $id));
	put("$d/online", $state eq "online" ? "1\n" : "0\n");
	put("$d/uevent", "");
	symlink("../../node/node$node", "$d/node$node") or die "$d/node$node: $!\n";
	symlink("../../memory/memory$id", "$nd/node$node/memory$id")
		or die "$nd/node$node/memory$id: $!\n";
	$id++;
}
' "$dir" "$nblocks" "$nodes" "$bs"
