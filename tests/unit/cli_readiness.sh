#!/bin/bash
# `memhp readiness` as users run it: exit codes and messages of the real
# binary, the fixture tree's output, and that the committed fixture is what
# tests/data/mk-readiness-tree.py makes (so it can be regenerated, not edited).
# TAP-like "ok"/"not ok" lines, "# done" at the end.
out=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=$top/tests/data/readiness-tree
. "$(dirname "$0")/lib.sh"
bin=$(cd "$(dirname "$out/memhp")" && pwd)/memhp
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-rd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

check "fixture scan exits 0" 0 "$bin" readiness --sysroot "$tree"
check "bad option exits 2" 2 "$bin" readiness --nope
check "stray argument exits 2" 2 "$bin" readiness memory3
check "missing tree exits 1" 1 "$bin" readiness --sysroot "$tmp/none"

# No page files: the message says which file and why.
cp -r "$tree" "$tmp/nokpf"
rm "$tmp/nokpf/proc/kpageflags"
msg=$("$bin" readiness --sysroot "$tmp/nokpf" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 1 ] && [[ $msg == *"proc/kpageflags: no /proc/kpageflags"* ]]; then
	ok "no kpageflags: exit 1 with a reason"
else
	nok "no kpageflags: rc $rc: $msg"
fi
# A truncated page file: the blocks it should describe are named.
head -c 300 "$tree/proc/kpagecount" >"$tmp/nokpf/proc/kpagecount"
cp "$tree/proc/kpageflags" "$tmp/nokpf/proc/kpageflags"
msg=$("$bin" readiness --sysroot "$tmp/nokpf" 2>&1 >/dev/null)
rc=$?
if [ $rc -eq 1 ] && [[ $msg == *"not whole 8-byte entries"* ]]; then
	ok "odd-sized kpagecount: exit 1 with a reason"
else
	nok "odd-sized kpagecount: rc $rc: $msg"
fi

# Text: one line per online block, the summary's node lines.
txt=$("$bin" readiness --sysroot "$tree" --balloon-compaction N)
[ "$(grep -c '^memory' <<<"$txt")" -eq 9 ] && ok "text: 9 online blocks" || nok "text: $(grep -c '^memory' <<<"$txt") block lines"
grep -q '^memory6 .*blocked (pinned) .*0x32:pinned' <<<"$txt" && ok "text: pinned page named with its pfn" || nok "text: memory6 line"
grep -qE '^node1 +1 +1 +2 +1 +128K +64K +32K +24K$' <<<"$txt" && ok "text: node1 summary" || nok "text: node1: $(grep '^node1 ' <<<"$txt")"
# JSON parses and carries bytes.
if command -v python3 >/dev/null; then
	if "$bin" readiness -J --sysroot "$tree" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["block_size"] == 32768 and len(d["blocks"]) == 9
assert d["total"]["unpluggable_bytes"] == 4 * 32768, d["total"]
assert [b["verdict"] for b in d["blocks"]].count("blocked") == 5
'; then ok "JSON parses, bytes add up"; else nok "JSON"; fi
	python3 "$top/tests/data/mk-readiness-tree.py" "$tmp/gen" &&
		diff -r --no-dereference "$tmp/gen" "$tree" >/dev/null &&
		ok "committed fixture = mk-readiness-tree.py output" || nok "fixture differs from its generator"
	python3 "$top/tests/data/mk-readiness-vmem-tree.py" "$tmp/vgen" &&
		diff -r --no-dereference "$tmp/vgen" "$top/tests/data/readiness-vmem-tree" >/dev/null &&
		ok "committed fixture = mk-readiness-vmem-tree.py output" ||
		nok "readiness-vmem-tree differs from its generator"
	# virtio-mem: the device's answer at its subblock size, the new fields
	if "$bin" readiness -J --sysroot "$top/tests/data/readiness-vmem-tree" | python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["devices"] if x["kind"] == "virtio-mem"][0]
assert d["unpluggable_bytes"] == 7 * 8192 and d["block_unpluggable_bytes"] == 65536, d
assert d["unit_bytes"] == 8192 and d["unit_source"] == "kernel-log", d
assert d["subblocks"] == {"plugged": 8, "unplugged": 3, "unpluggable": 7, "mixed": 1}, d
'; then ok "virtio-mem device JSON"; else nok "virtio-mem device JSON"; fi
	"$bin" readiness --sysroot "$top/tests/data/readiness-vmem-tree" | grep -q \
		"virtio3 (virtio-mem, unit 8K from kernel-log).*unpluggable now 56K (7 of 8 plugged units)" &&
		ok "virtio-mem device text line" || nok "virtio-mem device text line"
else
	skip "JSON" "no python3"
	skip "fixture generator" "no python3"
	skip "virtio-mem fixture" "no python3"
fi

# export --readiness: the gauges, valid exposition, nothing without the option.
prom=$("$bin" export --stdout --sysroot "$tree" --readiness 60 2>/dev/null)
grep -q '^memhp_unpluggable_bytes{node="1"} 65536$' <<<"$prom" && grep -q '^memhp_readiness_blocks{verdict="blocked"} 5$' <<<"$prom" &&
	ok "export --readiness: gauges" || nok "export --readiness: $(grep -i unplug <<<"$prom" | head -3)"
if command -v promtool >/dev/null; then
	promtool check metrics <<<"$prom" >/dev/null 2>&1 && ok "export --readiness: promtool" || nok "export --readiness: promtool"
else
	skip "export --readiness: promtool" "no promtool"
fi
"$bin" export --stdout --sysroot "$tree" 2>/dev/null | grep -q readiness && nok "export without --readiness shows readiness" || ok "export: readiness only on request"
prom=$("$bin" export --stdout --sysroot "$tmp/nokpf" --readiness 60 2>/dev/null)
grep -q '^memhp_readiness_up 0$' <<<"$prom" && ! grep -q '^memhp_unpluggable_bytes{' <<<"$prom" &&
	ok "export --readiness without page files: up 0, no samples" || nok "export --readiness without page files"
# -s is --sysroot as in every command (#15); -r still works; --summary is long only.
a=$("$bin" readiness -s "$tree" --summary 2>&1); b=$("$bin" readiness --sysroot "$tree" --summary 2>&1)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "readiness -s DIR is --sysroot DIR" || nok "readiness -s DIR: $a"
c=$("$bin" readiness -r "$tree" --summary 2>&1)
[ "$c" = "$b" ] && ok "readiness -r DIR (old name) still works" || nok "readiness -r DIR: $c"
full=$("$bin" readiness --sysroot "$tree" 2>&1)
[ "$(wc -l <<<"$b")" -lt "$(wc -l <<<"$full")" ] && ok "readiness --summary prints less" || nok "readiness --summary"
echo "# done"
