#!/usr/bin/env python3
"""Why a tracer's own memory slows memory offlining (docs/DESIGN-NOTES.md).

One lab VM (4 GiB boot RAM + a 4 GiB DIMM onlined movable = 32 blocks).
Each variant starts a background command (or nothing), then times
`hpload cycle` (the DIMM's 32 blocks offlined, then onlined), twice, and
prints the time and the command's CPU seconds in the guest.

Usage: bench/placement.py NAME=COMMAND ...   (COMMAND empty: untraced)
The command must print a line starting with 'memhp: attached' on stderr once
ready (memhp trace does). Example, as used for the notes:
  M=/memhp/build/memhp-static
  python3 bench/placement.py off= "memhp=$M trace -J -e all >/tmp/e.out" \\
     "hog16m=sh -c 'head -c 16777216 /dev/zero >/tmp/hog; echo memhp: attached >&2; exec sleep 1000'"
"""
import json
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "lab"))
from lab import Lab  # noqa: E402

HP = "/memhp/build/bench/hpload"


def main():
    variants = [v.split("=", 1) for v in sys.argv[1:]]
    if not variants or any(len(v) != 2 for v in variants):
        print(__doc__, file=sys.stderr)
        return 2
    lab = Lab(name="placement", default_state="online_movable", cmdline="nokaslr",
              hard_timeout=1200, share=REPO)
    res = {}
    try:
        lab.boot()
        before = set(lab.online_blocks())
        dev = lab.add_dimm("4G")
        blocks = lab.device_blocks(dev)
        lab.wait_online_count(len(before) + len(blocks), timeout=180)
        cycle = "%s cycle %d %d 1" % (HP, blocks[0], blocks[-1])
        lab.check(cycle, timeout=600)  # warm-up
        for rep in range(2):
            for name, cmd in variants:
                pid = None
                if cmd:
                    out = lab.check(
                        "rm -f /tmp/e.err /tmp/hog; %s 2>/tmp/e.err & echo $!; n=0; "
                        "until grep -q '^memhp: attached' /tmp/e.err; do n=$((n+1)); "
                        "[ $n -gt 6000 ] && break; usleep 10000; done" % cmd, timeout=120)
                    pid = int(out.split()[0])
                    c0 = sum(lab.proc_cpu(pid))
                t = int(lab.check(cycle, timeout=600).split()[-1]) / 1e9
                cpu = None
                if pid:
                    cpu = round(sum(lab.proc_cpu(pid)) - c0, 2)
                    lab.run("kill -TERM %d" % pid)
                    lab.wait_until("! kill -0 %d" % pid, timeout=120, interval=0.1, what="exit")
                    lab.run("rm -f /tmp/hog /tmp/e.out")
                res.setdefault(name, []).append({"s": round(t, 3), "cpu_s": cpu})
                print("%-10s round %d: %.3f s, command CPU %s s" % (name, rep + 1, t, cpu), flush=True)
    finally:
        lab.stop()
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
