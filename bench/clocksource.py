#!/usr/bin/env python3
"""Which clocksource the lab guest runs on, and what one clock read costs.

Under TCG the guest kernel marks the TSC unstable ("TSCs unsynchronized")
and runs on the HPET, whose every read is an emulated MMIO access; real
machines and cloud VMs read the TSC or kvm-clock. A BPF program's
bpf_ktime_get_ns() pays the same read, so it matters to the per-program
figures of `make bench` item 3 (bench/REPORT.md). Boots the lab VM once per
kernel command-line addition given (none: the lab's default) and prints the
clocksource in use and `hpload clockcost` (ns per clock_gettime, the mean of
20,000 calls, twice).
Usage: MEMHP_CACHE=... bench/clocksource.py ["" "clocksource=tsc tsc=reliable" ...]
"""
import os
import sys

sys.dont_write_bytecode = True
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools", "lab"))

from lab import GUEST_WORDS, Lab  # noqa: E402

HPLOAD = "/memhp/build/bench/hpload"


def main():
    extras = sys.argv[1:] or [""]
    for extra in extras:
        if not GUEST_WORDS.match(extra):
            sys.exit("%s: %r: letters, digits and ' =,._-' only" % (sys.argv[0], extra))
    if not os.access(os.path.join(REPO, "build", "bench", "hpload"), os.X_OK):
        sys.exit("%s: build/bench/hpload missing: make build/bench/hpload" % sys.argv[0])
    for extra in extras:
        lab = Lab(name="clocksource", cmdline=("nokaslr " + extra).strip(), hard_timeout=300,
                  share=REPO)
        try:
            lab.boot()
            cs = lab.check("cat /sys/devices/system/clocksource/clocksource0/current_clocksource")
            ns = [lab.check("%s clockcost 20000" % HPLOAD).strip() for _ in range(2)]
            print("cmdline %-32r clocksource %-6s clock_gettime %s ns"
                  % (extra, cs.strip(), " / ".join(ns)), flush=True)
        finally:
            lab.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
