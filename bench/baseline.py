"""`bench/run.py --baseline REV`: this tree's memhp against an earlier
commit's, side by side on this machine, in one run.

Why: figures in bench/REPORT.md were taken on whatever machine ran `make
bench` that day; the shared hosts change CPU between sessions (the report of
31a2d76 was written on an Intel Xeon, later runs landed on an AMD EPYC at a
third of the single-core replay speed, for the same commit). "No worse than
before" can only be judged by running both builds interleaved on one host,
so this module builds REV from `git archive` (no worktree to clean up) and
measures the host items that do not need the lab: `ls` (item 1), `replay
--stats` (item 2), and `export --stdout` plus the HTTP scrape (item 4).

Each pair runs new, old, old, new, ... so drift on the host falls on both;
the ratio new/old is taken within each repetition. A figure is "no worse"
when the median ratio of the time (or CPU time per event) is at most
NO_WORSE.
"""
import json
import os
import statistics
import subprocess
import time

NO_WORSE = 1.05   # the noise seen between identical builds on these hosts


def build(run, rev):
    """Build REV's build/memhp, build/memhp-static (what the lab guest runs:
    bench/lab.py --memhp-base) and build/gen-record under bench/out; returns
    {"rev", "sha", "memhp", "gen"} or {"skipped": why}."""
    r = run.sh(["git", "-C", run.REPO, "rev-parse", "--verify", "-q", rev + "^{commit}"])
    if r.returncode:
        return {"skipped": "--baseline %s: not a commit of this repository" % rev}
    sha = r.stdout.strip()
    d = os.path.join(run.OUT, "baseline-" + sha[:12])
    stamp = os.path.join(d, ".built")
    # a baseline cached before memhp-static was built here lacks it
    if not os.path.exists(stamp) or not os.path.exists(os.path.join(d, "build", "memhp-static")):
        run.log("building the baseline %s in %s" % (sha[:12], d))
        subprocess.run(["rm", "-rf", d])
        os.makedirs(d)
        r = run.sh("git -C '%s' archive %s | tar -x -C '%s'" % (run.REPO, sha, d))
        if r.returncode:
            return {"skipped": "git archive %s failed: %s" % (sha[:12], r.stderr.strip()[-300:])}
        r = run.sh(["make", "-C", d, "-j2", "build/memhp", "build/memhp-static",
                    "build/gen-record"], timeout=1800)
        if r.returncode:
            return {"skipped": "building %s failed: %s" % (sha[:12], (r.stdout + r.stderr).strip()[-400:])}
        open(stamp, "w").close()
    return {"rev": rev, "sha": sha, "memhp": os.path.join(d, "build", "memhp"),
            "gen": os.path.join(d, "build", "gen-record")}


def guest_static(run, base, option):
    """The lab guest's path (/memhp/...) of an earlier build's memhp-static:
    @base a commit (built by build(), cached) or a file under the repository
    (the guest sees the repository only). Raises ValueError, naming @option,
    when it cannot be had."""
    if base and not os.path.isfile(base):
        built = build(run, base)
        if "skipped" in built:
            raise ValueError(built["skipped"].replace("--baseline", option))
        base = os.path.join(os.path.dirname(built["memhp"]), "memhp-static")
    repo = os.path.realpath(run.REPO)
    base = os.path.realpath(base) if base else ""
    if not base or not os.path.isfile(base) or not base.startswith(repo + os.sep):
        raise ValueError("%s: a commit, or a file under %s (the guest sees the repository only)"
                         % (option, repo))
    return "/memhp/" + os.path.relpath(base, repo)


def _pairs(reps, new_fn, old_fn):
    """Runs new_fn/old_fn interleaved reps times; each returns a number.
    Returns (new values, old values, new/old ratios)."""
    new, old, ratio = [], [], []
    for i in range(reps):
        order = [("new", new_fn), ("old", old_fn)]
        if i % 2:
            order.reverse()
        got = {}
        for name, fn in order:
            got[name] = fn()
        new.append(got["new"])
        old.append(got["old"])
        ratio.append(got["new"] / got["old"])
    return new, old, ratio


