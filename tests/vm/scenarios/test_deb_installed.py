"""The Debian package installed in the guest (tests/vm/debpkg.py: the .deb's
files at their paths, the host's Debian 12 libraries beside them): the
binary at /usr/sbin/memhp runs with them and says the package's version, the
files the package promises (tests/deb/files.txt) are where it said, the
units start that binary, and its `trace -J` sees a real DIMM hot-plug onlined.
The online-daemon under the installed unit's capabilities is test_units_lab
(same boot)."""
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import debpkg  # noqa: E402
from memhp_vm import Tracer, assert_online_events, sysfs_blocks  # noqa: E402

LAB = dict(debpkg.LAB)


def test_deb_installed_files(lab):
    ver = debpkg.install(lab)
    rc, vout = lab.run("%s --version" % debpkg.MEMHP)
    assert rc == 0 and vout.split()[:2] == ["memhp", ver], \
        "installed %s --version (rc %d), package %s:\n%s" % (debpkg.MEMHP, rc, ver, vout)

    paths = debpkg.promised_files()
    out = lab.check("for f in %s; do [ -f \"$f\" ] && [ -s \"$f\" ] || echo \"missing $f\"; done"
                    % " ".join(shlex.quote(p) for p in paths))
    assert not out.strip(), "the installed package lacks files it promises:\n" + out
    assert lab.check("stat -c %%a %s" % debpkg.MEMHP).strip() == "755"

    # the man page is a gzip'd troff page of memhp(8)
    th = lab.check("zcat /usr/share/man/man8/memhp.8.gz | grep -m1 '^\\.TH '")
    assert th.split()[1:3] == ["MEMHP", "8"], th
    # the units start the installed binary
    for u in ("memhp-exporter", "memhp-online-daemon"):
        ex = lab.check("grep '^ExecStart=' /lib/systemd/system/%s.service" % u)
        assert ex.split("=", 1)[1].split()[0] == debpkg.MEMHP, (u, ex)
    print("package %s installed: %s --version: %s; %d promised files in place"
          % (ver, debpkg.MEMHP, vout.strip(), len(paths)))


def test_deb_trace_dimm(lab):
    debpkg.install(lab)
    t = Tracer(lab, "debtrace", "-e online,add", bin=debpkg.MEMHP)
    t.start()
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 8, blocks
    lab.check("for b in %s; do echo online_movable >/sys/devices/system/memory/memory$b/state; done"
              % " ".join(str(b) for b in blocks))
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 8,
                        what="8 online events from the installed memhp")
    t.stop()
    online = [e for e in evs if e["event"] == "online"]
    by_block = assert_online_events(online, blocks, zone="Movable", node=0)
    sysfs = sysfs_blocks(lab)
    for b in by_block:
        assert sysfs[b][0] == "online" and sysfs[b][1] == "Movable", (b, sysfs[b])
    adds = [e for e in evs if e["event"] == "add"]
    assert len(adds) == 1 and adds[0]["block"] == blocks[0], adds
    print("installed %s trace -J: add + %d online events (Movable) for blocks %d-%d"
          % (debpkg.MEMHP, len(online), blocks[0], blocks[-1]))
