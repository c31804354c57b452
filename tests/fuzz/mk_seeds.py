#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the committed seed corpora of the text-input fuzz targets.

usage: tests/fuzz/mk_seeds.py SYSROOTS_DIR CORPUS_DIR

SYSROOTS_DIR holds the fixture trees of tests/data/mk-sysroots.sh (run it
first); they are converted to the tree format of tests/fuzz/fuzz_common.h.
CORPUS_DIR gets one directory per target. The binary seeds of fuzz_decode
and fuzz_prom come from the targets themselves (MEMHP_FUZZ_SEEDS=DIR).
`make fuzz-seeds` runs both. Existing files of the same name are replaced;
others (crash-* regressions) are kept.
"""
import os
import struct
import sys

SHORT = [
    ("sys/devices/system/memory/", "M/"),
    ("sys/devices/system/node/", "N/"),
    ("sys/module/memory_hotplug/parameters/", "P/"),
    ("sys/module/virtio_mem/parameters/", "V/"),
    ("sys/firmware/memmap/", "F/"),
    ("sys/bus/virtio/devices/", "B/"),
    ("proc/", "Z/"),
]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def esc(b, path=False):
    out = []
    for c in b:
        ch = chr(c)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "=" and path:
            out.append("\\=")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    return "".join(out)


def short(p):
    for long_, s in SHORT:
        if p.startswith(long_):
            return s + p[len(long_):]
    return p


def tree_lines(root):
    """A directory tree as lines of the fuzz tree format (files the
    snapshot never reads are left out to keep seeds small)."""
    skip = ("phys_index", "online", "uevent")
    out = []
    for d, dirs, files in os.walk(root):
        rel = os.path.relpath(d, root)
        dirs[:] = sorted(x for x in dirs if x != "power")
        if "/memory/memory" in d + "/":
            files = [f for f in files if f not in skip]
        if rel != "." and not dirs and not files:
            out.append("d " + esc(short(rel).encode(), True))
        links = [x for x in dirs if os.path.islink(os.path.join(d, x))]
        for n in sorted(files) + links:
            p = os.path.join(d, n)
            r = short(os.path.relpath(p, root))
            if os.path.islink(p):
                out.append("l %s=%s" % (esc(r.encode(), True),
                                        esc(os.readlink(p).encode())))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out.append("f %s=%s" % (esc(r.encode(), True),
                                            esc(f.read())))
        dirs[:] = [x for x in dirs if x not in links]
    return out


def put(d, name, data):
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def text(lines):
    return "\n".join(lines) + "\n"


def blk(i, state, zones, node, fw=None, removable="1"):
    m = "M/memory%d/" % i
    out = ["f %sstate=%s\\n" % (m, state),
           "f %svalid_zones=%s\\n" % (m, zones),
           "f %sphys_device=0\\n" % m]
    if removable is not None:
        out.append("f %sremovable=%s\\n" % (m, removable))
    if node is not None:
        out.append("l %snode%d=../../node/node%d" % (m, node, node))
        out.append("l N/node%d/memory%d=../../memory/memory%d" % (node, i, i))
    if fw:
        out.append("l %sfirmware_node=%s" % (m, fw))
    return out


def lab_tree():
    """The lab VM of tests/unit/test_simulate.c, fewer blocks."""
    out = ["f M/block_size_bytes=8000000\\n",
           "f M/auto_online_blocks=online\\n",
           "f P/online_policy=auto-movable\\n",
           "f P/auto_movable_ratio=301\\n",
           "f P/auto_movable_numa_aware=Y\\n",
           "f P/memmap_on_memory=N\\n",
           "f V/force_bbm=N\\n",
           "f V/bbm_block_size=0\\n",
           "f Z/cmdline=console=ttyS0 nokaslr movable_node\\n",
           "f dmesg=[    7.7] virtio_mem virtio2: device block size: 0x200000\\n"
           "[    7.7] virtio_mem virtio2: nid: 1\\n"]
    out += blk(0, "online", "none", 0)
    for b in range(1, 4):
        out += blk(b, "online", "DMA32", 0)
    for b in range(32, 35):
        out += blk(b, "online", "Normal", 1)
    for b in range(48, 50):
        out += blk(b, "online", "Movable", 1)
    out += blk(50, "offline", "Normal Movable", 1)
    for b in range(64, 66):
        out += blk(b, "online", "Movable", 0,
                   "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/PNP0C80:00")
    mm = [(0, 0x9FBFF, "System RAM"), (0x9FC00, 0x9FFFF, "Reserved"),
          (0x100000, 0x7FFDFFFF, "System RAM"),
          (0x100000000, 0x17FFFFFFF, "System RAM"),
          (0x200000000, 0x21FFFFFFF, "System RAM")]
    for i, (s, e, t) in enumerate(mm):
        out += ["f F/%d/start=0x%x\\n" % (i, s), "f F/%d/end=0x%x\\n" % (i, e),
                "f F/%d/type=%s\\n" % (i, t)]
    out.append("f Z/iomem=" + esc(
        b"00000000-00000fff : Reserved\n"
        b"00001000-0009fbff : System RAM\n"
        b"00100000-7ffdffff : System RAM\n"
        b"  01000000-01e01d31 : Kernel code\n"
        b"100000000-17fffffff : System RAM\n"
        b"180000000-1ffffffff : virtio2\n"
        b"  180000000-19fffffff : System RAM (virtio_mem)\n"
        b"200000000-21fffffff : System RAM\n"
        b"340000000-37fffffff : dax0.0\n"
        b"  340000000-37fffffff : System RAM (kmem)\n"))
    out.append("l B/virtio2/driver=../../../bus/virtio/drivers/virtio_mem")
    with open(os.path.join(DATA, "zoneinfo-lab-2node"), "rb") as f:
        zi = f.read()
    # only the lines the parser reads: keeps the seed small
    keep = [l for l in zi.split(b"\n")
            if l.startswith(b"Node") or l.strip().split(b" ")[0] in
            (b"spanned", b"present", b"managed", b"cma", b"start_pfn:")]
    out.append("f Z/zoneinfo=" + esc(b"\n".join(keep) + b"\n"))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    roots, corpus = sys.argv[1], sys.argv[2]

    # --- sysfs_tree: the fixture trees, some with ls arguments
    d = os.path.join(corpus, "sysfs_tree")
    args = {"2node": ["-o", "+NODE,ZONES", "-S", "node"],
            "holes": ["-J", "--output-all", "-a"],
            "bs1g": ["-Z"], "offline": ["-P", "-b"],
            "weird": ["-r", "--summary=always"],
            "oddbs": ["-o", "RANGE,SIZE,GROUP,ONLINE-TYPE,ONLINED-BY", "-n"]}
    for name in sorted(os.listdir(roots)):
        if not name.startswith("sysroot-"):
            continue
        n = name[len("sysroot-"):]
        lines = tree_lines(os.path.join(roots, name))
        put(d, n, text(lines))
        if n in args:
            put(d, n + "-ls", text(lines + ["a " + a for a in args[n]]))
    put(d, "fifo-and-loops", text([
        "f M/block_size_bytes=0x8000000\\n",
        "p M/memory0/state", "f M/memory0/valid_zones=Normal\\n",
        "l M/memory1=memory1", "l M/memory2=memory3", "l M/memory3=memory2",
        "d M/memory4", "l M/memory4/state=../memory5/state",
        "f M/memory5/state=online\\n", "p M/auto_online_blocks",
        "l N/node0=node0", "d N/node1/memory5", "l M/memory5/node1=../../node/node1",
        "p P/online_policy", "d P/auto_movable_ratio",
        "a -o", "a +NODE,ZONES,GROUP"]))
    put(d, "odd-names", text([
        "f M/block_size_bytes=40000000",
        "f M/memory0/state=offline", "f M/memory18446744073709551615/state=online\\n",
        "f M/memory17179869182/state=going-offline\\n",
        "d M/memory-1", "d M/memory+1", "d M/memory 1", "d M/memory\\x01",
        "d M/memory1\\n", "f M/memory0/valid_zones=\\xff\\xfe Normal\\n",
        "d N/node2147483648/memory0", "d N/node007/memory0",
        "l N/node1/memory0=../../memory/memory0",
        "l N/node0/memory0=../../memory/memory0",
        "a --json", "a -a"]))
    # --- zi_system: the lab tree, with operations
    d = os.path.join(corpus, "zi_system")
    lab = lab_tree()
    put(d, "lab", text(lab))
    put(d, "lab-ops", text(lab + ["a o 50 3", "a f 48", "a r 50", "a + 80 1 -1",
                                  "a o 80 0", "a d 1 32768", "a s 0 0x10000",
                                  "a u 0", "a o 80 2"]))
    put(d, "lab-contig", text([l for l in lab if "online_policy" not in l] +
                              ["f P/online_policy=contig-zones\\n",
                               "a o 50 1", "a o 50 3"]))
    for name in ("sysroot-2node", "sysroot-holes", "sysroot-overflow"):
        lines = tree_lines(os.path.join(roots, name))
        with open(os.path.join(DATA, "zoneinfo-cma"), "rb") as f:
            lines.append("f Z/zoneinfo=" + esc(f.read()))
        put(d, name[len("sysroot-"):], text(lines))

    # --- sysfs_attr: selector byte + content
    d = os.path.join(corpus, "sysfs_attr")
    for name, data in [
            ("bs", b"b8000000\n"), ("bs-0x", b"b0x40000000"),
            ("bs-max", b"bffffffffffffffff\n"), ("int", b"i301\n"),
            ("int-max", b"i2147483647"), ("word", b"w\x18online_movable\n"),
            ("word-short", b"w\x04force"), ("state", b"sonline\n"),
            ("state-going", b"sgoing-offline\n"),
            ("zones", b"zDMA32 Normal Movable\n"), ("zones-none", b"znone\n"),
            ("removable", b"r1\n"), ("phys", b"p0\n"), ("unknown-attr", b"x1\n"),
            ("name", b"mmemory12"), ("name-max", b"mmemory18446744073709551615"),
            ("name-lead0", b"mmemory007"), ("node", b"nnode3"),
            ("node-big", b"nnode2147483648")]:
        put(d, name, data)

    # --- kallsyms
    d = os.path.join(corpus, "kallsyms")
    put(d, "modules", "ffffffff81000000 T _stext\n"
        "ffffffff812a4c10 T generic_online_page\n"
        "ffffffff812a4c10 d generic_online_page_data\n"
        "ffffffffc0a41230 t virtio_mem_online_page_cb\t[virtio_mem]\n"
        "ffffffffc0b00040 t hv_online_page\t[hv_balloon]\n")
    put(d, "kptr-restrict", "0000000000000000 T _stext\n"
        "0000000000000000 T generic_online_page\n")
    put(d, "odd-lines", "ffffffff81000000\n ffffffff81000010 T leading_blank\n"
        "ffffffff81000020 TT two_types\nzzzz T not_hex\n"
        "ffffffff81000030 T " + "x" * 300 + " [" + "m" * 200 + "]\n"
        "ffffffff81000040 T\tno_newline")
    # --- pgowner: page_owner records as print_page_owner() writes them
    # (mm/page_owner.c: 6.1 line 409/419, 6.12 line 553/563)
    d = os.path.join(corpus, "pgowner")
    put(d, "rec-6.1", "Page allocated via order 0, mask 0x152cca(GFP_HIGHUSER_MOVABLE|"
        "__GFP_COMP), pid 812, tgid 812 (stress-ng), ts 52316042893 ns, free_ts 0 ns\n"
        "PFN 1081344 type Movable Block 2112 type Movable Flags 0x17ffffc0080014("
        "uptodate|lru|swapbacked|node=0|zone=2|lastcpupid=0x1fffff)\n"
        " post_alloc_hook+0x1a7/0x1f0\n get_page_from_freelist+0x5f6/0x1380\n"
        " __alloc_pages+0x1ea/0x320\n __folio_alloc+0x16/0x50\n"
        " vma_alloc_folio+0x91/0x370\n shmem_alloc_folio+0x55/0x90\n"
        "Page has been migrated, last migrate reason: memory_hotplug\n\n")
    put(d, "rec-6.12", "Page allocated via order 9, mask 0x140cca(GFP_HIGHUSER_MOVABLE|"
        "__GFP_COMP), pid 1377, tgid 1377 (insmod), ts 98765432100 ns\n"
        "PFN 0x108000 type Movable Block 2112 type Movable Flags 0x17ffffc0000040("
        "head|node=0|zone=2)\n post_alloc_hook+0xd5/0x100\n"
        " get_page_from_freelist+0x3e8/0x1550\n __alloc_pages_noprof+0x183/0x350\n"
        " alloc_pages_mpol_noprof+0xa2/0x1c0\n hold_init+0x2a/0xff0 [memhp_hold]\n"
        "Charged to memcg /\n\n")
    put(d, "odd-comm", "Page allocated via order 3, mask 0(none), pid -1, tgid 7 "
        "(a), ts 1 (x), ts 42 ns\nPFN 0x10 type Movable Block 0 type Movable Flags 0x0()\n")
    put(d, "no-tgid", "Page allocated via order 1, mask 0x2dc2(GFP_KERNEL), pid 1, "
        "ts 7 ns, free_ts 0 ns\nPFN 4096 type Unmovable Block 8 type Unmovable\n"
        " alloc_pages+0x1/0x2\n __vmalloc_area_node+0x1/0x2\n")

    # --- zoneinfo: selector byte + content
    d = os.path.join(corpus, "zoneinfo")
    for n in ("zoneinfo-cma", "zoneinfo-lab-2node", "zoneinfo-malformed"):
        with open(os.path.join(DATA, n), "rb") as f:
            put(d, n, b"z" + f.read())
    put(d, "iomem-virtio", "i00000000-00000fff : Reserved\n"
        "00001000-0009fbff : System RAM\n100000000-13fffffff : System RAM\n"
        "140000000-33fffffff : virtio5\n"
        "  140000000-1bfffffff : System RAM (virtio_mem)\n"
        "340000000-37fffffff : dax0.0\n  340000000-37fffffff : System RAM (kmem)\n"
        "      380000000-38fffffff : too deep\n")
    put(d, "iomem-zeroed", "i00000000-00000000 : Reserved\n"
        "00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n")
    for name, data in [("u-hex", b"u0x8000000"),
                       ("u-max", b"u18446744073709551615"),
                       ("b-y", b"bY"), ("b-policy", b"bauto-movable"),
                       ("b-type", b"bonline_movable"), ("b-zone", b"bDMA32")]:
        put(d, name, data)
    mm = b"m" + bytes([1]) + struct.pack("<QQ", 0x100000000, 0x140000000)
    for s, e in [(0, 0x9FBFF), (0x100000, 0xBFFFFFFF), (0x100000000, 0x13FFFFFFF),
                 (0x140000000, 0x17FFFFFFF), (0x80000000, 0x8FFFFFFF)]:
        mm += struct.pack("<QQ", s, e)
    put(d, "memmap", mm)

    # --- policy: the test policies, and YAML oddities
    d = os.path.join(corpus, "policy")
    for n in sorted(os.listdir(DATA)):
        if n.startswith("policy-") and n.endswith(".conf"):
            with open(os.path.join(DATA, n), "rb") as f:
                put(d, n, f.read())
    put(d, "yaml-anchors", "version: 1\nrules:\n  - &r {rule: max-ratio, "
        "scope: node, node: 0, max: 150}\n  - *r\n  - <<: *r\n    name: x\n")
    put(d, "yaml-flow", "{version: 1, rules: [{rule: kernel-reserve, min: 1G, "
        "ratio: -1}, {rule: online-latency, max: 1s, severity: critical}]}\n")
    put(d, "yaml-multidoc", "version: 1\nrules: []\n---\nversion: 2\n...\n")

    # --- http: selector byte + content
    d = os.path.join(corpus, "http")
    for name, data in [
            ("listen-v4", b"l127.0.0.1:10435"), ("listen-v6", b"l[::1]:0"),
            ("listen-any", b"l0.0.0.0:65535"), ("listen-bad", b"l[::1:10435"),
            ("ae-gzip", b"agzip, deflate;q=0.5"), ("ae-q0", b"agzip;q=0, *;q=0.1"),
            ("ae-star", b"a*"), ("gzip", b"z# HELP memhp_up x\nmemhp_up 1\n" * 4),
            ("req-metrics", b"rGET /metrics HTTP/1.1\r\nHost: x\r\n"
             b"Accept-Encoding: gzip\r\nConnection: close\r\n\r\n"),
            ("req-404", b"rGET /nope HTTP/1.0\r\n\r\n"),
            ("req-post", b"rPOST /metrics HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: 3\r\n\r\nabc"),
            ("req-get-body", b"rGET /metrics HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: 2\r\n\r\nhi"),
            ("req-chunked", b"rGET /metrics HTTP/1.1\r\nHost: x\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            ("req-pipelined", b"rGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
             b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept-Encoding: x-gzip\r\n\r\n")]:
        put(d, name, data)


if __name__ == "__main__":
    main()
