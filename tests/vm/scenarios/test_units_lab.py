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
UNITDIR = "/lib/systemd/system"  # where the package installs its units
UNIT = UNITDIR + "/memhp-online-daemon.service"
EXPORTER_UNIT = UNITDIR + "/memhp-exporter.service"
MEM = "/sys/devices/system/memory"


def _unit(lab, unit=UNIT):
    """(capabilities, ExecStart argv) of the unit the package installed."""
    caps, argv = None, None
    for ln in lab.check("cat %s" % unit).splitlines():
        if ln.startswith("CapabilityBoundingSet="):
            caps = ln.split("=", 1)[1].split()
        elif ln.startswith("ExecStart="):
            argv = shlex.split(ln.split("=", 1)[1])
    assert caps and argv, "no CapabilityBoundingSet/ExecStart in the installed %s" % unit
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


# What the exporter's main thread keeps after attaching (docs/SECURITY.md,
# as test_trace_policy checks for the static binary): CAP_BPF, CAP_PERFMON,
# CAP_SYSLOG, CAP_SYS_ADMIN; its HTTP threads run as nobody with none.
KEPT_CAPS = (1 << 39) | (1 << 38) | (1 << 34) | (1 << 21)


def _threads(lab, pid):
    """{tid: (uid, CapPrm, CapEff)} of every thread of pid."""
    out = lab.check("for t in /proc/%d/task/*; do echo $(basename $t) "
                    "$(awk '/^Uid:/{print $2} /^CapPrm:/{print $2} /^CapEff:/{print $2}' "
                    "$t/status); done" % pid)
    res = {}
    for ln in out.splitlines():
        tid, uid, prm, eff = ln.split()
        res[int(tid)] = (int(uid), int(prm, 16), int(eff, 16))
    return res


def _start(lab, caps, argv, tag):
    cmd = " ".join(shlex.quote(a) for a in [_capbound(), ",".join(caps)] + argv)
    lab.check("%s >/tmp/%s.out 2>/tmp/%s.err & echo $! >/tmp/%s.pid" % (cmd, tag, tag, tag))
    return int(lab.check("cat /tmp/%s.pid" % tag))


def test_exporter_under_unit_caps(lab):
    """The installed exporter unit's ExecStart under the unit's bounding set:
    it serves on the unit's address and its HTTP threads are nobody (the
    first finding of #15: without CAP_SETUID/CAP_SETGID in the unit the
    thread kept uid 0 silently). The same command without those two must
    refuse to serve, loudly."""
    debpkg.install(lab)
    caps, argv = _unit(lab, EXPORTER_UNIT)
    assert argv[0] == debpkg.MEMHP and argv[1] == "export", argv
    assert "CAP_SETUID" in caps and "CAP_SETGID" in caps, caps
    listen = argv[argv.index("--listen") + 1]
    lab.check("echo 1 >/proc/sys/kernel/dmesg_restrict")
    pid = _start(lab, caps, argv, "x")
    try:
        lab.wait_until("wget -q -O /tmp/x.metrics http://%s/metrics || ! kill -0 %d"
                       % (listen, pid), timeout=90, what="exporter serving on " + listen)
        err = lab.check("cat /tmp/x.err")
        assert lab.run("kill -0 %d" % pid)[0] == 0, "exporter exited:\n" + err
        assert "memhp_blocks" in lab.check("cat /tmp/x.metrics"), "no memhp metrics"
        th = _threads(lab, pid)
        others = [v for t, v in th.items() if t != pid]
        print("exporter under %s: threads %s" % (",".join(caps), th))
        assert th[pid] == (0, KEPT_CAPS, KEPT_CAPS), th
        assert others and all(v == (65534, 0, 0) for v in others), th
    finally:
        lab.run("kill -TERM %d" % pid)
        lab.wait_until("! kill -0 %d" % pid, timeout=20, what="exporter exit")

    # the unit as it was before #15: no CAP_SETUID/CAP_SETGID
    weak = [c for c in caps if c not in ("CAP_SETUID", "CAP_SETGID")]
    cmd = " ".join(shlex.quote(a) for a in [_capbound(), ",".join(weak)] + argv)
    lab.check("(%s >/dev/null 2>/tmp/w.err; echo $? >/tmp/w.rc) >/dev/null 2>&1 &" % cmd)
    lab.wait_until("[ -s /tmp/w.rc ] || wget -q -O /dev/null http://%s/metrics" % listen,
                   timeout=90, what="exporter refusing without CAP_SETUID/CAP_SETGID")
    served = lab.run("wget -q -O /dev/null http://%s/metrics" % listen)[0] == 0
    err = lab.check("cat /tmp/w.err")
    print("exporter under %s: %s" % (",".join(weak), err.strip().splitlines()[-1:]))
    assert not served, "served without being able to drop to nobody:\n" + err
    assert lab.check("cat /tmp/w.rc").strip() == "1", err
    assert "cannot leave uid 0" in err and "CAP_SETUID" in err, err