def _row(item, what, unit, new, old, ratio, **extra):
    d = {"item": item, "what": what, "unit": unit, "new": new, "old": old, "ratio": ratio}
    d.update(extra)
    return d


def _ls(run, base, reps, rows):
    env = dict(os.environ, LC_ALL="C")
    for k in ("LSMEM_COLUMNS", "LIBSMARTCOLS_DEBUG", "LIBSMARTCOLS_JSON", "COLUMNS"):
        env.pop(k, None)
    for n in sorted(run.TREES):
        d = run.tree(n)
        for label, opts in run.LS_OPTS:
            argv = lambda m: [m, "ls", "--sysroot", d] + opts
            _, _, rc1, o1 = run.run_rusage(argv(run.MEMHP), env=env)
            _, _, rc2, o2 = run.run_rusage(argv(base["memhp"]), env=env)

            def timed(m):
                dt, _, rc, _ = run.run_rusage(argv(m), env=env)
                if rc:
                    raise RuntimeError("%s exited %d" % (" ".join(argv(m)), rc))
                return dt
            new, old, ratio = _pairs(reps, lambda: timed(run.MEMHP), lambda: timed(base["memhp"]))
            rows.append(_row(1, "`ls` %d blocks, %s" % (n, label), "ms", new, old, ratio,
                             same_output=rc1 == rc2 == 0 and o1 == o2))
            run.log("baseline: ls %d %s: new/old median %.3f" % (n, label, statistics.median(ratio)))
            # build/memhp prints through libsmartcols since the ls parity
            # work (user/cmd/LS-NOTES.md); memhp-static keeps the built-in
            # printer the baseline had: the same code path, side by side
            static = os.path.join(os.path.dirname(run.MEMHP), "memhp-static")
            if os.access(static, os.X_OK):
                new, old, ratio = _pairs(reps, lambda: timed(static), lambda: timed(base["memhp"]))
                rows.append(_row(1, "`ls` %d blocks, %s, memhp-static (built-in printer)" % (
                    n, label), "ms", new, old, ratio))


def _replay(run, base, reps, rows):
    pol = os.path.join(run.REPO, "tests", "data", "policy-good.conf")
    made = []
    try:
        recs = {}
        for who, gen in (("new", os.path.join(run.REPO, "build", "gen-record")), ("old", base["gen"])):
            for n in (10000000, 100000):
                p = os.path.join(run.OUT, "baseline-%s-%d.rec" % (who, n))
                made.append(p)
                r = run.sh([gen, "-n", str(n), "-s", "42", "-o", p], timeout=600)
                if r.returncode:
                    raise RuntimeError("%s failed: %s" % (gen, r.stderr.strip()[-300:]))
                recs[who, n] = p
        same = run.sh(["cmp", "-s", recs["new", 10000000], recs["old", 10000000]]).returncode == 0
        cases = [("10M events, file", 10000000, []),
                 ("10M events, file, --policy", 10000000, ["--policy", pol]),
                 ("100k events x 100 (cached), --policy", 100000,
                  ["--repeat", "100", "--policy", pol])]
        for what, n, extra in cases:
            def cpu_ns(who):
                m = run.MEMHP if who == "new" else base["memhp"]
                cmd = ["taskset", "-c", "0", m, "replay", "--stats", "-J", recs[who, n]] + extra
                r = run.sh(cmd, timeout=900)
                if r.returncode:
                    raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr.strip()[-300:]))
                st = json.loads(r.stdout.strip().splitlines()[-1])
                return st.get("cpu_ns_per_event") or st["ns_per_event"]
            new, old, ratio = _pairs(reps, lambda: cpu_ns("new"), lambda: cpu_ns("old"))
            rows.append(_row(2, "`replay --stats` %s" % what, "CPU ns/event", new, old, ratio,
                             same_input=same))
            run.log("baseline: replay %s: new/old median %.3f" % (what, statistics.median(ratio)))
    finally:
        for p in made:
            if os.path.exists(p):
                os.unlink(p)


