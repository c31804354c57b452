"""The online-daemon as its shipped systemd unit runs it, on the real kernel,
installed from the Debian package (tests/vm/debpkg.py; test_deb_installed
checks the installation, same boot): the installed unit's ExecStart verbatim
(/usr/sbin/memhp, the package's dynamically linked binary) under exactly the
unit's CapabilityBoundingSet (tests/vm/helpers/capbound.c; busybox's setpriv
has no --bounding-set), as root, with dmesg_restrict=1 as on Debian. It must
attach its BPF probes (mode: events), and a DIMM hot-plugged while it runs
must come online whole, with the zone the policy says (1 GiB next to 2 GiB of
boot memory: MOVABLE under ratio 301), written to sysfs by the bounded
process."""
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import debpkg  # noqa: E402
from lab import REPO  # noqa: E402

LAB = dict(debpkg.LAB)
UNIT = "/lib/systemd/system/memhp-online-daemon.service"  # where the package installs it
MEM = "/sys/devices/system/memory"


def _unit(lab):
    """(capabilities, ExecStart argv) of the unit the package installed."""
    caps, argv = None, None
    for ln in lab.check("cat %s" % UNIT).splitlines():
        if ln.startswith("CapabilityBoundingSet="):
            caps = ln.split("=", 1)[1].split()
        elif ln.startswith("ExecStart="):
            argv = shlex.split(ln.split("=", 1)[1])
    assert caps and argv, "no CapabilityBoundingSet/ExecStart in the installed %s" % UNIT
    return caps, argv


def _capbound():
    out = os.path.join(REPO, "build", "tests", "capbound")
    src = os.path.join(REPO, "tests", "vm", "helpers", "capbound.c")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run(["gcc", "-O2", "-Wall", "-static", src, "-o", out], check=True, timeout=120)
    return "/memhp/build/tests/capbound"


def _mask(caps):
    bits = {"CAP_SYS_ADMIN": 21, "CAP_SYS_RESOURCE": 24, "CAP_SYSLOG": 34, "CAP_PERFMON": 38,
            "CAP_BPF": 39, "CAP_SETUID": 7, "CAP_SETGID": 6}
    return sum(1 << bits[c] for c in caps)


def test_online_daemon_under_unit_caps(lab):
    debpkg.install(lab)
    caps, argv = _unit(lab)
    assert argv[0] == debpkg.MEMHP and argv[1] == "online-daemon", argv
    policy = argv[argv.index("--policy") + 1]
    lab.check("mkdir -p %s && printf 'version: 1\\nrules:\\n  - {name: r301, rule: max-ratio, max: 301}\\n' >%s"
              % (os.path.dirname(policy), policy))
    lab.check("echo 1 >/proc/sys/kernel/dmesg_restrict")
    cmd = " ".join(shlex.quote(a) for a in [_capbound(), ",".join(caps)] + argv)
    lab.check("%s >/tmp/d.out 2>/tmp/d.err & echo $! >/tmp/d.pid" % cmd)
    try:
        lab.wait_until("grep -q 'mode:' /tmp/d.err || ! kill -0 $(cat /tmp/d.pid)", timeout=90,
                       what="online-daemon started")
        err = lab.check("cat /tmp/d.err")
        assert lab.run("kill -0 $(cat /tmp/d.pid)")[0] == 0, "online-daemon exited:\n" + err
        assert "mode: events" in err, "no BPF under the unit's capabilities:\n" + err
        st = lab.check("cat /proc/$(cat /tmp/d.pid)/status")
        bnd = int(re.search(r"CapBnd:\s*([0-9a-f]+)", st).group(1), 16)
        eff = int(re.search(r"CapEff:\s*([0-9a-f]+)", st).group(1), 16)
        assert bnd == _mask(caps) and eff & ~bnd == 0, (hex(bnd), hex(eff), caps)

        dev = lab.add_dimm("1G")
        blocks = lab.device_blocks(dev)
        assert len(blocks) == 8, blocks

        def all_online():
            b = lab.blocks()
            return all(x in b and b[x].state == "online" for x in blocks)
        lab.wait_until(all_online, timeout=120, interval=1, what="the DIMM onlined by the daemon")
        b = lab.blocks()
        zones = set(b[x].zone for x in blocks)
        out = lab.check("cat /tmp/d.out")
        done = set(int(m) for m in re.findall(r"^online\s+memory(\d+) online_movable", out, re.M))
        print("online-daemon under %s: %s; %d blocks online_movable, zones %s"
              % (",".join(caps), err.splitlines()[0][:100], len(done), zones))
        assert zones == {"Movable"}, (zones, out)
        assert done == set(blocks), out
    finally:
        lab.run("kill -TERM $(cat /tmp/d.pid)")
        lab.wait_until("! kill -0 $(cat /tmp/d.pid)", timeout=20, what="online-daemon exit")
    err = lab.check("cat /tmp/d.err")
    assert re.search(r"8 onlined, 0 failed", err), err
