"""Why an offline ended, and what a running one is stuck on (docs/events.md,
"offline: why"), against the real kernel on every lab kernel:

- an extra reference on an LRU page in a movable block
  (tests/kmod/memhp_holdpage): the offline loops, memhp reports it stuck
  (offline-progress) within the threshold with that pfn and its kind;
  dropping the reference lets it finish, and the offline event says what it
  took (passes, migrated, failed);
- an offline waiting inside the MEM_GOING_OFFLINE chain
  (tests/kmod/memhp_stallnotify): no BPF progress can come, memhp's timer
  reports it stuck after the threshold;
- a MEM_GOING_OFFLINE veto (memory-notifier-error-inject): reason
  "notifier failure", and on 6.2+ kernels the vetoing callback by name;
- free hugetlb pages in a movable block: the dissolve step ran and the huge
  pages are gone after the offline;
- Normal-zone blocks filled with slab (tmpfs inodes and dentries): the
  offline fails at isolation and memhp names the page and its kind (slab);
  memhp record beside it stores that kind, and memhp replay names it.

Each check compares memhp's report with what the kernel or the module says
independently (held_pfn, the writer's errno, sysfs state, HugePages_Total,
/proc/kpageflags of the named pfn)."""
import json
import os
import re
import subprocess
import sys
import time

import lab as labmod
from lab import Skip, REPO, scenario

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer, offline_vetoed, sysfs_blocks  # noqa: E402

LAB = dict(default_state="offline", cmdline="nokaslr", load=["memory-notifier-error-inject"])
BLOCK_PAGES = 32768
STATE = "/sys/devices/system/memory/memory%d/state"
MOD = "memhp_holdpage"
PARAMS = "/sys/module/%s/parameters" % MOD
STUCK_S = 3
KPF_LRU, KPF_SLAB, KPF_BUDDY, KPF_ANON, KPF_SWAPBACKED = 5, 7, 10, 12, 14

_build = {}


def build_module(name=MOD):
    rel = labmod.kernel_release()
    if rel not in _build:
        p = subprocess.run(["sh", os.path.join(REPO, "tests", "kmod", "build.sh")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=900)
        _build[rel] = dict(rc=p.returncode, out=p.stdout.strip())
    b = _build[rel]
    if b["rc"] == 77:
        raise Skip("cannot build %s.ko for %s: %s" % (name, rel, b["out"].splitlines()[-1]))
    assert b["rc"] == 0, "tests/kmod/build.sh failed:\n" + b["out"][-2000:]
    return "/memhp/build/kmod/%s/%s.ko" % (rel, name)


def _dimm(lab):
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=90,
                   what="DIMM blocks present")
    return blocks


def _offlines(evs, block, kind="offline"):
    return [e for e in evs if e["event"] == kind and e.get("block") == block]


def _kpageflags(lab, pfn):
    out = lab.check("dd if=/proc/kpageflags bs=8 skip=%d count=1 2>/dev/null | od -An -tu8"
                    % pfn).split()
    assert len(out) == 1, out
    return int(out[0])


def _slab_pages(lab, block):
    """Pages of @block with KPF_SLAB, from /proc/kpageflags."""
    out = lab.check("dd if=/proc/kpageflags bs=8 skip=%d count=%d 2>/dev/null | od -An -tu8 -w8 | "
                    "awk '{ if (int($1 / %d) %% 2) n++ } END { print n + 0 }'"
                    % (block * BLOCK_PAGES, BLOCK_PAGES, 1 << KPF_SLAB), timeout=120)
    return int(out.strip())


