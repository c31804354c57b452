"""Exit probes the kernel skips are lost events, counted and said: while
one `memhp trace` follows 32 onlines, other memhp processes start and stop
again and again. Each start or stop rebuilds the trampolines of the traced
functions, and the kernel lets calls in flight return without their fexit
programs (bpf_tramp_image_put). Whatever the first tracer misses must show
up in its lost count, with a line naming the function; its model must end
equal to sysfs (drift 0)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="offline")
STATE = "/sys/devices/system/memory/memory%d/state"


def test_skipped_exits_counted(lab):
    dev = lab.add_dimm("4G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=90,
                   what="DIMM blocks present")
    t = Tracer(lab, "main", "-e online,request")
    t.start()
    # Churn: short-lived tracers, bounded (200 rounds at most, or the flag).
    # SIGTERM: a non-interactive shell starts background jobs with SIGINT
    # ignored, and one sent before memhp installs its handler would be lost.
    lab.check("rm -f /tmp/churn.stop; (i=0; while [ $i -lt 200 ] && [ ! -e /tmp/churn.stop ]; do "
              "%s trace -q -e online >/dev/null 2>&1 & p=$!; sleep 1; kill -TERM $p; wait $p; "
              "i=$((i+1)); done) >/dev/null 2>&1 & echo $! >/tmp/churn.pid" % lab.memhp())
    for b in blocks:
        lab.check("echo online_movable > " + STATE % b)
    lab.check("touch /tmp/churn.stop")
    lab.wait_until("! kill -0 $(cat /tmp/churn.pid)", timeout=60, what="churn ends")
    lab.run("sleep 2.5")  # the sweep runs every second
    err = t.stop(allow_lost=True)
    evs = t.events()
    online = {e["block"] for e in evs if e["event"] == "online"}
    request = {e["block"] for e in evs if e["event"] == "request"}
    missing = (len(blocks) - len(online & set(blocks))) + (len(blocks) - len(request & set(blocks)))
    summary = err.strip().splitlines()[-1]
    lost = int(re.search(r" (\d+) lost,", summary).group(1))
    print("EXITS: %d blocks onlined under churn: %d online and %d request events missing, "
          "%d lost counted (%s)" % (len(blocks), len(blocks) - len(online & set(blocks)),
                                   len(blocks) - len(request & set(blocks)), lost, summary))
    assert missing <= lost, (missing, lost, err)
    if lost:
        assert "skipped the exit probe of" in err, err
