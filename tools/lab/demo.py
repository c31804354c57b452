#!/usr/bin/env python3
"""`make demo`: the memhp lab demo.

Boots Debian's 6.1 kernel in QEMU (TCG), starts `memhp trace` inside it,
and runs a scripted hotplug scenario while the trace streams live to this
terminal: a 1 GiB DIMM hot-plugged, a virtio-mem device grown to 512 MiB,
a block taken offline and onlined again as movable, then `memhp ls`.
On a host that can trace itself, run `sudo build/memhp trace` instead.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab import Lab, VirtioMem, LabError  # noqa: E402


def follow(path, stop):
    """Print new lines of a growing file until stop is set (then drain)."""
    pos = 0
    while True:
        done = stop.is_set()
        try:
            with open(path, "r", errors="replace") as f:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
        except FileNotFoundError:
            chunk = ""
        if chunk:
            sys.stdout.write(chunk)
            sys.stdout.flush()
        if done:
            return
        time.sleep(0.2)


def say(msg):
    print("\n>>> %s" % msg, flush=True)


def main():
    t0 = time.monotonic()
    with Lab(name="demo", default_state="online", late=["virtio_mem"], cmdline="nokaslr",
             virtio_mem=[VirtioMem(id="vm0", size="4G", node=0, requested=0)],
             hard_timeout=400) as lab:
        # `with` boots the VM.
        say("lab VM up in %.1fs (Debian kernel %s, QEMU TCG); starting memhp trace in the guest"
            % (lab.boot_time, lab.release))
        bin = lab.memhp()
        lab.check("%s trace >/lab/demo-trace.txt 2>/lab/demo-trace.err & echo $! >/tmp/demo.pid" % bin)
        lab.wait_until("grep -q 'attached online_pages' /lab/demo-trace.err || ! kill -0 $(cat /tmp/demo.pid)",
                       timeout=60)
        print(open(lab.host_path("/lab/demo-trace.err")).read(), end="")
        stop = threading.Event()
        th = threading.Thread(target=follow, args=(lab.host_path("/lab/demo-trace.txt"), stop),
                              daemon=True)
        th.start()

        n0 = len(lab.online_blocks())
        say("hot-plugging a 1 GiB DIMM (QMP object-add + device_add pc-dimm)")
        dev = lab.add_dimm("1G")
        lab.wait_online_count(n0 + 8, timeout=90)
        time.sleep(1)

        say("loading virtio_mem and growing device vm0 to 512 MiB (qom-set requested-size)")
        lab.modprobe("virtio_mem")
        lab.virtio_mem_resize("vm0", "512M")
        lab.wait_online_count(n0 + 12, timeout=120)
        time.sleep(1)

        blk = lab.device_blocks(dev)[-1]
        say("offlining memory%d, then onlining it as online_movable" % blk)
        lab.check("echo offline > /sys/devices/system/memory/memory%d/state" % blk)
        lab.check("echo online_movable > /sys/devices/system/memory/memory%d/state" % blk)
        time.sleep(2)

        lab.run("kill -INT $(cat /tmp/demo.pid)")
        lab.wait_until("! kill -0 $(cat /tmp/demo.pid)", timeout=20)
        stop.set()
        th.join(10)
        print(open(lab.host_path("/lab/demo-trace.err")).read().splitlines()[-1])

        say("memhp ls (lsmem-compatible, from sysfs)")
        print(lab.check("%s ls -o RANGE,SIZE,STATE,BLOCK,NODE,ZONES" % bin))
    say("demo done in %.0fs" % (time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (LabError, AssertionError) as e:
        print("demo failed: %s" % e, file=sys.stderr)
        sys.exit(1)
