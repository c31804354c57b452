"""The Hyper-V balloon seed bug (memhp seed 000) reproduced on the real lab
kernel with tests/kmod/memhp_fakeballoon.ko, an hv_balloon-like online-page
callback over a hot-plugged DIMM. Needs no memhp binary.

Each case hot-plugs a fresh 1G DIMM (left offline), loads the module with the
DIMM's pfns minus a partial tail as the backed ("covered") range, onlines the
blocks in the seed's order (top, top-1, lowest, then the rest upwards) and
compares, per block, MemTotal's delta, the module's counters, and an exact
model of the callback (test_gaps adds unbacked holes on the hot-add
state's gap_list). The module is unloaded (rmmod) at the end of a case:
that works while the memory it onlined stays online (held-back pages are
leaked PageOffline, freed ones live in the buddy). Per-step numbers go to
<rundir>/kmod_seed-<case>.json. test_btf checks that the module keeps its state
in hv_balloon's own types (module BTF) under the symbol dm_device, for memhp's
CO-RE reader, and rejects bad parameters."""
import json
import os
import subprocess
import sys

import lab as labmod
from lab import Skip, REPO

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(ram="4G", default_state="offline", cmdline="nokaslr")

MOD = "memhp_fakeballoon"


def ko():
    """The module built for the kernel under test (tests/kmod/build.sh)."""
    return "/memhp/build/kmod/%s/%s.ko" % (labmod.kernel_release(), MOD)



PARAMS = "/sys/module/%s/parameters" % MOD
COUNTERS = ("pages_released", "pages_held", "pages_overreleased", "pages_passthrough",
            "callbacks", "covered_start_pfn")
PAGE = 4096
# The seed's last hot-add block was backed for 111616 - 3 * 32768 pages.
TAIL_PAGES = 13312
CHUNK_PAGES = 1024          # online_pages_range() calls back per order-10 chunk (x86)
# /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h; RESERVED is
# the kernel-internal bit 32, also exported).
KPF_BUDDY, KPF_NOPAGE, KPF_OFFLINE, KPF_RESERVED = 10, 20, 23, 32

_build = {}


