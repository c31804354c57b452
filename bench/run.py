#!/usr/bin/env python3
"""`make bench`: memhp against the alternatives, side by side, on this machine.

Items (the numbering of the benchmark issue):
  1  snapshot at scale: `memhp ls` vs util-linux `lsmem --sysroot` on
     synthetic sysfs trees of 32,768 and 131,072 blocks
     (tools/gen-sysfs-tree.sh), outputs compared byte for byte first
  2  userspace pipeline: `memhp replay --stats` of tools/gen-record streams
  3  tracing overhead on the real kernel (lab VM, bench/lab.py)
  4  /metrics scrape of a 131,072-block model (memhp export --no-bpf)
  5  attach time (lab VM, bench/lab.py)
  6  unplug readiness scan: GiB of online RAM read from /proc/kpageflags +
     /proc/kpagecount and classified per second on one core, memhp's chunked
     reader (64 Ki pfns per pread) next to one pread per memory block and
     one pread per pfn (build/bench/kpscan; needs root)
Each figure is measured interleaved (memhp, alternative, memhp, ...) and
repeated; ratios are taken per repetition, then min/median/max.

With --baseline REV, items 1, 2 and 4 also run an earlier commit's build
interleaved with this tree's (bench/baseline.py): "no worse than before" on
the host that runs the bench, whatever CPU it has today.

Usage: bench/run.py [--reps N] [--lab-rounds N] [--no-lab] [--baseline REV]
                    [--items 1,2,...] [--out bench/REPORT.md]
Raw data: bench/out/results.json (and bench/out/lab.json).
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import baseline  # noqa: E402  (bench/baseline.py, beside this file)
REPO = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
MEMHP = os.path.join(REPO, "build", "memhp")
TREES = {32768: 4, 131072: 8}   # blocks -> nodes


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, **kw)


def mmm(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return (min(xs), statistics.median(xs), max(xs))


def run_rusage(argv, timeout=300, env=None):
    """Wall seconds, peak RSS KiB (GNU time's %M: the child's own high-water
    mark; wait4 from Python would count the forked interpreter), rc, stdout."""
    mf = os.path.join(OUT, ".maxrss")
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", mf] + argv, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, env=env, timeout=timeout)
    dt = time.perf_counter() - t0
    try:
        rss = int(open(mf).read().split()[-1])
    except (OSError, ValueError, IndexError):
        rss = None
    return dt, rss, p.returncode, p.stdout


def machine():
    cpu = "?"
    try:
        for ln in open("/proc/cpuinfo"):
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for ln in open("/proc/meminfo"):
            if ln.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(ln.split()[1]) / 1048576)
    except OSError:
        pass
    commit = sh(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"]).stdout.strip()
    dirty = sh(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
    lsmem_v = sh(["lsmem", "--version"]).stdout.strip()
    return {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
            "cpu": cpu, "cores": os.cpu_count(), "mem": mem,
            "kernel": platform.release(), "os": sh(". /etc/os-release && echo $PRETTY_NAME").stdout.strip(),
            "commit": commit + (" (with uncommitted changes)" if dirty else ""),
            "lsmem": lsmem_v, "load": os.getloadavg()}


def tree(n):
    d = os.path.join(OUT, "trees", "gen%d" % n)
    stamp = os.path.join(d, ".done")
    gen = os.path.join(REPO, "tools", "gen-sysfs-tree.sh")
    key = "%s %d %d\n" % (sh(["sha256sum", gen]).stdout.split()[0], n, TREES[n])
    if not (os.path.exists(stamp) and open(stamp).read() == key):
        log("generating a %d-block tree in %s" % (n, d))
        r = sh([gen, d, str(n), str(TREES[n])], timeout=900)
        if r.returncode:
            raise RuntimeError("gen-sysfs-tree.sh failed: " + r.stderr)
        with open(stamp, "w") as f:
            f.write(key)
    return d


# --------------------------------------------------------------- item 1
LS_OPTS = [("default columns", []),
           ("all columns, every block (-a --output-all)", ["-a", "-o",
            "RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES"])]


FILEREAD = os.path.join(REPO, "build", "bench", "fileread")


def floor(row, d, n, reps):
    """The kernel's floor for the default columns: only reading the 2 files a
    block memhp reads, on one thread, by syscalls and by io_uring batches."""
    if not os.access(FILEREAD, os.X_OK):
        return
    mem = os.path.join(d, "sys", "devices", "system", "memory")
    for how in ("syscalls", "uring"):
        row["floor_" + how + "_s"] = []
    for i in range(reps):
        for how in (("syscalls", "uring") if i % 2 == 0 else ("uring", "syscalls")):
            r = subprocess.run([FILEREAD, how, mem, str(n)], capture_output=True, text=True)
            if r.returncode == 0:
                row["floor_" + how + "_s"].append(int(r.stdout.split()[0]) / 1e9)


def item1(reps):
    env = dict(os.environ, LC_ALL="C")
    for k in ("LSMEM_COLUMNS", "LIBSMARTCOLS_DEBUG", "LIBSMARTCOLS_JSON", "COLUMNS"):
        env.pop(k, None)
    res = []
    for n in sorted(TREES):
        d = tree(n)
        for label, opts in LS_OPTS:
            m_argv = [MEMHP, "ls", "--sysroot", d] + opts
            l_argv = ["lsmem", "--sysroot", d] + opts
            # same information printed: byte-identical output first
            _, _, rc1, o1 = run_rusage(l_argv, env=env)
            _, _, rc2, o2 = run_rusage(m_argv, env=env)
            same = rc1 == rc2 == 0 and o1 == o2
            row = {"blocks": n, "nodes": TREES[n], "opts": label, "same_output": same,
                   "lines": o1.count(b"\n"), "memhp_s": [], "lsmem_s": [], "memhp_kib": [],
                   "lsmem_kib": [], "ratio": []}
            for i in range(reps):
                pair = [("memhp", m_argv), ("lsmem", l_argv)]
                if i % 2:
                    pair.reverse()
                t = {}
                for name, argv in pair:
                    dt, rss, rc, _ = run_rusage(argv, env=env)
                    row[name + "_s"].append(dt)
                    row[name + "_kib"].append(rss)
                    t[name] = dt
                row["ratio"].append(t["lsmem"] / t["memhp"])
            if not opts:
                floor(row, d, n, reps)
            log("item 1: %d blocks, %s: same=%s lsmem/memhp median %.2fx" % (
                n, label, same, statistics.median(row["ratio"])))
            res.append(row)
    return res


# --------------------------------------------------------------- item 2
def item2(reps):
    """Item 2, the userspace pipeline: a generated stream (tools/gen-record,
    deterministic) replayed on one core through decode -> model -> policy
    -> exposition by `memhp replay --stats -J`. Three cases: 10 million
    events from a file (no policy, and with the repository's example
    policy), and 100,000 events replayed 100 times (cached in memory)."""
    gen = os.path.join(REPO, "build", "gen-record")
    if not os.access(gen, os.X_OK):
        return {"skipped": "build/gen-record missing (make builds it)"}
    big = os.path.join(OUT, "replay-10m.rec")
    small = os.path.join(OUT, "replay-100k.rec")
    os.makedirs(OUT, exist_ok=True)
    try:
        for path, n in ((big, 10000000), (small, 100000)):
            r = sh([gen, "-n", str(n), "-s", "42", "-o", path], timeout=600)
            if r.returncode:
                return {"skipped": "gen-record failed: " + r.stderr.strip()[-300:]}
        pol = os.path.join(REPO, "tests", "data", "policy-good.conf")
        cases = [("10M events, file", [big]),
                 ("10M events, file, --policy", [big, "--policy", pol]),
                 ("100k events x 100 (cached), --policy", [small, "--repeat", "100", "--policy", pol])]
        rows = []
        for what, args in cases:
            eps, nse, rss, ceps = [], [], [], []
            for _ in range(reps):
                cmd = ["taskset", "-c", "0", MEMHP, "replay", "--stats", "-J"] + args
                r = sh(cmd, timeout=900)
                if r.returncode:
                    return {"skipped": "%s failed: %s" % (" ".join(cmd), r.stderr.strip()[-300:])}
                st = json.loads(r.stdout.strip().splitlines()[-1])
                eps.append(st["events_per_second"])
                nse.append(st["ns_per_event"])
                if st.get("cpu_ns_per_event"):
                    ceps.append(1e9 / st["cpu_ns_per_event"])
                rss.append(st["peak_rss_mib"])
            rows.append({"what": what, "events": st["events"], "eps": eps, "ns": nse, "rss": rss,
                         "cpu_eps": ceps})
        return {"rows": rows, "file_bytes": os.path.getsize(big)}
    finally:
        for path in (big, small):
            if os.path.exists(path):
                os.unlink(path)

def start_exporter(d, per_block, memhp=None):
    # --no-trace: the old name of --no-bpf, the one builds before it know
    argv = [memhp or MEMHP, "export", "--no-trace" if memhp else "--no-bpf", "--sysroot", d, "--listen", "127.0.0.1:0",
            "--reconcile", "3600", "-d", "900"] + (["--per-block"] if per_block else [])
    errf = open(os.path.join(OUT, "export%s.err" % ("-pb" if per_block else "")), "w+")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errf)
    deadline = time.monotonic() + 120
    port = None
    while time.monotonic() < deadline and p.poll() is None:
        errf.seek(0)
        m = re.search(r"serving http://127\.0\.0\.1:(\d+)/metrics", errf.read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.05)
    if port is None:
        p.kill()
        p.wait()
        errf.seek(0)
        raise RuntimeError("memhp export did not start: " + errf.read()[-500:])
    return p, port


def scrape(port):
    t0 = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/metrics")
    r = c.getresponse()
    body = r.read()
    dt = time.perf_counter() - t0
    c.close()
    if r.status != 200:
        raise RuntimeError("GET /metrics: HTTP %d" % r.status)
    return dt, len(body)


def proc_kib(pid, key):
    for ln in open("/proc/%d/status" % pid):
        if ln.startswith(key + ":"):
            return int(ln.split()[1])
    return None


def item4(reps):
    d = tree(131072)
    res = []
    env = dict(os.environ, LC_ALL="C")
    for per_block in (False, True):
        p, port = start_exporter(d, per_block)
        try:
            scrape(port)  # first scrape: warm
            row = {"per_block": per_block, "scrape_s": [], "bytes": None, "stdout_s": [],
                   "stdout_kib": [], "ratio": []}
            for i in range(reps * 3):
                dt, nbytes = scrape(port)
                row["scrape_s"].append(dt)
                row["bytes"] = nbytes
                # the alternative, side by side: a collector that re-reads
                # sysfs for every scrape (memhp export --stdout, once)
                if i % 3 == 0:
                    argv = [MEMHP, "export", "--stdout", "--sysroot", d] + (
                        ["--per-block"] if per_block else [])
                    st, rss, rc, _ = run_rusage(argv, env=env)
                    row["stdout_s"].append(st)
                    row["stdout_kib"].append(rss)
                    row["ratio"].append(st / dt)
            row["vmhwm_kib"] = proc_kib(p.pid, "VmHWM")
            row["vmrss_kib"] = proc_kib(p.pid, "VmRSS")
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log("item 4: per_block=%s median %.2f ms, %d bytes, VmHWM %d KiB" % (
            per_block, statistics.median(row["scrape_s"]) * 1e3, row["bytes"], row["vmhwm_kib"]))
        res.append(row)
    return res


# --------------------------------------------------------------- item 6
KPSCAN = os.path.join(REPO, "build", "bench", "kpscan")


def item6(reps, max_gib=4.0):
    """kpscan runs the three readers interleaved in one process pinned to one
    CPU; the ratios are taken within each repetition."""
    if os.geteuid() != 0:
        return {"skipped": "needs root (/proc/kpageflags)"}
    r = sh(["make", "-C", REPO, "--no-print-directory", "build/bench/kpscan"])
    if r.returncode:
        return {"skipped": "cannot build bench/kpscan: " + r.stderr[-500:]}
    p = sh([KPSCAN, "--max-gib", str(max_gib), "--reps", str(reps)], timeout=1800)
    if p.returncode:
        return {"skipped": "kpscan failed: " + p.stderr.strip()[-300:]}
    d = json.loads(p.stdout)
    d["ratio_block"] = [c / b for c, b in zip(d["chunked_gibps"], d["per_block_gibps"])]
    d["ratio_pfn"] = [c / f for c, f in zip(d["chunked_gibps"], d["per_pfn_gibps"])]
    # the three readers saw the same pages (a live system moves a little
    # between scans): the largest per-kind difference, in pages
    d["kind_max_diff_pages"] = max(max(v) - min(v) for v in d["kinds"].values())
    log("item 6: %.1f GiB, chunked %.2f GiB/s, per-block %.2f, per-pfn %.3f (medians)" % (
        d["bytes"] / (1 << 30), statistics.median(d["chunked_gibps"]),
        statistics.median(d["per_block_gibps"]), statistics.median(d["per_pfn_gibps"])))
    return d


# --------------------------------------------------------------- lab (3, 5)
def lab_items(rounds, timeout):
    out = os.path.join(OUT, "lab.json")
    cache = os.environ.get("MEMHP_CACHE") or os.path.join(REPO, ".cache")  # as tools/deps.sh
    if not os.path.isfile(os.path.join(cache, "kernels", "6.1", ".done")):
        return {"skipped": "lab kernel missing (tools/deps.sh lab)"}
    bp = os.path.join(OUT, "bproot")
    if not os.path.isfile(os.path.join(bp, "bpftrace")):
        r = sh([os.path.join(HERE, "mkbproot.sh"), bp])
        if r.returncode:
            return {"skipped": "cannot stage bpftrace for the guest: " + r.stderr[-500:]}
    r = sh(["make", "-C", REPO, "--no-print-directory", "build/bench/hpload"])
    if r.returncode:
        return {"skipped": "cannot build bench/hpload: " + r.stderr[-500:]}
    if os.path.exists(out):
        os.unlink(out)
    log("lab: %d rounds (VM limit %ds); progress on stderr" % (rounds, timeout))
    subprocess.run([sys.executable, os.path.join(HERE, "lab.py"), "--out", out,
                    "--rounds", str(rounds), "--timeout", str(timeout)], timeout=timeout + 120)
    if not os.path.exists(out):
        return {"skipped": "bench/lab.py wrote no results"}
    return json.load(open(out))


# --------------------------------------------------------------- report
# enum bpf_attach_type: what hpload progstats reads from a link's fdinfo
ATTACH_TYPE = {"fentry": 24, "fexit": 25}
ATTACH_NAME = {24: "entry", 25: "exit", -1: "entry+exit"}


def prog_functions():
    """memhp program name, cut to the kernel's 15 characters -> the kernel
    function it attaches to, from the section names of build/bpf/*.bpf.o
    (fentry/F, fexit/F, tp_btf/T). bpftrace names its programs after the
    function (cut the same way), so the two tracers meet on the function."""
    m, full = {}, {}
    objdir = os.path.join(REPO, "build", "bpf")
    for f in sorted(os.listdir(objdir)) if os.path.isdir(objdir) else []:
        if not f.endswith(".bpf.o"):
            continue
        r = subprocess.run(["llvm-objdump", "-t", os.path.join(objdir, f)],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           universal_newlines=True)
        for line in r.stdout.splitlines():
            w = line.split()
            if len(w) >= 6 and w[2] == "F" and "/" in w[3]:
                kind, fn = w[3].split("/", 1)
                cut = w[5][:15]
                # the kernel keeps 15 characters: two programs cut to one
                # name would be one row of the table, credited to one function
                if full.setdefault(cut, w[5]) != w[5]:
                    sys.exit("bench: memhp programs %s and %s share the kernel name %s: "
                             "rename one (bpf/)" % (full[cut], w[5], cut))
                m[cut] = (fn, ATTACH_TYPE.get(kind, -1))
    return m


def round_progs(r, mo, key, by_type=False, funcs=None):
    """{program name: (run_time_ns, run_cnt)} of one tracer in one round;
    with by_type, keyed (name, attach type) (-1 when the round's samples
    predate the attach type). With funcs ({btf id: function}, bench/lab.py's
    btf_funcs), a program is named after the whole function it traces where
    its sample has the id."""
    per = {}
    for v in r.get(mo, {}).get(key, {}).get("bpf", {}).get("progs", {}).values():
        if len(v) < 3:
            continue
        name = (funcs or {}).get(str(v[4]), v[2]) if len(v) > 4 else v[2]
        k = (name, v[3] if len(v) > 3 else -1) if by_type else name
        t, c = per.get(k, (0, 0))
        per[k] = (t + v[0], c + v[1])
    return per


def f_ms(x):
    return "%.1f" % (x * 1e3) if x < 10 else "%.0f" % (x * 1e3)


def fmt3(t, f):
    return "–" if t is None else " / ".join(f(v) for v in t)


def item_rows(res, key):
    """The rows of a host item, or [] when it was skipped (a dict saying why)."""
    v = res[key]
    return [] if isinstance(v, dict) else v


def skipped_line(res, key, L):
    """Says why a host item did not run; True if it did not."""
    v = res[key]
    if isinstance(v, dict):
        L.append("Skipped: %s.\n" % v["skipped"])
        return True
    return False


def report(res, path):
    m = res["machine"]
    L = []
    L.append("# memhp benchmark report\n")
    L.append("Written by `make bench` (bench/run.py) on %s. Each figure: min / median / max "
             "over repetitions run interleaved with the alternative; a ratio is taken within "
             "each repetition, then summarised. Raw samples: bench/out/results.json.\n" % m["date"])
    L.append("| machine | |\n|---|---|")
    for k, lab in (("cpu", "CPU"), ("cores", "cores"), ("mem", "memory"), ("kernel", "kernel"),
                   ("os", "OS"), ("commit", "memhp commit"), ("lsmem", "lsmem")):
        L.append("| %s | %s |" % (lab, m[k]))
    L.append("| load average at start | %.2f %.2f %.2f |" % tuple(m["load"]))
    L.append("")

    L.append("## 1. Snapshot at scale: `memhp ls` vs `lsmem --sysroot`\n")
    L.append("Trees: tools/gen-sysfs-tree.sh DIR N NODES (mixed zones and states, node links). "
             "Both print byte-identical output (checked before timing). "
             "Bar: lsmem/memhp >= 10. %d repetitions.\n" % res["reps"])
    if not skipped_line(res, "item1", L):
        L.append("| blocks | output | same output | memhp ms | lsmem ms | lsmem/memhp | memhp max RSS KiB | lsmem max RSS KiB | bar |")
        L.append("|---|---|---|---|---|---|---|---|---|")
    for r in item_rows(res, "item1"):
        rt = mmm(r["ratio"])
        L.append("| %d (%d nodes) | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["blocks"], r["nodes"], r["opts"], "yes" if r["same_output"] else "**NO**",
            fmt3(mmm(r["memhp_s"]), f_ms), fmt3(mmm(r["lsmem_s"]), f_ms),
            fmt3(rt, lambda v: "%.2fx" % v), fmt3(mmm(r["memhp_kib"]), str),
            fmt3(mmm(r["lsmem_kib"]), str), "met" if rt and rt[1] >= 10 else "**not met**"))
    L.append("")

    fl = [r for r in item_rows(res, "item1") if r.get("floor_syscalls_s")]
    if fl:
        L.append("What the kernel alone takes for the default columns (bench/fileread.c: open, "
                 "read and close `state` and `removable` of every block, nothing else, one "
                 "thread), by plain syscalls and by io_uring batches of linked openat/read/close "
                 "(no syscall per file). memhp ls runs on both cores.\n")
        L.append("| blocks | syscalls ms | io_uring ms | memhp ls ms | lsmem ms |")
        L.append("|---|---|---|---|---|")
        for r in fl:
            L.append("| %d | %s | %s | %s | %s |" % (
                r["blocks"], fmt3(mmm(r["floor_syscalls_s"]), f_ms),
                fmt3(mmm(r.get("floor_uring_s", [])), f_ms),
                fmt3(mmm(r["memhp_s"]), f_ms), fmt3(mmm(r["lsmem_s"]), f_ms)))
        L.append("")

    L.append("## 2. Userspace pipeline (`memhp replay --stats`)\n")
    i2 = res["item2"]
    if "skipped" in i2:
        L.append("Skipped: %s.\n" % i2["skipped"])
    else:
        L.append("One core (taskset -c 0), %d repetitions; the 10M-event file is %d bytes "
                 "(272 bytes a record: the raw event as the kernel wrote it, checksummed). "
                 "Bar: 20 million events/s on one core, judged on events per CPU-second of the "
                 "replay process (user + system time, so the kernel's page-cache work for the "
                 "file counts); wall-clock events/s next to it also holds the time the process "
                 "waited for a CPU on this shared host.\n" % (res["reps"], i2.get("file_bytes", 0)))
        L.append("| stream | events | events per CPU-second | events/s wall-clock (min / median / max) | ns/event wall-clock | peak RSS MiB | bar |")
        L.append("|---|---|---|---|---|---|---|")
        for r in i2.get("rows", []):
            e = mmm(r["eps"])
            c = mmm(r.get("cpu_eps", []))
            L.append("| %s | %d | %s | %s | %s | %s | %s |" % (
                r["what"], r["events"], fmt3(c, lambda v: "%.1fM" % (v / 1e6)),
                fmt3(e, lambda v: "%.1fM" % (v / 1e6)),
                fmt3(mmm(r["ns"]), lambda v: "%.1f" % v), fmt3(mmm(r["rss"]), lambda v: "%.1f" % v),
                "met" if c and c[1] >= 20e6 else "**not met**"))
        L.append("")

    lab = res["lab"]
    L.append("## 3. Tracing overhead on the real kernel (lab VM)\n")
    if "skipped" in lab:
        L.append("Skipped: %s.\n" % lab["skipped"])
    else:
        rounds = lab.get("rounds", [])
        L.append("Guest: Debian %s under QEMU (%s; TCG, so absolute times are slow, ratios "
                 "are what counts). %d round(s) (asked %d), modes rotated each round. "
                 "memhp: `memhp trace -J -e all` (all probes, balloon counters); bpftrace: "
                 "bench/memhp-equiv.bt (the same functions, kfunc/kretfunc). Slowdown = "
                 "traced/untraced time of the same round - 1. Each mode, untraced too, first "
                 "runs a small unmeasured pass of every workload (64 MiB balloon, 1 GiB "
                 "virtio-mem, 2 DIMM blocks): TCG translates freshly JITed programs on their "
                 "first runs, a cost a real CPU does not have (bench/lab.py warm()).\n" % (lab.get("kernel", "?"), lab.get("qemu", "?"),
                                                   len(rounds), lab.get("rounds_asked", 0)))
        if lab.get("control_bytes"):
            L.append("Control: no tracer, an idle tmpfs file of memhp's resident size (%d KiB, "
                     "its VmRSS after attaching): what memhp's pages alone cost when the workload "
                     "offlines the movable memory they sit in (docs/DESIGN-NOTES.md).\n"
                     % (lab["control_bytes"] // 1024))
        L.append("Bars: (a) memhp's median slowdown at most a quarter of bpftrace's; (b) and (c) "
                 "memhp's slowdown range (min-max) entirely below bpftrace's; every workload: 0 lost "
                 "events. BPF time = the sum of run_time_ns of all the tracer's programs in the "
                 "round (kernel BPF stats).\n")
        L.append("| workload | untraced s | memhp s | bpftrace s | memhp slowdown | bpftrace slowdown | control slowdown | memhp BPF ns/run | bpftrace BPF ns/run | memhp runs | bpftrace runs | memhp/bpftrace BPF time | bar |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        wl = [("balloon", "(a) balloon inflate+deflate 2 GiB"), ("vmem", "(b) virtio-mem plug 16 GiB + unplug"),
              ("dimm", "(c) 32 DIMM blocks offline+online")]
        for key, label in wl:
            t = {mo: [r[mo][key]["total"] for r in rounds if mo in r and key in r[mo]]
                 for mo in ("off", "memhp", "bpftrace")}
            sl = {mo: [(r[mo][key]["total"] / r["off"][key]["total"] - 1) * 100 for r in rounds
                       if mo in r and "off" in r and key in r[mo]]
                  for mo in ("memhp", "bpftrace", "control")}
            cost = {mo: [r[mo][key]["bpf"]["run_time_ns"] / r[mo][key]["bpf"]["run_cnt"]
                         for r in rounds if mo in r and key in r[mo] and r[mo][key]["bpf"]["run_cnt"]]
                    for mo in ("memhp", "bpftrace")}
            cnt = {mo: [r[mo][key]["bpf"]["run_cnt"] for r in rounds if mo in r and key in r[mo]]
                   for mo in ("memhp", "bpftrace")}
            ms, bs = mmm(sl["memhp"]), mmm(sl["bpftrace"])
            if key == "balloon":
                met = ms and bs and ms[1] <= bs[1] / 4
            else:
                met = ms and bs and ms[2] < bs[0]
            met = met and all(r["memhp"].get("lost") == 0 for r in rounds if "memhp" in r)
            share = [r["memhp"][key]["bpf"]["run_time_ns"] / r["bpftrace"][key]["bpf"]["run_time_ns"]
                     for r in rounds if "memhp" in r and "bpftrace" in r and key in r["memhp"]
                     and key in r["bpftrace"] and r["bpftrace"][key]["bpf"]["run_time_ns"]]
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, fmt3(mmm(t["off"]), lambda v: "%.2f" % v),
                fmt3(mmm(t["memhp"]), lambda v: "%.2f" % v), fmt3(mmm(t["bpftrace"]), lambda v: "%.2f" % v),
                fmt3(ms, lambda v: "%+.1f%%" % v), fmt3(bs, lambda v: "%+.1f%%" % v),
                fmt3(mmm(sl["control"]), lambda v: "%+.1f%%" % v),
                fmt3(mmm(cost["memhp"]), lambda v: "%.0f" % v), fmt3(mmm(cost["bpftrace"]), lambda v: "%.0f" % v),
                fmt3(mmm(cnt["memhp"]), str), fmt3(mmm(cnt["bpftrace"]), str),
                fmt3(mmm(share), lambda v: "%.2f" % v),
                "met" if met else "**not met**"))
        L.append("\nCost on the machine, per round: the tracer's BPF time plus its own process CPU "
                 "time (utime+stime of every thread, 10 ms ticks) during the workload, as a share "
                 "of that round's untraced time. Unlike the slowdown, this does not move with the "
                 "host's noise, and it bounds what the tracer can take from the workload. Same bars "
                 "on this figure.\n")
        L.append("| workload | memhp BPF s | memhp process CPU s | memhp cost | bpftrace BPF s | bpftrace process CPU s | bpftrace cost | memhp/bpftrace cost | bar on cost |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for key, label in wl:
            parts = {}
            for mo in ("memhp", "bpftrace"):
                rs = [r for r in rounds if mo in r and "off" in r and key in r[mo]
                      and "tracer_cpu_s" in r[mo][key]]
                bpf = [r[mo][key]["bpf"]["run_time_ns"] / 1e9 for r in rs]
                cpu = [r[mo][key]["tracer_cpu_s"] for r in rs]
                pct = [(b + c) / r["off"][key]["total"] * 100 for b, c, r in zip(bpf, cpu, rs)]
                parts[mo] = (mmm(bpf), mmm(cpu), mmm(pct), pct)
            mc, bc = parts["memhp"][2], parts["bpftrace"][2]
            if not mc or not bc:
                continue
            ratio = [m / b for m, b in zip(parts["memhp"][3], parts["bpftrace"][3]) if b]
            met = (mc[1] <= bc[1] / 4) if key == "balloon" else (mc[2] < bc[0])
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                label, fmt3(parts["memhp"][0], lambda v: "%.3f" % v),
                fmt3(parts["memhp"][1], lambda v: "%.2f" % v), fmt3(mc, lambda v: "%.2f%%" % v),
                fmt3(parts["bpftrace"][0], lambda v: "%.3f" % v),
                fmt3(parts["bpftrace"][1], lambda v: "%.2f" % v), fmt3(bc, lambda v: "%.2f%%" % v),
                fmt3(mmm(ratio), lambda v: "%.2f" % v), "met" if met else "**not met**"))
        lost = {mo: [r[mo].get("lost") for r in rounds if mo in r] for mo in ("memhp", "bpftrace")}
        L.append("\nLost events per session: memhp %s, bpftrace %s. BPF programs loaded: memhp %s, "
                 "bpftrace %s.\n" % (lost["memhp"], lost["bpftrace"],
                                     sorted({r["memhp"].get("nprogs") for r in rounds if "memhp" in r}),
                                     sorted({r["bpftrace"].get("nprogs") for r in rounds if "bpftrace" in r})))
        L.append("Per program (kernel BPF stats, run_time_ns/run_cnt summed over the rounds; "
                 "memhp's names as the kernel keeps them, 15 characters; bpftrace's the "
                 "function each traces, where its BTF id was read):\n")
        L.append("| workload | tracer | program | runs | ns/run | share of the tracer's BPF time |")
        L.append("|---|---|---|---|---|---|")
        for key, label in wl:
            for mo in ("memhp", "bpftrace"):
                per = {}
                for r in rounds:
                    for name, (t, c) in round_progs(r, mo, key, False, lab.get(
                            "btf_funcs") if mo == "bpftrace" else None).items():
                        t0, c0 = per.get(name, (0, 0))
                        per[name] = (t0 + t, c0 + c)
                tot = sum(t for t, _ in per.values()) or 1
                for name, (t, c) in sorted(per.items(), key=lambda kv: -kv[1][0]):
                    L.append("| %s | %s | %s | %d | %.0f | %.0f%% |" % (
                        label.split(" ")[0], mo, name, c, t / c if c else 0, 100.0 * t / tot))
        L.append("")
        fn_of = prog_functions()
        funcs = lab.get("btf_funcs", {})
        L.append("Per kernel function: each memhp program against bpftrace's program on the "
                 "same function and side (entry or exit: the attach type of each tracer's link, "
                 "hpload progstats). %s ns/run per round, min / median / max "
                 "over the rounds. Bar: memhp's median <= bpftrace's median.\n" % (
                     "bpftrace's programs are matched by the function they trace, named from "
                     "the kernel's BTF (each program's attach_btf_id)." if funcs else
                     "bpftrace names a program after its function cut to 15 characters, so "
                     "memory_subsys_online and memory_subsys_offline share a name and their "
                     "bpftrace figure is the two together."))
        L.append("| workload | function | side | memhp program | memhp ns/run | bpftrace ns/run | bar |")
        L.append("|---|---|---|---|---|---|---|")
        for key, label in wl:
            mp = {}
            bp = {}
            for r in rounds:
                for name, (t, c) in round_progs(r, "memhp", key).items():
                    if c:
                        mp.setdefault(name, []).append(t / c)
                # per round: a program's two sides of a shared name summed
                per = {}
                for (name, at), (t, c) in round_progs(r, "bpftrace", key, True, funcs).items():
                    for k in ((name, at), (name, -1)):
                        t0, c0 = per.get(k, (0, 0))
                        per[k] = (t0 + t, c0 + c)
                for k, (t, c) in per.items():
                    if c:
                        bp.setdefault(k, []).append(t / c)
            for name in sorted(mp, key=lambda n: (fn_of.get(n, ("~", 0)), n)):
                fn, at = fn_of.get(name, (None, -1))
                m3 = mmm(mp[name])
                b3 = None
                if fn:
                    # the whole function's name where the samples have it
                    bfn = fn if any(k[0] == fn for k in bp) else fn[:15]
                    b3 = mmm(bp.get((bfn, at), [])) or mmm(bp.get((bfn, -1), []))
                    side = ATTACH_NAME[at] if bp.get((bfn, at)) else "entry+exit"
                bar = "–" if not b3 else ("met" if m3[1] <= b3[1] else "**not met**")
                L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                    label.split(" ")[0], fn or "?", side if b3 else ATTACH_NAME.get(at, "?"),
                    name, fmt3(m3, lambda v: "%.0f" % v), fmt3(b3, lambda v: "%.0f" % v), bar))
        L.append("")
        if lab.get("errors"):
            L.append("Lab notes: " + "; ".join(e.replace("\n", " ")[:400] for e in lab["errors"]) + "\n")

        L.append("## 5. Attach time (lab VM)\n")
        L.append("From the tracer's start (guest clock) until every probe is attached: memhp's "
                 "attach report on stderr, bpftrace's BEGIN probe (runs after all attachments).\n")
        at = {mo: [r[mo]["attach_s"] for r in rounds if mo in r] for mo in ("memhp", "bpftrace")}
        ratio = [r["bpftrace"]["attach_s"] / r["memhp"]["attach_s"] for r in rounds
                 if "memhp" in r and "bpftrace" in r]
        L.append("| memhp s | bpftrace s | bpftrace/memhp |\n|---|---|---|")
        L.append("| %s | %s | %s |\n" % (fmt3(mmm(at["memhp"]), lambda v: "%.2f" % v),
                                         fmt3(mmm(at["bpftrace"]), lambda v: "%.2f" % v),
                                         fmt3(mmm(ratio), lambda v: "%.1fx" % v)))

    L.append("## 4. Scrape: /metrics of a 131,072-block model\n")
    L.append("`memhp export --no-trace --sysroot TREE` (the model from the tree; no BPF on this "
             "host) on 127.0.0.1; one HTTP GET per scrape on a new connection, timed to the last "
             "byte. Alternative: a collector that re-reads sysfs for every scrape (`memhp export "
             "--stdout`, one process per scrape). Bar: default scrape < 10 ms, RSS < 32 MiB.\n")
    if not skipped_line(res, "item4", L):
        L.append("| series | scrape ms | bytes | re-read per scrape ms | re-read/scrape | exporter VmHWM KiB | VmRSS KiB | bar |")
        L.append("|---|---|---|---|---|---|---|---|")
    for r in item_rows(res, "item4"):
        sm = mmm(r["scrape_s"])
        met = (sm[1] < 0.010 and r["vmhwm_kib"] < 32768) if not r["per_block"] else None
        L.append("| %s | %s | %d | %s | %s | %d | %d | %s |" % (
            "per block (--per-block)" if r["per_block"] else "default", fmt3(sm, lambda v: "%.2f" % (v * 1e3)),
            r["bytes"], fmt3(mmm(r["stdout_s"]), f_ms), fmt3(mmm(r["ratio"]), lambda v: "%.0fx" % v),
            r["vmhwm_kib"], r["vmrss_kib"], "–" if met is None else ("met" if met else "**not met**")))
    L.append("")
    L.append("## 6. Unplug readiness scan (`memhp readiness`'s reader)\n")
    i6 = res.get("item6", {"skipped": "not run"})
    if "skipped" in i6:
        L.append("Skipped: %s.\n" % i6["skipped"])
    else:
        L.append("build/bench/kpscan, pinned to CPU %d, %d repetitions interleaved: the first "
                 "%.1f GiB of online memory read from /proc/kpageflags and /proc/kpagecount "
                 "and every page classified (lib/kpage.c). Memory blocks of %d pages. The "
                 "readers' per-kind page counts differed by at most %d pages (the system runs "
                 "on between scans). Figures: GiB of RAM per second, min / median / max.\n" % (
                     i6["cpu"], i6["reps"], i6["bytes"] / (1 << 30), i6["block_pages"],
                     i6["kind_max_diff_pages"]))
        L.append("| reader | GiB/s | chunked / this |")
        L.append("|---|---|---|")
        L.append("| chunked (64 Ki pfns per pread) | %s | 1 |" % fmt3(mmm(i6["chunked_gibps"]), lambda v: "%.2f" % v))
        L.append("| one pread per block | %s | %s |" % (fmt3(mmm(i6["per_block_gibps"]), lambda v: "%.2f" % v),
                                                    fmt3(mmm(i6["ratio_block"]), lambda v: "%.2fx" % v)))
        L.append("| one pread per pfn | %s | %s |" % (fmt3(mmm(i6["per_pfn_gibps"]), lambda v: "%.3f" % v),
                                                  fmt3(mmm(i6["ratio_pfn"]), lambda v: "%.1fx" % v)))
        L.append("")
    if "baseline" in res:
        L += baseline.report_lines(sys.modules[__name__], res["baseline"])
    L.append("## Notes\n")
    for n in res.get("notes", []):
        L.append("- " + n)
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--lab-rounds", type=int, default=5)
    ap.add_argument("--lab-timeout", type=int, default=1500)
    ap.add_argument("--no-lab", action="store_true")
    ap.add_argument("--items", default="1,2,3,4,5,6",
                    help="comma-separated items to run (3 and 5 are the lab run)")
    ap.add_argument("--out", default=os.path.join(HERE, "REPORT.md"))
    ap.add_argument("--baseline", metavar="REV",
                    help="also build REV (git archive) and run items 1, 2 and 4 of it "
                         "interleaved with this tree's, reporting new/old ratios")
    ap.add_argument("--report-only", metavar="RESULTS_JSON",
                    help="rewrite the report from saved results, measuring nothing")
    a = ap.parse_args()
    if a.report_only:
        with open(a.report_only) as f:
            report(json.load(f), a.out)
        return 0
    os.makedirs(OUT, exist_ok=True)
    if "1" in a.items.split(",") and not shutil.which("lsmem"):
        log("lsmem missing: run tools/deps.sh bench")
        return 2
    t0 = time.monotonic()
    res = {"machine": machine(), "reps": a.reps}
    items = set(a.items.split(","))
    skip = {"skipped": "not asked (--items %s)" % a.items}
    res["item1"] = item1(a.reps) if "1" in items else skip
    res["item2"] = item2(a.reps) if "2" in items else skip
    res["item4"] = item4(a.reps) if "4" in items else skip
    res["item6"] = item6(a.reps) if "6" in items else skip
    if a.baseline:
        res["baseline"] = baseline.compare(sys.modules[__name__], a.baseline, a.reps, items)
    if a.no_lab:
        res["lab"] = {"skipped": "--no-lab"}
    elif "3" in items or "5" in items:
        res["lab"] = lab_items(a.lab_rounds, a.lab_timeout)
    else:
        res["lab"] = skip
    res["elapsed_s"] = time.monotonic() - t0
    notes = list(res.get("notes", []))
    notes.append("Whole run: %.0f s." % res["elapsed_s"])
    res["notes"] = notes
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    report(res, a.out)
    log("wrote %s (%.0f s)" % (a.out, res["elapsed_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
