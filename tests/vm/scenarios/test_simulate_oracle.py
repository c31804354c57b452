"""memhp simulate as a test oracle: before each hotplug step the guest runs
`memhp simulate` with the same operation from the live state, then the step
is done for real (QEMU DIMM / virtio-mem, sysfs writes), and the prediction
must equal the kernel's sysfs block for block: state, zone of online blocks,
valid_zones of offline ones, node. Each scenario also predicts its whole
sequence up front and compares the final state (the simulator's own state
updates: spans growing and shrinking, group counters).

Boots: A) 2 GiB, one node, memhp_default_state=online, auto-movable 301,
a virtio-mem device (SBM); ratio 0 and contig-zones are set at runtime.
B) 4 GiB over two nodes, memhp_default_state=offline, auto-movable ratio 0
on the command line, virtio-mem on node 1 (SBM) and node 0 (BBM, 512 MiB
units); ratio 301 and numa-aware N at runtime. C) contig-zones with
movable_node."""
import json
import os
import shlex
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from lab import VirtioMem, parse_size, scenario  # noqa: E402

MEM = "/sys/devices/system/memory"
PARAMS = "/sys/module/memory_hotplug/parameters"
DEV_BIN = "/memhp/build/dev-simulate-static"

LAB = dict(name="simulate-a", ram="2G", default_state="online",
           cmdline="nokaslr memory_hotplug.online_policy=auto-movable "
                   "memory_hotplug.auto_movable_ratio=301",
           virtio_mem=[VirtioMem(id="vm0", size="8G", node=0, block_size="2M")],
           hard_timeout=240)

LAB_B = dict(name="simulate-b", ram="4G", numa=2, default_state="offline",
             cmdline="nokaslr memory_hotplug.online_policy=auto-movable "
                     "memory_hotplug.auto_movable_ratio=0",
             virtio_mem=[VirtioMem(id="vm1", size="4G", node=1, block_size="2M"),
                         VirtioMem(id="vm2", size="4G", node=0, block_size="512M")],
             hard_timeout=240)

LAB_C = dict(name="simulate-c", ram="2G", default_state="online",
             cmdline="nokaslr movable_node", virtio_mem=(), hard_timeout=120)


