"""memmap_on_memory on the real kernel: a one-block DIMM whose memmap lives
in its own first pages. memhp reports those pages per block, onlining covers
only the rest, and MemTotal grows by exactly what memhp says was released."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from memhp_vm import Tracer  # noqa: E402

LAB = dict(default_state="online", cmdline="memory_hotplug.memmap_on_memory=1")
BLOCK_PAGES = 32768
STRUCT_PAGE = 64  # sizeof(struct page) on x86_64


def test_memmap_on_memory_block(lab):
    assert lab.check("cat /sys/module/memory_hotplug/parameters/memmap_on_memory").strip() == "Y"
    t = Tracer(lab, "memmap", "-e online,request,add")
    t.start()
    mem0 = lab.meminfo()["MemTotal"]
    n0 = lab.online_count()
    # Only an add of exactly one memory block may use memmap_on_memory (6.1).
    dev = lab.add_dimm("128M")
    (block,) = lab.device_blocks(dev)
    lab.wait_online_count(n0 + 1, timeout=60)
    evs = t.wait_events(lambda e: any(x["event"] == "online" for x in e)
                        and any(x["event"] == "request" for x in e), what="online + request")
    t.stop()
    mem1 = lab.meminfo()["MemTotal"]
    vmemmap = BLOCK_PAGES * STRUCT_PAGE // 4096  # 512 pages (2 MiB)
    req = [e for e in evs if e["event"] == "request"]
    assert len(req) == 1 and req[0]["block"] == block, req
    assert req[0]["vmemmap_pages"] == vmemmap, req
    on = [e for e in evs if e["event"] == "online"]
    assert len(on) == 1, on
    on = on[0]
    assert on["block"] == block and on["start_pfn"] == block * BLOCK_PAGES + vmemmap, on
    assert on["nr_pages"] == BLOCK_PAGES - vmemmap and on["released_pages"] == on["nr_pages"], on
    add = [e for e in evs if e["event"] == "add"]
    assert add and add[0]["mhp_flags"] & 2, add  # MHP_MEMMAP_ON_MEMORY
    # "I added 128 MiB but MemTotal grew by less": by exactly the memmap.
    assert (mem1 - mem0) * 1024 == on["released_pages"] * 4096, (mem0, mem1, on)


def test_memmap_on_memory_multi_block(lab):
    """A 1 GiB DIMM (8 blocks): 6.6+ puts each block's memmap in the block
    itself (6b8f0798b85a, one altmap per block; 6.12 reads it from
    memory_block.altmap), 6.1 only ever does so for one-block adds. memhp
    says which, block by block, and MemTotal agrees."""
    import lab as labmod
    per_block = 512 if labmod.kernel_version() >= (6, 8) else 0
    t = Tracer(lab, "memmap8", "-e online,request")
    t.start()
    mem0 = lab.meminfo()["MemTotal"]
    n0 = lab.online_count()
    dev = lab.add_dimm("1G")
    blocks = lab.device_blocks(dev)
    assert len(blocks) == 8, blocks
    lab.wait_online_count(n0 + 8, timeout=90)
    evs = t.wait_events(lambda e: len([x for x in e if x["event"] == "online"]) >= 8
                        and len([x for x in e if x["event"] == "request"]) >= 8,
                        what="8 online + 8 request")
    t.stop()
    mem1 = lab.meminfo()["MemTotal"]
    req = {e["block"]: e for e in evs if e["event"] == "request"}
    on = {e["block"]: e for e in evs if e["event"] == "online"}
    assert sorted(req) == blocks and sorted(on) == blocks, (sorted(req), sorted(on), blocks)
    for b in blocks:
        assert req[b]["vmemmap_pages"] == per_block, (b, per_block, req[b])
        assert on[b]["nr_pages"] == BLOCK_PAGES - per_block, (b, on[b])
        assert on[b]["released_pages"] == on[b]["nr_pages"], (b, on[b])
    assert (mem1 - mem0) * 1024 == sum(e["released_pages"] for e in on.values()) * 4096, (mem0, mem1)
