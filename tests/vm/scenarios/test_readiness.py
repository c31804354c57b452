"""Readiness against reality (issue 12, item 4): under a mixed workload, predict
every online memory block with `memhp readiness -J`, then try to offline it,
and compare.

Boot RAM is small (1 GiB, all DMA32) so the hot-plugged DIMMs are used: one
onlined online_kernel (ZONE_NORMAL: kernel allocations such as slab land
there), two online_movable. The workload: anonymous memory held by a process,
page cache of an ext2 file system on a loop device, tmpfs files, and tens of
thousands of empty tmpfs files (inodes and dentries: slab).

A second round repeats this for the hot-plugged blocks after churn (the
anonymous memory replaced, 7 of 8 small files unlinked: slab pages stay,
sparsely used). Each block is predicted right before its own attempt (the question readiness
answers is "would it succeed now": earlier attempts migrate pages around).
An attempt is `echo offline > state` under `timeout -s KILL` (offline_pages()
retries migration until a fatal signal); a block that went offline is onlined
again into its zone. The figures per kernel are printed (READINESS lines):
how often "blocked" was right, how often "ready"/"needs migration" was right;
goals: both >= 95%, and no block predicted ready or migrate failing at
isolation (the kernel's "unmovable page")."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lab as labmod  # noqa: E402
from lab import scenario  # noqa: E402

LAB = dict(ram="1G", slots=4, maxmem="8G", default_state="offline", cmdline="nokaslr",
           load=["loop", "crc32c_generic", "ext4"], hard_timeout=480)
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
STATE = "/sys/devices/system/memory/memory%d/state"
ATTEMPT_S = 15  # per offline attempt; a movable block copies its pages in ~1-3 s here
GOAL = 0.95


def _build_rdload():
    out = os.path.join(REPO, "build", "tests", "rdload")
    src = os.path.join(REPO, "tests", "vm", "helpers", "rdload.c")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run(["gcc", "-O2", "-Wall", "-static", src, "-o", out], check=True,
                       timeout=120)
    return "/memhp/build/tests/rdload"


def _hotplug(lab):
    """Three 512 MiB DIMMs: the first online_kernel, the others online_movable."""
    types = ["online_kernel", "online_movable", "online_movable"]
    for t in types:
        dev = lab.add_dimm("512M")
        blocks = lab.device_blocks(dev)
        lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=90,
                       what="%s blocks present" % dev)
        lab.check("; ".join("echo %s > %s" % (t, STATE % b) for b in blocks), timeout=120)


def _workload(lab, rdload):
    lab.check("%s anon 300 >/tmp/anon.out 2>&1 & echo $! >/tmp/anon.pid" % rdload)
    lab.wait_until("grep -q ready /tmp/anon.out", timeout=120, what="anonymous memory held")
    # Page cache: ext2 (the ext4 driver) on a loop device backed by tmpfs.
    rc, out = lab.run("dd if=/dev/zero of=/tmp/ext.img bs=1M count=0 seek=200 2>/dev/null && "
                      "mke2fs -F /tmp/ext.img >/dev/null && mkdir -p /mnt/e && "
                      "{ [ -b /dev/loop0 ] || mknod /dev/loop0 b 7 0; } && "
                      "losetup /dev/loop0 /tmp/ext.img && mount -t ext4 /dev/loop0 /mnt/e && "
                      "%s files /mnt/e 120 1048576 && sync" % rdload, timeout=180)
    if rc:
        print("READINESS-NOTE no page cache workload: %s" % out.strip()[-200:])
    pagecache = rc == 0
    lab.check("mkdir -p /tmp/t && %s files /tmp/t 100 1048576 && "
              "mkdir -p /mnt/s && mount -t tmpfs -o nr_inodes=0 tmpfs /mnt/s && %s files /mnt/s 120000 0" % (rdload, rdload), timeout=240)
    return pagecache


def _attempt(lab, memhp, b, zone):
    """Predict block b, then try to offline it. (prediction dict, offlined?, reason)."""
    script = r"""
