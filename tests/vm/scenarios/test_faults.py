"""Faults memhp must survive on the real kernel: a ring buffer too small for
a burst (lost events counted, reported in every line that matters, model
resynchronised from sysfs), kill -9 (no BPF program left behind), SIGTERM
(clean exit with the summary)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="online")
BPF_PROGS = "grep -c ' bpf_prog_' /proc/kallsyms"


LOST_PORT = 9503


def test_lost_events_counted(lab):
    """Every sink counts and reports the loss: trace (a lost line and the
    summary), export (memhp_events_lost_total, drift back to 0), top (the
    header's lost count)."""
    t = Tracer(lab, "lost", "-e all --buffer-size 4096")
    t.start()
    m = lab.memhp()
    lab.check("%s export -q --buffer-size 4096 --reconcile 1 --listen 127.0.0.1:%d "
              ">/dev/null 2>/tmp/lx.err & echo $! >/tmp/lx.pid" % (m, LOST_PORT))
    lab.wait_until("wget -q -O /dev/null http://127.0.0.1:%d/metrics" % LOST_PORT, timeout=60,
                   what="exporter serving")
    lab.check("TERM=dumb %s top --batch 3 --delay 3 --buffer-size 4096 >/tmp/lt.out 2>/tmp/lt.err "
              "& echo $! >/tmp/lt.pid" % m)
    lab.wait_until("grep -q '^memhp top - ' /tmp/lt.out", timeout=60, what="top's first frame")
    stopped = "$(cat %s) $(cat /tmp/lx.pid) $(cat /tmp/lt.pid)" % t.pidfile
    n0 = lab.online_count()
    lab.check("kill -STOP " + stopped)
    lab.add_dimm("1G")  # ~50 events; a 4 KiB buffer holds about 14
    lab.wait_online_count(n0 + 8, timeout=90)
    lab.check("kill -CONT " + stopped)
    # export: the loss in the metrics, the model resynchronised (drift 0)
    def exported():
        rc, out = lab.run("wget -q -O - http://127.0.0.1:%d/metrics" % LOST_PORT, timeout=30)
        lost = re.search(r"^memhp_events_lost_total (\d+)$", out, re.M)
        drift = re.search(r"^memhp_drift_blocks (\d+)$", out, re.M)
        return rc == 0 and lost and int(lost.group(1)) > 0 and drift and drift.group(1) == "0"
    lab.wait_until(exported, timeout=60, interval=1, what="export: lost > 0, drift 0")
    lab.check("kill -INT $(cat /tmp/lx.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/lx.pid)", timeout=30, what="exporter exit")
    assert re.search(r"[1-9]\d* lost$", lab.check("tail -n1 /tmp/lx.err")), lab.check("cat /tmp/lx.err")
    # top: the last frame's header counts the loss
    lab.wait_until("! kill -0 $(cat /tmp/lt.pid)", timeout=60, what="top --batch 3 ends")
    frames = lab.check("cat /tmp/lt.out").split("memhp top - ")
    assert re.search(r"lost [1-9]\d*", frames[-1]), frames[-1]
    evs = t.wait_events(lambda e: any(x["event"] == "lost" for x in e), what="lost report")
    err = t.stop(allow_lost=True)
    lost = [e for e in evs if e["event"] == "lost"][-1]
    assert lost["lost_total"] > 0 and lost["resyncs"] >= 1, lost
    summary = err.strip().splitlines()[-1]
    assert " %d lost" % lost["lost_total"] in summary, (summary, lost)
    shown = len([e for e in evs if e["event"] != "lost"])
    assert shown < 60, shown  # the buffer really overflowed


def test_kill9_leaves_no_programs(lab):
    lab.check("echo 1 > /proc/sys/net/core/bpf_jit_kallsyms")
    base = int(lab.run(BPF_PROGS)[1].strip() or 0)
    t = Tracer(lab, "kill9", "-e all")
    t.start()
    during = int(lab.check(BPF_PROGS).strip())
    assert during > base + 10, (base, during)  # memhp's programs are loaded
    lab.check("kill -9 $(cat %s)" % t.pidfile)
    lab.wait_until("[ $(%s) -le %d ]" % (BPF_PROGS, base), timeout=30,
                   what="programs released after kill -9")


def test_sigterm_clean_exit(lab):
    t = Tracer(lab, "term", "-e all")
    t.start()
    err = t.stop(sig="TERM")
    assert "events shown" in err.strip().splitlines()[-1], err