def test_stuck_offline_then_released(lab):
    ko = build_module()
    blocks = _dimm(lab)
    lab.dimm_blocks = blocks
    b = blocks[0]
    lab.check("echo online_movable > " + STATE % b)
    # User pages go to ZONE_MOVABLE first: a tmpfs file puts LRU pages there.
    lab.check("dd if=/dev/zero of=/tmp/fill bs=1M count=48 2>/dev/null")
    rc, out = lab.run("insmod %s start_pfn=%d nr_pages=%d" % (ko, b * BLOCK_PAGES, BLOCK_PAGES))
    assert rc == 0, "no LRU page to hold in block %d: %s" % (b, out)
    held = int(lab.check("cat %s/held_pfn" % PARAMS))
    assert b * BLOCK_PAGES <= held < (b + 1) * BLOCK_PAGES, held
    t = Tracer(lab, "stuck", "-e all --stuck-after %ds" % STUCK_S)
    t.start()
    # the text output too, as a user reads it
    lab.check("%s trace -e offline,offline-progress --stuck-after %ds >/tmp/stuck.txt "
              "2>/tmp/stuck-txt.err & echo $! >/tmp/stuck-txt.pid" % (lab.memhp(), STUCK_S))
    lab.wait_until("grep -q 'attached online_pages' /tmp/stuck-txt.err", timeout=60,
                   what="text trace attached")
    # top and check --live watch the same offline; both must outlive it (a
    # tool detaching from offline_pages mid-call costs every tool that
    # call's exit event, docs/events.md)
    lab.write_file("/tmp/budget.yaml", "version: 1\nrules:\n"
                   "  - {name: stuck, rule: offline-duration, max: 2s}\n")
    lab.check("%s top --batch 90 -i 1 --stuck-after %ds >/tmp/top.txt 2>/tmp/top.err & "
              "echo $! >/tmp/top.pid" % (lab.memhp(), STUCK_S))
    # check --live evaluates when its window ends or on SIGTERM (sent below,
    # once the offline is over)
    lab.check("(%s check --policy /tmp/budget.yaml --live 300 >/tmp/check.out 2>&1 & "
              "echo $! >/tmp/check.pid; wait $!; echo $? >/tmp/check.rc) >/dev/null 2>&1 &"
              % lab.memhp())
    lab.check("%s export --textfile /tmp/m.prom -i 1 --stuck-after %ds >/dev/null "
              "2>/tmp/export.err & echo $! >/tmp/export.pid" % (lab.memhp(), STUCK_S))
    # top reports no probes (its first frame's title says live), check does
    lab.wait_until("grep -q 'live (' /tmp/top.txt && "
                   "grep -q 'attached online_pages' /tmp/check.out && "
                   "grep -q '^memhp_offline_running 0' /tmp/m.prom", timeout=120,
                   what="top, check and export attached")
    t0 = time.monotonic()
    lab.check("(echo offline > %s; echo $? > /tmp/stuck.rc) >/dev/null 2>&1 &" % (STATE % b))
    try:
        evs = t.wait_events(lambda e: any(x.get("blocker") and x["blocker"]["pfn"] == held
                                          for x in _offlines(e, b, "offline-progress")),
                            timeout=STUCK_S + 60, what="offline-progress naming pfn %#x" % held)
        assert lab.run("cat /tmp/stuck.rc")[0] != 0, "the offline ended while the page was held"
        prog = _offlines(evs, b, "offline-progress")
        first = prog[0]
        # reported once the threshold passed, not much later (TCG: one
        # migration pass can take a while; progress comes from each pass)
        assert STUCK_S * 1e9 <= first["duration_ns"] <= (STUCK_S + 10) * 1e9, first
        assert first["result"] == "running" and first["reason"] is None, first
        hit = [e for e in prog if e["blocker"] and e["blocker"]["pfn"] == held][0]
        assert hit["phase"] == "migration" and hit["migrate_passes"] >= 1, hit
        assert hit["pages_failed"] >= 1, hit
        assert hit["blocker"]["report"] == "migration failure", hit
        # an LRU page (the module takes the first in the block: tmpfs or a
        # process's anonymous page); memhp's kind agrees with its flags now
        # (PG_lru comes and goes: each pass takes the page off the LRU to
        # migrate it and puts it back; an unmapped anonymous page held
        # only by a reference can read as pinned, user/lib/kpage.h; a
        # tmpfs page isolated by the pass reads as swap-backed only, as
        # CI saw once on 6.12: 0x4048)
        flags = _kpageflags(lab, held)
        assert flags & ((1 << KPF_LRU) | (1 << KPF_ANON) | (1 << KPF_SWAPBACKED)), hex(flags)
        want = ("lru-anon", "pinned") if flags & (1 << KPF_ANON) else ("lru-file",)
        assert hit["blocker"]["kind"] in want, (hit, hex(flags))
        # the chain passed: no callback is named
        assert hit["notifier_callback"] is None, hit
        assert not _offlines(evs, b), "offline event while still stuck: %s" % _offlines(evs, b)
        lab.wait_until("grep -q RUNNING /tmp/top.txt && grep -q 'stuck on pfn %#x' /tmp/top.txt"
                       % held, timeout=20, what="top shows the offline under RUNNING")
        lab.wait_until("grep -q '^memhp_offline_running 1' /tmp/m.prom && "
                       "grep -q '^memhp_offline_running_seconds{block=\"%d\"}' /tmp/m.prom" % b,
                       timeout=20, what="the exporter's running gauge")
        prom_stuck = lab.check("grep '^memhp_offline_running' /tmp/m.prom")
    finally:
        lab.run("echo 1 > %s/release" % PARAMS)
    evs = t.wait_events(lambda e: _offlines(e, b), timeout=120, what="offline after release")
    lab.wait_until("[ -e /tmp/stuck.rc ]", timeout=30, what="offline writer done")
    took = time.monotonic() - t0
    t.stop()
    lab.run("kill -TERM $(cat /tmp/stuck-txt.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/stuck-txt.pid)", timeout=20, what="text trace exit")
    text = lab.check("cat /tmp/stuck.txt")
    with open(os.path.join(lab.rundir, "offline_why-stuck.txt"), "w") as f:
        f.write(text)
    assert "stuck on" not in text  # trace prints the event's words, not top's
    assert ("offline-progress" in text and "running: migration" in text and
            "blocker pfn %#x" % held in text), text
    lab.run("kill -TERM $(cat /tmp/top.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/top.pid)", timeout=20, what="top exit")
    # the exporter: no longer running, and the offline counted as ok
    lab.wait_until("grep -q '^memhp_offline_running 0' /tmp/m.prom", timeout=20,
                   what="the running gauge back to 0")
    lab.run("kill -TERM $(cat /tmp/export.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/export.pid)", timeout=20, what="export exit")
    secs = [float(ln.split()[-1]) for ln in prom_stuck.splitlines()
            if ln.startswith("memhp_offline_running_seconds")]
    assert len(secs) == 1 and secs[0] >= STUCK_S, prom_stuck
    top = lab.check("cat /tmp/top.txt")
    run = [ln for ln in top.splitlines() if "stuck on pfn %#x" % held in ln]
    assert run and "block %d" % b in run[0], top[-3000:]
    # check --live: the budget of 2 s was exceeded while the page was held
    lab.run("kill -TERM $(cat /tmp/check.pid)")
    lab.wait_until("[ -e /tmp/check.rc ]", timeout=60, what="check --live done")
    chk = lab.check("cat /tmp/check.out")
    assert lab.check("cat /tmp/check.rc").strip() == "1", chk
    assert "offline-duration" in chk or "stuck" in chk, chk
    assert "memory%d" % b in chk, chk
    with open(os.path.join(lab.rundir, "offline_why-stuck-top-check.txt"), "w") as f:
        f.write(run[0] + "\n\n" + chk + "\n\n" + prom_stuck)
    lab.check("rmmod %s" % MOD)
    off = _offlines(evs, b)
    assert len(off) == 1, off
    e = off[0]
    assert e["ret"] == 0 and e["result"] == "ok" and e["reason"] is None, e
    assert lab.check("cat /tmp/stuck.rc").strip() == "0"
    assert sysfs_blocks(lab)[b][0] == "offline"
    # what it took: passes that failed on the held page, then the one that moved it
    assert e["migrate_passes"] >= 2 and e["pages_failed"] >= 1 and e["pages_migrated"] >= 1, e
    assert e["isolate_ret"] == 0 and e["notifier_errno"] == 0 and e["dissolve_ret"] == 0, e
    assert e["phase"] == "isolation test", e
    assert STUCK_S * 1e9 <= e["duration_ns"] <= took * 1e9, (e, took)
    with open(os.path.join(lab.rundir, "offline_why-stuck.json"), "w") as f:
        json.dump(dict(held_pfn=held, first_progress=first, hit=hit, offline=e), f, indent=1)


