"""Helpers for lab scenarios that run memhp inside the guest."""
import json
import shlex
import time

PAGE = 4096


class Tracer:
    """`memhp trace -J` running in the background in the guest; its JSON
    lines go to /tmp/<name>.json and its stderr to /tmp/<name>.err. bin: the
    guest path of memhp (default: the build's static binary)."""

    def __init__(self, lab, name="trace", args="-e all", bin=None):
        self.lab = lab
        self.name = name
        self.args = args
        self.bin = bin or lab.memhp()
        self.out = "/tmp/%s.json" % name
        self.err = "/tmp/%s.err" % name
        self.pidfile = "/tmp/%s.pid" % name
        self.stderr = ""

    def start(self, timeout=60):
        self.lab.check("%s trace -J %s >%s 2>%s & echo $! >%s"
                       % (self.bin, self.args, self.out, self.err, self.pidfile))
        # Attached (the loader reports every probe before tracing starts) or dead.
        cond = ("grep -q 'attached online_pages' {e} || ! kill -0 $(cat {p})"
                .format(e=self.err, p=self.pidfile))
        self.lab.wait_until(cond, timeout=timeout, what="memhp trace attached")
        rc, _ = self.lab.run("kill -0 $(cat %s)" % self.pidfile)
        self.stderr = self.lab.check("cat %s" % self.err)
        if rc != 0:
            raise AssertionError("memhp trace died at start:\n" + self.stderr)
        return self.stderr

    def attached(self):
        """{probe name: 'how:target'} from the loader's report."""
        res = {}
        for ln in self.stderr.splitlines():
            p = ln.split()
            if len(p) >= 4 and p[0] == "memhp:" and p[1] == "attached":
                res[p[2]] = p[3]
        return res

    def events(self, kind=None, whole=False):
        """The events written so far. The last line without its newline is
        one memhp is still writing (a read can see part of a write: CI saw a
        6.12 offline event cut after 375 bytes): left for the next read.
        whole: memhp has exited, so there must be no such line."""
        raw = self.lab.check("cat %s" % self.out, timeout=60)
        lines = raw.split("\n")
        if raw and not raw.endswith("\n"):
            assert not whole, "memhp trace's output ends inside a line: %r" % lines[-1][-300:]
            lines = lines[:-1]
        evs = []
        for ln in lines:
            ln = ln.strip()
            if not ln:
                continue
            try:
                evs.append(json.loads(ln))
            except ValueError:
                raise AssertionError("memhp trace printed a line that is not JSON: %r" % ln)
        if kind:
            evs = [e for e in evs if e.get("event") == kind]
        return evs

    def wait_events(self, pred, timeout=60, what="events"):
        """Poll until pred(events) is true; returns the events."""
        deadline = time.monotonic() + timeout
        while True:
            evs = self.events()
            if pred(evs):
                return evs
            if time.monotonic() > deadline:
                raise AssertionError("timed out after %ds waiting for %s; have %d events:\n%s"
                                     % (timeout, what, len(evs),
                                        "\n".join(json.dumps(e) for e in evs[-10:])))
            time.sleep(0.5)

    def stop(self, sig="INT", timeout=20, allow_drift=False, allow_lost=False):
        """Signal memhp and wait for it to exit; returns its stderr. Every
        scenario also checks that memhp's model never drifted from sysfs
        (trace compares them after each event burst) and that no event was
        lost in the kernel."""
        self.lab.run("kill -%s $(cat %s)" % (sig, self.pidfile))
        self.lab.wait_until("! kill -0 $(cat %s)" % self.pidfile, timeout=timeout,
                            what="memhp trace exit")
        self.stderr = self.lab.check("cat %s" % self.err)
        if not allow_drift:
            drift = [e for e in self.events(whole=True) if e.get("event") == "drift"]
            assert not drift, "memhp's model drifted from sysfs: %s" % drift
            assert " 0 drift," in self.stderr.strip().splitlines()[-1], self.stderr
            assert " 0 zone drift," in self.stderr.strip().splitlines()[-1], self.stderr
        if not allow_lost:
            assert " 0 lost," in self.stderr.strip().splitlines()[-1], self.stderr
        return self.stderr


def memhp_ls_json(lab, args="-a"):
    out = lab.check("%s ls -J %s" % (lab.memhp(), args))
    return json.loads(out)


NOTIFIER_INJECT = "/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error"


def offline_vetoed(lab, block, errno=-12):
    """Offline memory block `block` while memory-notifier-error-inject (loaded
    at boot: LAB load=) makes the MEM_GOING_OFFLINE chain fail with errno;
    the sysfs write must fail."""
    lab.check("test -e %s" % NOTIFIER_INJECT)
    lab.check("echo %d > %s" % (errno, NOTIFIER_INJECT))
    try:
        rc, out = lab.run("echo offline > /sys/devices/system/memory/memory%d/state" % block)
    finally:
        lab.check("echo 0 > %s" % NOTIFIER_INJECT)
    assert rc != 0, out


def sysfs_blocks(lab):
    """{block id: (state, valid_zones, node)} straight from the guest's sysfs."""
    return {b: (v.state, v.zone, v.node) for b, v in lab.blocks().items()}


def assert_online_events(evs, blocks, zone=None, node=0, probe=None,
                         callback="generic_online_page", release_calls=32):
    """One successful online event per block, with the right pfns."""
    by_block = {}
    for e in evs:
        assert e["ret"] == 0, "online failed: %s" % json.dumps(e)
        assert e["blocks"] == 1, "one event per block expected: %s" % json.dumps(e)
        assert e["block"] not in by_block, "duplicate online of block %d" % e["block"]
        by_block[e["block"]] = e
    assert sorted(by_block) == sorted(blocks), \
        "online events for blocks %s, expected %s" % (sorted(by_block), sorted(blocks))
    for b, e in by_block.items():
        assert e["start_pfn"] == b * 32768 and e["nr_pages"] == 32768, json.dumps(e)
        assert e["node"] == node, json.dumps(e)
        if zone:
            assert e["zone"] == zone, "block %d zone %s, expected %s" % (b, e["zone"], zone)
        if probe:
            assert e["probe"] == probe, json.dumps(e)
        assert e["duration_ns"] is not None and e["duration_ns"] > 0, json.dumps(e)
        # Every page of these blocks is backed: all of them are freed, by
        # the core (32 order-10 chunks) or through the driver's callback.
        assert e["online_callback"] == callback, json.dumps(e)
        assert e["released_pages"] == 32768 and e["held_pages"] == 0, json.dumps(e)
        if release_calls is not None:
            assert e["release_calls"] == release_calls, json.dumps(e)
    return by_block


def q(s):
    return shlex.quote(s)