%(memhp)s readiness -J >/tmp/pred.json 2>/tmp/pred.err || { cat /tmp/pred.err; exit 3; }
n=$(dmesg | grep -c 'memory offlining')
timeout -s KILL %(t)d sh -c 'echo offline > %(st)s' >/tmp/off.out 2>&1
echo "RC $?"
echo "STATE $(cat %(st)s)"
cat /tmp/off.out
dmesg | grep 'memory offlining' | tail -n +$((n + 1))
""" % dict(memhp=memhp, t=ATTEMPT_S, st=STATE % b)
    out = lab.check(script, timeout=ATTEMPT_S + 90)
    pred = json.loads(lab.check("cat /tmp/pred.json", timeout=60))
    pb = [x for x in pred["blocks"] if x["block"] == b]
    assert len(pb) == 1, "block %d not in the prediction" % b
    state = [ln.split(None, 1)[1] for ln in out.splitlines() if ln.startswith("STATE ")]
    offlined = bool(state) and state[0].strip() == "offline"
    reason = ""
    for ln in out.splitlines():
        if "failed due to" in ln:
            reason = ln.split("failed due to", 1)[1].strip()
    if not offlined and not reason:
        rcs = [ln for ln in out.splitlines() if ln.startswith("RC ")]
        reason = "killed after %ds" % ATTEMPT_S if rcs and rcs[0] in ("RC 137", "RC 124") else \
            " ".join(ln for ln in out.splitlines() if "rror" in ln)[:80] or "failed"
    if offlined:
        how = {"Movable": "online_movable", "Normal": "online_kernel"}.get(zone, "online")
        lab.check("echo %s > %s" % (how, STATE % b), timeout=60)
    return pb[0], offlined, reason


def _round(lab, memhp, name, only=None):
    """Predict and try every online block (or those in only); the rows."""
    rows = []
    for b, v in lab.blocks().items():
        if v.state != "online" or (only is not None and b not in only):
            continue
        zone = (v.zone or "").split()[0] if v.zone else ""
        pred, ok, reason = _attempt(lab, memhp, b, zone)
        rows.append((name, b, zone, pred, ok, reason))
    return rows


def _figures(rows):
    pb = [r for r in rows if r[3]["verdict"] == "blocked"]
    pr = [r for r in rows if r[3]["verdict"] in ("ready", "migrate")]
    return pb, pr, sum(1 for r in pb if not r[4]), sum(1 for r in pr if r[4])


@scenario(allow_kernel_warnings=True)
def test_readiness_against_reality(lab):
    memhp = lab.memhp()
    rdload = _build_rdload()
    _hotplug(lab)
    pagecache = _workload(lab, rdload)
    # The kernel's reason for a failed offline is a pr_debug line.
    lab.run("echo 'file mm/memory_hotplug.c +p' > /sys/kernel/debug/dynamic_debug/control")
    # The whole report once, before anything moves (docs/readiness.md quotes it).
    text = lab.check("%s readiness" % memhp, timeout=120)
    for ln in text.splitlines():
        print("READINESS-TEXT " + ln)
    rows = _round(lab, memhp, "mixed")
    # Round 2, the hot-plugged blocks again after churn: the anonymous
    # memory goes and comes back elsewhere, 7 of 8 small files go (their
    # slab pages stay, sparsely used).
    hot = [b for b in lab.blocks() if b >= 32]
    lab.check("kill $(cat /tmp/anon.pid); %s thin /mnt/s 120000 8 && "
              "%s anon 200 >/tmp/anon2.out 2>&1 & echo $! >/tmp/anon2.pid" % (rdload, rdload),
              timeout=180)
    lab.wait_until("grep -q ready /tmp/anon2.out", timeout=120, what="new anonymous memory")
    rows += _round(lab, memhp, "churned", only=hot)
    rel = labmod.kernel_release()
    for rnd, b, zone, p, ok, reason in rows:
        print("READINESS-BLOCK kernel=%s round=%s block=%d zone=%s predicted=%r first=%s actual=%s%s"
              % (rel, rnd, b, zone, p["verdict_text"],
                 ",".join("%#x:%s" % (f["pfn"], f["kind"]) for f in p["first_unmovable"][:2]) or "-",
                 "offlined" if ok else "failed", "" if ok else " (%s)" % reason))
    for name, sel in (("mixed", [r for r in rows if r[0] == "mixed"]),
                      ("churned", [r for r in rows if r[0] == "churned"]), ("all", rows)):
        pb, pr, br, rr = _figures(sel)
        print("READINESS kernel=%s round=%s blocks=%d pagecache=%s blocked_right=%d/%d (%.1f%%) "
              "ready_or_migrate_right=%d/%d (%.1f%%)"
              % (rel, name, len(sel), "ext2" if pagecache else "none", br, len(pb),
                 100.0 * br / max(1, len(pb)), rr, len(pr), 100.0 * rr / max(1, len(pr))))
    pb, pr, blocked_right, ready_right = _figures(rows)
    bad_ready = [r for r in pr if not r[4] and "unmovable" in r[5]]
    print("READINESS kernel=%s ready_failing_unmovable=%d" % (rel, len(bad_ready)))
    # The comparison needs both kinds of prediction to mean anything.
    assert len(pb) >= 1 and len(pr) >= 3, "too few blocks of a kind: %d blocked, %d ready" % (
        len(pb), len(pr))
    assert not bad_ready, bad_ready
    assert blocked_right >= GOAL * len(pb), [r for r in pb if r[4]]
    assert ready_right >= GOAL * len(pr), [r for r in pr if not r[4]]
