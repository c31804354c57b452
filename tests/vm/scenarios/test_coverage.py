"""Uncovered-PFN detection on the real kernel, with the hv_balloon-like test
module (tests/kmod): memhp reads the driver's hot-add regions (covered range,
gaps) and compares them with what the online-page callback released.
- the seed bug (old advancing covered_start_pfn, blocks onlined top-down):
  memhp reports the block that gained nothing and the exact backed pages
  left offline, and MemTotal agrees with memhp's numbers;
- the fixed logic, same order: no finding;
- releasing beyond the covered end: an uncovered-onlining finding.
memhp is started BEFORE the module is loaded: it must reattach by itself."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
from memhp_vm import Tracer  # noqa: E402
from test_kmod_seed import build_module, ko, MOD, TAIL_PAGES  # noqa: E402

LAB = dict(ram="4G", default_state="offline", cmdline="nokaslr")
BP = 32768


def _case(lab, tag, buggy, overrelease):
    build_module()
    lab.run("rmmod %s 2>/dev/null" % MOD)
    t = Tracer(lab, "cov-" + tag, "-e coverage,online")
    t.start()
    # the exporter sees the same findings (its textfile is written at exit)
    prom = "/tmp/cov-%s.prom" % tag
    lab.check("%s export --textfile %s -i 1 2>/tmp/x.err & echo $! >/tmp/x.pid"
              % (lab.memhp(), prom))
    lab.wait_until("grep -q 'attached online_pages' /tmp/x.err", timeout=30, what="export up")
    assert "attached coverage" in t.stderr, t.stderr
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=60)
    start = blocks[0] * BP
    cs, ce = start, start + len(blocks) * BP - (BP - TAIL_PAGES)
    lab.check("insmod %s covered_start_pfn=%d covered_end_pfn=%d buggy=%d overrelease=%d"
              % (ko(), cs, ce, buggy, overrelease))
    # memhp notices the module (polls /proc/modules every second) and reattaches.
    # Both wait until nothing is onlining: re-attaching fentry/fexit programs
    # while an online_pages() call is in flight was seen to lose that call's
    # events for the other tracer (6.1 trampoline update).
    lab.wait_until("grep -q 'modules changed' %s && grep -q 'modules changed' /tmp/x.err"
                   % t.err, timeout=20, what="memhp reattach")
    lab.run("sleep 0.5")
    order = [blocks[-1], blocks[-2], blocks[0]] + blocks[1:-2]
    mem0 = lab.meminfo()["MemTotal"]
    for b in order:
        lab.check("echo online > /sys/devices/system/memory/memory%d/state" % b)
    mem1 = lab.meminfo()["MemTotal"]
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "coverage"]) >= 8,
                        what="8 coverage events")
    t.stop()
    lab.run("kill -INT $(cat /tmp/x.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/x.pid)", timeout=20, what="export exit")
    lab.metrics = {ln.rsplit(" ", 1)[0]: int(ln.rsplit(" ", 1)[1])
                   for ln in lab.check("cat %s" % prom).splitlines()
                   if ln.startswith("memhp_finding")}
    cov = {e["block"]: e for e in evs if e["event"] == "coverage"}
    assert sorted(cov) == blocks, sorted(cov)
    for b, e in cov.items():
        assert e["driver"] == "hv_balloon" and e["region_start_pfn"] == cs, e
        # the driver's promise: covered pages of this block
        lo, hi = max(b * BP, cs), min((b + 1) * BP, ce)
        assert e["backed_pages"] == max(0, hi - lo), (b, e)
    released = sum(e["released_backed_pages"] + e["released_uncovered_pages"] for e in cov.values())
    found = {b: [(f["kind"], f["pages"]) for f in e["findings"]] for b, e in cov.items()
             if e["findings"]}
    print("COVERAGE %s: blocks %d-%d onlined in order %s; memhp: released %d pages "
          "(= %d kB), findings %s; guest: MemTotal +%d kB"
          % (tag, blocks[0], blocks[-1], order, released, released * 4, found, mem1 - mem0))
    assert (mem1 - mem0) == released * 4, (mem0, mem1, released)
    return blocks, cov


def _findings(cov):
    return {b: {f["kind"]: f["pages"] for f in e["findings"]} for b, e in cov.items() if e["findings"]}


def test_seed_bug_found(lab):
    blocks, cov = _case(lab, "buggy", 1, 0)
    f = _findings(cov)
    # the lowest block gained nothing: all its backed pages left offline
    assert f[blocks[0]] == {"backed-not-onlined": BP}, f
    assert cov[blocks[0]]["released_backed_pages"] == 0, cov[blocks[0]]
    # the next one lost what the advanced covered_start_pfn skipped
    assert f[blocks[1]] == {"backed-not-onlined": TAIL_PAGES}, f
    assert set(f) == {blocks[0], blocks[1]}, f
    mx = lab.metrics
    assert mx['memhp_findings_total{kind="backed-not-onlined",severity="warning"}'] == 2, mx
    assert mx['memhp_finding_bytes_total{kind="backed-not-onlined"}'] == (BP + TAIL_PAGES) * 4096, mx
    assert mx['memhp_findings_total{kind="uncovered-online",severity="critical"}'] == 0, mx
    lab.check("rmmod %s" % MOD)


def test_fixed_no_finding(lab):
    blocks, cov = _case(lab, "fixed", 0, 0)
    assert _findings(cov) == {}, _findings(cov)
    assert cov[blocks[-1]]["backed_pages"] == TAIL_PAGES, cov[blocks[-1]]
    lab.check("rmmod %s" % MOD)


def test_overrelease_found(lab):
    blocks, cov = _case(lab, "over", 0, 1)
    f = _findings(cov)
    assert f == {blocks[-1]: {"uncovered-online": BP - TAIL_PAGES}}, f
    mx = lab.metrics
    assert mx['memhp_findings_total{kind="uncovered-online",severity="critical"}'] == 1, mx
    assert mx['memhp_finding_bytes_total{kind="uncovered-online"}'] == (BP - TAIL_PAGES) * 4096, mx
    lab.check("rmmod %s" % MOD)


def test_module_unload_while_tracing(lab):
    """The driver module goes away while memhp runs: memhp says so once,
    detaches what read its state, keeps tracing, and comes back when the
    module does; no error lines, nothing lost."""
    build_module()
    lab.run("rmmod %s 2>/dev/null" % MOD)
    t = Tracer(lab, "cov-unload", "-e coverage,online")
    t.start()
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=60)
    start = blocks[0] * BP
    lab.check("insmod %s covered_start_pfn=%d covered_end_pfn=%d"
              % (ko(), start, start + len(blocks) * BP))
    lab.wait_until("[ $(grep -c 'modules changed' %s) -ge 1 ]" % t.err, timeout=20,
                   what="memhp reattach after insmod")
    lab.run("sleep 0.5")
    lab.check("echo online > /sys/devices/system/memory/memory%d/state" % blocks[0])
    t.wait_events(lambda e: any(x["event"] == "coverage" for x in e), what="coverage event")
    lab.check("rmmod %s" % MOD)
    lab.wait_until("[ $(grep -c 'modules changed' %s) -ge 2 ]" % t.err, timeout=20,
                   what="memhp reattach after rmmod")
    lab.run("sleep 0.5")
    # Without the module: the core's callback, still traced.
    lab.check("echo online > /sys/devices/system/memory/memory%d/state" % blocks[1])
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 2,
                        what="online after rmmod")
    err = t.stop()
    assert lab.run("kill -0 $(cat %s)" % t.pidfile)[0] != 0
    on = {e["block"]: e for e in evs if e["event"] == "online"}
    assert on[blocks[0]]["online_callback"] != "generic_online_page", on[blocks[0]]
    assert on[blocks[1]]["online_callback"] == "generic_online_page", on[blocks[1]]
    cov = [e for e in evs if e["event"] == "coverage"]
    assert [e["block"] for e in cov] == [blocks[0]], cov
    # Said once per change, no error spam: every stderr line is a report line.
    noise = [ln for ln in err.splitlines()
             if not ln.startswith(("memhp: attached", "memhp: skipped", "memhp trace: modules changed",
                                   "memhp trace: ")) or "error" in ln.lower() or "fail" in ln.lower()]
    assert not noise, err
    assert err.count("modules changed") == 2, err