def _export(run, base, reps, rows):
    d = run.tree(131072)
    env = dict(os.environ, LC_ALL="C")
    for per_block in (False, True):
        pb = ["--per-block"] if per_block else []
        label = "per block" if per_block else "default"

        def stdout_s(m):
            dt, _, rc, out = run.run_rusage([m, "export", "--stdout", "--sysroot", d] + pb,
                                            env=env)
            # the generated tree has no proc/zoneinfo: since 0.1 that is
            # exit 1 with the exposition printed (memhp export --help)
            if rc not in (0, 1) or not out:
                raise RuntimeError("%s export --stdout exited %d" % (m, rc))
            return dt
        new, old, ratio = _pairs(reps, lambda: stdout_s(run.MEMHP), lambda: stdout_s(base["memhp"]))
        rows.append(_row(4, "`export --stdout` 131072 blocks, %s" % label, "ms", new, old, ratio))
        procs = []
        try:
            procs.append(run.start_exporter(d, per_block))
            procs.append(run.start_exporter(d, per_block, memhp=base["memhp"]))
            for _, port in procs:
                run.scrape(port)   # warm
            new, old, ratio = _pairs(reps * 3, lambda: run.scrape(procs[0][1])[0],
                                     lambda: run.scrape(procs[1][1])[0])
            rows.append(_row(4, "HTTP scrape 131072 blocks, %s" % label, "ms", new, old, ratio,
                             vmhwm_kib=[run.proc_kib(p.pid, "VmHWM") for p, _ in procs]))
        finally:
            for p, _ in procs:
                p.terminate()
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def compare(run, rev, reps, items):
    """The side-by-side rows for the host items asked (1, 2, 4)."""
    base = build(run, rev)
    if "skipped" in base:
        return base
    rows, errors = [], []
    t0 = time.monotonic()
    for item, fn in (("1", _ls), ("2", _replay), ("4", _export)):
        if item not in items:
            continue
        try:
            fn(run, base, reps, rows)
        except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError, KeyError) as e:
            errors.append("item %s: %s" % (item, e))
            run.log("baseline: item %s: %s" % (item, e))
    return {"rev": rev, "sha": base["sha"], "rows": rows, "errors": errors,
            "elapsed_s": time.monotonic() - t0}


def report_lines(run, b):
    """Markdown for the comparison (a section of REPORT.md)."""
    L = ["## Against an earlier build (`--baseline`)\n"]
    if "skipped" in b:
        return L + ["Skipped: %s.\n" % b["skipped"]]
    head = run.sh(["git", "-C", run.REPO, "rev-parse", "--short=12", "HEAD"]).stdout.strip()
    L.append("This tree (%s) against %s (%s), built from `git archive` with the same compiler, "
             "run interleaved on this host in one run (new, old, old, new, ...); the ratio "
             "new/old is taken within each repetition. Times: wall-clock for `ls` and `export`, "
             "CPU time per event (user + system, `replay --stats`) for replay, pinned to CPU 0. "
             "No worse: median new/old <= %.2f. Min / median / max.\n" % (
                 head, b["rev"], b["sha"][:12], NO_WORSE))
    L.append("| figure | unit | this tree | baseline | new/old | no worse |")
    L.append("|---|---|---|---|---|---|")
    for r in b["rows"]:
        scale = 1e3 if r["unit"] == "ms" else 1.0
        f = lambda v: "%.1f" % (v * scale)
        rt = run.mmm(r["ratio"])
        note = ""
        if r.get("same_output") is False:
            note = " (**outputs differ**)"
        if r.get("same_input") is False:
            note = " (each build replays its own gen-record output)"
        L.append("| %s%s | %s | %s | %s | %s | %s |" % (
            r["what"], note, r["unit"], run.fmt3(run.mmm(r["new"]), f),
            run.fmt3(run.mmm(r["old"]), f), run.fmt3(rt, lambda v: "%.3f" % v),
            "yes" if rt[1] <= NO_WORSE else "**no**"))
    L.append("")
    for e in b.get("errors", []):
        L.append("Not measured: %s\n" % e)
    return L