def build_module():
    """Run tests/kmod/build.sh once per process and lab kernel (the runner
    goes through several); Skip if headers are unavailable."""
    rel = labmod.kernel_release()
    if rel not in _build:
        p = subprocess.run(["sh", os.path.join(REPO, "tests", "kmod", "build.sh")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=900)
        _build[rel] = dict(rc=p.returncode, out=p.stdout.strip())
    b = _build[rel]
    if b["rc"] == 77:
        raise Skip("cannot build %s.ko for %s: %s" % (MOD, rel, b["out"].splitlines()[-1]))
    assert b["rc"] == 0, "tests/kmod/build.sh failed:\n" + b["out"][-2000:]


def model(order, bp, cs, ce, buggy, over, gaps=()):
    """The module's decision per pfn, block by block in onlining order:
    [(released, held, overreleased)], the final covered_start_pfn, and the
    set of held (PageOffline) pfns. gaps: [(start, end)], hv_balloon's
    has_pfn_is_backed() holes."""
    steps, held_pfns = [], set()
    for b in order:
        rel = held = ovr = 0
        for pfn in range(b * bp, (b + 1) * bp):
            backed = cs <= pfn < ce and not any(s <= pfn < e for s, e in gaps)
            beyond = not backed and over and pfn >= ce
            if backed or beyond:
                rel += 1
                ovr += beyond
                if buggy and backed:
                    cs += 1
            else:
                held += 1
                held_pfns.add(pfn)
        steps.append((rel, held, ovr))
    return steps, cs, held_pfns


def snapshot(lab, online_block=None):
    """Online a block (optional), then MemTotal (kB) and the module counters,
    in one agent call."""
    cmd = ""
    if online_block is not None:
        cmd = "echo online > /sys/devices/system/memory/memory%d/state && " % online_block
    cmd += ("awk '/^MemTotal:/{print $2}' /proc/meminfo && "
            "awk '$1==\"present\"{p+=$2} $1==\"managed\"{m+=$2} END{print p, m}' /proc/zoneinfo"
            " && cd %s && cat %s" % (PARAMS, " ".join(COUNTERS)))
    vals = [int(x) for x in lab.check(cmd, timeout=120).split()]
    assert len(vals) == 3 + len(COUNTERS), vals
    c = dict(zip(COUNTERS, vals[3:]))
    c["zone_present"], c["zone_managed"] = vals[1], vals[2]
    return vals[0], c


def kpageflags(lab, first_pfn, n, tag):
    """/proc/kpageflags for [first_pfn, first_pfn + n) as a list of ints."""
    assert (first_pfn * 8) % PAGE == 0 and (n * 8) % PAGE == 0
    lab.check("dd if=/proc/kpageflags of=/lab/kpf-%s.bin bs=%d skip=%d count=%d 2>/dev/null"
              % (tag, PAGE, first_pfn * 8 // PAGE, n * 8 // PAGE), timeout=120)
    path = lab.host_path("/lab/kpf-%s.bin" % tag)
    with open(path, "rb") as f:
        data = f.read()
    os.unlink(path)
    assert len(data) == n * 8, (len(data), n * 8)
    return [int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data), 8)]


def run_case(lab, tag, buggy, overrelease, gaps=None):
    """gaps: None, or a function (start pfn, pages per block) -> [(start, end)]."""
    build_module()
    lab.run("rmmod %s 2>/dev/null" % MOD)  # left over from a failed case
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    bp = lab.block_size() // PAGE
    assert len(blocks) == 8 and bp == 32768, (blocks, bp)
    lab.wait_until("[ -e /sys/devices/system/memory/memory%d ]" % blocks[-1], timeout=60,
                   what="%s's blocks in sysfs" % dev)
    st = lab.blocks(zones=False)
    assert all(st[b].state == "offline" for b in blocks), {b: st.get(b) for b in blocks}

    addr = lab.memory_devices()[dev]["addr"]
    start = addr // PAGE
    assert start == blocks[0] * bp, (hex(addr), blocks)
    cs, ce = start, start + len(blocks) * bp - (bp - TAIL_PAGES)
    gap_list = gaps(start, bp) if gaps else []
    gap_arg = (" gaps=" + ",".join("%d-%d" % g for g in gap_list)) if gap_list else ""
    rc, out = lab.run("insmod %s covered_start_pfn=%d covered_end_pfn=%d buggy=%d overrelease=%d%s"
                      % (ko(), cs, ce, buggy, overrelease, gap_arg))
    assert rc == 0, "insmod failed (rc %d): %s\n%s" % (rc, out, lab.dmesg(tail=5))

    # The seed's order: top block (partly backed), the one below, the lowest,
    # then the rest upwards.
    order = [blocks[-1], blocks[-2], blocks[0]] + blocks[1:-2]
    expect, expect_cs, expect_held = model(order, bp, cs, ce, buggy, overrelease, gap_list)

    # memhp traces the same onlining: what the callback released per block.
    tracer = Tracer(lab, "kmod-" + tag, "-e online")
    tracer.start()
    mem0, c0 = snapshot(lab)
    assert c0["pages_released"] == c0["pages_held"] == c0["callbacks"] == 0, c0
    assert c0["covered_start_pfn"] == cs, c0
    steps, prev_mem, prev = [], mem0, c0
    for b, (e_rel, e_held, e_ovr) in zip(order, expect):
        mem, c = snapshot(lab, b)
        d = {k: c[k] - prev[k] for k in c}
        step = dict(block=b, memtotal_kb=mem, memtotal_delta_kb=mem - prev_mem,
                    released=d["pages_released"], held=d["pages_held"],
                    overreleased=d["pages_overreleased"], passthrough=d["pages_passthrough"],
                    callbacks=d["callbacks"], covered_start_pfn=c["covered_start_pfn"],
                    present_delta=d["zone_present"], managed_delta=d["zone_managed"],
                    expect_released=e_rel)
        steps.append(step)
        # The counters agree with MemTotal exactly: each released page is one
        # generic_online_page(pg, 0) = totalram_pages_add(1).
        assert step["memtotal_delta_kb"] == step["released"] * PAGE // 1024, step
        assert step["released"] + step["held"] == bp and step["passthrough"] == 0, step
        assert step["callbacks"] == bp // CHUNK_PAGES, step
        # /proc/zoneinfo: the whole block becomes present, only released
        # pages become managed (__free_pages_core()).
        assert (step["present_delta"], step["managed_delta"]) == (bp, step["released"]), step
        assert (step["released"], step["held"], step["overreleased"]) == (e_rel, e_held, e_ovr), step
        prev_mem, prev = mem, c
    evs = tracer.wait_events(lambda e: len(e) >= len(order), what="online events")
    tracer.stop()
    by_block = {e["block"]: e for e in evs}
    for step in steps:
        e = by_block[step["block"]]
        assert e["ret"] == 0 and e["nr_pages"] == bp, e
        assert (e["released_pages"], e["held_pages"]) == (step["released"], step["held"]), (e, step)
        assert e["online_callback"] == "fake_online_page [memhp_fakeballoon]", e
        step["memhp_released"] = e["released_pages"]
    result = dict(case=tag, dimm=dev, blocks=blocks, covered=[cs, ce], buggy=buggy,
                  overrelease=overrelease, gaps=gap_list, memtotal0_kb=mem0, steps=steps,
                  total_delta_kb=prev_mem - mem0, counters=prev)
    with open(os.path.join(lab.rundir, "kmod_seed-%s.json" % tag), "w") as f:
        json.dump(result, f, indent=1)
    assert prev["covered_start_pfn"] == expect_cs, (prev, expect_cs)

    # Where the held-back pages are: exactly the model's, PageOffline and
    # still PG_reserved (never freed); released pages are neither.
    flags = kpageflags(lab, start, len(blocks) * bp, tag)
    offline = {start + i for i, f in enumerate(flags) if f >> KPF_OFFLINE & 1}
    assert not any(f >> KPF_NOPAGE & 1 for f in flags), "DIMM pages missing from kpageflags"
    assert offline == expect_held, (len(offline), len(expect_held))
    # Up to 6.10 the memmap of hot-added memory starts PG_reserved, and the
    # pages a callback holds back stay so; 6.11 initialises it PageOffline
    # only (503b158fc30f "mm/memory_hotplug: initialize memmap of
    # !ZONE_DEVICE with PageOffline() instead of PageReserved()").
    if labmod.kernel_version() < (6, 11):
        assert all(f >> KPF_RESERVED & 1 for f in flags if f >> KPF_OFFLINE & 1)
    else:
        assert not any(f >> KPF_RESERVED & 1 for f in flags if f >> KPF_OFFLINE & 1)
    assert not any(f >> KPF_RESERVED & 1 for f in flags if not f >> KPF_OFFLINE & 1)
    return result, order


def unload(lab):
    lab.check("rmmod %s" % MOD)
    assert lab.run("test -e /sys/module/%s" % MOD)[0] != 0, "module still loaded"


def test_buggy_seed_order(lab):
    """Old hv_online_page(): onlining upper blocks first advances
    covered_start_pfn past the lowest block, which then adds zero pages."""
    res, order = run_case(lab, "buggy", buggy=1, overrelease=0)
    steps, bp = res["steps"], 32768
    top, below, lowest = steps[0], steps[1], steps[2]
    assert top["memtotal_delta_kb"] == TAIL_PAGES * 4, top     # partly backed
    assert below["memtotal_delta_kb"] == bp * 4, below
    assert lowest["block"] == min(res["blocks"]), lowest
    assert lowest["memtotal_delta_kb"] == 0 and lowest["held"] == bp, lowest  # the seed bug
    cs, ce = res["covered"]
    assert res["total_delta_kb"] < (ce - cs) * 4, res["total_delta_kb"]
    # A block holding PageOffline pages with a reference can't be offlined.
    rc, out = lab.run("echo offline > /sys/devices/system/memory/memory%d/state"
                      % lowest["block"], timeout=120)
    assert rc != 0 and "busy" in out.lower(), "offlining held-back pages: rc %d %s" % (rc, out)
    unload(lab)


def test_fixed_seed_order(lab):
    """6.1 hv_online_page() logic (fixed covered_start_pfn): every backed page
    comes online whatever the order."""
    res, _ = run_case(lab, "fixed", buggy=0, overrelease=0)
    cs, ce = res["covered"]
    assert res["counters"]["pages_released"] == ce - cs, res["counters"]
    assert res["total_delta_kb"] == (ce - cs) * 4, res["total_delta_kb"]
    assert res["counters"]["pages_overreleased"] == 0, res["counters"]
    assert all(s["memtotal_delta_kb"] > 0 for s in res["steps"]), res["steps"]
    unload(lab)


def test_overrelease(lab):
    """Uncovered onlining: pages beyond covered_end_pfn reach the buddy."""
    res, _ = run_case(lab, "overrelease", buggy=0, overrelease=1)
    cs, ce = res["covered"]
    c = res["counters"]
    assert c["pages_overreleased"] == 8 * 32768 - (ce - cs) > 0, c
    assert res["total_delta_kb"] > (ce - cs) * 4, res["total_delta_kb"]
    assert res["total_delta_kb"] == 8 * 32768 * 4, res["total_delta_kb"]
    assert c["pages_held"] == 0, c
    unload(lab)


def test_gaps(lab):
    """hv_balloon's gap_list: pages in a hole of the covered range stay
    PageOffline (held) and MemTotal grows by the backed pages only. One gap
    inside a block, not order-10 aligned, one across a block boundary."""
    def gaps(start, bp):
        return [(start + 2 * bp + 1000, start + 2 * bp + 6000),
                (start + 5 * bp - 2048, start + 5 * bp + 3000)]

    res, _ = run_case(lab, "gaps", buggy=0, overrelease=0, gaps=gaps)
    cs, ce = res["covered"]
    holes = sum(e - s for s, e in res["gaps"])
    c = res["counters"]
    assert c["pages_released"] == ce - cs - holes, c
    assert c["pages_held"] == 8 * 32768 - (ce - cs) + holes, c
    assert res["total_delta_kb"] == (ce - cs - holes) * 4, res["total_delta_kb"]
    by_block = {s["block"]: s for s in res["steps"]}
    b = res["blocks"]
    assert by_block[b[2]]["held"] == 5000 and by_block[b[2]]["memtotal_delta_kb"] == (32768 - 5000) * 4
    assert by_block[b[4]]["held"] == 2048 and by_block[b[5]]["held"] == 3000, res["steps"]
    unload(lab)


def btf_structs(path):
    """{struct name: [(member, type id)]} from `bpftool btf dump file` of a
    module's split BTF (base: the lab kernel's vmlinux), or None without
    bpftool. Members referring to base types (list_head, unsigned long, ...)
    have the same ids in every module of this kernel."""
    vmlinux = os.path.join(labmod.KERNEL_DIR, "vmlinux")
    try:
        p = subprocess.run(["bpftool", "-B", vmlinux, "btf", "dump", "file", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=120)
    except FileNotFoundError:
        return None, ""
    assert p.returncode == 0, "bpftool btf dump %s:\n%s" % (path, p.stdout[-2000:])
    structs, cur = {}, None
    for ln in p.stdout.splitlines():
        if ln.startswith("["):
            f = ln.split()
            cur = f[2].strip("'") if f[1] == "STRUCT" else None
            if cur:
                structs[cur] = []
        elif cur and ln.startswith("\t'"):
            f = ln.split()
            structs[cur].append((f[0].strip("'"), f[1]))
    return structs, p.stdout


def test_btf(lab):
    """The module keeps its state in hv_balloon's types, visible to BPF: its BTF
    (/sys/kernel/btf/memhp_fakeballoon, split on the kernel's) has
    struct hv_hotadd_state / hv_hotadd_gap exactly as 6.1 hv_balloon.ko's and
    hv_dynmem_device's ha_region_list etc. with hv_balloon's types, and
    kallsyms has "dm_device [memhp_fakeballoon]". Bad parameters are refused.
    No DIMM needed: the module only records pfns until something is onlined."""
    build_module()
    lab.run("rmmod %s 2>/dev/null" % MOD)
    with open(os.path.join(REPO, "build", "kmod", labmod.kernel_release(), MOD + ".ko"), "rb") as f:
        if b"\0.BTF\0" not in f.read():
            raise Skip("%s.ko has no BTF (no pahole or vmlinux at build time)" % MOD)
    # Far above any RAM of the lab (pfn 2^28 = 1 TiB).
    cs, ce = 1 << 28, (1 << 28) + 100000
    for bad in ("gaps=5-3", "gaps=%d-%d" % (cs + 10, cs + 10), "gaps=junk", "gaps=%d" % cs,
                "gaps=%d-%d-%d" % (cs + 1, cs + 2, cs + 3),
                "gaps=%d-%d,%d-%d" % (cs + 1, cs + 9, cs + 5, cs + 20),     # overlap
                "gaps=%d-%d" % (cs - 1, cs + 5),                            # below start_pfn
                "gaps=%d-%d" % (ce, cs + (1 << 17) + 1),                    # beyond end_pfn
                "gaps=" + ",".join("%d-%d" % (cs + 2 * i, cs + 2 * i + 1) for i in range(9)),
                "ha_start_pfn=%d" % (cs + 1), "ha_end_pfn=%d" % (ce - 1)):
        rc, out = lab.run("insmod %s covered_start_pfn=%d covered_end_pfn=%d %s"
                          % (ko(), cs, ce, bad))
        assert rc != 0, "insmod with %s succeeded" % bad
        assert lab.run("test -e /sys/module/%s" % MOD)[0] != 0, bad
    gaps = "%d-%d,%d-%d" % (cs + 100, cs + 200, ce - 50, ce + 10)
    lab.check("insmod %s covered_start_pfn=%d covered_end_pfn=%d gaps=%s" % (ko(), cs, ce, gaps))
    params = lab.check("cd %s && cat gaps covered_start_pfn ha_start_pfn ha_end_pfn" % PARAMS)
    # ha_{start,end}_pfn default to the covered range rounded to 128 MiB.
    assert params.split() == [gaps, str(cs), str(cs), str(cs + (1 << 17))], params
    ksyms = lab.check("awk '$3 == \"dm_device\" && $4 == \"[%s]\"' /proc/kallsyms" % MOD)
    assert len(ksyms.split()) == 4 and ksyms.split()[1] in "dDbB", ksyms
    lab.check("test -s /sys/kernel/btf/{m} && cp /sys/kernel/btf/{m} /lab/{m}.btf".format(m=MOD))
    unload(lab)

    fake, dump = btf_structs(lab.host_path("/lab/%s.btf" % MOD))
    if fake is None:
        raise Skip("no bpftool on the host to read the module's BTF")
    with open(os.path.join(lab.rundir, "%s.btf.txt" % MOD), "w") as f:
        f.write(dump)
    names = {k: [m for m, _ in v] for k, v in fake.items()}
    assert names.get("hv_hotadd_state") == ["list", "start_pfn", "covered_start_pfn",
                                            "covered_end_pfn", "ha_end_pfn", "end_pfn",
                                            "gap_list"], fake.get("hv_hotadd_state")
    assert names.get("hv_hotadd_gap") == ["list", "start_pfn", "end_pfn"], fake
    assert "ha_region_list" in names.get("hv_dynmem_device", ()), fake
    # The real thing: hv_balloon.ko of the lab kernel package.
    rel = open(os.path.join(labmod.KERNEL_DIR, "release")).read().strip()
    real_ko = os.path.join(labmod.KERNEL_DIR, "root", "lib", "modules", rel,
                           "kernel", "drivers", "hv", "hv_balloon.ko")
    if not os.path.exists(real_ko) and os.path.exists(real_ko + ".xz"):
        # 6.12 ships modules xz-compressed; bpftool reads only the ELF
        plain = os.path.join(lab.rundir, "hv_balloon.ko")
        with open(plain, "wb") as f:
            subprocess.run(["xz", "-dc", real_ko + ".xz"], stdout=f, check=True, timeout=60)
        real_ko = plain
    assert os.path.exists(real_ko), "no hv_balloon module in the lab kernel package: " + real_ko
    real, _ = btf_structs(real_ko)
    for st in ("hv_hotadd_state", "hv_hotadd_gap"):
        assert fake[st] == real[st], (st, fake[st], real[st])
    real_dm = dict(real["hv_dynmem_device"])
    for m, t in fake["hv_dynmem_device"]:
        assert real_dm.get(m) == t, ("hv_dynmem_device", m, t, real_dm.get(m))
