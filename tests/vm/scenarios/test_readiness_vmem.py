"""Readiness of a virtio-mem device at its own granularity (issue 12, part 3;
part 4, PageOffline).

One virtio-mem device (device block size 2 MiB; the driver's subblock is
then 2 MiB, a pageblock, on 6.1 and 6.12: Sub Block Mode in 128 MiB memory
blocks; the test reads it from the driver's log line), plugged to 200 MiB:
one block whole, the next with 36 of 64 subblocks plugged and the other 28
kept by the driver as PageOffline (fake-offline) pages. A 40 MiB
tmpfs file is written first so the device's memory is not all free.

1. `memhp readiness -J`: the partly plugged block's PageOffline pages are
   counted as such, the block is not blocked, its subblocks are 18 plugged
   and 28 unplugged, and the device's unit, plugged bytes and unpluggable
   bytes follow the subblock rule.
2. Offlining that block through sysfs succeeds, as readiness said
   (virtio-mem's MEM_GOING_OFFLINE handler lets offlining skip its
   PageOffline pages); it is onlined again.
3. Readiness against reality: predict the device's unpluggable bytes, shrink
   requested-size by that much, read the plugged size back through QMP
   after a bounded wait. VMEM-READINESS lines give predicted vs actual.
4. The same with blockers: the device plugged again to 256 MiB with its
   blocks onlined to ZONE_NORMAL (auto_online_blocks online_kernel; boot
   RAM is all DMA32, so kernel allocations land there), slab from 30,000
   empty tmpfs files plus a 40 MiB tmpfs file. Readiness predicts the
   unpluggable subblocks; requested-size is lowered by that, then to 0
   (does the driver find more than predicted?)."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab import VirtioMem, scenario  # noqa: E402
from test_readiness import _build_rdload  # noqa: E402
from memhp_vm import Tracer  # noqa: E402

MIB = 1 << 20
STATE = "/sys/devices/system/memory/memory%d/state"
PLUG = 200 * MIB
LAB = dict(name="rd-vmem", ram="1G", default_state="online_movable", cmdline="nokaslr",
           virtio_mem=[VirtioMem(id="vm0", size="1G", node=0, block_size="2M")],
           hard_timeout=420)


def _resize(lab, size, timeout=150):
    """Set requested-size; wait until the plugged size reaches it or stops
    moving for 20 s (an unplug the driver cannot finish). Plugged bytes."""
    lab.virtio_mem_resize("vm0", size)
    end = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < end:
        now = lab.virtio_mem_info("vm0")["size"]
        if now == size:
            return now
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > 20:
            break
        time.sleep(1)
    return lab.virtio_mem_info("vm0")["size"]


def _device(pred):
    devs = [d for d in pred["devices"] if d["kind"] == "virtio-mem"]
    assert len(devs) == 1, pred["devices"]
    return devs[0]


def _shrink(lab, kver, memhp, what):
    """Predict, lower requested-size by the prediction; (predicted, actual)."""
    pred = _readiness(lab, memhp)
    dev = _device(pred)
    predicted = dev["unpluggable_bytes"]
    before = lab.virtio_mem_info("vm0")["size"]
    t0 = time.monotonic()
    after = _resize(lab, before - predicted)
    actual = before - after
    print("VMEM-READINESS [%s] %s: plugged %d MiB, predicted unpluggable %d MiB "
          "(%d of %d subblocks; whole blocks would say %d MiB), requested-size -> %d MiB, "
          "actually unplugged %d MiB in %.0f s"
          % (kver, what, before // MIB, predicted // MIB, dev["subblocks"]["unpluggable"],
             dev["subblocks"]["plugged"], dev["block_unpluggable_bytes"] // MIB,
             (before - predicted) // MIB, actual // MIB, time.monotonic() - t0))
    return predicted, actual, dev


def _readiness(lab, memhp):
    return json.loads(lab.check("%s readiness -J" % memhp, timeout=120))


@scenario(allow_kernel_warnings=True)
def test_readiness_virtio_mem_subblocks(lab):
    memhp = lab.memhp()
    kver = lab.check("uname -r").strip()
    assert _resize(lab, PLUG) == PLUG, "virtio-mem did not plug %d MiB" % (PLUG // MIB)
    bs = lab.block_size()
    addr = lab.virtio_mem_info("vm0")["memaddr"]
    first = addr // bs
    full, part = first, first + PLUG // bs
    lab.wait_until("grep -q online %s && grep -q online %s" % (STATE % full, STATE % part),
                   timeout=90, what="virtio-mem blocks online")
    log = lab.check("dmesg | grep -E 'virtio_mem virtio[0-9]+: (device block|subblock|big block) size'")
    print("VMEM-READINESS [%s] driver: %s" % (kver, " / ".join(log.split("\n"))))
    sbs = [ln.split("subblock size:")[1].strip() for ln in log.splitlines() if "subblock size:" in ln]
    assert sbs, "the driver did not log a subblock size (not Sub Block Mode?): %s" % log
    SB = int(sbs[-1], 16)
    lab.check("mkdir -p /mnt/v && mount -t tmpfs tmpfs /mnt/v && "
              "dd if=/dev/zero of=/mnt/v/f bs=1M count=40 2>/dev/null && sync", timeout=120)

    # --- 1. the partly plugged block and the device's sums ------------------
    pred = _readiness(lab, memhp)
    dev = _device(pred)
    blocks = {b["block"]: b for b in pred["blocks"]}
    pb = blocks[part]
    plugged_sbs = (PLUG % bs) // SB
    n_sbs = bs // SB
    print("VMEM-READINESS [%s] block %d: verdict %s, subblocks %s, page-offline %d bytes"
          % (kver, part, pb["verdict"], pb.get("subblocks"),
             pb["kinds"].get("page-offline", 0)))
    print("VMEM-READINESS [%s] device: unit %d (%s, %s) plugged %d unplugged %d "
          "unpluggable %d block_unpluggable %d subblocks %s"
          % (kver, dev["unit_bytes"], dev["unit_mode"], dev["unit_source"],
             dev["plugged_bytes"], dev["unplugged_bytes"], dev["unpluggable_bytes"],
             dev["block_unpluggable_bytes"], dev["subblocks"]))
    assert dev["unit_bytes"] == SB and dev["unit_mode"] == "sbm", dev
    assert dev["unit_source"] == "kernel-log", dev
    assert dev["device_block_bytes"] == 2 * MIB, dev
    assert pb["kinds"].get("page-offline", 0) == (n_sbs - plugged_sbs) * SB, pb["kinds"]
    assert pb["verdict"] != "blocked", pb
    assert pb["subblocks"] == {"plugged": plugged_sbs, "unplugged": n_sbs - plugged_sbs,
                               "unpluggable": pb["subblocks"]["unpluggable"], "mixed": 0}, pb
    assert dev["plugged_bytes"] == PLUG, dev
    assert dev["unplugged_bytes"] == (n_sbs - plugged_sbs) * SB, dev
    assert dev["unpluggable_bytes"] == dev["subblocks"]["unpluggable"] * SB, dev
    assert dev["unpluggable_bytes"] <= dev["plugged_bytes"], dev
    # The whole-block sum would count the 56 MiB of PageOffline pages too.
    assert dev["block_unpluggable_bytes"] != dev["unpluggable_bytes"] or \
        dev["blocks"]["ready"] + dev["blocks"]["migrate"] == 0, dev

    # --- 2. offlining the block with PageOffline pages -----------------------
    tr = Tracer(lab, "vmem-offline", "-e offline")
    tr.start()
    rc, out = lab.run("timeout -s KILL 60 sh -c 'echo offline > %s'; cat %s"
                      % (STATE % part, STATE % part), timeout=90)
    offlined = out.strip().endswith("offline")
    evs = tr.wait_events(lambda e: any(x["event"] == "offline" and x["block"] == part
                                       for x in e), what="the offline event of block %d" % part)
    tr.stop()
    ev = [x for x in evs if x["event"] == "offline" and x["block"] == part][-1]
    print("VMEM-READINESS [%s] offline block %d (predicted %s): %s; event ret %s result %s "
          "reason %s blocker %s"
          % (kver, part, pb["verdict"], "offlined" if offlined else "failed: " + out.strip(),
             ev.get("ret"), ev.get("result"), ev.get("reason"), ev.get("blocker")))
    assert offlined == (pb["verdict"] in ("ready", "migrate")), (pb["verdict"], out)
    assert (ev.get("ret") == 0) == offlined and ev.get("reason") is None, ev
    if offlined:
        lab.check("echo online_movable > %s" % (STATE % part), timeout=60)

    # --- 3. readiness against reality ---------------------------------------
    predicted, actual, dev = _shrink(lab, kver, memhp, "movable")
    assert predicted > 0, dev
    assert actual == predicted, (predicted, actual)
    lab.check("rm -f /mnt/v/f")
    assert _resize(lab, 0) == 0

    # --- 4. with slab in the device's memory (ZONE_NORMAL) ---------------
    rdload = _build_rdload()
    lab.check("echo online_kernel > /sys/devices/system/memory/auto_online_blocks")
    assert _resize(lab, 256 * MIB) == 256 * MIB
    lab.wait_until("grep -q online %s && grep -q online %s"
                   % (STATE % first, STATE % (first + 1)), timeout=90,
                   what="virtio-mem blocks online again")
    zones = lab.check("cat /sys/devices/system/memory/memory%d/valid_zones" % first).strip()
    lab.check("mkdir -p /mnt/s && mount -t tmpfs -o nr_inodes=0 tmpfs /mnt/s && "
              "%s files /mnt/s 30000 0 && dd if=/dev/zero of=/mnt/v/g bs=1M count=40 "
              "2>/dev/null && sync" % rdload, timeout=240)
    pred = _readiness(lab, memhp)
    for b in pred["blocks"]:
        if b["device"] == dev["device"] and b["state"] == "online":
            print("VMEM-READINESS [%s] normal+slab block %d: %s, subblocks %s, kinds %s"
                  % (kver, b["block"], b["verdict_text"], b["subblocks"], b["kinds"]))
    predicted, actual, dev = _shrink(lab, kver, memhp, "normal+slab (%s)" % zones)
    rest = lab.virtio_mem_info("vm0")["size"]
    more = rest - _resize(lab, 0, timeout=60)
    print("VMEM-READINESS [%s] normal+slab: then requested-size -> 0: %d MiB more "
          "unplugged (%d MiB stay plugged)"
          % (kver, more // MIB, lab.virtio_mem_info("vm0")["size"] // MIB))
    assert 0 < predicted < 256 * MIB, dev
    # The driver skips a subblock it cannot take (-EBUSY) and tries the
    # next; what moved between the prediction and the attempt may differ.
    assert actual >= predicted * 0.9, (predicted, actual)
    assert more <= 0.1 * predicted, (predicted, actual, more)
