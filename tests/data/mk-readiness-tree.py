#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Make the readiness fixture tree: a tiny machine of 10 memory blocks of 8
pages (block_size_bytes 0x8000) on 2 nodes, with sysfs, proc/zoneinfo and
binary proc/kpageflags + proc/kpagecount (little-endian u64 per pfn).

usage: mk-readiness-tree.py OUTDIR   (writes OUTDIR/sys/..., OUTDIR/proc/...)

The committed copy is tests/data/readiness-tree (tests/unit/cli_readiness.sh
checks it is what this script makes). Expected verdicts, by design:
  memory0 node0 online  none     spans zones                 blocked (spans zones)
  memory1 node0 online  DMA32    all free                    ready
  memory2 node0 online  Normal   a reserved page at pfn 19   blocked (reserved)
  memory3 node0 online  Normal   3 anon + 2 file LRU         needs migration (5 pages)
  memory4 node0 online  Normal   slab 35, pgtable 36, flagless 38  blocked (slab)
  memory5 node1 online  Movable  hugetlb x4 + THP x2         needs migration (6 pages)
  memory6 node1 online  Movable  an unmapped anon LRU page   blocked (pinned)
  memory7 node1 offline
  memory8 node1 online  Movable  DIMM, free, hwpoison, a flagless page (not a
                                 blocker in ZONE_MOVABLE)    ready
  memory9 node1 online  Movable  DIMM, 2 PageOffline         blocked (offline)
"""
import os

from readiness_treegen import run, w, write_page_files

B = {n: 1 << b for n, b in dict(LRU=5, SLAB=7, BUDDY=10, MMAP=11, ANON=12, SWAPBACKED=14,
                                  HEAD=15, TAIL=16, HUGE=17, HWPOISON=19, NOPAGE=20, THP=22,
                                  OFFLINE=23, PGTABLE=26, RESERVED=32).items()}


def f(*names):
    v = 0
    for n in names:
        v |= B[n]
    return v


BP = 8
FREE = (f("BUDDY"), 0)
ANON = (f("LRU", "ANON", "MMAP", "SWAPBACKED"), 1)
FILE = (f("LRU", "MMAP"), 2)
FILE_UNMAPPED = (f("LRU"), 0)


def block(spec):
    """spec: {offset: (flags, count)}; the rest free."""
    return [spec.get(i, FREE) for i in range(BP)]


BLOCKS = [
    # id, node, state, valid_zones, dimm, pages
    (0, 0, "online", "none", None, [(f("RESERVED"), 1)] * 4 + [FREE] * 4),
    (1, 0, "online", "DMA32", None, block({})),
    (2, 0, "online", "Normal", None, block({3: (f("RESERVED"), 1)})),
    (3, 0, "online", "Normal", None, block({0: ANON, 1: ANON, 2: ANON, 5: FILE, 6: FILE_UNMAPPED})),
    (4, 0, "online", "Normal", None, block({3: (f("SLAB"), 0), 4: (f("PGTABLE"), 0),
                                            6: (0, 0)})),
    (5, 1, "online", "Movable", None, block({0: (f("HUGE", "HEAD"), 0), 1: (f("HUGE", "TAIL"), 0),
                                             2: (f("HUGE", "TAIL"), 0), 3: (f("HUGE", "TAIL"), 0),
                                             4: (f("LRU", "ANON", "MMAP", "HEAD", "THP"), 1),
                                             5: (f("ANON", "MMAP", "TAIL", "THP"), 1)})),
    (6, 1, "online", "Movable", None, block({1: ANON, 2: (f("LRU", "ANON", "SWAPBACKED"), 0)})),
    (7, 1, "offline", "Movable", None, [(f("NOPAGE"), 0)] * BP),
    (8, 1, "online", "Movable", "PNP0C80:00", block({5: (0, 0), 7: (f("HWPOISON"), 1)})),
    (9, 1, "online", "Movable", "PNP0C80:00", block({2: (f("OFFLINE"), 0), 3: (f("OFFLINE"), 0)})),
]

ZONES = [(0, "DMA32", 8, 8), (0, "Normal", 16, 24), (1, "Movable", 40, 40)]


def main(out):
    mem = os.path.join(out, "sys/devices/system/memory")
    node = os.path.join(out, "sys/devices/system/node")
    w(os.path.join(mem, "block_size_bytes"), "8000\n")
    w(os.path.join(mem, "auto_online_blocks"), "offline\n")
    for b, nid, state, zones, dimm, _ in BLOCKS:
        d = os.path.join(mem, "memory%d" % b)
        w(os.path.join(d, "state"), state + "\n")
        w(os.path.join(d, "valid_zones"), zones + "\n")
        w(os.path.join(d, "removable"), "1\n")
        w(os.path.join(d, "phys_device"), "0\n")
        w(os.path.join(d, "phys_index"), "%08x\n" % b)
        os.makedirs(os.path.join(node, "node%d" % nid), exist_ok=True)
        os.symlink("../../node/node%d" % nid, os.path.join(d, "node%d" % nid))
        os.symlink("../../memory/memory%d" % b, os.path.join(node, "node%d" % nid, "memory%d" % b))
        if dimm:
            os.symlink("../../../LNXSYSTM:00/LNXSYBUS:00/" + dimm, os.path.join(d, "firmware_node"))
    zi = ""
    for nid, name, start, n in ZONES:
        zi += ("Node %d, zone %8s\n  pages free     0\n        min      0\n"
               "        spanned  %d\n        present  %d\n        managed  %d\n"
               "  start_pfn:           %d\n" % (nid, name, n, n, n, start))
    w(os.path.join(out, "proc/zoneinfo"), zi)
    write_page_files(out, BLOCKS)


if __name__ == "__main__":
    run(main, "mk-readiness-tree.py")