def test_stuck_inside_notifier(lab):
    """An offline that waits inside the MEM_GOING_OFFLINE chain
    (tests/kmod/memhp_stallnotify) runs no step that repeats: no BPF
    progress event can come. memhp's timer reports it after --stuck-after
    all the same (reported_by "timer", phase "notifier"), trace and the
    exporter's running gauge alike; released, the offline ends ok."""
    ko = build_module("memhp_stallnotify")
    params = "/sys/module/memhp_stallnotify/parameters"
    blocks = getattr(lab, "dimm_blocks", None) or _dimm(lab)
    lab.dimm_blocks = blocks
    b = blocks[5]
    lab.check("echo online_movable > " + STATE % b)
    t = Tracer(lab, "stall", "-e offline,offline-progress --stuck-after %ds" % STUCK_S)
    t.start()
    lab.check("%s export --textfile /tmp/stall.prom -i 1 --stuck-after %ds >/dev/null "
              "2>/tmp/stall-export.err & echo $! >/tmp/stall-export.pid" % (lab.memhp(), STUCK_S))
    lab.wait_until("grep -q '^memhp_offline_running 0' /tmp/stall.prom", timeout=120,
                   what="export attached")
    lab.check("insmod " + ko)
    try:
        lab.check("(echo offline > %s; echo $? > /tmp/stall.rc) >/dev/null 2>&1 &" % (STATE % b))
        lab.wait_until("[ $(cat %s/waiting) = 1 ]" % params, timeout=30,
                       what="the offline waiting in the notifier")
        evs = t.wait_events(lambda e: _offlines(e, b, "offline-progress"), timeout=STUCK_S + 30,
                            what="offline-progress of an offline inside the notifier chain")
        assert lab.check("cat %s/waiting" % params).strip() == "1"
        prog = _offlines(evs, b, "offline-progress")
        first = prog[0]
        assert first["reported_by"] == "timer", first
        assert first["phase"] == "notifier" and first["result"] == "running", first
        assert first["migrate_passes"] == 0 and first["reason"] is None, first
        # after the threshold, within the timer's scan (about a second; TCG slack)
        assert STUCK_S * 1e9 <= first["duration_ns"] <= (STUCK_S + 10) * 1e9, first
        # BPF saw no step end: every progress event is the timer's
        assert all(e["reported_by"] == "timer" for e in prog), prog
        lab.wait_until("grep -q '^memhp_offline_running 1' /tmp/stall.prom && "
                       "grep -q '^memhp_offline_running_seconds{block=\"%d\"}' /tmp/stall.prom"
                       % b, timeout=20, what="the exporter's running gauge")
        prom = lab.check("grep '^memhp_offline_running' /tmp/stall.prom")
        more = t.wait_events(lambda e: len(_offlines(e, b, "offline-progress")) >= 2,
                             timeout=20, what="a second progress event")
        second = _offlines(more, b, "offline-progress")[1]
        assert second["duration_ns"] > first["duration_ns"], (first, second)
        assert not _offlines(more, b), "offline ended while the notifier waited"
    finally:
        lab.run("echo 1 > %s/release" % params)
    evs = t.wait_events(lambda e: _offlines(e, b), timeout=60, what="offline after release")
    lab.wait_until("[ -e /tmp/stall.rc ]", timeout=30, what="offline writer done")
    t.stop()
    lab.run("kill -TERM $(cat /tmp/stall-export.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/stall-export.pid)", timeout=20, what="export exit")
    lab.check("rmmod memhp_stallnotify")
    e = _offlines(evs, b)[0]
    assert e["ret"] == 0 and lab.check("cat /tmp/stall.rc").strip() == "0", e
    assert sysfs_blocks(lab)[b][0] == "offline"
    text = lab.check("cat /tmp/stall.json | head -3")
    with open(os.path.join(lab.rundir, "offline_why-stall.json"), "w") as f:
        json.dump(dict(first=first, second=second, offline=e, prom=prom, head=text), f,
                  indent=1)