class Oracle:
    """Runs the simulator in the guest and checks the kernel against it."""

    def __init__(self, lab, name):
        self.lab = lab
        self.name = name
        self.n = 0
        self.log = []
        rc, _ = lab.run("/memhp/build/memhp-static simulate --help >/dev/null 2>&1")
        if rc == 0:
            self.bin = "/memhp/build/memhp-static simulate"
        else:
            host = lab.host_path(DEV_BIN)
            assert os.access(host, os.X_OK), "no simulator binary: build %s" % DEV_BIN
            self.bin = DEV_BIN

    def simulate(self, ops, extra=""):
        self.n += 1
        out = "/lab/sim-%s-%d.json" % (self.name, self.n)
        cmd = "%s -J %s %s >%s" % (self.bin, extra, " ".join(shlex.quote(o) for o in ops), out)
        rc, text = self.lab.run(cmd + " 2>&1", timeout=120)
        with open(self.lab.host_path(out)) as f:
            data = f.read()
        assert rc == 0, "simulate failed (rc %d): %s\n%s" % (rc, cmd, text)
        res = json.loads(data)
        assert res["ok"], res
        return res

    def vmem_name(self, dev):
        """Guest name (virtioN, as /proc/iomem shows it) of a QEMU virtio-mem device."""
        addr = self.lab.memory_devices()[dev]["memaddr"]
        out = self.lab.check("grep -E '^ *%x-[0-9a-f]+ : virtio[0-9]+$' /proc/iomem" % addr)
        return out.split(":")[-1].strip()

    def real(self, op, vmem_ids):
        """Do @op for real."""
        w = op.split()
        kw = dict(x.split("=", 1) for x in w[1:] if "=" in x)
        if w[0] == "dimm":
            return self.lab.add_dimm(w[1], node=int(kw.get("node", 0)))
        elif w[0] == "virtio-mem":
            dev = vmem_ids[kw["dev"]]
            now = self.lab.virtio_mem_info(dev)["requested-size"]
            self.lab.virtio_mem_resize(dev, now + parse_size(w[1]))
        elif w[0] in ("online", "offline"):
            what = w[2] if w[0] == "online" and len(w) > 2 else w[0]
            for b in expand(w[1]):
                self.lab.check("echo %s > %s/memory%d/state" % (what, MEM, b))
        elif w[0] == "online-all":
            what = w[1] if len(w) > 1 else "online"
            self.lab.check("cd %s && for b in $(grep -l '^offline' memory*/state | "
                           "sed 's,^memory,,;s,/state$,,' | sort -n); do "
                           "echo %s > memory$b/state || exit 1; done" % (MEM, what))
        elif w[0] == "set":
            files = {"ratio": PARAMS + "/auto_movable_ratio",
                     "policy": PARAMS + "/online_policy",
                     "numa-aware": PARAMS + "/auto_movable_numa_aware",
                     "auto-online": MEM + "/auto_online_blocks"}
            for k, v in kw.items():
                self.lab.check("echo %s > %s" % (v, files[k]))
        else:
            raise AssertionError("no real action for %r" % op)

    def wait_match(self, sim, what, timeout=120):
        """Wait until every predicted block exists with its predicted state."""
        want = {b["block"]: b["state"] for b in sim["blocks"]}

        def ready():
            have = self.lab.blocks(zones=False)
            return all(b in have and have[b].state == s for b, s in want.items())
        self.lab.wait_until(ready, timeout=timeout, interval=1.0, what=what)

    def compare(self, sim, what):
        have = self.lab.blocks(zones=True)
        want = {b["block"]: b for b in sim["blocks"]}
        bad = []
        for b in sorted(set(have) | set(want)):
            if b not in want or b not in have:
                bad.append("memory%d: %s" % (b, "not predicted" if b not in want else "absent"))
                continue
            h, w = have[b], want[b]
            # zone null: an early block spanning zones, valid_zones "none"
            exp = (w["zone"] or w["valid_zones"]) if w["state"] == "online" else w["valid_zones"]
            if h.state != w["state"] or h.zone != exp or (h.node or 0) != w["node"]:
                bad.append("memory%d: kernel %s %r node %s, predicted %s %r node %s"
                           % (b, h.state, h.zone, h.node, w["state"], exp, w["node"]))
        assert not bad, "%s: %d block(s) differ:\n  %s" % (what, len(bad), "\n  ".join(bad[:40]))
        self.log.append("%s: %d blocks match" % (what, len(want)))

    def run(self, steps, vmem=(), extra=""):
        """steps: operations (simulator syntax, dev=<QEMU id> for virtio-mem).
        Returns the per-step predictions."""
        ids = {}
        for dev in vmem:
            ids[self.vmem_name(dev)] = dev
        rev = {v: k for k, v in ids.items()}

        def guest_op(op):
            w = op.split()
            return " ".join("dev=" + rev[x[4:]] if x.startswith("dev=") else x for x in w)

        def real_op(op):
            w = op.split()
            return " ".join("dev=" + x[4:] if x.startswith("dev=") else x for x in w)
        whole = self.simulate([guest_op(o) for o in steps], extra)
        preds = []
        for i, op in enumerate(steps):
            what = "%s step %d (%s)" % (self.name, i + 1, op)
            sim = self.simulate([guest_op(op)], extra)
            preds.append(sim)
            if op.startswith("dimm"):
                dev_blocks = self._dimm_blocks(sim)
            dev = self.real(real_op(op), {d: d for d in vmem})
            if op.startswith("dimm"):
                got = self.lab.device_blocks(dev)
                assert got == dev_blocks, "%s: QEMU put the DIMM at blocks %s-%s, predicted %s-%s" % (
                    what, got[0], got[-1], dev_blocks[0], dev_blocks[-1])
            self.wait_match(sim, what)
            self.compare(sim, what)
        self.compare(whole, "%s whole sequence" % self.name)
        return preds

    @staticmethod
    def _dimm_blocks(sim):
        return [a["block"] for a in sim["steps"][0]["actions"] if a["action"] == "add"]

    def added(self, ops, step):
        """Blocks step @step of @ops would add (from a prediction)."""
        sim = self.simulate(ops)
        return [a["block"] for a in sim["steps"][step]["actions"] if a["action"] == "add"]


def expand(spec):
    res = []
    for part in spec.split(","):
        if "-" in part:
            a, b = (int(x) for x in part.split("-"))
            res += list(range(a, b + 1)) if a <= b else list(range(a, b - 1, -1))
        else:
            res.append(int(part))
    return res


def zones_of(pred):
    return {a["zone"] for s in pred for st in s["steps"] for a in st["actions"]
            if a["action"] == "online"}


# ---------------------------------------------------------------- boot A

