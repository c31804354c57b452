#!/usr/bin/env python3
"""What an idle `memhp trace` costs in CPU time, in the lab VM.

Boots the bench's lab VM (tools/lab: q35, TCG, 4 GiB, a virtio-balloon, a
16 GiB virtio-mem device, a 4 GiB DIMM onlined movable), then for each set
of trace options given starts `memhp trace -J -e all OPTIONS`, waits until
it has attached, and reads its utime + stime (/proc/PID/stat, 10 ms ticks)
over SECONDS of nothing happening, and the scheduler's run time of its
threads (/proc/PID/task/*/schedstat). This is the tracer's own loop (ring
polls every 500 ms once 2 s passed without events, the once-a-second
module/exit/stall checks, the drift check every 5 s doubling to 60 s while
quiet): what `make bench` item 3 counts as "process CPU" on a workload that
runs no memhp BPF program (the balloon).

With --dimm-cycle N, also the tracer's CPU time over each of N offline+online
cycles of the DIMM's blocks and the 3 s after (events, the drift check).
With --base REV|BIN, an earlier build runs the same way right after this
one, for each option set, in the same VM.
Usage: MEMHP_CACHE=... bench/idle.py [--seconds 30] [--dimm-cycle N] [--base REV|BIN] [OPTIONS ...]
  e.g. bench/idle.py "" "--no-reconcile"   (an empty string: no options)
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "lab"))

from lab import Lab, VirtioMem  # noqa: E402


def run_s(lab, pid):
    """CPU time of all threads of pid from the scheduler's own clock
    (/proc/PID/task/*/schedstat, ns): not sampled at ticks, which charge a
    whole 4 ms tick to a process that happened to run when it came."""
    out = lab.check("cat /proc/%d/task/*/schedstat" % pid)
    return sum(int(line.split()[0]) for line in out.splitlines() if line.strip()) / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--dimm-cycle", type=int, default=0, metavar="N",
                    help="then also the CPU time of each of N offline+online cycles of the "
                         "DIMM's blocks (bench/hpload cycle, as make bench's workload (c)) and "
                         "the 3 s after each")
    ap.add_argument("--base", metavar="REV|BIN", default="",
                    help="run an earlier build's memhp-static too, right after this one's, "
                         "for each option set (a commit, built by bench/baseline.py, or a "
                         "file under this repository)")
    ap.add_argument("options", nargs="*", default=[""],
                    help="trace option sets, one argument each ('' for none)")
    # an option set that starts with "-" ("--no-reconcile") is not ours:
    # taken as given, in order, with the positional ones
    a, extra = ap.parse_known_args()
    unknown = [x for x in extra if x.startswith("--seconds")]
    if unknown:
        ap.error("--seconds needs a value: %s" % unknown[0])
    a.options = [x for x in sys.argv[1:] if x in a.options or x in extra] or [""]
    if not 1 <= a.seconds <= 600:
        ap.error("--seconds: 1 to 600")
    builds = [("this", None)]
    if a.base:
        import baseline  # noqa: E402  (bench/baseline.py; builds with run.py's helpers)
        import run as bench_run  # noqa: E402
        try:
            builds.append(("base", baseline.guest_static(bench_run, a.base, "--base")))
        except ValueError as e:
            ap.error(str(e))
    lab = Lab(name="idle", default_state="online_movable", balloon=True, cmdline="nokaslr",
              virtio_mem=[VirtioMem("vm0", size="16G")],
              hard_timeout=int(120 + len(builds) * len(a.options) *
                               (a.seconds + 90 + 60 * a.dimm_cycle)),
              share=REPO)
    try:
        lab.boot()
        before = len(lab.online_blocks())
        dev = lab.add_dimm("4G")
        lab.wait_online_count(before + len(lab.device_blocks(dev)), timeout=180)
        for opts, (build, binary) in [(o, b) for o in a.options for b in builds]:
            lab.check("%s trace -J -e all %s >/tmp/t.out 2>/tmp/t.err & echo $! >/tmp/t.pid"
                      % (binary or lab.memhp(), opts))
            lab.wait_until("grep -q attached /tmp/t.err", timeout=60, what="trace attached")
            pid = int(lab.check("cat /tmp/t.pid"))
            time.sleep(3)  # past the first drift check
            c0, r0, t0 = sum(lab.proc_cpu(pid)), run_s(lab, pid), time.monotonic()
            time.sleep(a.seconds)
            c1, r1, t1 = sum(lab.proc_cpu(pid)), run_s(lab, pid), time.monotonic()
            print("%s: trace -J -e all %-20s idle CPU %.2f s over %.1f s (%.2f%%); scheduler "
                  "run time %.3f s" % (build, repr(opts), c1 - c0, t1 - t0, 100 * (c1 - c0) / (t1 - t0),
                                       r1 - r0), flush=True)
            for cycle in range(a.dimm_cycle):
                blocks = lab.device_blocks(dev)
                u0, s0 = lab.proc_cpu(pid)
                r0 = run_s(lab, pid)
                l0 = int(lab.check("wc -l </tmp/t.out"))
                out = lab.check("/memhp/build/bench/hpload cycle %d %d 1" % (blocks[0], blocks[-1]),
                                timeout=600)
                time.sleep(3)  # the drift check after the burst
                u1, s1 = lab.proc_cpu(pid)
                r1 = run_s(lab, pid)
                lines = int(lab.check("wc -l </tmp/t.out")) - l0
                print("%s: trace -J -e all %-20s DIMM cycle %d (%d blocks, %.2f s, %d events) + 3 s: "
                      "CPU %.2f s (user %.2f, system %.2f); scheduler run time %.3f s" % (
                          build, repr(opts), cycle + 1, len(blocks), int(out.split()[-1]) / 1e9, lines,
                          u1 - u0 + s1 - s0, u1 - u0, s1 - s0, r1 - r0), flush=True)
            lab.check("kill -TERM %d; i=0; while kill -0 %d 2>/dev/null && [ $i -lt 50 ]; "
                      "do sleep 0.1; i=$((i+1)); done" % (pid, pid))
    finally:
        lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
