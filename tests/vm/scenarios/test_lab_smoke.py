"""Lab harness smoke test on the real lab kernel: boot, agent, DIMM hotplug,
virtio-mem, virtio-balloon. Needs no memhp binary. All tests share one boot."""

import os
import time

from lab import (GIB, MIB, ONLINE_COUNT, VirtioMem, kernel_release, Skip)  # noqa: F401

LAB = dict(
    ram="4G", slots=8, maxmem="64G",
    default_state="online",
    virtio_mem=[VirtioMem("vm0", size="16G", node=0, requested=0, block_size="2M")],
    balloon=True,
)


def test_boot_and_agent(lab):
    rc, out = lab.run("uname -r")
    assert rc == 0 and out.strip() == kernel_release(), out
    rc, out = lab.run("echo to-stderr >&2; exit 7")
    assert (rc, out.strip()) == (7, "to-stderr"), (rc, out)
    # The repo is shared at /memhp (cwd of every command) and the run dir at /lab.
    assert lab.run("test -f tools/lab/lab.py")[0] == 0
    lab.check("echo hello > /lab/hello.txt")
    with open(lab.host_path("/lab/hello.txt")) as f:
        assert f.read() == "hello\n"
    # Background jobs survive the command that started them; the agent keeps working.
    lab.check("sleep 300 >/dev/null 2>&1 & echo $! > /tmp/bg.pid")
    assert lab.run("kill -0 $(cat /tmp/bg.pid)")[0] == 0
    lab.check("kill $(cat /tmp/bg.pid)")
    # Modules: virtio stack + 9p loaded by init; mount points present.
    mods = lab.check("cat /proc/modules")
    builtin = lab.check("cat /lib/modules/$(uname -r)/modules.builtin")
    for m in ("virtio_pci", "9p", "virtio_mem", "virtio_balloon"):
        # 6.12 builds virtio_pci in: then it is in modules.builtin instead
        assert ("%s " % m) in mods or ("/%s.ko\n" % m) in builtin, "module %s not loaded" % m
    mounts = lab.check("cat /proc/mounts")
    for mnt in ("/sys/fs/bpf bpf", "/sys/kernel/tracing tracefs", "/sys/kernel/debug debugfs",
                "/memhp 9p", "/lab 9p"):
        assert " %s " % mnt in mounts, "%s not mounted" % mnt


def test_command_timeout(lab):
    t0 = time.monotonic()
    try:
        lab.run("sleep 30", timeout=2)
    except Exception as e:  # LabTimeout
        assert type(e).__name__ == "LabTimeout", e
    else:
        raise AssertionError("sleep 30 with timeout=2 did not time out")
    assert time.monotonic() - t0 < 10
    assert lab.check("echo still-alive").strip() == "still-alive"


def test_dimm_hotplug(lab):
    bs = lab.block_size()
    assert bs == 128 * MIB, bs
    before = lab.blocks(zones=False)
    online0 = sum(1 for b in before.values() if b.state == "online")
    dimm = lab.add_dimm("1G")
    n = GIB // bs
    lab.wait_online_count(online0 + n, timeout=90)
    after = lab.blocks()
    new = sorted(set(after) - set(before))
    assert len(new) == n, "expected %d new blocks, got %s" % (n, new)
    assert all(after[b].state == "online" for b in new), {b: after[b] for b in new}
    # The DIMM's blocks follow from its QEMU address, and lie above boot RAM.
    expect = lab.device_blocks(dimm)
    assert new == expect, (new, expect)
    assert min(new) > max(before), (min(new), max(before))
    assert min(new) >= 48, min(new)  # q35 with 4G: boot RAM ends at 6G = block 48


def test_virtio_mem_grow(lab):
    online0 = lab.online_count()
    before = set(lab.blocks(zones=False))
    lab.virtio_mem_resize("vm0", "512M")
    lab.wait_online_count(online0 + 4, timeout=90)
    region = set(lab.device_blocks("vm0"))
    new = set(lab.blocks(zones=False)) - before
    assert len(new) == 4 and new <= region, (sorted(new), min(region), max(region))
    # QEMU's view: plugged size follows the request.
    lab.wait_until(lambda: lab.virtio_mem_info("vm0")["size"] == 512 * MIB, timeout=30,
                   what="virtio-mem vm0 plugged size 512M")


def test_balloon_inflate(lab):
    v0 = lab.vmstat()
    if "balloon_inflate" not in v0:
        raise Skip("kernel has no balloon_inflate in /proc/vmstat")
    a0 = lab.balloon_actual()
    lab.balloon_inflate(256)
    pages = 256 * MIB // 4096
    lab.wait_until("[ $(awk '/^balloon_inflate /{print $2}' /proc/vmstat) -ge %d ]"
                   % (v0["balloon_inflate"] + pages), timeout=120,
                   what="balloon_inflate to grow by %d pages" % pages)
    # QEMU sees the guest's acknowledgement too.
    lab.wait_until(lambda: lab.balloon_actual() <= a0 - 256 * MIB, timeout=30,
                   what="query-balloon actual to drop by 256M")
