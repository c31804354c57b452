"""memhp trace --policy: the policy engine runs continuously inside the
tracer and flags each violation when it appears and when it clears."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="offline")
STATE = "/sys/devices/system/memory/memory%d/state"


def test_policy_appear_and_clear(lab):
    t = Tracer(lab, "policy", "-e online,offline --policy /memhp/tests/data/policy-lab.conf")
    t.start()
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
    for b in blocks[4:]:
        lab.check("echo offline > " + STATE % b)
    evs = t.wait_events(lambda e: policy(e, "clear"), timeout=30, what="dimm-one-zone clears")
    t.stop()
    assert len(policy(evs, "clear")) == 1, evs
    assert len(policy(evs, "appear")) == 1, evs
