"""memhp balloon on the real kernel: virtio-balloon inflated and deflated by a
few hundred MiB (and compacted, which migrates balloon pages); memhp's
counts must equal the guest's /proc/vmstat balloon counters exactly, in
fentry and kprobe mode: by default (the kernel's counters given to the one
driver, no per-page BPF program attached) and with --balloon-pages (a BPF
program per page, per-CPU map)."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

LAB = dict(balloon=True, ram="2G")
MIB_PAGES = 256


def _vmstat(lab):
    v = lab.vmstat()
    return {k: v[k] for k in ("balloon_inflate", "balloon_deflate", "balloon_migrate")}


def _run(lab, mode, pages=False):
    bin = lab.memhp()
    flag = " --balloon-pages" if pages else ""
    tag = mode + ("-pages" if pages else "")
    out, err, pid = "/tmp/balloon-%s.json" % tag, "/tmp/balloon-%s.err" % tag, "/tmp/b.pid"
    lab.check("%s balloon -J -i 0.5 --attach %s%s >%s 2>%s & echo $! >%s"
              % (bin, mode, flag, out, err, pid))
    # the exporter counts the same activity (final textfile written at exit)
    prom, xpid = "/tmp/balloon-%s.prom" % tag, "/tmp/x.pid"
    lab.check("%s export -q --attach %s%s --textfile %s -i 1 2>/tmp/x.err & echo $! >%s"
              % (bin, mode, flag, prom, xpid))
    # the attach report is complete once its balloon lines are out
    lab.wait_until("grep -q 'balloon_page_migrate' %s || ! kill -0 $(cat %s)"
                   % (err, pid), timeout=60, what="memhp balloon attached")
    assert lab.run("kill -0 $(cat %s)" % pid)[0] == 0, lab.check("cat %s" % err)
    # the exporter too: its counts start when its session opens (vmstat
    # base, BPF attach); its first textfile is written after that. Without
    # this wait a slow kprobe attach missed the start of the inflation.
    lab.wait_until("[ -s %s ] || ! kill -0 $(cat %s)" % (prom, xpid), timeout=60,
                   what="memhp export attached")
    assert lab.run("kill -0 $(cat %s)" % xpid)[0] == 0, lab.check("cat /tmp/x.err")
    report = lab.check("cat %s" % err)
    ret = "kretprobe" if mode == "kprobe" else "fexit"
    if pages:
        assert "%s:balloon_page_list_dequeue" % ret in report, report
        assert "%s:balloon_page_enqueue" % ("kprobe" if mode == "kprobe" else "fentry") \
            in report, report
    else:
        for fn in ("balloon_page_enqueue", "balloon_page_list_dequeue"):
            assert re.search(r"skipped +%s +not needed: per-page program" % fn, report), report
    assert "%s:balloon_page_migrate" % ret in report, report
    v0 = _vmstat(lab)
    size0 = lab.balloon_actual() // (1 << 20)
    lab.balloon(size0 - 300)  # inflate by 300 MiB
    lab.wait_until("awk '/^balloon_inflate/{exit !($2 >= %d)}' /proc/vmstat"
                   % (v0["balloon_inflate"] + 300 * MIB_PAGES), timeout=120, what="inflated")
    lab.run("echo 1 > /proc/sys/vm/compact_memory", timeout=120)  # may migrate balloon pages
    lab.balloon(size0)  # deflate back
    lab.wait_until("awk '/^balloon_deflate/{exit !($2 >= %d)}' /proc/vmstat"
                   % (v0["balloon_deflate"] + 300 * MIB_PAGES), timeout=120, what="deflated")
    v1 = _vmstat(lab)
    lab.run("sleep 1.2")  # one more report after the last change
    lab.run("kill -INT $(cat %s) $(cat %s)" % (pid, xpid))
    lab.wait_until("! kill -0 $(cat %s) && ! kill -0 $(cat %s)" % (pid, xpid), timeout=20,
                   what="memhp exit")
    text = lab.check("cat %s" % prom)
    series = {}
    for ln in text.splitlines():
        if ln.startswith("memhp_balloon_bytes_total{"):
            k, v = ln.rsplit(" ", 1)
            series[k] = int(v)
    last = json.loads(lab.check("tail -n1 %s" % out))
    devs = last["balloons"]
    assert len(devs) == 1 and devs[0]["driver"] == "virtio_balloon", devs
    d = devs[0]
    got = (d["inflated_pages"], d["deflated_pages"], d["migrated_pages"])
    want = tuple(v1[k] - v0[k] for k in ("balloon_inflate", "balloon_deflate", "balloon_migrate"))
    print("BALLOON: memhp inflated/deflated/migrated pages %s, guest /proc/vmstat deltas %s"
          % (got, want))
    assert got == want, "memhp %s != vmstat %s" % (got, want)
    assert want[0] >= 300 * MIB_PAGES and d["growth_bytes"] == (want[0] - want[1]) * 4096, d
    lbl = 'memhp_balloon_bytes_total{driver="virtio_balloon",op="%s"}'
    assert (series.get(lbl % "inflate"), series.get(lbl % "deflate"), series.get(lbl % "migrate")) \
        == tuple(4096 * x for x in want), (series, want)
    return got


def test_balloon_counts_fentry(lab):
    _run(lab, "fentry")


def test_balloon_counts_kprobe(lab):
    _run(lab, "kprobe")


def test_balloon_counts_pages_fentry(lab):
    _run(lab, "fentry", pages=True)


def test_balloon_counts_pages_kprobe(lab):
    _run(lab, "kprobe", pages=True)
