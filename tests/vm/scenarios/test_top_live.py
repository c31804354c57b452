"""memhp top on the real kernel, live (BPF): --batch frames while a DIMM is
hot-plugged and onlined (1 block kernel, 3 movable). The last frame must show
the DIMM's memory group with its MOVABLE:KERNEL ratio, the online events,
and zone rows equal to sysfs. (The curses screen itself is tested in tmux
on the host: tests/unit/cli_top.sh; the busybox guest has no terminfo.)

Same Lab config as test_export_prometheus.py: shares its boot."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_export_prometheus import LAB, MEMDIR  # noqa: E402,F401

FRAMES = 4


def test_top_live_batch(lab):
    memhp = lab.memhp()
    lab.check("%s top --batch %d --delay 4 >/tmp/top.txt 2>/tmp/top.err & echo $! >/tmp/top.pid"
              % (memhp, FRAMES))
    lab.wait_until("grep -q 'RECENT EVENTS' /tmp/top.txt || ! kill -0 $(cat /tmp/top.pid)",
                   timeout=60, what="first frame of memhp top")
    first = lab.check("cat /tmp/top.txt")
    assert "live (fexit)" in first.splitlines()[0], first + lab.check("cat /tmp/top.err")

    dev = lab.add_dimm("512M")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 4, blocks
    lab.wait_until("[ -e %s/memory%d ]" % (MEMDIR, blocks[-1]), timeout=60)
    lab.check("echo online_kernel > %s/memory%d/state" % (MEMDIR, blocks[0]))
    for b in blocks[1:]:
        lab.check("echo online_movable > %s/memory%d/state" % (MEMDIR, b))
    lab.wait_until("! kill -0 $(cat /tmp/top.pid)", timeout=60, what="memhp top --batch done")
    out = lab.check("cat /tmp/top.txt")
    frames = [f for f in re.split(r"\n\n(?=memhp top - )", out.strip()) if f.strip()]
    assert len(frames) == FRAMES, "%d frames:\n%s" % (len(frames), out)
    last = frames[-1]
    print("last frame:\n" + last)
    lines = last.splitlines()
    assert all(len(ln) <= 80 for ln in lines), [ln for ln in lines if len(ln) > 80]
    assert re.search(r"^lost 0 ", lines[1]), lines[1]

    # The new DIMM's group: 128M kernel, 384M movable, ratio 3.00.
    assert any(re.match(r"^\d+\s+\d+ static\s+128M\s+384M\s+3\.00 \[", ln) for ln in lines), last
    # Its online events, all ok.
    for b in blocks:
        assert re.search(r"online\s+memory%d\s+\S+\s+node \d+\s+ok " % b, last), (b, last)

    # Zone rows: online blocks per node and zone as sysfs has them.
    truth = {}
    for b in lab.blocks().values():
        if b.state == "online":
            # sysfs's valid_zones "none" (a block spanning zones) is
            # "None" in text tables, as lsmem prints it (docs/DESIGN-NOTES.md)
            zone = b.zone.split()[0]
            key = (str(b.node), "None" if zone == "none" else zone)
            truth[key] = truth.get(key, 0) + 1
    got = {}
    for ln in lines:
        m = re.match(r"^\s*(\d+) (\S+)\s+(\d+)\s+(\d+)\s", ln)
        if m and m.group(2) != "-" and int(m.group(3)):
            got[(m.group(1), m.group(2))] = int(m.group(3))
    assert got == truth, "top %r != sysfs %r" % (got, truth)
