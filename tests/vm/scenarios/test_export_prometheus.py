"""memhp export end to end: the exporter runs in the guest (live BPF session),
its port is forwarded over QEMU user networking to 127.0.0.1 on the host,
where Debian's Prometheus scrapes it every second. A DIMM is hot-plugged and
onlined (kernel + movable), blocks are offlined and onlined again, one
offline fails on purpose (memory notifier error injection). Then the series
Prometheus stored are compared with the guest's sysfs and /proc/zoneinfo,
every query of the Grafana dashboard (its template variables resolved by
Prometheus) must return data, and the textfile the
exporter writes at exit must be complete. A second VM with a virtio-balloon
runs the dashboard's balloon queries on balloon activity (a VM of its own:
with the balloon device the first one's scrapes get slower than its 1 s
timeout while the DIMM is onlined)."""
import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lab import REPO, Skip, scenario  # noqa: E402

GUEST_PORT = 10435
LAB = dict(default_state="offline", cmdline="nokaslr", net=True, hostfwd=[(0, GUEST_PORT)])
DASHBOARD = os.path.join(REPO, "tools", "grafana", "memhp-dashboard.json")
INJECT = "/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_OFFLINE/error"
MEMDIR = "/sys/devices/system/memory"


def _free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def http_get(url, timeout=10, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, dict(r.headers), r.read()


class Prometheus:
    """Debian's prometheus on 127.0.0.1 with a temp config and storage,
    ended by its PID."""

    def __init__(self, target, interval="1s"):
        self.bin = shutil.which("prometheus")
        if not self.bin:
            raise Skip("prometheus not installed (tools/deps.sh lab)")
        self.dir = tempfile.mkdtemp(prefix="memhp-prom-")
        self.port = _free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        cfg = os.path.join(self.dir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: %s\n  scrape_timeout: %s\n"
                    "scrape_configs:\n  - job_name: memhp\n    static_configs:\n"
                    "      - targets: ['%s']\n" % (interval, interval, target))
        self.log = open(os.path.join(self.dir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [self.bin, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port, "--log.level=warn"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if http_get(self.url + "/-/ready", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("prometheus did not become ready:\n" + self.log_text())
            time.sleep(0.3)

    def log_text(self):
        try:
            with open(os.path.join(self.dir, "prometheus.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def query(self, expr):
        """Instant query: list of (labels, value) with value a float."""
        url = self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        st, _, body = http_get(url)
        d = json.loads(body)
        assert d.get("status") == "success", (expr, d)
        res = d["data"]["result"]
        if d["data"]["resultType"] == "scalar":
            return [({}, float(res[1]))]
        return [(r["metric"], float(r["value"][1])) for r in res]

    def label_values(self, label, match):
        """What Grafana's label_values(match, label) offers."""
        url = self.url + "/api/v1/label/%s/values?" % label + urllib.parse.urlencode({"match[]": match})
        d = json.loads(http_get(url)[2])
        assert d.get("status") == "success", (label, match, d)
        return d["data"]

    def value(self, expr):
        r = self.query(expr)
        assert len(r) == 1, "%s: want one series, got %r" % (expr, r)
        return r[0][1]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def parse_zoneinfo(text):
    """{(node, zone): {spanned, present, managed, start_pfn}} (pages)."""
    zones, cur = {}, None
    for ln in text.splitlines():
        m = re.match(r"Node (\d+), zone\s+(\S+)", ln)
        if m:
            cur = zones.setdefault((m.group(1), m.group(2)), {})
            continue
        w = ln.split()
        if cur is not None and len(w) == 2 and w[0] in ("spanned", "present", "managed", "start_pfn:"):
            cur[w[0].rstrip(":")] = int(w[1])
    return zones


def exposition_series(text):
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


def block_truth(lab):
    """{(node, zone, state): count} the way memhp labels blocks."""
    res = {}
    for b in lab.blocks().values():
        zone = b.zone.split()[0] if b.state == "online" and b.zone else "none"
        node = str(b.node) if b.node is not None else "unknown"
        key = (node, zone, b.state)
        res[key] = res.get(key, 0) + 1
    return res


# Families with samples only in a state the main scenario does not reach:
# their dashboard queries must run there, and return data where named.
ONLY_WHEN = {
    "memhp_offline_running_seconds": "an offline running past --stuck-after (test_offline_why.py)",
    "memhp_balloon_bytes_total": "balloon activity (test_export_dashboard_balloon)",
}


def dashboard_queries(prom):
    """[(expr, query)]: every panel query of the dashboard with its template
    variables resolved the way Grafana resolves them (label_values() through
    Prometheus' label API, every value selected) and $__rate_interval,
    $__range fixed."""
    with open(DASHBOARD) as f:
        dash = json.load(f)
    subst = {"$__rate_interval": "2m", "$__range": "10m"}

    def resolve(q):
        for k in sorted(subst, key=len, reverse=True):
            q = q.replace(k, subst[k])
        assert "$" not in q, "unresolved variable in %s" % q
        return q
    for v in dash["templating"]["list"]:
        if v["type"] != "query":
            continue
        m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", resolve(v["definition"]))
        assert m, "template variable %s: %s" % (v["name"], v["definition"])
        vals = prom.label_values(m.group(2), m.group(1))
        assert vals, "template variable %s offers nothing: %s" % (v["name"], m.group(0))
        subst["$" + v["name"]] = "|".join(vals)
    assert subst["$job"] == "memhp", subst
    return [(t["expr"], resolve(t["expr"])) for p in dash["panels"] for t in p.get("targets", [])]


def test_export_prometheus(lab):
    memhp = lab.memhp()
    if not shutil.which("promtool"):
        raise Skip("promtool not installed (tools/deps.sh lab: prometheus)")
    hp = lab.host_port(GUEST_PORT)
    # In a subshell that records the exit status.
    lab.check("( %s export --listen 0.0.0.0:%d --textfile /tmp/memhp.prom --interval 1 -q "
              "--policy /memhp/tests/data/policy-lab.conf --reconcile 1 "
              ">/tmp/export.out 2>/tmp/export.err & echo $! >/tmp/export.pid; wait $!; "
              "echo $? >/tmp/export.rc ) >/dev/null 2>&1 &" % (memhp, GUEST_PORT))
    lab.wait_until("[ -s /tmp/export.pid ]", timeout=10)
    lab.wait_until("grep -q 'serving http' /tmp/export.err || ! kill -0 $(cat /tmp/export.pid)",
                   timeout=60, what="memhp export serving")
    rc, _ = lab.run("kill -0 $(cat /tmp/export.pid)")
    assert rc == 0, "memhp export died:\n" + lab.check("cat /tmp/export.err")

    # The exposition as a client on the host gets it: plain and gzip.
    url = "http://127.0.0.1:%d/metrics" % hp
    t0 = time.monotonic()
    st, hdr, body = http_get(url)
    dt = time.monotonic() - t0
    assert st == 200 and hdr.get("Content-Type") == "text/plain; version=0.0.4; charset=utf-8", hdr
    st, hdr, zbody = http_get(url, headers={"Accept-Encoding": "gzip"})
    assert hdr.get("Content-Encoding") == "gzip", hdr
    text = gzip.decompress(zbody).decode()
    assert text.startswith("# HELP memhp_build_info"), text[:200]
    print("first scrape: %.3fs, %d bytes (%d gzip), %d series"
          % (dt, len(body), len(zbody), len(exposition_series(body.decode()))))
    st, hdr, body = http_get("http://127.0.0.1:%d/" % hp)
    assert st == 200 and hdr.get("Content-Type", "").startswith("text/html") \
        and b'href="/metrics"' in body, (st, hdr, body[:200])
    for path, code in (("/metricsx", 404), ("/metrics/", 404)):
        try:
            http_get("http://127.0.0.1:%d%s" % (hp, path))
            raise AssertionError("%s answered 200" % path)
        except urllib.error.HTTPError as e:
            assert e.code == code, (path, e.code)
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=b"x", method="POST"), timeout=10)
        raise AssertionError("POST answered 200")
    except urllib.error.HTTPError as e:
        assert e.code == 405, e.code

    prom = Prometheus("127.0.0.1:%d" % hp)
    try:
        _scenario(lab, prom, url, memhp)
    except Exception:
        print("prometheus log:\n" + prom.log_text())
        print("memhp export:\n" + lab.run("tail -n 20 /tmp/export.err; kill -0 $(cat /tmp/export.pid) "
                                          "&& echo running || echo 'exited:' $(cat /tmp/export.rc)")[1])
        raise
    finally:
        prom.stop()


def _scenario(lab, prom, url, memhp):
    bs = lab.block_size()
    lab.wait_until(lambda: prom.query('up{job="memhp"} == 1'), timeout=30, what="first scrape")

    # Hot-plug a DIMM (offline: memhp_default_state=offline), online 2 blocks
    # for the kernel and 6 movable, offline 2 and online them again.
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 8, blocks
    lab.wait_until("[ -e %s/memory%d ]" % (MEMDIR, blocks[-1]), timeout=60)
    for b in blocks[:2]:
        lab.check("echo online_kernel > %s/memory%d/state" % (MEMDIR, b))
    for b in blocks[2:]:
        lab.check("echo online_movable > %s/memory%d/state" % (MEMDIR, b))
    for b in blocks[-2:]:
        lab.check("echo offline > %s/memory%d/state" % (MEMDIR, b))
    for b in blocks[-2:]:
        lab.check("echo online_movable > %s/memory%d/state" % (MEMDIR, b))
    # One offline that fails: the memory notifier answers ENOMEM.
    lab.modprobe("memory-notifier-error-inject")
    lab.check("echo -12 > %s" % INJECT)
    rc, out = lab.run("echo offline > %s/memory%d/state" % (MEMDIR, blocks[-1]))
    lab.check("echo 0 > %s" % INJECT)
    assert rc != 0, "offline with an injected error succeeded: " + out

    truth = block_truth(lab)
    zoneinfo = parse_zoneinfo(lab.read_file("/proc/zoneinfo"))
    n_online = sum(v for (n, z, s), v in truth.items() if s == "online")

    # Prometheus has the final state once it scraped after the failed offline.
    def settled():
        r = prom.query('memhp_events_total{event="offline",result="ENOMEM"}')
        o = prom.query('sum(memhp_blocks{state="online"})')
        return r and r[0][1] == 1 and o and o[0][1] == n_online
    lab.wait_until(settled, timeout=30, interval=0.5, what="Prometheus has the final state")

    # Blocks per node, zone and state: exactly sysfs.
    got = {(m["node"], m["zone"], m["state"]): v for m, v in prom.query("memhp_blocks")}
    assert got == truth, "memhp_blocks %r != sysfs %r" % (got, truth)
    got_b = {(m["node"], m["zone"], m["state"]): v for m, v in prom.query("memhp_blocks_bytes")}
    assert got_b == {k: v * bs for k, v in truth.items()}, got_b
    assert prom.value("memhp_block_size_bytes") == bs

    # Zones: exactly /proc/zoneinfo.
    for fam, key in (("memhp_zone_present_bytes", "present"), ("memhp_zone_managed_bytes", "managed"),
                     ("memhp_zone_spanned_bytes", "spanned")):
        got = {(m["node"], m["zone"]): v for m, v in prom.query(fam)}
        want = {k: z[key] * 4096 for k, z in zoneinfo.items() if key in z}
        assert got == want, "%s %r != zoneinfo %r" % (fam, got, want)
    got = {(m["node"], m["zone"]): v for m, v in prom.query("memhp_zone_start_address_bytes")}
    want = {k: z["start_pfn"] * 4096 for k, z in zoneinfo.items() if z.get("spanned")}
    assert got == want, (got, want)
    mov = sum(z.get("present", 0) for (n, name), z in zoneinfo.items() if name == "Movable")
    ker = sum(z.get("present", 0) for (n, name), z in zoneinfo.items() if name not in ("Movable", "Device"))
    assert abs(prom.value("memhp_movable_kernel_ratio") - mov / ker) < 1e-9

    # The DIMM's memory group: 2 blocks kernel, 6 movable, ratio 3.
    g = prom.query('memhp_group_kernel_bytes{type="static"}')
    assert len(g) == 1, g
    gid = g[0][0]["group"]
    sel = '{group="%s"}' % gid
    assert prom.value("memhp_group_kernel_bytes" + sel) == 2 * bs
    assert prom.value("memhp_group_movable_bytes" + sel) == 6 * bs
    assert prom.value("memhp_group_size_bytes" + sel) == 8 * bs
    assert prom.value("memhp_group_movable_kernel_ratio" + sel) == 3.0
    ratio = int(lab.check("cat /sys/module/memory_hotplug/parameters/auto_movable_ratio"))
    assert prom.value("memhp_auto_movable_ratio") == ratio / 100
    assert prom.value("memhp_group_headroom_bytes" + sel) == max(0, int(2 * bs * ratio / 100) - 6 * bs)

    # Events: every operation of this test, by result.
    ev = {(m["event"], m["result"]): v for m, v in prom.query("memhp_events_total")}
    assert ev.get(("add", "ok")) == 1, ev
    assert ev.get(("online", "ok")) == 10, ev
    assert ev.get(("offline", "ok")) == 2, ev
    assert ev.get(("offline", "ENOMEM")) == 1, ev
    assert ev.get(("group-register", "ok")) == 1, ev
    assert ev.get(("notify", "ENOMEM")) == 1, ev  # the injected GOING_OFFLINE error
    assert prom.value('memhp_operation_duration_seconds_count{op="online"}') == 10
    assert prom.value('memhp_operation_duration_seconds_count{op="offline"}') == 3
    assert prom.value('memhp_operation_duration_seconds_bucket{op="online",le="+Inf"}') == 10
    assert prom.value("memhp_events_lost_total") == 0
    assert prom.value("memhp_events_inconsistent_total") == 0
    assert prom.value("memhp_tracing") == 1
    assert prom.value('memhp_probe_attached{probe="online_pages"}') == 1
    release = lab.check("uname -r").strip()
    assert prom.value('memhp_kernel_info{release="%s"}' % release) == 1

    # Reconciliation: the model equals sysfs (no drift), early (boot) memory
    # per zone is present memory minus the hot-plugged blocks online in it,
    # and the policy's violations equal `memhp check` on the same state.
    time.sleep(2.5)  # one more reconciliation + scrape after the last change
    assert prom.value("memhp_drift_blocks") == 0
    assert prom.value('memhp_reconciliations_total{result="error"}') == 0
    early = {(m["node"], m["zone"]): v for m, v in prom.query("memhp_zone_early_bytes")}
    assert early[("0", "Movable")] == 0, early
    assert early[("0", "Normal")] == zoneinfo[("0", "Normal")]["present"] * 4096 - 2 * bs, early
    assert early[("0", "DMA32")] == zoneinfo[("0", "DMA32")]["present"] * 4096, early
    rc, out = lab.run("%s check --policy /memhp/tests/data/policy-lab.conf -J" % memhp)
    chk = json.loads(out)
    want = {}
    for v in chk["violations"]:
        want[v["rule"]] = want.get(v["rule"], 0) + 1
    got = {m["rule"]: v for m, v in prom.query("memhp_policy_violations")}
    assert got == {r: float(want.get(r, 0)) for r in ("global-ratio", "dimm-one-zone")}, (got, want)
    assert got["dimm-one-zone"] == 1, got  # 2 blocks Normal, 6 Movable

    # The exporter kept serving while events streamed: every scrape up.
    if prom.value('min_over_time(up{job="memhp"}[10m])') != 1:
        url = prom.url + "/api/v1/query?" + urllib.parse.urlencode(
            {"query": 'scrape_duration_seconds{job="memhp"}[10m]'})
        series = json.loads(http_get(url)[2])["data"]["result"]
        raise AssertionError("failed scrapes; durations: %s" % [v for t, v in series[0]["values"]])
    scrapes = prom.value('count_over_time(up{job="memhp"}[10m])')
    worst = prom.value('max_over_time(scrape_duration_seconds{job="memhp"}[10m])')
    samples = prom.value('scrape_samples_scraped{job="memhp"}')
    st, _, body = http_get(url)
    text = body.decode()
    series = [ln.rsplit(" ", 1)[0] for ln in exposition_series(text)]
    dups = sorted(set(x for x in series if series.count(x) > 1))
    assert not dups, "series repeated in one exposition: %r" % dups
    r = subprocess.run(["promtool", "check", "metrics"], input=text, universal_newlines=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert r.returncode == 0, "promtool check metrics:\n" + r.stdout
    print("prometheus: %d scrapes, slowest %.3fs, %d samples per scrape; exposition %d bytes"
          % (scrapes, worst, samples, len(body)))

    # Every query of the Grafana dashboard returns data, with its template
    # variables (job, instance, node) set to every value they offer here.
    queries = dashboard_queries(prom)
    assert len(queries) >= 10, queries
    empty = []
    deadline = time.monotonic() + 20
    for e, q in queries:
        if set(re.findall(r"\bmemhp_[a-z_]+", e)) & set(ONLY_WHEN):
            prom.query(q)  # must parse and run
            continue
        # rate() needs two samples of a series: a counter that appeared with
        # the last operation (the failed offline) gets them within a few scrapes.
        while not prom.query(q) and time.monotonic() < deadline:
            time.sleep(0.5)
        if not prom.query(q):
            empty.append(e)
    assert not empty, "dashboard queries without data: %r" % empty
    print("grafana: %d panel queries, all return data (those of %s only run)"
          % (len(queries), ", ".join(sorted(ONLY_WHEN))))

    # SIGTERM: a final textfile write, exit 0.
    lab.check("kill -TERM $(cat /tmp/export.pid)")
    lab.wait_until("[ -s /tmp/export.rc ]", timeout=20, what="memhp export exit")
    err = lab.check("cat /tmp/export.err")
    assert lab.check("cat /tmp/export.rc").strip() == "0", err
    assert re.search(r"memhp export: \d+ scrapes, \d+ events, 0 lost", err), err
    tf = lab.read_file("/tmp/memhp.prom")
    with open(os.path.join(lab.rundir, "memhp.prom"), "w") as f:  # kept for a look
        f.write(tf)
    assert 'memhp_events_total{event="online",result="ok"} 10\n' in tf, tf[-2000:]
    r = subprocess.run(["promtool", "check", "metrics"], input=tf, universal_newlines=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    assert r.returncode == 0, "promtool check metrics (textfile):\n" + r.stdout
    assert not lab.check("ls -A /tmp | grep '^\\.memhp.prom' || true").strip(), "temp file left"


@scenario(balloon=True)
def test_export_dashboard_balloon(lab):
    """The dashboard's balloon queries on a VM with a virtio-balloon: 64 MiB
    inflated and deflated, then every query of memhp_balloon_bytes_total
    returns data through Prometheus, and the counters say 64 MiB."""
    memhp = lab.memhp()
    hp = lab.host_port(GUEST_PORT)
    # --balloon-pages: the driver is named from the device's callback
    # address (kallsyms), the path the HTTP thread cannot read as nobody
    lab.check("( %s export --balloon-pages --listen 0.0.0.0:%d -q >/tmp/bx.out 2>/tmp/bx.err & "
              "echo $! >/tmp/bx.pid ) "
              ">/dev/null 2>&1 &" % (memhp, GUEST_PORT))
    lab.wait_until("grep -q 'serving http' /tmp/bx.err || ! kill -0 $(cat /tmp/bx.pid)",
                   timeout=60, what="memhp export serving")
    assert lab.run("kill -0 $(cat /tmp/bx.pid)")[0] == 0, lab.check("cat /tmp/bx.err")
    size0 = lab.balloon_actual() // (1 << 20)
    lab.balloon(size0 - 64)
    lab.wait_until(lambda: lab.balloon_actual() // (1 << 20) <= size0 - 64, timeout=60, what="inflated")
    lab.balloon(size0)
    lab.wait_until(lambda: lab.balloon_actual() // (1 << 20) >= size0, timeout=60, what="deflated")
    prom = Prometheus("127.0.0.1:%d" % hp, interval="2s")
    try:
        lab.wait_until(lambda: len(prom.query('memhp_balloon_bytes_total{op="deflate"}')) == 1,
                       timeout=60, what="balloon series scraped")
        # One driver, named: served over HTTP alone, the HTTP thread runs
        # as nobody and reads /proc/kallsyms without addresses; the name
        # comes from the session's main thread (ksyms cache), not from it.
        bal = {(m["driver"], m["op"]): v for m, v in prom.query("memhp_balloon_bytes_total")}
        assert set(d for d, op in bal) == {"virtio_balloon"}, bal
        byop = {op: v for (d, op), v in bal.items()}
        assert byop.get("inflate") == 64 << 20 and byop.get("deflate") == 64 << 20, bal
        queries = [(e, q) for e, q in dashboard_queries(prom) if "memhp_balloon_bytes_total" in e]
        assert queries, "no balloon query in the dashboard"
        for e, q in queries:
            lab.wait_until(lambda: prom.query(q), timeout=30, what="data for " + e)
        print("grafana: %d balloon queries return data (driver label %s)"
              % (len(queries), next(iter(bal))[0]))
    finally:
        prom.stop()
        lab.run("kill -TERM $(cat /tmp/bx.pid)")