def test_notifier_veto_names_callback(lab):
    blocks = getattr(lab, "dimm_blocks", None) or _dimm(lab)
    lab.dimm_blocks = blocks
    b = blocks[1]
    lab.check("echo online_movable > " + STATE % b)
    old = labmod.kernel_version() < (6, 2)

    def veto(name, args):
        t = Tracer(lab, name, "-e all " + args)
        t.start()
        offline_vetoed(lab, b)
        evs = t.wait_events(lambda e: _offlines(e, b), what="offline")
        return _offlines(evs, b)[0], t.stop()

    if old:
        # before 6.2 the callback takes --watch-notifiers: without, null
        e0, err0 = veto("veto-plain", "")
        assert e0["reason"] == "notifier failure" and e0["notifier_callback"] is None, e0
        assert "not asked for: before 6.2" in err0, err0[-800:]
    e, _ = veto("veto", "--watch-notifiers")
    assert e["ret"] == -12 and e["reason"] == "notifier failure" and e["phase"] == "notifier", e
    assert e["notifier_errno"] == -12 and e["isolate_ret"] == 0 and e["migrate_passes"] == 0, e
    # 6.2+: the notifier_run tracepoint's last callback before the veto;
    # 6.1 with --watch-notifiers: the last callback entered, by kprobes and
    # hardware breakpoints (probe offline_notifier_cb). The same words.
    cb = e["notifier_callback"] or ""
    assert cb == "notifier_err_inject_callback [notifier_error_inject]", e
    assert sysfs_blocks(lab)[b][0] == "online"
    with open(os.path.join(lab.rundir, "offline_why-veto.json"), "w") as f:
        json.dump(e, f, indent=1)
    if old:
        _veto_module_loaded_later(lab, b)


