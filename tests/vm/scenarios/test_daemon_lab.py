"""memhp online-daemon on the real kernel, one boot with
memhp_default_state=offline (2 GiB, a virtio-mem device, SBM):
1) with a ratio-only policy (max-ratio 301) the daemon runs live while
   virtio-mem grows and DIMMs are hot-plugged; the final layout must equal
   what the kernel's own auto-movable policy (ratio 301) does for the same
   sequence, as `memhp simulate --online-policy auto-movable --ratio 301
   --auto-online online` predicts it (the simulator is checked against the
   kernel by test_simulate_oracle.py);
2) with a kernel-reserve rule the next hot-plugged DIMM goes KERNEL;
3) with --dry-run nothing changes (every state file identical)."""
import json
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lab import VirtioMem, parse_size, scenario  # noqa: E402

MEM = "/sys/devices/system/memory"
BIN = "/memhp/build/memhp-static"
PPB = 32768  # 128 MiB blocks, 4 KiB pages

LAB = dict(name="daemon-lab", ram="2G", default_state="offline", cmdline="nokaslr",
           virtio_mem=[VirtioMem(id="vm0", size="8G", node=0, block_size="2M")],
           hard_timeout=170)


def write(lab, path, text):
    with open(lab.host_path(path), "w") as f:
        f.write(text)


def states(lab):
    out = lab.check("cd %s && grep -H . memory*/state | sort -V" % MEM)
    return out


def offline_blocks(lab):
    rc, out = lab.run("cd %s && grep -l '^offline' memory*/state 2>/dev/null | wc -l" % MEM)
    return int(out.strip() or 0)


def vmem_name(lab, dev):
    addr = lab.memory_devices()[dev]["memaddr"]
    out = lab.check("grep -E '^ *%x-[0-9a-f]+ : virtio[0-9]+$' /proc/iomem" % addr)
    return out.split(":")[-1].strip()


def node_kernel_pages(lab):
    out = lab.check("grep -E '^Node|^ +present ' /proc/zoneinfo")
    tot, zone = 0, None
    for line in out.splitlines():
        w = line.replace(",", " ").split()
        if w[0] == "Node":
            zone = w[3] if w[1] == "0" else None
        elif w[0] == "present" and zone in ("DMA", "DMA32", "Normal"):
            tot += int(w[1])
    return tot


def test_daemon_ratio_reserve_dry_run(lab):
    rc, _ = lab.run("%s online-daemon --help >/dev/null 2>&1" % BIN)
    assert rc == 0, "build memhp-static with online-daemon (make all)"
    vm = vmem_name(lab, "vm0")

    # --- 1) ratio 301: the kernel's auto-movable result -----------------------------
    write(lab, "/lab/ratio.yaml", "version: 1\nrules:\n  - {name: r301, rule: max-ratio, max: 301}\n")
    steps = ["virtio-mem 3G dev=%s" % vm, "dimm 2G", "dimm 2G", "virtio-mem 2G dev=%s" % vm]
    rc, text = lab.run("%s simulate -J --online-policy auto-movable --ratio 301 --auto-online online %s "
                       ">/lab/oracle.json 2>/lab/oracle.err"
                       % (BIN, " ".join(shlex.quote(s) for s in steps)), timeout=120)
    with open(lab.host_path("/lab/oracle.json")) as f:
        oracle = json.loads(f.read())
    assert rc == 0 and oracle["ok"], (rc, text, oracle)

    lab.check("%s online-daemon --policy /lab/ratio.yaml -J --duration 120 >/lab/d1.out "
              "2>/lab/d1.err & echo $! >/tmp/d1.pid" % BIN)
    try:
        lab.wait_until("grep -q 'mode:' /lab/d1.err", timeout=30, what="daemon started")
        mode = lab.check("grep 'mode:' /lab/d1.err")
        assert "mode: events" in mode or "mode: polling" in mode, mode
        for s in steps:
            w = s.split()
            if w[0] == "dimm":
                dev = lab.add_dimm(w[1])
                last = lab.device_blocks(dev)[-1]
                lab.wait_until("[ -e %s/memory%d ]" % (MEM, last), timeout=60, what="DIMM blocks")
            else:
                now = lab.virtio_mem_info("vm0")["requested-size"]
                lab.virtio_mem_resize("vm0", now + parse_size(w[1]))
                lab.wait_until(lambda: lab.virtio_mem_info("vm0")["size"]
                               == lab.virtio_mem_info("vm0")["requested-size"],
                               timeout=90, interval=1.0, what="virtio-mem plugged")
            lab.wait_until(lambda: offline_blocks(lab) == 0, timeout=60, interval=0.5,
                           what="daemon onlined %s" % s)
    finally:
        lab.run("kill $(cat /tmp/d1.pid) 2>/dev/null; sleep 1")
    have = lab.blocks(zones=True)
    bad = []
    for b in oracle["blocks"]:
        h = have.get(b["block"])
        # zone null: an early block spanning zones (memory0), valid_zones "none"
        zone = b["zone"] or b["valid_zones"]
        if h is None or h.state != b["state"] or (b["state"] == "online" and h.zone != zone):
            bad.append("memory%d: kernel %s, predicted %s %s" % (
                b["block"], h and (h.state, h.zone), b["state"], b["zone"]))
    assert not bad, "daemon != kernel auto-movable:\n  " + "\n  ".join(bad[:40])
    zones = {b["zone"] for b in oracle["blocks"] if not b["early"]}
    assert {"Movable", "Normal"} <= zones, zones  # the ratio did bite
    log = [json.loads(x) for x in lab.check("cat /lab/d1.out").splitlines() if x.strip()]
    assert log[0]["action"] == "start", log[0]
    assert all(x["action"] in ("start", "online", "exit") for x in log), log
    assert all(x["reason"] for x in log if x["action"] == "online")

    # --- 2) kernel-reserve: the next DIMM goes KERNEL ------------------------------------
    need = node_kernel_pages(lab) * 4096 + (512 << 20)
    write(lab, "/lab/reserve.yaml", "version: 1\nrules:\n  - {rule: max-ratio, max: 301}\n"
          "  - {name: node0-reserve, rule: kernel-reserve, node: 0, min: %d}\n" % need)
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e %s/memory%d ]" % (MEM, blocks[-1]), timeout=60, what="DIMM c")
    rc, text = lab.run("%s online-daemon --policy /lab/reserve.yaml --once >/lab/d2.out 2>&1"
                       % BIN, timeout=60)
    out = lab.check("cat /lab/d2.out")
    assert rc == 0, out
    have = lab.blocks(zones=True)
    assert all(have[b].state == "online" and have[b].zone == "Normal" for b in blocks), \
        (out, [(b, have[b].zone) for b in blocks])
    assert "kernel-reserve" not in out or "rule node0-reserve" in out, out
    assert "memory%d online_kernel -> Normal" % blocks[0] in out and "node0-reserve" in out, out

    # --- 3) --dry-run changes nothing ---------------------------------------------------------
    dev = lab.add_dimm("512M")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e %s/memory%d ]" % (MEM, blocks[-1]), timeout=60, what="DIMM d")
    before = states(lab)
    rc, _ = lab.run("%s online-daemon --policy /lab/ratio.yaml --once --dry-run "
                    ">/lab/d3.out 2>&1" % BIN, timeout=60)
    out = lab.check("cat /lab/d3.out")
    assert rc == 0, out
    assert states(lab) == before, "dry run changed state files"
    assert out.count("would-online") == len(blocks), out
    assert "dry run: nothing changed" in out, out
