"""Faults memhp must survive on the real kernel: a ring buffer too small for
a burst (lost events counted, reported in every line that matters, model
resynchronised from sysfs), kill -9 (no BPF program left behind), SIGTERM
(clean exit with the summary)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="online")
BPF_PROGS = "grep -c ' bpf_prog_' /proc/kallsyms"


def test_lost_events_counted(lab):
    t = Tracer(lab, "lost", "-e all --buffer-size 4096")
    t.start()
    n0 = lab.online_count()
    lab.check("kill -STOP $(cat %s)" % t.pidfile)
    lab.add_dimm("1G")  # ~50 events; a 4 KiB buffer holds about 14
    lab.wait_online_count(n0 + 8, timeout=90)
    lab.check("kill -CONT $(cat %s)" % t.pidfile)
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
