"""memhp trace --policy: the policy engine runs continuously inside the
tracer and flags each violation when it appears and when it clears."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="offline")
STATE = "/sys/devices/system/memory/memory%d/state"


POLICY = "/memhp/tests/data/policy-lab.conf"
EXPORT_PORT = 9501


def _scrape(lab):
    return lab.check("wget -q -O - http://127.0.0.1:%d/metrics" % EXPORT_PORT, timeout=30)


def _transitions(text, rule, what):
    m = re.search(r'^memhp_policy_violation_transitions_total\{rule="%s",transition="%s"\} (\d+)$'
                  % (rule, what), text, re.M)
    return int(m.group(1)) if m else None


# After attaching: CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (driver probes
# reload when a module comes: module BTF lookup), CAP_SYSLOG (kallsyms);
# nothing else (docs/SECURITY.md).
KEPT_CAPS = (1 << 39) | (1 << 38) | (1 << 34) | (1 << 21)


def _check_privileges(lab, pidfile, http):
    """Every thread of the memhp process: the main one kept only KEPT_CAPS
    (uid 0 still, for sysfs), the HTTP ones are nobody with none."""
    pid = lab.check("cat %s" % pidfile).strip()
    out = lab.check("for t in /proc/%s/task/*; do echo $(basename $t) "
                    "$(awk '/^Uid:/{print $2} /^CapEff:/{print $2} /^CapPrm:/{print $2}' $t/status); "
                    "done" % pid)
    threads = {}
    for ln in out.splitlines():
        tid, uid, prm, eff = ln.split()
        threads[tid] = (int(uid), int(prm, 16), int(eff, 16))
    assert threads[pid] == (0, KEPT_CAPS, KEPT_CAPS), (pid, threads)
    others = [v for k, v in threads.items() if k != pid]
    if http:
        assert others and all(v == (65534, 0, 0) for v in others), threads
    else:
        assert not others, threads


def test_policy_appear_and_clear(lab):
    """trace, top and export follow the same violation as it comes and goes."""
    t = Tracer(lab, "policy", "-e online,offline --policy " + POLICY)
    t.start()
    # The exporter, started before any hotplug (attaching while an online
    # is in flight would make the kernel skip that call's exit probes).
    lab.check("%s export -q --policy %s --reconcile 1 --listen 127.0.0.1:%d "
              ">/tmp/export.out 2>/tmp/export.err & echo $! >/tmp/export.pid"
              % (lab.memhp(), POLICY, EXPORT_PORT))
    lab.wait_until("wget -q -O /dev/null http://127.0.0.1:%d/metrics" % EXPORT_PORT,
                   timeout=60, what="exporter serving")
    _check_privileges(lab, "/tmp/export.pid", http=True)
    _check_privileges(lab, t.pidfile, http=False)
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=60)
    for b in blocks[:4]:
        lab.check("echo online_kernel > " + STATE % b)
    for b in blocks[4:]:
        lab.check("echo online_movable > " + STATE % b)

    def policy(evs, tr):
        return [e for e in evs if e["event"] == "policy" and e["rule"] == "dimm-one-zone"
                and e["transition"] == tr]
    evs = t.wait_events(lambda e: policy(e, "appear"), timeout=30, what="dimm-one-zone appears")
    ap = policy(evs, "appear")
    assert len(ap) == 1 and ap[0]["severity"] == "critical", ap
    # it appears after the first movable online, not before
    on = [e for e in evs if e["event"] == "online"]
    assert evs.index(ap[0]) > evs.index([e for e in on if e["zone"] == "Movable"][0]), evs
    # memhp top shows the same violation in its findings/violations panel
    screen = lab.check("TERM=dumb %s top --batch 1 --policy /memhp/tests/data/policy-lab.conf"
                       % lab.memhp(), timeout=60)
    lines = screen.splitlines()
    assert "FINDINGS AND POLICY VIOLATIONS" in lines, screen
    panel = lines[lines.index("FINDINGS AND POLICY VIOLATIONS") + 1:]
    assert panel and "dimm-one-zone" in panel[0], screen
    # ... and, as it is new to this top, in RECENT EVENTS as it appears
    assert any("violation appear" in ln and "dimm-one-zone" in ln for ln in lines), screen
    # the exporter: logged once, counted once (reconciliation every second)
    lab.wait_until("grep -q 'violation appeared: .*dimm-one-zone' /tmp/export.err", timeout=30,
                   what="exporter logs the violation")
    assert _transitions(_scrape(lab), "dimm-one-zone", "appeared") == 1
    for b in blocks[4:]:
        lab.check("echo offline > " + STATE % b)
    evs = t.wait_events(lambda e: policy(e, "clear"), timeout=30, what="dimm-one-zone clears")
    t.stop()
    assert len(policy(evs, "clear")) == 1, evs
    assert len(policy(evs, "appear")) == 1, evs
    lab.wait_until("grep -q 'violation cleared: .*dimm-one-zone' /tmp/export.err", timeout=30,
                   what="exporter logs the clear")
    text = _scrape(lab)
    assert _transitions(text, "dimm-one-zone", "appeared") == 1, text
    assert _transitions(text, "dimm-one-zone", "cleared") == 1, text
    assert re.search(r"^memhp_drift_zones 0$", text, re.M), text
    assert re.search(r"^memhp_events_lost_total 0$", text, re.M), text
    lab.check("kill -INT $(cat /tmp/export.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/export.pid)", timeout=20, what="exporter exit")