def test_a_auto_movable_301_dimm_and_virtio_mem(lab):
    """ratio 301, online at hot-add: virtio-mem until the ratio bites, DIMMs
    whole (Movable, then a whole Normal one), then virtio-mem interleaving
    Normal units that allow more Movable in the same device."""
    o = Oracle(lab, "a301")
    preds = o.run(["virtio-mem 3G dev=vm0", "dimm 2G", "dimm 2G",
                   "virtio-mem 2G dev=vm0"], vmem=["vm0"])
    # the scenario is meaningful: both zones, and the interleave
    assert zones_of(preds) == {"Movable", "Normal"}, zones_of(preds)
    last = [a["zone"] for a in preds[-1]["steps"][0]["actions"] if a["action"] == "online"]
    assert "Normal" in last and last.count("Movable") > last.count("Normal"), last
    print("\n".join(o.log))


def test_a_ratio_0(lab):
    """ratio 0 set at runtime: everything goes to the kernel zone."""
    o = Oracle(lab, "a0")
    preds = o.run(["set ratio=0", "dimm 1G", "virtio-mem 512M dev=vm0"], vmem=["vm0"])
    assert zones_of(preds) == {"Normal"}, zones_of(preds)
    print("\n".join(o.log))


def test_a_contig_zones_spans(lab):
    """contig-zones, memory left offline: onlining the last block of a DIMM
    Movable first, then the rest (inherit the Movable span), offlining the
    edge (span shrinks), online_kernel and re-onlining."""
    o = Oracle(lab, "acz")
    lab.check("echo 301 > %s/auto_movable_ratio" % PARAMS)
    dimm = ["set policy=contig-zones auto-online=offline", "dimm 1G"]
    blocks = o.added(dimm, 1)
    first, last = blocks[0], blocks[-1]
    steps = dimm + [
        "online %d online_movable" % last,
        "online %d-%d" % (first, last - 2),
        "offline %d" % last,
        "online %d online_kernel" % last,
        "offline %d-%d" % (first, first + 1),
        "online %d" % first,
        "set policy=auto-movable",
        "online %d" % (last - 1),
        "online-all",
        "set auto-online=online",
    ]
    o.run(steps)
    print("\n".join(o.log))


# ---------------------------------------------------------------- boot B

@scenario(**LAB_B)
def test_b_numa_ratio0_then_301(lab):
    """Two nodes, memory offline at hot-add, explicit onlining: ratio 0
    (boot parameter) puts a DIMM in Normal; with ratio 100 at runtime a
    NUMA-aware decision makes a 2 GiB node-0 DIMM Normal (node 0 has 2 GiB
    minus firmware holes of early memory) that the global ratio allows;
    with numa-aware N the same DIMM goes Movable; then ratio 301 with
    virtio-mem on node 1 (SBM) and node 0 (BBM, 512 MiB units: the unit
    rule)."""
    o = Oracle(lab, "bnuma")
    preds = o.run([
        "dimm 1G node=0", "online-all",
        "set ratio=100",
        "dimm 1G node=1", "online-all",
        "dimm 2G node=0", "online-all",
        "set numa-aware=N",
        "dimm 2G node=0", "online-all",
        "set numa-aware=Y ratio=301",
        "virtio-mem 1G dev=vm1", "online-all",
        "virtio-mem 1G dev=vm2",
    ], vmem=["vm1", "vm2"])

    def onlined(i):
        return [a["zone"] for a in preds[i]["steps"][0]["actions"] if a["action"] == "online"]
    assert set(onlined(1)) == {"Normal"}, onlined(1)
    assert set(onlined(4)) == {"Movable"}, onlined(4)
    assert set(onlined(6)) == {"Normal"}, onlined(6)
    assert set(onlined(9)) == {"Movable"}, onlined(9)
    # BBM: online one block of a unit online_kernel, the rest of that unit
    # must follow (unit rule), the other unit is decided as a whole
    pend = o.simulate(["online-all"])  # just to learn the block ids
    ids = sorted(a["block"] for a in pend["steps"][0]["actions"])
    assert len(ids) == 8, ids
    preds = o.run(["online %d online_kernel" % ids[1], "online %d" % ids[0], "online-all"])
    last = [a["zone"] for a in preds[2]["steps"][0]["actions"]]
    assert last[:2] == ["Normal", "Normal"] and set(last[2:]) == {"Movable"}, last
    print("\n".join(o.log))


# ---------------------------------------------------------------- boot C

@scenario(**LAB_C)
def test_c_contig_zones_movable_node(lab):
    """contig-zones (the default) with movable_node: memory outside every
    zone span goes Movable at hot-add; online_kernel then makes the next
    block Normal where the spans overlap."""
    o = Oracle(lab, "cmn")
    b0 = o.added(["dimm 1G", "set auto-online=offline", "dimm 1G"], 2)[0]
    o.run(["dimm 1G",
           "set auto-online=offline", "dimm 1G",
           "online %d online_kernel" % (b0 + 4),
           "online %d-%d" % (b0, b0 + 3),
           "online-all"])
    print("\n".join(o.log))
