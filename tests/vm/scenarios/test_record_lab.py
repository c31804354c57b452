"""memhp record on the real kernel, then memhp replay of its file in the
guest: a DIMM hot-added offline (memhp_default_state=offline), blocks
onlined into Movable and Normal by hand, one offlined again, while
`memhp trace -J -e all` watches the same activity. The replayed events must
be the events trace printed: every field equal but the timestamps (two
memhp instances attach their own BPF programs, which read the clock a few
microseconds apart), which must agree closely. The recorder is stopped with
SIGTERM: its file must end cleanly (no torn tail)."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="offline", cmdline="nokaslr")
STATE = "/sys/devices/system/memory/memory%d/state"
REC = "/tmp/lab.rec"
# each memhp's BPF programs read the clock for themselves
TIME_FIELDS = ("time", "ktime_ns", "duration_ns")


def _canon(e):
    return json.dumps({k: v for k, v in e.items() if k not in TIME_FIELDS}, sort_keys=True)


def _start_recorder(lab, rec=REC, tag="rec", opts=""):
    bin_ = lab.memhp()
    lab.check("%s record -o %s %s >/tmp/%s.out 2>/tmp/%s.err & echo $! >/tmp/%s.pid"
              % (bin_, rec, opts, tag, tag, tag))
    lab.wait_until("grep -q 'attached online_pages' /tmp/%s.err || ! kill -0 $(cat /tmp/%s.pid)"
                   % (tag, tag), timeout=60, what="memhp record attached")
    rc, _ = lab.run("kill -0 $(cat /tmp/%s.pid)" % tag)
    assert rc == 0, "memhp record died at start:\n" + lab.check("cat /tmp/%s.err" % tag)


def _stop_recorder(lab, tag):
    lab.run("kill -TERM $(cat /tmp/%s.pid)" % tag)
    lab.wait_until("! kill -0 $(cat /tmp/%s.pid)" % tag, timeout=20, what="memhp record exit")
    return lab.check("cat /tmp/%s.err" % tag)


def test_record_replay_equals_trace(lab):
    # --no-reconcile: trace's drift check can catch an offline in flight
    # (sysfs says going-offline for its whole duration); not this test's
    # subject, and its drift lines are not events
    t = Tracer(lab, "rec-trace", "-e all --no-reconcile")
    t.start()
    _start_recorder(lab)

    dev = lab.add_dimm("512M")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 4, blocks
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=90,
                   what="DIMM blocks present")
    lab.check("echo online_movable > " + STATE % blocks[0])
    lab.check("echo online_movable > " + STATE % blocks[1])
    lab.check("echo online_kernel > " + STATE % blocks[2])
    lab.check("echo offline > " + STATE % blocks[1])
    want = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 3 and
                         any(x["event"] == "offline" for x in e), what="3 onlines, 1 offline")

    # SIGTERM: a clean exit with the file flushed
    lab.run("kill -TERM $(cat /tmp/rec.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/rec.pid)", timeout=20, what="memhp record exit")
    t.stop(allow_drift=True)
    rec_err = lab.check("cat /tmp/rec.err")
    summary = rec_err.strip().splitlines()[-1]
    assert "events written to %s" % REC in summary and " 0 lost" in summary, rec_err
    want = [e for e in t.events() if e["event"] not in ("drift", "lost", "policy")]

    rc, out = lab.run("%s replay -J %s 2>/tmp/replay.err" % (lab.memhp(), REC), timeout=60)
    rep_err = lab.check("cat /tmp/replay.err")
    assert rc == 0, "replay failed (%d): %s" % (rc, rep_err)
    assert "warning" not in rep_err, rep_err  # no torn tail after SIGTERM
    got = [json.loads(ln) for ln in out.splitlines() if ln.strip()]
    n = int(summary.split()[2])
    assert len(got) == n, (len(got), summary)

    # Same events, same fields. Order: each instance's ring buffer keeps
    # submission order, which can differ between them across CPUs, so
    # compare as multisets, then the timestamps pairwise.
    assert sorted(map(_canon, got)) == sorted(map(_canon, want)), (
        "replay and trace differ:\nonly in replay: %s\nonly in trace: %s"
        % (sorted(set(map(_canon, got)) - set(map(_canon, want)))[:5],
           sorted(set(map(_canon, want)) - set(map(_canon, got)))[:5]))
    kinds = {e["event"] for e in got}
    assert {"add", "online", "offline", "request", "notify", "group-register"} <= kinds, kinds
    by = {}
    for e in want:
        by.setdefault(_canon(e), []).append(e)
    for e in got:
        w = by[_canon(e)].pop(0)
        assert abs(e["ktime_ns"] - w["ktime_ns"]) < 50_000_000, (e, w)
        assert (e["duration_ns"] is None) == (w["duration_ns"] is None), (e, w)
    # the wall-clock times come from the recorder's clock pair: same second
    assert got[0]["time"][:19] == min(want, key=lambda x: x["ktime_ns"])["time"][:19] or \
        abs(got[0]["ktime_ns"] - want[0]["ktime_ns"]) < 50_000_000, (got[0], want[0])

    # The model replayed from the snapshot + events: blocks as sysfs has them.
    prom = lab.check("%s replay --format prom %s 2>/dev/null" % (lab.memhp(), REC), timeout=60)
    count = {"online": 0, "offline": 0}
    for ln in prom.splitlines():
        if ln.startswith("memhp_blocks{"):
            st = ln.split('state="')[1].split('"')[0]
            count[st] = count.get(st, 0) + int(ln.split()[-1])
    sysfs = {"online": 0, "offline": 0}
    for v in lab.blocks().values():
        sysfs[v.state] = sysfs.get(v.state, 0) + 1
    assert count == sysfs, (count, sysfs)
    stats = lab.check("%s replay --stats %s" % (lab.memhp(), REC), timeout=60)
    assert "events:        %d" % n in stats, stats


def _blocks_from_prom(prom):
    count = {}
    for ln in prom.splitlines():
        if ln.startswith("memhp_blocks{"):
            st = ln.split('state="')[1].split('"')[0]
            count[st] = count.get(st, 0) + int(ln.split()[-1])
    return count


def test_record_rotated_equals_single(lab):
    """A hot-plug burst recorded twice at once: into one file, and with a
    tiny --max-size (16K: a few dozen events per part) into a rotated set.
    Replaying the set by its base name gives the single file's events
    (every field but the timestamps: two recorders, two sets of BPF
    programs) and the same final model; every part replays alone too."""
    one, rot = "/tmp/one.rec", "/tmp/rot.rec"
    _start_recorder(lab, one, "one")
    _start_recorder(lab, rot, "rot", "--max-size 16K")

    dev = lab.add_dimm("512M")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 4, blocks
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=90,
                   what="DIMM blocks present")
    lab.check("echo online_movable > " + STATE % blocks[3])  # stays online
    for _ in range(6):  # ~150 events: four or more parts of 16K
        for b in blocks[:3]:
            lab.check("echo online_movable > " + STATE % b)
        for b in blocks[:3]:
            lab.check("echo offline > " + STATE % b)
    lab.check("sleep 1")  # the last events through both ring buffers

    one_err = _stop_recorder(lab, "one")
    rot_err = _stop_recorder(lab, "rot")
    assert " 0 lost" in one_err.strip().splitlines()[-1], one_err
    summary = rot_err.strip().splitlines()[-1]
    assert "events written to %s.000001 to ." % rot in summary and " 0 lost" in summary, rot_err
    parts = lab.check("ls %s.*" % rot).split()
    assert len(parts) >= 3, (parts, rot_err)

    def replay(args):
        rc, out = lab.run("%s replay %s 2>/tmp/replay.err" % (lab.memhp(), args), timeout=60)
        err = lab.check("cat /tmp/replay.err")
        assert rc == 0, "replay %s failed (%d): %s" % (args, rc, err)
        assert "warning" not in err, err
        return out, err

    out1, _ = replay("-J " + one)
    out2, err2 = replay("-J " + rot)
    assert "(%d files)" % len(parts) in err2, err2
    got1 = [json.loads(ln) for ln in out1.splitlines() if ln.strip()]
    got2 = [json.loads(ln) for ln in out2.splitlines() if ln.strip()]
    assert len(got1) > 60, len(got1)
    assert len(got2) == len(got1), (len(got2), len(got1))
    assert sorted(map(_canon, got2)) == sorted(map(_canon, got1))
    # the set, in part order, is in time order as the recorder wrote it
    assert [e["ktime_ns"] for e in got2] == sorted(e["ktime_ns"] for e in got2)

    prom1, _ = replay("--format prom " + one)
    prom2, _ = replay("--format prom " + rot)
    sysfs = {}
    for v in lab.blocks().values():
        sysfs[v.state] = sysfs.get(v.state, 0) + 1
    assert _blocks_from_prom(prom2) == _blocks_from_prom(prom1) == sysfs, (prom2, sysfs)

    # each part alone: it starts from the model's snapshot, so its events
    # meet the same model as in the whole stream
    whole = json.loads(replay("--stats -J " + rot)[0])
    total = inconsistent = 0
    for p in parts:
        st = json.loads(replay("--stats -J " + p)[0])
        total += st["events"]
        inconsistent += st["inconsistent"]
    assert total == len(got1), (total, len(got1))
    assert inconsistent == whole["inconsistent"], (inconsistent, whole)
