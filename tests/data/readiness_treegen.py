"""What the readiness fixture generators share (mk-readiness-tree.py,
mk-readiness-vmem-tree.py): writing files, the two page files from a
block list, and the command line."""
import os
import struct
import sys


def w(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as fh:
        fh.write(text)


def write_page_files(out, blocks):
    """/proc/kpageflags and /proc/kpagecount: one u64 per page, in block
    order; each block's last element is its list of (flags, count)."""
    flags = b"".join(struct.pack("<Q", p[0]) for *_, pages in blocks for p in pages)
    counts = b"".join(struct.pack("<Q", p[1]) for *_, pages in blocks for p in pages)
    w(os.path.join(out, "proc/kpageflags"), flags, "wb")
    w(os.path.join(out, "proc/kpagecount"), counts, "wb")


def run(main, prog):
    """OUTDIR from argv; refuse a non-empty one (a fixture is made anew)."""
    if len(sys.argv) != 2:
        sys.exit("usage: %s OUTDIR" % prog)
    if os.path.exists(sys.argv[1]) and os.listdir(sys.argv[1]):
        sys.exit("%s: %s exists and is not empty" % (prog, sys.argv[1]))
    main(sys.argv[1])
