#!/usr/bin/env python3
"""Per-program BPF cost of a change, as markdown tables (issue #14).

  bench/compare.py AB.json
      One bench/lab.py run with modes memhp and memhp-base (this tree and an
      earlier build, rotated within one VM): per program and workload, the
      ratio this/base of ns per run taken within each round, min / median /
      max over the rounds, and the same for the workload's total BPF time.
      Under TCG a program's median moves by a third or more from one VM to
      the next; side by side in one VM, a round's ratio is what a change did.

  bench/compare.py BEFORE.json AFTER.json
      Two `make bench` runs (bench/out/results.json, or lab.py's --out) of two
      commits: per program, memhp's median ns per run against bpftrace's on
      the same kernel function and side in each run (the bar of issue #14),
      and each run's memhp/bpftrace total BPF time.

Programs are matched by name and the kernel function they are attached to
(the BTF id bench/lab.py records, named from the guest kernel's BTF).
"""
import json
import statistics as st
import sys

WORKLOADS = ("vmem", "dimm")
# bench/lab.py: the link's attach type (24 fentry, 25 fexit); memhp's
# others are tp_btf programs
SIDE = {24: "entry", 25: "exit"}


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d["lab"] if "lab" in d else d


def progs(d, mode):
    """{(workload, function, side, program): [ns/run per round]} and
    {workload: [total BPF ns per round]} of one mode."""
    fn = d.get("btf_funcs", {})
    per, tot = {}, {}
    for rnd in d["rounds"]:
        for wl in WORKLOADS:
            w = rnd.get(mode, {}).get(wl)
            if not isinstance(w, dict) or "bpf" not in w:
                continue
            tot.setdefault(wl, []).append(w["bpf"]["run_time_ns"])
            for v in w["bpf"]["progs"].values():
                # older samples lack the attach type and the function's BTF
                # id (edf43a0), as bench/run.py's round_progs allows
                ns, cnt, name = v[0], v[1], v[2] if len(v) > 2 else "?"
                at = v[3] if len(v) > 3 else -1
                bid = v[4] if len(v) > 4 else 0
                if cnt:
                    side = SIDE.get(at, "tp") if bid else "?"
                    key = (wl, fn.get(str(bid), str(bid) if bid else name), side, name)
                    per.setdefault(key, []).append(ns / cnt)
    return per, tot


def paired(d, a, b):
    """Per round ratios a/b: {key: [ratio]} for programs and totals."""
    out = {}
    for rnd in d["rounds"]:
        if a not in rnd or b not in rnd:
            continue
        one = {"rounds": [rnd]}
        one["btf_funcs"] = d.get("btf_funcs", {})
        pa, ta = progs(one, a)
        pb, tb = progs(one, b)
        for k in pa:
            if k in pb and pb[k][0]:
                out.setdefault(k, []).append(pa[k][0] / pb[k][0])
        for wl in ta:
            if wl in tb and tb[wl][0]:
                out.setdefault((wl, "total BPF time", "", ""), []).append(ta[wl][0] / tb[wl][0])
    return out


def mmm(v, fmt="%.2f"):
    return " / ".join(fmt % x for x in (min(v), st.median(v), max(v)))


def ab_report(path):
    d = load(path)
    pm, _ = progs(d, "memhp")
    pb, _ = progs(d, "memhp-base")
    r = paired(d, "memhp", "memhp-base")
    n = len([x for x in d["rounds"] if "memhp" in x and "memhp-base" in x])
    print("%d rounds, this build (memhp) and the base (memhp-base) in one VM (%s)."
          % (n, d.get("kernel", "?")))
    print()
    print("| workload | function | side | program | this ns, median | base ns, median "
          "| this/base per round, min / median / max |")
    print("|---|---|---|---|---|---|---|")
    for k in sorted(r, key=lambda k: (k[0], k[1] != "total BPF time", k[1], k[2], k[3])):
        this = "%.0f" % st.median(pm[k]) if k in pm else ""
        base = "%.0f" % st.median(pb[k]) if k in pb else ""
        print("| %s | %s | %s | %s | %s | %s | %s |" % (k + (this, base, mmm(r[k]))))
    lower = [k for k in r if k[3] and st.median(r[k]) < 1]
    print()
    print("programs with a median ratio below 1: %d of %d" % (len(lower), len([k for k in r if k[3]])))
    # the tracer's own process CPU over each workload (utime+stime, 10 ms
    # ticks), this/base within each round: what a userspace change moves
    cpu = {}
    for rnd in d["rounds"]:
        if "memhp" not in rnd or "memhp-base" not in rnd:
            continue
        for wl, v in rnd["memhp"].items():
            w = rnd["memhp-base"].get(wl)
            if isinstance(v, dict) and isinstance(w, dict) and "tracer_cpu_s" in v and \
                    "tracer_cpu_s" in w:
                cpu.setdefault(wl, []).append((v["tracer_cpu_s"], w["tracer_cpu_s"]))
    if cpu:
        print()
        print("| workload | this process CPU s | base process CPU s | this/base per round |")
        print("|---|---|---|---|")
        for wl in sorted(cpu):
            this, base = [x[0] for x in cpu[wl]], [x[1] for x in cpu[wl]]
            ratio = [a / b for a, b in cpu[wl] if b > 0]
            print("| %s | %s | %s | %s |" % (wl, mmm(this), mmm(base),
                                             mmm(ratio) if ratio else "-"))


def vs_bpftrace(path):
    d = load(path)
    pm, tm = progs(d, "memhp")
    pt, tt = progs(d, "bpftrace")
    bt = {}
    for k, v in pt.items():
        bt.setdefault(k[:3], []).extend(v)
    ratio = {wl: [a / b for a, b in zip(tm[wl], tt[wl])] for wl in tm if wl in tt}
    return pm, bt, ratio


def before_after(p0, p1):
    runs = [vs_bpftrace(p0), vs_bpftrace(p1)]
    print("| workload | memhp/bpftrace total BPF time, before | after |")
    print("|---|---|---|")
    for wl in WORKLOADS:
        print("| %s | %s |" % (wl, " | ".join(mmm(r[2][wl]) if wl in r[2] else "-" for r in runs)))
    print()
    print("| workload | function | side | program | before: memhp / bpftrace ns (ratio) "
          "| after: memhp / bpftrace ns (ratio) |")
    print("|---|---|---|---|---|---|")
    met, cnt = [0, 0], [0, 0]
    for k in sorted(set(runs[0][0]) | set(runs[1][0])):
        cells = []
        for i, (pm, bt, _) in enumerate(runs):
            if k not in pm:
                cells.append("-")
                continue
            m = st.median(pm[k])
            b = st.median(bt[k[:3]]) if k[:3] in bt else None
            if b:
                cnt[i] += 1
                met[i] += m <= b
                cells.append("%.0f / %.0f (%.2f)" % (m, b, m / b))
            else:
                cells.append("%.0f / -" % m)
        print("| %s | %s | %s | %s | %s | %s |" % (k + tuple(cells)))
    print()
    print("programs at or below bpftrace's median on the same function and side: "
          "before %d of %d, after %d of %d" % (met[0], cnt[0], met[1], cnt[1]))


def main(argv):
    if len(argv) == 2:
        ab_report(argv[1])
    elif len(argv) == 3:
        before_after(argv[1], argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