def _veto_module_loaded_later(lab, b):
    """6.1, --watch-notifiers: the vetoing callback registered after memhp
    started. The inject modules go before memhp starts and come back while
    it runs; memhp reloads its module-state objects when /proc/modules
    changes (the chain walk reruns), says so on stderr, and names the
    callback as before. Unloading them again takes the watches off the
    unloaded code: the attach count drops back."""
    lab.check("rmmod memory_notifier_error_inject notifier_error_inject")
    t = Tracer(lab, "veto-late", "-e all --watch-notifiers")
    err0 = t.start()
    n0 = _chain_watch_count(err0)
    lab.modprobe("memory-notifier-error-inject")
    lab.wait_until("grep -q 'modules changed; probes reattached' %s && "
                   "grep offline_notifier_cb %s | tail -n 1 | grep -q 'of %d notifier'"
                   % (t.err, t.err, n0 + 1), timeout=30,
                   what="offline_notifier_cb reattached with one callback more")
    offline_vetoed(lab, b)
    evs = t.wait_events(lambda e: _offlines(e, b), what="offline")
    e = _offlines(evs, b)[0]
    assert e["reason"] == "notifier failure", e
    assert e["notifier_callback"] == "notifier_err_inject_callback [notifier_error_inject]", e
    lab.check("rmmod memory_notifier_error_inject notifier_error_inject")
    lab.wait_until("grep offline_notifier_cb %s | tail -n 1 | grep -q 'of %d notifier'"
                   % (t.err, n0), timeout=30, what="offline_notifier_cb back to %d" % n0)
    err = t.stop()
    lab.modprobe("memory-notifier-error-inject")
    print("VETO-LATE [%s] at start: %s; loaded later, named %s; unloaded: %s"
          % (labmod.kernel_release(), _chain_watch_line(err0), e["notifier_callback"],
             _chain_watch_line(err)))


def _chain_watch_line(err):
    ln = [x for x in err.splitlines() if "offline_notifier_cb" in x]
    assert ln, err[-800:]
    return ln[-1].strip()


def _chain_watch_count(err):
    """N of the attach report's 'K kprobed + B breakpoints of N notifier callbacks'."""
    m = re.search(r"of (\d+) notifier callbacks", _chain_watch_line(err))
    assert m, err[-800:]
    return int(m.group(1))


def _huge_total(lab):
    return int(lab.meminfo()["HugePages_Total"])


def test_hugetlb_dissolved(lab):
    blocks = getattr(lab, "dimm_blocks", None) or _dimm(lab)
    lab.dimm_blocks = blocks
    b = blocks[2]
    # the only movable block: huge pages are movable allocations (GFP_HIGHUSER_MOVABLE),
    # so ZONE_MOVABLE - this block, 64 of 2 MiB - is where they go first
    for o in blocks:
        if o != b and sysfs_blocks(lab)[o][0] == "online":
            lab.check("echo offline > " + STATE % o, timeout=120)
    lab.check("echo online_movable > " + STATE % b)
    lab.check("echo 0 > /proc/sys/vm/nr_hugepages; echo 32 > /proc/sys/vm/nr_hugepages")
    before = _huge_total(lab)
    assert before > 0, before
    t = Tracer(lab, "huge", "-e all")
    t.start()
    lab.check("echo offline > %s" % (STATE % b), timeout=120)
    evs = t.wait_events(lambda e: _offlines(e, b), what="offline")
    t.stop()
    after = _huge_total(lab)
    e = _offlines(evs, b)[0]
    assert e["ret"] == 0 and e["dissolve_ret"] == 0, e
    # free huge pages of the block were dissolved: the pool shrank
    assert after < before, (before, after)
    lab.check("echo 0 > /proc/sys/vm/nr_hugepages")
    with open(os.path.join(lab.rundir, "offline_why-huge.json"), "w") as f:
        json.dump(dict(before=before, after=after, offline=e), f, indent=1)


