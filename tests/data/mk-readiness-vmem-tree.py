#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make the virtio-mem readiness fixture: 7 memory blocks of 8 pages
(block_size_bytes 0x8000), 4 KiB pages, one node. Blocks 0-3 boot RAM
(Normal, free); a virtio-mem device virtio3 spans blocks 4-7 (0x20000-
0x3ffff), blocks 4-6 added ("System RAM (virtio_mem)"), online Movable.
The driver's log says subblock size 0x2000: 2 pages, 4 subblocks a block.

usage: mk-readiness-vmem-tree.py OUTDIR

The committed copy is tests/data/readiness-vmem-tree (tests/unit/
cli_readiness.sh checks it is what this script makes). By design
(subblocks | separate pairs of pages):
  memory4  free free | anon file | free free | free free
           4 plugged, 4 unpluggable; verdict migrate
  memory5  free free | pinned free | OFF OFF | OFF OFF
           2 plugged, 2 unplugged, 1 unpluggable; verdict blocked (pinned)
  memory6  free free | OFF free | OFF OFF | anon free
           2 plugged, 1 unplugged, 1 mixed, 2 unpluggable; verdict migrate
Device: plugged 17 pages, unplugged (PageOffline) 7 pages, unpluggable
7 subblocks = 56 KiB; the whole-block sum (memory4 + memory6) 64 KiB.
"""
import os

from readiness_treegen import run, w, write_page_files

B = {n: 1 << b for n, b in dict(LRU=5, BUDDY=10, MMAP=11, ANON=12, SWAPBACKED=14,
                                  OFFLINE=23).items()}


def f(*names):
    v = 0
    for n in names:
        v |= B[n]
    return v


FREE = (f("BUDDY"), 0)
ANON = (f("LRU", "ANON", "MMAP", "SWAPBACKED"), 1)
FILE = (f("LRU", "MMAP"), 1)
PINNED = (f("LRU", "ANON", "SWAPBACKED"), 0)
OFF = (f("OFFLINE"), 0)

BLOCKS = [
    (0, "Normal", [FREE] * 8),
    (1, "Normal", [FREE] * 8),
    (2, "Normal", [FREE] * 8),
    (3, "Normal", [FREE] * 8),
    (4, "Movable", [FREE, FREE, ANON, FILE, FREE, FREE, FREE, FREE]),
    (5, "Movable", [FREE, FREE, PINNED, FREE, OFF, OFF, OFF, OFF]),
    (6, "Movable", [FREE, FREE, OFF, FREE, OFF, OFF, ANON, FREE]),
]

DMESG = ("[    1.50] virtio_mem virtio3: start address: 0x20000\n"
         "[    1.50] virtio_mem virtio3: region size: 0x20000\n"
         "[    1.50] virtio_mem virtio3: device block size: 0x1000\n"
         "[    1.50] virtio_mem virtio3: memory block size: 0x8000\n"
         "[    1.50] virtio_mem virtio3: subblock size: 0x2000\n")

IOMEM = ("00000000-0001ffff : System RAM\n"
         "00020000-0003ffff : virtio3\n"
         "  00020000-00037fff : System RAM (virtio_mem)\n")


def main(out):
    mem = os.path.join(out, "sys/devices/system/memory")
    node = os.path.join(out, "sys/devices/system/node/node0")
    w(os.path.join(mem, "block_size_bytes"), "8000\n")
    w(os.path.join(mem, "auto_online_blocks"), "online_movable\n")
    os.makedirs(node, exist_ok=True)
    for b, zone, _ in BLOCKS:
        d = os.path.join(mem, "memory%d" % b)
        w(os.path.join(d, "state"), "online\n")
        w(os.path.join(d, "valid_zones"), zone + "\n")
        w(os.path.join(d, "removable"), "1\n")
        w(os.path.join(d, "phys_device"), "0\n")
        w(os.path.join(d, "phys_index"), "%08x\n" % b)
        os.symlink("../../node/node0", os.path.join(d, "node0"))
        os.symlink("../../memory/memory%d" % b, os.path.join(node, "memory%d" % b))
    vdev = os.path.join(out, "sys/bus/virtio/devices/virtio3")
    os.makedirs(vdev, exist_ok=True)
    os.symlink("../../../../bus/virtio/drivers/virtio_mem", os.path.join(vdev, "driver"))
    w(os.path.join(out, "sys/module/virtio_mem/parameters/force_bbm"), "N\n")
    w(os.path.join(out, "sys/module/virtio_mem/parameters/bbm_block_size"), "0\n")
    w(os.path.join(out, "dmesg"), DMESG)
    w(os.path.join(out, "proc/iomem"), IOMEM)
    w(os.path.join(out, "proc/zoneinfo"),
      "Node 0, zone   Normal\n  pages free     32\n        min      0\n"
      "        spanned  32\n        present  32\n        managed  32\n"
      "  start_pfn:           0\n"
      "Node 0, zone  Movable\n  pages free     0\n        min      0\n"
      "        spanned  24\n        present  24\n        managed  24\n"
      "  start_pfn:           32\n")
    write_page_files(out, BLOCKS)


if __name__ == "__main__":
    run(main, "mk-readiness-vmem-tree.py")
