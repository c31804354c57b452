"""Which probes attach on the lab kernel, and how: the promise of
docs/kernels.md checked on every lab kernel. Every probe memhp has attaches
with fentry/fexit where the kernel has the function, node_notify (6.17+)
says it is not needed before 6.17, the per-page balloon probes say they are
not needed without --balloon-pages (test_balloon attaches them), and nothing
is skipped for any other reason (a CO-RE relocation that fails on a new
layout shows up here first)."""
import os
import re
import sys

import lab as labmod

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

# virtio_balloon and virtio_mem load at boot: coverage has its driver.
LAB = dict(balloon=True)

PROBES = ("online_pages", "offline_pages", "generic_online_page", "add_memory",
          "remove_memory", "group_register_static", "group_register_dynamic",
          "group_unregister", "group_find_by_id", "memory_subsys_online",
          "memory_subsys_offline", "memory_notify", "balloon_page_enqueue",
          "balloon_page_list_enqueue", "balloon_page_list_dequeue",
          "balloon_page_migrate", "offline_isolate", "offline_migrate",
          "offline_dump_page", "offline_dissolve", "offline_test", "coverage",
          "coverage_release")
# a BPF program per 4 KiB page: only with --balloon-pages (balloon, export)
PER_PAGE = ("balloon_page_enqueue", "balloon_page_list_dequeue")
# kernel tracepoints: tp_btf whatever --attach says (no trampoline)
TRACEPOINTS = ("offline_migrate", "offline_test", "offline_notifier_run")
# before 6.2: kretprobes on the notifier chain's callbacks, whatever --attach says
CHAIN = "offline_notifier_cb"


def _report(lab, mode, extra=""):
    t = Tracer(lab, "probes-" + mode, "-e all --attach %s %s" % (mode, extra))
    t.start()
    err = t.stop()
    lines = [ln for ln in err.splitlines() if ln.startswith(("memhp: attached", "memhp: skipped"))]
    att, skipped = {}, {}
    for ln in lines:
        parts = ln.split(None, 3)
        if parts[1] == "attached":
            att[parts[2]] = parts[3]
        else:
            skipped[parts[2]] = parts[3] if len(parts) > 3 else ""
    return att, skipped


def _check(lab, mode, want, watch=False):
    att, skipped = _report(lab, mode, "--watch-notifiers" if watch else "")
    for p in PER_PAGE:
        assert p not in att and skipped.get(p, "").startswith("not needed: per-page program"), \
            (p, att.get(p), skipped.get(p))
    for p in set(PROBES) - set(PER_PAGE):
        assert p in att, "%s not attached on %s (%s): %s" % (
            p, labmod.kernel_release(), mode, skipped.get(p, "not reported"))
        how = att[p].split(":")[0]
        assert how == "tp_btf" if p in TRACEPOINTS else how in want, (p, att[p])
    # include/trace/events/notifier.h came in 6.2; before, the chain's callbacks
    if labmod.kernel_version() >= (6, 2):
        assert att.get("offline_notifier_run", "").startswith("tp_btf:"), (att, skipped)
        assert "not needed: the notifier_run tracepoint (6.2+) names the callback" in \
            skipped.get(CHAIN, ""), (att, skipped)
    elif not watch:
        assert "not needed: notifier_run is 6.2+" in skipped.get("offline_notifier_run", ""), \
            (att, skipped)
        assert skipped.get(CHAIN, "").startswith("not asked for: before 6.2"), (att, skipped)
    else:
        assert "not needed: notifier_run is 6.2+" in skipped.get("offline_notifier_run", ""), \
            (att, skipped)
        # kprobes where the kernel allows them, breakpoints on notrace callbacks
        m = re.match(r"kretprobe:(\d+) kprobed \+ (\d+) breakpoints of (\d+) notifier callbacks$",
                     att.get(CHAIN, ""))
        assert m and int(m.group(1)) + int(m.group(2)) == int(m.group(3)) > 0, (att, skipped)
    new_node_notifier = labmod.kernel_version() >= (6, 17)
    if new_node_notifier:
        assert "node_notify" in att, skipped.get("node_notify")
    else:
        assert "not needed: node_notify is 6.17+" in skipped.get("node_notify", ""), (att, skipped)
    other = set(skipped) - {"node_notify", "offline_notifier_run", CHAIN} - set(PER_PAGE)
    # the notifier chain's why fields ride on memory_notify's programs
    assert "offline_notify" not in att and "offline_notify" not in skipped, (att, skipped)
    assert not other, skipped


def test_every_probe_fentry(lab):
    _check(lab, "fentry", ("fentry", "fexit"))


def test_every_probe_kprobe(lab):
    """With --watch-notifiers: before 6.2 the chain's callbacks are watched too."""
    _check(lab, "kprobe", ("kprobe", "kretprobe"), watch=True)
