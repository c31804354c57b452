"""memhp trace on the real kernel, memory onlined by the kernel at hot-add
(memhp_default_state=online): DIMMs in fentry and kprobe mode, virtio-mem
grow/shrink with its dynamic group, and memhp ls against sysfs."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer, assert_online_events, memhp_ls_json, sysfs_blocks  # noqa: E402
from lab import VirtioMem  # noqa: E402

# virtio_mem is loaded by the test, after memhp started, so that memhp sees
# the dynamic group being registered.
LAB = dict(default_state="online", cmdline="nokaslr", late=["virtio_mem"],
           virtio_mem=[VirtioMem(id="vm0", size="4G", node=0, requested=0, block_size="2M")])

BLOCK_PAGES = 32768  # 128 MiB of 4 KiB pages


def _dimm_scenario(lab, mode):
    before = set(lab.online_blocks())
    t = Tracer(lab, "dimm-" + mode, "-e all --attach %s" % mode)
    t.start()
    att = t.attached()
    want = "fexit" if mode == "fentry" else "kretprobe"
    for p in ("online_pages", "offline_pages", "add_memory"):
        assert att.get(p, "").startswith(want + ":"), "%s not attached by %s: %s" % (p, want, att)
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 8, blocks
    lab.wait_online_count(len(before) + 8, timeout=90)
    t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 8,
                  what="8 online events")
    stderr = t.stop()
    assert " 0 lost" in stderr, stderr
    # every event, read after memhp drained its ring buffer and exited: the
    # add's event (add_memory_resource() returns after the last online) may
    # reach the file one poll after the eighth online (CI flake, 6.1 kprobe)
    evs = t.events()
    online = [e for e in evs if e["event"] == "online"]
    probe = "fentry" if mode == "fentry" else "kprobe"
    by_block = assert_online_events(online, blocks, node=0, probe=probe)

    # The kernel's own view of the same blocks.
    sysfs = sysfs_blocks(lab)
    for b, e in by_block.items():
        state, zone, node = sysfs[b]
        assert state == "online" and zone == e["zone"], (b, sysfs[b], e["zone"])

    # One static group covering the DIMM, registered and named by id.
    reg = [e for e in evs if e["event"] == "group-register"]
    assert len(reg) == 1 and reg[0]["group"]["dynamic"] is False, reg
    assert reg[0]["group"]["max_pages"] == 8 * BLOCK_PAGES, reg
    gid = reg[0]["group"]["id"]
    assert all(e["group"] and e["group"]["id"] == gid for e in online), online
    last = max(online, key=lambda e: e["ktime_ns"])
    g = last["group"]
    assert g["present_kernel_pages"] + g["present_movable_pages"] == 8 * BLOCK_PAGES, g
    # The add covered the whole DIMM, in the group, before any online.
    adds = [e for e in evs if e["event"] == "add"]
    assert len(adds) == 1 and adds[0]["ret"] == 0, adds
    assert adds[0]["block"] == blocks[0] and adds[0]["nr_pages"] == 8 * BLOCK_PAGES, adds
    assert adds[0]["group"]["id"] == gid, adds
    # add_memory_resource() returns after onlining its blocks: the add's
    # span (return time - duration) encloses every online.
    assert adds[0]["ktime_ns"] - adds[0]["duration_ns"] < min(e["ktime_ns"] for e in online)
    assert adds[0]["ktime_ns"] >= max(e["ktime_ns"] for e in online)
    # Notifier chain: going-online + online per block.
    notes = [e for e in evs if e["event"] == "notify"]
    for b in blocks:
        acts = [n["action"] for n in notes if n["start_pfn"] == b * BLOCK_PAGES]
        assert acts == ["going-online", "online"], (b, acts)
    return evs


def test_dimm_hotplug_fentry(lab):
    _dimm_scenario(lab, "fentry")


def test_dimm_hotplug_kprobe(lab):
    _dimm_scenario(lab, "kprobe")


def test_virtio_mem_grow_shrink(lab):
    t = Tracer(lab, "vmem", "-e all")
    t.start()
    lab.modprobe("virtio_mem")
    reg = t.wait_events(lambda e: any(x["event"] == "group-register" for x in e),
                        what="virtio-mem group registration")
    reg = [e for e in reg if e["event"] == "group-register"]
    assert len(reg) == 1 and reg[0]["group"]["dynamic"] is True, reg
    gid = reg[0]["group"]["id"]
    assert reg[0]["group"]["unit_pages"] == BLOCK_PAGES, reg  # SBM: one block

    before = len(lab.online_blocks())
    lab.virtio_mem_resize("vm0", "1G")
    lab.wait_online_count(before + 8, timeout=120)
    # each add's event follows its block's online and may come one poll
    # (one batch of output) later: wait for both
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 8 and
                        len([x for x in e if x["event"] == "add"]) >= 8,
                        timeout=60, what="8 virtio-mem online and add events")
    adds = [e for e in evs if e["event"] == "add"]
    assert len(adds) == 8 and all(a["ret"] == 0 for a in adds), adds
    assert all(a["group"]["id"] == gid for a in adds), adds
    assert all(a["resource"] == "System RAM (virtio_mem)" for a in adds), adds
    blocks = sorted(a["block"] for a in adds)
    online = [e for e in evs if e["event"] == "online"]
    assert_online_events(online, blocks, node=0,
                         callback="virtio_mem_online_page_cb [virtio_mem]", release_calls=None)
    assert all(e["group"]["id"] == gid and e["group"]["dynamic"] for e in online), online

    lab.virtio_mem_resize("vm0", "0")
    lab.wait_until("[ $(cat /sys/devices/system/memory/memory*/state 2>/dev/null"
                   " | grep -c '^online') -eq %d ]" % before, timeout=180,
                   what="virtio-mem shrunk to 0")
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "remove"]) >= 8,
                        timeout=60, what="8 remove events")
    t.stop()
    offl = [e for e in evs if e["event"] == "offline" and e["ret"] == 0]
    rem = [e for e in evs if e["event"] == "remove"]
    assert sorted(e["block"] for e in offl) == blocks, offl
    assert sorted(e["block"] for e in rem) == blocks and all(e["ret"] == 0 for e in rem), rem
    sysfs = sysfs_blocks(lab)
    assert not set(blocks) & set(sysfs), "removed blocks still in sysfs"


def test_snapshot_after_hotplug(lab):
    """memhp started after all of the above: its snapshot alone matches sysfs."""
    sysfs = sysfs_blocks(lab)
    ls = memhp_ls_json(lab, "-a -o BLOCK,STATE,ZONES,NODE")
    got = {}
    for r in ls["memory"]:
        blk = r["block"]
        lo, _, hi = str(blk).partition("-")
        for b in range(int(lo), int(hi or lo) + 1):
            got[b] = (r["state"], r["zones"], r["node"])
    assert sorted(got) == sorted(sysfs), (sorted(set(got) ^ set(sysfs)))
    for b, (state, zone, node) in sysfs.items():
        g = got[b]
        # lsmem (and so memhp ls) print zone names capitalised ("None")
        assert g[0] == state and g[1].lower() == zone.lower() and int(g[2]) == int(node), \
            (b, g, sysfs[b])


def test_virtio_mem_partial_block(lab):
    """Grown by 200 MiB (not a multiple of the 128 MiB block): the second
    block is only partly plugged; virtio-mem's callback keeps the unplugged
    sub-blocks fake-offline. memhp's released/held pages match the device's
    plugged size and MemTotal, and raise no finding."""
    if "virtio_mem" not in lab.check("cat /proc/modules"):  # else loaded above
        lab.modprobe("virtio_mem")
    t = Tracer(lab, "vmem-partial", "-e online,coverage")
    t.start()
    assert "attached coverage" in t.stderr, t.stderr
    plugged0 = lab.virtio_mem_info("vm0")["size"]
    assert plugged0 == 0, plugged0
    mem0 = lab.meminfo()["MemTotal"]
    before = lab.online_count()
    lab.virtio_mem_resize("vm0", "200M")
    lab.wait_until(lambda: lab.virtio_mem_info("vm0")["size"] == 200 << 20, timeout=120,
                   what="200M plugged")
    lab.wait_online_count(before + 2, timeout=60)
    # both online events: the coverage events come in the same stream, and
    # the first block's two can be all of one poll (6.12 CI: the second
    # block came 100 ms later)
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 2,
                        what="2 online events")
    mem1 = lab.meminfo()["MemTotal"]
    online = sorted((e for e in evs if e["event"] == "online"), key=lambda e: e["block"])
    assert len(online) == 2, online
    full, part = online
    assert full["released_pages"] == BLOCK_PAGES and full["held_pages"] == 0, full
    assert part["released_pages"] == (72 << 20) // 4096, part       # 36 plugged 2M sub-blocks
    assert part["held_pages"] == (56 << 20) // 4096, part           # fake-offline
    assert all(e["online_callback"] == "virtio_mem_online_page_cb [virtio_mem]" for e in online)
    released = sum(e["released_pages"] for e in online)
    assert released * 4096 == 200 << 20 and (mem1 - mem0) * 1024 == released * 4096, (mem0, mem1)
    # What virtio-mem says is backed (plugged sub-blocks) is exactly what was
    # released: no finding.
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "coverage"]) >= 2,
                        what="2 coverage events")
    cov = {e["block"]: e for e in evs if e["event"] == "coverage"}
    assert sorted(cov) == [full["block"], part["block"]], cov
    for e in online:
        c = cov[e["block"]]
        assert c["driver"] == "virtio_mem" and c["findings"] == [], c
        assert c["backed_pages"] == c["released_backed_pages"] == e["released_pages"], (c, e)
        assert c["released_uncovered_pages"] == 0, c
    lab.virtio_mem_resize("vm0", "0")
    lab.wait_until(lambda: lab.virtio_mem_info("vm0")["size"] == 0, timeout=180, what="unplugged")
    t.stop()