def build_hugeresv():
    """tests/vm/guest/hugeresv.c, static, where the guest sees it (/memhp/build)."""
    src = os.path.join(REPO, "tests", "vm", "guest", "hugeresv.c")
    out = os.path.join(REPO, "build", "lab", "hugeresv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        p = subprocess.run(["cc", "-static", "-O2", "-Wall", "-o", out, src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=120)
        assert p.returncode == 0, "building hugeresv failed:\n" + p.stdout
    return "/memhp/build/lab/hugeresv"


def test_hugetlb_dissolve_fails_while_reserved(lab):
    """Free huge pages that are all reserved (a mapping that has not touched
    them yet) cannot be dissolved: the offline fails at the dissolve step.
    Once the reservation goes, the same offline succeeds."""
    tool = build_hugeresv()
    blocks = getattr(lab, "dimm_blocks", None) or _dimm(lab)
    lab.dimm_blocks = blocks
    b = blocks[3]
    for o in blocks:
        if o != b and sysfs_blocks(lab)[o][0] == "online":
            lab.check("echo offline > " + STATE % o, timeout=120)
    lab.check("echo online_movable > " + STATE % b)
    lab.check("echo 0 > /proc/sys/vm/nr_hugepages; echo 32 > /proc/sys/vm/nr_hugepages")
    n = _huge_total(lab)
    assert n > 0, n
    lab.check("%s %d > /tmp/resv.out 2>&1 & echo $! > /tmp/resv.pid" % (tool, n))
    lab.wait_until("grep -q reserved /tmp/resv.out", timeout=20, what="hugeresv reserved")
    mi = lab.meminfo()
    assert mi["HugePages_Rsvd"] == mi["HugePages_Free"] == n, mi
    t = Tracer(lab, "hugefail", "-e all")
    t.start()
    try:
        rc, out = lab.run("echo offline > %s" % (STATE % b), timeout=120)
        assert rc != 0, "offline succeeded with every free huge page reserved"
        evs = t.wait_events(lambda e: _offlines(e, b), what="failed offline")
    finally:
        lab.run("kill $(cat /tmp/resv.pid)")
    fail = _offlines(evs, b)[0]
    assert fail["ret"] == -16 and fail["reason"] == "failure to dissolve huge pages", fail
    assert fail["phase"] == "hugetlb dissolve" and fail["dissolve_ret"] == -16, fail
    assert sysfs_blocks(lab)[b][0] == "online"
    lab.wait_until("[ $(awk '/HugePages_Rsvd/ {print $2}' /proc/meminfo) = 0 ]", timeout=20,
                   what="reservation gone")
    lab.check("echo offline > %s" % (STATE % b), timeout=120)
    evs = t.wait_events(lambda e: len(_offlines(e, b)) >= 2, what="second offline")
    t.stop()
    ok = _offlines(evs, b)[1]
    assert ok["ret"] == 0 and ok["dissolve_ret"] == 0, ok
    assert _huge_total(lab) < n
    lab.check("echo 0 > /proc/sys/vm/nr_hugepages")
    with open(os.path.join(lab.rundir, "offline_why-hugefail.json"), "w") as f:
        json.dump(dict(huge_pages=n, failed=fail, ok=ok), f, indent=1)


# pgowner_status_text() (user/lib/pgowner.c): what memhp says when it has no
# owner for a page, and the one word a replay says instead
OWNER_NOT_RECORDED = "not recorded (memhp record keeps no owner)"


def _page_owner_why(lab):
    """Why the guest has no page_owner, from the guest itself: the mount
    table, the file, the kernel config in /boot (docs/events.md, "owner")."""
    if lab.run("grep -q '^[^ ]* /sys/kernel/debug debugfs ' /proc/self/mounts")[0]:
        return "debugfs not mounted on /sys/kernel/debug"
    assert lab.run("[ -e /sys/kernel/debug/page_owner ]")[0] != 0, \
        "page_owner is on in this lab kernel: the test expects it off"
    rc, cfg = lab.run("grep -E '^(CONFIG_PAGE_OWNER=y|# CONFIG_PAGE_OWNER is not set)$' "
                      "/boot/config-$(uname -r)")
    if rc == 0 and cfg.strip() == "# CONFIG_PAGE_OWNER is not set":
        return "no page_owner: CONFIG_PAGE_OWNER is not set"
    if rc == 0:
        return "no page_owner: not enabled (boot with page_owner=on)"
    return "no page_owner: CONFIG_PAGE_OWNER not set or page_owner=on not given"


def test_page_owner_absent(lab):
    """No lab kernel has page_owner (Debian builds none): memhp readiness
    says why, once, and names no owner; with debugfs unmounted it says
    that instead, and mounted again it is back to the kernel's reason."""
    mounted = lab.run("grep -q '^[^ ]* /sys/kernel/debug debugfs ' /proc/self/mounts")[0] == 0
    why = _page_owner_why(lab)
    rc, cfg = lab.run("grep -h '^# CONFIG_PAGE_OWNER is not set' /boot/config-$(uname -r)")
    out = lab.check("%s readiness -J 2>/dev/null" % lab.memhp(), timeout=180)
    d = json.loads(out)
    assert d["page_owner"] == {"available": False, "why": why}, (d["page_owner"], why)
    firsts = [f for b in d["blocks"] for f in b["first_unmovable"]]
    assert firsts, "no unmovable page anywhere?"
    assert all(f["owner"] is None and "owner_unknown" not in f for f in firsts), firsts[:4]
    text = lab.check("%s readiness" % lab.memhp(), timeout=180)
    assert "Owners of the first unmovable pages: unknown (%s)" % why in text, text[-600:]
    # debugfs away (the error-inject files come back with it: one superblock)
    lab.check("umount /sys/kernel/debug" if mounted else "true")
    try:
        d2 = json.loads(lab.check("%s readiness -J 2>/dev/null" % lab.memhp(), timeout=180))
    finally:
        lab.check("mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug")
    assert d2["page_owner"] == {"available": False,
                                "why": "debugfs not mounted on /sys/kernel/debug"}, d2["page_owner"]
    d3 = json.loads(lab.check("%s readiness -J 2>/dev/null" % lab.memhp(), timeout=180))
    assert d3["page_owner"] == {"available": False, "why": _page_owner_why(lab)}, d3["page_owner"]
    with open(os.path.join(lab.rundir, "offline_why-page_owner.json"), "w") as f:
        json.dump(dict(debugfs_mounted=mounted, why=why, kernel_config=cfg.strip() if rc == 0
                       else None, readiness=d["page_owner"], unmounted=d2["page_owner"],
                       remounted=d3["page_owner"]), f, indent=1)


# What a page that slab churn frees and takes again reads as in between:
# "free" in the buddy allocator, "unknown" on a per-CPU free list (no flag,
# refcount 0: kpage_classify() cannot tell it from a kernel allocation's
# tail). A read a second later may find a slab page in either.
TRANSIENT_KINDS = {"free", "unknown"}


@scenario(fresh=True, ram="2G")
def test_slab_in_normal_blocks(lab):
    """Boot RAM below 4G only: a DIMM onlined as online_kernel is the Normal
    zone, where slab allocations land first. Fill it with tmpfs inodes and
    dentries, then try to offline each block."""
    blocks = _dimm(lab)
    for b in blocks:
        lab.check("echo online_kernel > " + STATE % b)
    assert all(sysfs_blocks(lab)[b][1] == "Normal" for b in blocks)
    lab.check("mkdir -p /tmp/many && cd /tmp/many && seq 1 80000 | sed 's/^/f/' | xargs touch",
              timeout=300)
    assert int(lab.check("ls /tmp/many | wc -l")) == 80000
    t = Tracer(lab, "slab", "-e all")
    t.start()
    # memhp record beside trace: the replay must name the kinds trace named
    lab.check("%s record -o /tmp/slab.rec >/dev/null 2>/tmp/slab-rec.err & "
              "echo $! >/tmp/slab-rec.pid" % lab.memhp())
    lab.wait_until("grep -q 'attached online_pages' /tmp/slab-rec.err || "
                   "! kill -0 $(cat /tmp/slab-rec.pid)", timeout=60, what="memhp record attached")
    failed = {}
    for b in blocks:
        rc, out = lab.run("echo offline > %s" % (STATE % b), timeout=120)
        if rc != 0:
            failed[b] = out
    assert failed, "every Normal block went offline: no slab to block it?"
    evs = t.wait_events(lambda e: all(_offlines(e, b) for b in failed), what="offline events")
    t.stop()
    lab.run("kill -TERM $(cat /tmp/slab-rec.pid)")
    lab.wait_until("! kill -0 $(cat /tmp/slab-rec.pid)", timeout=20, what="memhp record exit")
    rc, out = lab.run("%s replay -J /tmp/slab.rec 2>/tmp/slab-replay.err" % lab.memhp(),
                      timeout=60)
    assert rc == 0, lab.check("cat /tmp/slab-replay.err")
    replayed = [json.loads(ln) for ln in out.splitlines() if ln.strip()]
    owner_why = _page_owner_why(lab)
    kinds, replay_kinds = {}, {}
    for b in failed:
        e = _offlines(evs, b)[-1]
        assert e["ret"] == -16, e
        # has_unmovable_pages() refuses the range: the kernel's reason is
        # "failure to isolate range", the page it names "unmovable page"
        assert e["reason"] == "failure to isolate range" and e["phase"] == "isolation", e
        assert e["isolate_ret"] != 0 and e["migrate_passes"] == 0, e
        bl = e["blocker"]
        assert bl and bl["report"] == "unmovable page", e
        assert b * BLOCK_PAGES <= bl["pfn"] < (b + 1) * BLOCK_PAGES, e
        flags = _kpageflags(lab, bl["pfn"])
        # memhp's kind agrees with the page flags read now, unless the page
        # was freed in between (slab shrinks: seen on 6.1, flags 0 a second
        # later): then it has no flag but BUDDY
        freed = not (flags & ~(1 << KPF_BUDDY))
        if bl["kind"] == "slab":
            assert flags & (1 << KPF_SLAB) or freed, (e, hex(flags))
        elif bl["kind"] in TRANSIENT_KINDS:
            # freed between the kernel's check and memhp's read: slab
            # churn may have handed it out again since (seen on 6.12:
            # "free" at the event, a slab head a second later; and
            # "unknown", a page on a per-CPU free list, which has no
            # flag at all, then a slab head: CI of 3133cc9, flags 0x8080)
            pass
        else:
            assert not flags & (1 << KPF_SLAB), (e, hex(flags))
        kinds[b] = bl["kind"]
        # the recorded kind: what the recorder named when the event came,
        # the same page and report as trace's; the same kind unless the
        # page was freed between the two reads (a few ms apart)
        rp = _offlines(replayed, b)[-1]["blocker"]
        assert rp and rp["pfn"] == bl["pfn"] and rp["report"] == bl["report"], (rp, bl)
        assert rp["kind"] is not None, rp
        assert rp["kind"] == bl["kind"] or {rp["kind"], bl["kind"]} & TRANSIENT_KINDS, (rp, bl)
        replay_kinds[b] = rp["kind"]
        # no page_owner in the lab kernels: trace says why, the replay says
        # the owner is not recorded (it never is), not that it is absent
        assert bl["owner"] is None and bl["owner_unknown"] == owner_why, (bl, owner_why)
        assert rp["owner"] is None and rp["owner_unknown"] == OWNER_NOT_RECORDED, rp
    # The kernel names the first unmovable page of the first pageblock it
    # cannot isolate: often a slab page, sometimes another kernel allocation
    # (seen on 6.1: "unknown", no flag set). What the test can require: the
    # blocks that failed hold the slab the files made.
    slab = {b: _slab_pages(lab, b) for b in failed}
    assert any(slab.values()), (slab, kinds)
    with open(os.path.join(lab.rundir, "offline_why-slab.json"), "w") as f:
        json.dump(dict(failed=sorted(failed), kinds=kinds, replay_kinds=replay_kinds,
                       slab_pages=slab,
                       events=[_offlines(evs, b)[-1] for b in failed]), f, indent=1)
