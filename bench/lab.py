#!/usr/bin/env python3
"""The lab part of `make bench` (items 3 and 5): tracing overhead and attach
time on the real kernel (Debian 6.1 under QEMU, tools/lab).

One VM (4 GiB boot RAM, a 4 GiB DIMM = 32 blocks onlined movable, a 16 GiB
virtio-mem device, a virtio-balloon). Each round runs the three workloads
under each tracer mode, in a rotated order (interleaved, so drift of the
shared host hits every mode alike):
  off       no tracer
  memhp     memhp trace -J -e all (every memhp probe, balloon counters too)
  bpftrace  Debian's bpftrace with bench/memhp-equiv.bt (the same functions)
  control   no tracer, but an idle tmpfs file as large as memhp's resident
            memory (VmRSS measured once before the rounds): what memhp's
            pages alone cost when the workload offlines the memory they sit
            in (user pages prefer ZONE_MOVABLE; docs/DESIGN-NOTES.md)
  memhp-base  (not by default) an earlier build's memhp, run as memhp is
            (--memhp-base REV|BIN): a BPF change side by side in one VM,
            read by bench/compare.py
Workloads:
  balloon   inflate by 2 GiB, then deflate (virtio-balloon, per-page
            callbacks); host-timed from the QMP request until QEMU's
            `actual` reaches the target
  vmem      virtio-mem requested-size 16 GiB then 0; host-timed from the
            qom-set until the guest's MemTotal has changed by 16 GiB (plug)
            and the device reports 0 plugged (unplug)
  dimm      the DIMM's 32 blocks offlined then onlined (movable) through
            sysfs, timed in the guest by bench/hpload
Per tracer session: attach time (start until every probe is attached:
memhp's 'attached' report, bpftrace's BEGIN), BPF program run time and
count from /proc/PID/fdinfo with kernel.bpf_stats_enabled=1 (before/after
each workload), lost events (memhp's exit summary, bpftrace's 'Lost').

Usage: bench/lab.py --out FILE.json [--rounds N] [--timeout SECS] [--modes off,memhp,bpftrace,control]
                    [--workloads balloon,vmem,dimm] [--memhp-base REV|BIN]
Writes the raw samples as JSON; bench/run.py turns them into tables.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "lab"))

from lab import GUEST_WORDS, KERNEL_DIR, Lab, VirtioMem, MIB, GIB  # noqa: E402

BP_HOST = os.path.join(REPO, "bench", "out", "bproot")
BP = "/tmp/bp"   # guest copy (tmpfs): 9p reads of libLLVM would be timed otherwise
HPLOAD = "/memhp/build/bench/hpload"
MODES = ("off", "memhp", "bpftrace", "control", "memhp-base")
MEMHP_ARGS = ""  # --memhp-args: more options for memhp trace (e.g. --watch-notifiers)
MEMHP_BASE = ""  # --memhp-base: the guest path of an earlier build's memhp-static


def log(msg):
    sys.stderr.write("bench/lab: %s\n" % msg)
    sys.stderr.flush()


def prog_stats(lab, pid):
    """{prog_id: (run_time_ns, run_cnt, name, attach_type, attach_btf_id)} of
    the BPF programs process pid holds, as program fds or through links
    (hpload progstats; attach_type from the link's fdinfo: 24 fentry, 25
    fexit, -1 unknown; attach_btf_id: the traced function's id in the
    kernel's BTF, 0 unknown)."""
    out = lab.check("%s progstats %d" % (HPLOAD, pid))
    res = {}
    for ln in out.splitlines():
        f = ln.split()
        if len(f) in (4, 5, 6) and f[0].isdigit():
            res[int(f[0])] = (int(f[2]), int(f[3]), f[1], int(f[4]) if len(f) >= 5 else -1,
                              int(f[5]) if len(f) == 6 else 0)
    return res


def stats_delta(a, b):
    d = {}
    for pid_, (t, c, name, at, btf_id) in b.items():
        t0, c0 = a.get(pid_, (0, 0))[:2]
        if c - c0:
            d[pid_] = (t - t0, c - c0, name, at, btf_id)
    return d


def btf_func_names(ids):
    """{btf id: function name} for the ids of traced functions, from the lab
    kernel's BTF (its vmlinux in the kernel cache, through bpftool); {} when
    either is missing (the report then falls back to 15-character names)."""
    vml = os.path.join(KERNEL_DIR, "vmlinux")
    want = {i for i in ids if i}
    if not want or not os.path.isfile(vml):
        return {}
    try:
        r = subprocess.run(["bpftool", "btf", "dump", "file", vml], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, universal_newlines=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    names = {}
    for m in re.finditer(r"^\[(\d+)\] FUNC '([^']+)'", r.stdout, re.M):
        if int(m.group(1)) in want:
            names[int(m.group(1))] = m.group(2)
    return names


class Tracer:
    def __init__(self, lab, mode, control_bytes=0):
        self.lab, self.mode, self.pid = lab, mode, None
        self.control_bytes = control_bytes

    def start(self):
        """Start; returns seconds until every probe is attached (guest clock)."""
        if self.mode == "control":
            self.lab.check("head -c %d /dev/zero >/tmp/control" % self.control_bytes)
            self.pid = None
            return 0.0
        if self.mode in ("memhp", "memhp-base"):
            # memhp-base: an earlier build, run the same way in the same VM,
            # so a change's effect per program is a ratio within each round
            cmd = ("%s trace -J -e all %s >/tmp/tr.out 2>/tmp/tr.err"
                   % ("/memhp/build/memhp-static" if self.mode == "memhp" else MEMHP_BASE,
                      MEMHP_ARGS))
            ready = "grep -q '^memhp: attached' /tmp/tr.err"
        else:
            cmd = ("%s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/bpftrace "
                   "/memhp/bench/memhp-equiv.bt >/tmp/tr.out 2>/tmp/tr.err" % (BP, BP, BP))
            ready = "grep -q '^ready' /tmp/tr.out"
        script = ("rm -f /tmp/tr.out /tmp/tr.err; t0=$(%s now); %s & pid=$!; n=0; "
                  "until %s; do kill -0 $pid 2>/dev/null || { echo DEAD $pid; exit 1; }; "
                  "n=$((n+1)); [ $n -gt 12000 ] && { echo TIMEOUT $pid; exit 1; }; usleep 5000; done; "
                  "t1=$(%s now); echo $pid $((t1-t0))" % (HPLOAD, cmd, ready, HPLOAD))
        rc, out = self.lab.run(script, timeout=120)
        if rc != 0:
            err = self.lab.run("cat /tmp/tr.err /tmp/tr.out | tail -20")[1]
            raise RuntimeError("%s did not start: %s\n%s" % (self.mode, out, err))
        pid, ns = out.split()[-2:]
        self.pid = int(pid)
        return int(ns) / 1e9

    def stop(self):
        """Stop; returns (lost events, tail of its report)."""
        if self.mode == "control":
            self.lab.check("rm -f /tmp/control")
            return 0, ""
        self.lab.run("kill -INT %d" % self.pid)
        self.lab.wait_until("! kill -0 %d" % self.pid, timeout=120, interval=0.1,
                            what="%s exit" % self.mode)
        err = self.lab.check("cat /tmp/tr.err; echo ===; tail -c 4000 /tmp/tr.out")
        if self.mode in ("memhp", "memhp-base"):
            m = re.findall(r"(\d+) lost", err)
            lost = int(m[-1]) if m else None
        else:
            m = re.findall(r"Lost (\d+) events", err)
            lost = sum(int(x) for x in m)
        return lost, err[-1500:]


def w_balloon(lab, mib=2048):
    a0 = lab.balloon_actual()
    t0 = time.monotonic()
    lab.balloon(a0 // MIB - mib)
    lab.wait_until(lambda: lab.balloon_actual() <= a0 - mib * MIB, timeout=300, interval=0.02,
                   what="balloon inflated by %d MiB" % mib)
    t1 = time.monotonic()
    lab.balloon(a0 // MIB)
    lab.wait_until(lambda: lab.balloon_actual() >= a0, timeout=300, interval=0.02,
                   what="balloon deflated")
    t2 = time.monotonic()
    return {"inflate": t1 - t0, "deflate": t2 - t1, "total": t2 - t0}


def memtotal_kb(lab):
    return lab.meminfo()["MemTotal"]


def w_vmem(lab, base_kb, gib=16):
    t0 = time.monotonic()
    lab.virtio_mem_resize("vm0", "%dG" % gib)
    lab.wait_until("[ $(sed -n 's/^MemTotal: *\\([0-9]*\\).*/\\1/p' /proc/meminfo) -ge %d ]"
                   % (base_kb + gib * GIB // 1024), timeout=600, interval=0.02,
                   what="%d GiB plugged and online" % gib)
    t1 = time.monotonic()
    lab.virtio_mem_resize("vm0", "0")
    lab.wait_until(lambda: lab.virtio_mem_info("vm0")["size"] == 0, timeout=600, interval=0.02,
                   what="virtio-mem unplugged")
    lab.wait_until("[ $(sed -n 's/^MemTotal: *\\([0-9]*\\).*/\\1/p' /proc/meminfo) -le %d ]"
                   % base_kb, timeout=120, interval=0.02, what="MemTotal back to base")
    t2 = time.monotonic()
    return {"plug": t1 - t0, "unplug": t2 - t1, "total": t2 - t0}


def w_dimm(lab, first, last):
    out = lab.check("%s cycle %d %d 1" % (HPLOAD, first, last), timeout=600)
    return {"total": int(out.split()[-1]) / 1e9}


def warm(lab, wls, base_kb, blocks):
    if "balloon" in wls:
        w_balloon(lab, 64)
    if "vmem" in wls:
        w_vmem(lab, base_kb, 1)
    if "dimm" in wls:
        w_dimm(lab, blocks[0], blocks[0] + 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=int, default=1500, help="hard limit of the VM (s)")
    ap.add_argument("--modes", default=",".join(MODES[:4]),
                    help="subset of off,memhp,bpftrace,control,memhp-base")
    ap.add_argument("--workloads", default="balloon,vmem,dimm", help="subset of balloon,vmem,dimm")
    ap.add_argument("--memhp-args", default="", help="more options for memhp trace, as one "
                    "string (e.g. --memhp-args=--watch-notifiers)")
    ap.add_argument("--memhp-base", default="", metavar="REV|BIN",
                    help="for mode memhp-base: a commit, built by bench/baseline.py into "
                    "bench/out/baseline-SHA/ (cached), or a memhp-static under this repository")
    a = ap.parse_args()
    global MEMHP_ARGS, MEMHP_BASE
    if not GUEST_WORDS.match(a.memhp_args):
        ap.error("--memhp-args: letters, digits and ' =,._-' only (a guest shell line)")
    MEMHP_ARGS = a.memhp_args
    if a.memhp_base and "memhp-base" not in a.modes.split(","):
        ap.error("--memhp-base is for mode memhp-base: add it to --modes")
    if "memhp-base" in a.modes.split(","):
        import baseline  # noqa: E402  (bench/baseline.py; builds with run.py's helpers)
        import run as bench_run  # noqa: E402
        try:
            MEMHP_BASE = baseline.guest_static(bench_run, a.memhp_base, "--memhp-base")
        except ValueError as e:
            ap.error("mode memhp-base needs %s" % e)
    modes = tuple(m for m in MODES if m in a.modes.split(","))
    wls = a.workloads.split(",")
    res = {"rounds_asked": a.rounds, "rounds": [], "errors": []}
    t_start = time.monotonic()
    lab = Lab(name="bench", default_state="online_movable", balloon=True, cmdline="nokaslr",
              virtio_mem=[VirtioMem("vm0", size="16G")], hard_timeout=a.timeout,
              share=REPO)
    try:
        lab.boot()
        res["kernel"] = lab.check("uname -r").strip()
        res["qemu"] = "q35, TCG, %d vCPUs, 4 GiB boot RAM" % lab.cpus
        if "bpftrace" in modes:
            lab.check("mkdir -p %s && cp -r /memhp/bench/out/bproot/. %s/" % (BP, BP), timeout=300)
        lab.check("sysctl -w kernel.bpf_stats_enabled=1")
        before = set(lab.online_blocks())
        dev = lab.add_dimm("4G")
        blocks = lab.device_blocks(dev)
        lab.wait_online_count(len(before) + len(blocks), timeout=180)
        res["dimm_blocks"] = [blocks[0], blocks[-1]]
        base_kb = memtotal_kb(lab)
        # one untimed warm-up of every workload (first-touch effects)
        if "balloon" in wls:
            w_balloon(lab)
        if "vmem" in wls:
            w_vmem(lab, base_kb)
        if "dimm" in wls:
            w_dimm(lab, blocks[0], blocks[-1])
        control_bytes = 0
        if "control" in modes:
            tr = Tracer(lab, "memhp")
            tr.start()
            control_bytes = int(lab.check("awk '/^VmRSS:/ {print $2}' /proc/%d/status"
                                          % tr.pid).strip()) * 1024
            tr.stop()
            res["control_bytes"] = control_bytes
        budget = a.timeout - 120
        for r in range(a.rounds):
            el = time.monotonic() - t_start
            if r and el / r * (r + 1) > budget:
                res["errors"].append("stopped after %d rounds: the next would pass the %ds budget"
                                     % (r, budget))
                break
            order = modes[r % len(modes):] + modes[:r % len(modes)]
            rnd = {}
            for mode in order:
                s = {}
                tr = None
                if mode != "off":
                    tr = Tracer(lab, mode, control_bytes)
                    s["attach_s"] = tr.start()
                # TCG translates newly JITed code on its first runs (each
                # tracer start JITs its programs anew): a small pass of
                # every workload first, so ns/run and slowdowns are the
                # steady state a real CPU has from the start; every mode
                # does it, untraced too
                warm(lab, wls, base_kb, blocks)
                for name, fn in (("balloon", lambda: w_balloon(lab)),
                                 ("vmem", lambda: w_vmem(lab, base_kb)),
                                 ("dimm", lambda: w_dimm(lab, blocks[0], blocks[-1]))):
                    if name not in wls:
                        continue
                    p0 = prog_stats(lab, tr.pid) if tr and tr.pid else {}
                    c0 = sum(lab.proc_cpu(tr.pid)) if tr and tr.pid else 0.0
                    s[name] = fn()
                    if tr and tr.pid:
                        # the tracer's own CPU time over the workload: with
                        # its BPF time, everything it costs the machine
                        s[name]["tracer_cpu_s"] = sum(lab.proc_cpu(tr.pid)) - c0
                        d = stats_delta(p0, prog_stats(lab, tr.pid))
                        s[name]["bpf"] = {"run_time_ns": sum(v[0] for v in d.values()),
                                          "run_cnt": sum(v[1] for v in d.values()),
                                          "progs": {str(k): v for k, v in sorted(d.items())}}
                if tr and tr.pid:
                    s["nprogs"] = len(prog_stats(lab, tr.pid))
                if tr:
                    s["lost"], s["report"] = tr.stop()
                rnd[mode] = s
                log("round %d %s: %s" % (r + 1, mode, json.dumps(
                    {k: (v.get("total") if isinstance(v, dict) else v) for k, v in s.items()
                     if k != "report"})))
            res["rounds"].append(rnd)
    except Exception as e:  # report what ran, and why the rest did not
        res["errors"].append("%s: %s" % (type(e).__name__, str(e)[:2000]))
        log("error: %s" % e)
    finally:
        res["elapsed_s"] = time.monotonic() - t_start
        lab.stop()
        res["btf_funcs"] = {str(k): v for k, v in btf_func_names(
            v[4] for rnd in res["rounds"] for s in rnd.values() if isinstance(s, dict)
            for w in s.values() if isinstance(w, dict)
            for v in w.get("bpf", {}).get("progs", {}).values() if len(v) > 4).items()}
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
    return 0 if res["rounds"] else 1


if __name__ == "__main__":
    sys.exit(main())
