"""memhp check on the real kernel: two DIMMs hot-plugged with
memhp_default_state=offline, blocks onlined so that the global
MOVABLE:KERNEL ratio limit and the single-zone-DIMM rule are violated;
`memhp check` must report exactly those two, with the numbers the kernel's
own counters give; then the layout is fixed (Movable blocks offlined) and
the check must pass (exit 0). One boot, well under 2 minutes."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lab import Skip, scenario  # noqa: E402,F401

MEM = "/sys/devices/system/memory"
POLICY = "/memhp/tests/data/policy-lab.conf"  # global max 30, DIMMs one zone
DEV_BIN = "/memhp/build/dev-check-static"
PPB = 32768  # 128 MiB blocks, 4 KiB pages

LAB = dict(name="check-lab", ram="4G", default_state="offline",
           cmdline="nokaslr", virtio_mem=(), hard_timeout=150)


def check_bin(lab):
    rc, _ = lab.run("/memhp/build/memhp-static check --help >/dev/null 2>&1")
    if rc == 0:
        return "/memhp/build/memhp-static check"
    if os.access(lab.host_path(DEV_BIN), os.X_OK):
        return DEV_BIN
    raise Skip("no memhp check binary: run build/dev-check.sh or add check to memhp.c")


def zoneinfo_present(lab):
    """{(node, zone): present pages} from /proc/zoneinfo."""
    out = lab.check("grep -E '^Node|^ +present ' /proc/zoneinfo")
    res, key = {}, None
    for line in out.splitlines():
        w = line.replace(",", " ").split()
        if w[0] == "Node":
            key = (int(w[1]), w[3])
        elif w[0] == "present" and key:
            res[key] = int(w[1])
    return res


def run_check(lab, binary, n):
    out = "/lab/check-%d.json" % n
    rc, text = lab.run("%s --policy %s -J >%s 2>/lab/check-%d.err" % (binary, POLICY, out, n),
                       timeout=60)
    with open(lab.host_path(out)) as f:
        data = f.read()
    assert rc in (0, 1), "check failed (rc %d): %s %s" % (rc, text, data)
    res = json.loads(data)
    assert res["exit"] == rc, (rc, res)
    return rc, res


def online(lab, blocks, how):
    for b in blocks:
        lab.check("echo %s > %s/memory%d/state" % (how, MEM, b))


def test_check_ratio_and_dimm_zone(lab):
    binary = check_bin(lab)
    a = lab.add_dimm("1G")
    b = lab.add_dimm("1G")
    ba, bb = lab.device_blocks(a), lab.device_blocks(b)
    assert len(ba) == 8 and len(bb) == 8, (ba, bb)
    lab.wait_until("[ -e %s/memory%d ] && [ -e %s/memory%d ]" % (MEM, ba[-1], MEM, bb[-1]),
                   timeout=60, what="DIMM blocks")
    rc, res = run_check(lab, binary, 0)
    assert rc == 0 and res["violations"] == [], res  # everything offline

    # DIMM a: half Normal, half Movable (two zones); DIMM b: all Movable.
    online(lab, ba[:4], "online_kernel")
    online(lab, ba[4:], "online_movable")
    online(lab, bb, "online_movable")
    have = lab.blocks()
    assert [have[x].zone for x in ba] == ["Normal"] * 4 + ["Movable"] * 4, have
    assert all(have[x].zone == "Movable" for x in bb)

    zi = zoneinfo_present(lab)
    movable = sum(v for (n, z), v in zi.items() if z == "Movable")
    # kernel *early* pages: present in the other zones minus hot-added ones
    kernel_early = sum(v for (n, z), v in zi.items() if z not in ("Movable", "Device")) - 4 * PPB
    want_ratio = movable * 100 // kernel_early
    assert movable == 12 * PPB, zi
    assert want_ratio > 30, want_ratio

    rc, res = run_check(lab, binary, 1)
    v = sorted(res["violations"], key=lambda x: x["rule"])
    assert rc == 1, res
    assert [x["rule"] for x in v] == ["dimm-one-zone", "global-ratio"], v
    dz, gr = v
    assert dz["type"] == "single-zone-group" and dz["severity"] == "critical"
    assert dz["blocks"] == {"first": ba[0], "last": ba[-1]}, dz
    assert dz["actual"] == 2 and dz["limit"] == 1 and dz["unit"] == "zones"
    assert "PNP0C80" in dz["object"], dz
    assert "Normal 4 blocks (memory%d..%d)" % (ba[0], ba[3]) in dz["message"], dz
    assert "Movable 4 blocks (memory%d..%d)" % (ba[4], ba[7]) in dz["message"], dz
    assert gr["type"] == "max-ratio" and gr["object"] == "global"
    assert gr["unit"] == "percent" and gr["limit"] == 30
    assert gr["actual"] == want_ratio, (gr, want_ratio, movable, kernel_early)
    # the text output names the same
    rc2, text = lab.run("%s --policy %s 2>&1" % (binary, POLICY), timeout=60)
    assert rc2 == 1, text
    assert "critical dimm-one-zone [single-zone-group]" in text, text
    assert "warning global-ratio [max-ratio] global: MOVABLE:KERNEL %d exceeds 30" % want_ratio \
        in text, text
    assert "2 violations (1 critical, 1 warning, 0 info)" in text, text
    # --fail-on critical still fails (the DIMM rule is critical)
    rc3, _ = lab.run("%s --policy %s --fail-on critical >/dev/null 2>&1" % (binary, POLICY))
    assert rc3 == 1

    # Fix: offline every Movable block: DIMM a is all Normal, nothing Movable.
    for x in list(ba[4:]) + list(bb):
        lab.check("echo offline > %s/memory%d/state" % (MEM, x), timeout=60)
    rc, res = run_check(lab, binary, 2)
    assert rc == 0 and res["violations"] == [], res
    assert all(r["evaluated"] for r in res["rules"]), res


def test_check_live_and_watch(lab):
    """--live: a BPF session first, event rules evaluated; --watch with BPF
    prints APPEAR when a DIMM goes into two zones and CLEAR when fixed."""
    binary = check_bin(lab)
    pol = "/lab/live.yaml"
    with open(lab.host_path(pol), "w") as f:
        f.write("version: 1\nrules:\n"
                "  - {name: dimm-one-zone, rule: single-zone-group}\n"
                "  - {name: slow, rule: online-latency, max: 60s}\n"
                "  - {name: offline-fail, rule: offline-failures, max: 5}\n")
    rc, text = lab.run("%s --policy %s --live 2 -J >/lab/live.json 2>/lab/live.err" % (binary, pol),
                       timeout=60)
    with open(lab.host_path("/lab/live.json")) as f:
        res = json.loads(f.read() or "{}")
    assert rc in (0, 1), (rc, text, res)
    assert res["source"] == "live+events", res
    assert all(r["evaluated"] for r in res["rules"]), res

    c = lab.add_dimm("512M")
    bc = lab.device_blocks(c)
    lab.wait_until("[ -e %s/memory%d ]" % (MEM, bc[-1]), timeout=60, what="DIMM c")
    lab.check("%s --policy %s --watch --interval 0.5 --duration 40 >/lab/watch.out "
              "2>/lab/watch.err & echo $! >/tmp/watch.pid" % (binary, pol))
    try:
        # BPF attached (the attach report), then the first evaluation
        lab.wait_until("grep -q 'attached online_pages' /lab/watch.err", timeout=30,
                       what="watch attached")
        lab.check("sleep 1.5")
        online(lab, bc[:2], "online_kernel")
        online(lab, bc[2:], "online_movable")
        lab.wait_until("grep -q '^APPEAR warning dimm-one-zone' /lab/watch.out", timeout=20,
                       what="APPEAR")
        for x in bc[2:]:
            lab.check("echo offline > %s/memory%d/state" % (MEM, x), timeout=60)
        lab.wait_until("grep -q '^CLEAR  warning dimm-one-zone' /lab/watch.out", timeout=20,
                       what="CLEAR")
    finally:
        lab.run("kill $(cat /tmp/watch.pid) 2>/dev/null; sleep 1")
    out = lab.check("cat /lab/watch.out")
    assert out.count("APPEAR") == 1 and out.count("CLEAR") == 1, out
