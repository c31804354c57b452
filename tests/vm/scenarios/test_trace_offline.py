"""memhp trace with hot-added memory left offline (memhp_default_state=
offline): manual online_kernel / online_movable, an offline that works, an
offline that cannot work (boot memory holding the kernel), and an offline
cancelled by the memory notifier chain (CANCEL_OFFLINE)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer, assert_online_events, offline_vetoed, sysfs_blocks  # noqa: E402
from lab import scenario  # noqa: E402

LAB = dict(default_state="offline", cmdline="nokaslr", load=["memory-notifier-error-inject"])
BLOCK_PAGES = 32768
STATE = "/sys/devices/system/memory/memory%d/state"


def _added_dimm(lab, t):
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=90,
                   what="DIMM blocks present")
    t.wait_events(lambda e: any(x["event"] == "add" for x in e), what="add event")
    return blocks


def test_manual_online_kernel_and_movable(lab):
    t = Tracer(lab, "manual", "-e all")
    t.start()
    blocks = _added_dimm(lab, t)
    st = sysfs_blocks(lab)
    assert all(st[b][0] == "offline" for b in blocks), [st[b] for b in blocks]
    low, high = blocks[:4], blocks[4:]
    # Filters, checked against the same kernel activity: exactly what they ask for,
    # and -c makes memhp stop by itself.
    f1 = Tracer(lab, "filter-block", "-e online --block %d-%d --zone Normal --node 0 -c 2"
                % (low[0], low[1]))
    f1.start()
    f2 = Tracer(lab, "filter-zone", "-e online --zone movable")
    f2.start()
    for b in low[:2]:
        lab.check("echo online_kernel > " + STATE % b)
    # f1 ends after its two events. Wait for that before onlining more: a
    # tracer detaching while a call is in flight makes the kernel skip that
    # call's exit probes for every tracer (see docs/events.md, "lost").
    lab.wait_until("! kill -0 $(cat %s)" % f1.pidfile, timeout=20, what="-c 2 ends memhp")
    for b in low[2:]:
        lab.check("echo online_kernel > " + STATE % b)
    for b in high:
        lab.check("echo online_movable > " + STATE % b)
    # The request event comes when memory_subsys_online() returns, after
    # online_pages()' event: wait for both kinds.
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 8 and
                        len([x for x in e if x["event"] == "request"]) >= 8,
                        what="8 online and 8 request events")
    t.stop()
    fe = f1.events()
    assert [e["block"] for e in fe] == low[:2] and all(e["event"] == "online" for e in fe), fe
    f2.stop()
    fe = f2.events()
    assert sorted(e["block"] for e in fe) == high and all(e["zone"] == "Movable" for e in fe), fe
    online = [e for e in evs if e["event"] == "online"]
    assert_online_events([e for e in online if e["block"] in low], low, zone="Normal")
    assert_online_events([e for e in online if e["block"] in high], high, zone="Movable")
    # Who asked, and for what: the request events name the online type.
    req = {e["block"]: e for e in evs if e["event"] == "request"}
    for b in low:
        assert req[b]["online_type"] == "online_kernel" and req[b]["comm"] == "sh", req[b]
    for b in high:
        assert req[b]["online_type"] == "online_movable", req[b]
    st = sysfs_blocks(lab)
    for e in online:
        assert st[e["block"]][1] == e["zone"], (e["block"], st[e["block"]], e["zone"])
    lab.dimm_blocks = blocks


def test_offline_movable_block(lab):
    blocks = getattr(lab, "dimm_blocks", None)
    assert blocks, "needs the previous scenario's DIMM"
    b = blocks[-1]
    t = Tracer(lab, "offline-ok", "-e all")
    t.start()
    lab.check("echo offline > " + STATE % b)
    evs = t.wait_events(lambda e: any(x["event"] == "offline" for x in e), what="offline")
    t.stop()
    off = [e for e in evs if e["event"] == "offline"]
    assert len(off) == 1 and off[0]["ret"] == 0 and off[0]["block"] == b, off
    assert off[0]["zone"] == "Movable" and off[0]["group"]["present_movable_pages"] == 3 * BLOCK_PAGES, off
    acts = [n["action"] for n in evs if n["event"] == "notify"]
    assert acts == ["going-offline", "offline"], acts
    assert sysfs_blocks(lab)[b][0] == "offline"


def test_offline_kernel_memory_fails(lab):
    """The block holding the kernel image cannot go offline: the failure is
    traced with the errno the writer got."""
    rc, out = lab.run("grep -m1 'Kernel code' /proc/iomem")
    assert rc == 0, out
    start = int(out.strip().split("-")[0], 16)
    b = start // (BLOCK_PAGES * 4096)
    t = Tracer(lab, "offline-fail", "-e all")
    t.start()
    rc, out = lab.run("echo offline > %s" % (STATE % b))
    assert rc != 0, "offlining the kernel's block %d succeeded?!" % b
    evs = t.wait_events(lambda e: any(x["event"] == "request" for x in e), what="request")
    t.stop()
    req = [e for e in evs if e["event"] == "request"]
    assert req[0]["block"] == b and req[0]["request"] == "offline", req
    assert req[0]["ret"] < 0, req
    off = [e for e in evs if e["event"] == "offline"]
    if off:  # offline_pages ran and failed (isolation): same errno
        assert off[0]["ret"] == req[0]["ret"], (off, req)
    assert "busy" in out.lower() or "invalid" in out.lower(), out
    errno_word = {-16: "busy", -22: "invalid"}.get(req[0]["ret"])
    assert errno_word and errno_word in out.lower(), (req[0]["ret"], out)
    assert sysfs_blocks(lab)[b][0] == "online"


def test_offline_cancelled_by_notifier(lab):
    """Inject -ENOMEM into MEM_GOING_OFFLINE: offline_pages fails after the
    chain ran, and the kernel sends CANCEL_OFFLINE."""
    blocks = getattr(lab, "dimm_blocks", None)
    assert blocks, "needs the first scenario's DIMM"
    b = blocks[-2]  # online_movable, still online
    t = Tracer(lab, "offline-cancel", "-e all")
    t.start()
    offline_vetoed(lab, b)
    evs = t.wait_events(lambda e: any(x["event"] == "offline" for x in e), what="offline")
    t.stop()
    off = [e for e in evs if e["event"] == "offline"]
    assert len(off) == 1 and off[0]["ret"] == -12 and off[0]["block"] == b, off
    acts = [n["action"] for n in evs if n["event"] == "notify" and n["start_pfn"] == b * BLOCK_PAGES]
    assert acts == ["going-offline", "cancel-offline"], acts
    assert sysfs_blocks(lab)[b][0] == "online"


@scenario(numa=["4G", 0])
def test_notify_status_node(lab):
    """The notifier chain's range and status node (notify.bpf.c reads
    struct memory_notify in one read and picks the fields at their CO-RE
    offsets): the first block onlined on a memoryless node names the node in
    going-online and online, the second says -1; offlining the last block
    names it again. Kernels with node_notify() (6.17+) take the node from
    there; 6.1 and 6.12 from the field."""
    before = set(lab.online_blocks())
    dev = lab.add_dimm("256M", node=1)
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 2, blocks
    t = Tracer(lab, "status-node", "-e all")
    t.start()
    for b in blocks:
        lab.check("echo online_movable > " + STATE % b)
    lab.wait_online_count(len(before) + 2, timeout=60)
    for b in reversed(blocks):
        lab.check("echo offline > " + STATE % b)
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "offline"]) >= 2,
                        what="two offlines")
    stderr = t.stop()
    assert " 0 lost" in stderr, stderr
    got = [(n["action"], n["start_pfn"] // BLOCK_PAGES, n["nr_pages"], n["status_change_nid"])
           for n in evs if n["event"] == "notify"]
    first, second = blocks
    want = [("going-online", first, BLOCK_PAGES, 1), ("online", first, BLOCK_PAGES, 1),
            ("going-online", second, BLOCK_PAGES, -1), ("online", second, BLOCK_PAGES, -1),
            ("going-offline", second, BLOCK_PAGES, -1), ("offline", second, BLOCK_PAGES, -1),
            ("going-offline", first, BLOCK_PAGES, 1), ("offline", first, BLOCK_PAGES, 1)]
    assert got == want, got
    print("NOTIFY-NODE %s" % got)
