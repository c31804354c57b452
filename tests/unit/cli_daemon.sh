#!/bin/bash
# `memhp online-daemon` on fixture sysroots (no BPF, no root needed): exit
# codes, --dry-run/--once, decisions (DIMM whole into one zone, ratio,
# kernel reserve), writes into the tree's memoryN/state files, retries.
# TAP-like "ok"/"not ok" lines, "# done" at the end.
out=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/tests/data
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-daemon.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

bin=$(cd "$(dirname "$out/memhp")" && pwd)/memhp
if ! "$bin" online-daemon --help >/dev/null 2>&1; then
	ok "# SKIP no memhp online-daemon"
	echo "# done"
	exit 0
fi
run() { # sets rc, stdout in $tmp/o, stderr in $tmp/e
	"$bin" online-daemon "$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
}
expect_rc() { # desc want
	if [ "$rc" -eq "$2" ]; then ok "$1"; else nok "$1 (rc $rc, want $2): $(head -c 300 "$tmp/e")"; fi
}
expect_in() { # desc file text
	if grep -qF -- "$3" "$2"; then ok "$1"; else nok "$1: no \"$3\" in: $(head -c 600 "$2")"; fi
}
states() { # DIR: "ID STATE" of every block, sorted
	for f in "$1"/sys/devices/system/memory/memory*/state; do
		b=${f%/state}
		echo "${b##*memory} $(cat "$f")"
	done | sort -n
}

# The lab VM (q35, 4 GiB, one node): boot blocks 1-15 DMA32 and 32-47
# Normal, two hot-added 1 GiB DIMMs left offline: blocks 48-55
# (PNP0C80:00) and 56-63 (PNP0C80:01).
mkroot() { # DIR
	R=$1
	M=$R/sys/devices/system/memory
	F=$R/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04
	mkdir -p "$M" "$R/proc" "$R/sys/module/memory_hotplug/parameters" \
		"$F/PNP0C80:00" "$F/PNP0C80:01" "$R/sys/devices/system/node/node0"
	echo 8000000 >"$M/block_size_bytes"
	echo offline >"$M/auto_online_blocks"
	P=$R/sys/module/memory_hotplug/parameters
	echo contig-zones >"$P/online_policy"
	echo 301 >"$P/auto_movable_ratio"
	echo Y >"$P/auto_movable_numa_aware"
	echo N >"$P/memmap_on_memory"
	echo "console=ttyS0 memhp_default_state=offline" >"$R/proc/cmdline"
	: >"$R/dmesg"
	blk() { # ID STATE ZONES [fw]
		d=$M/memory$1
		mkdir -p "$d"
		echo "$2" >"$d/state"
		echo "$3" >"$d/valid_zones"
		echo 1 >"$d/removable"
		echo 0 >"$d/phys_device"
		ln -sfn "../../node/node0" "$d/node0"
		ln -sfn "../../memory/memory$1" "$R/sys/devices/system/node/node0/memory$1"
		[ -n "$4" ] && ln -sfn "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:04/$4" "$d/firmware_node"
		return 0
	}
	blk 0 online none
	for b in $(seq 1 15); do blk "$b" online DMA32; done
	for b in $(seq 32 47); do blk "$b" online Normal; done
	for b in $(seq 48 55); do blk "$b" offline "Normal Movable" PNP0C80:00; done
	for b in $(seq 56 63); do blk "$b" offline "Normal Movable" PNP0C80:01; done
	cat >"$R/proc/zoneinfo" <<'EOF'
Node 0, zone      DMA
        spanned  4095
        present  3998
        cma      0
  start_pfn:           1
Node 0, zone    DMA32
        spanned  520160
        present  520160
        cma      0
  start_pfn:           4096
Node 0, zone   Normal
        spanned  524288
        present  524288
        cma      0
  start_pfn:           1048576
Node 0, zone  Movable
        spanned  0
        present  0
        cma      0
EOF
	printf '%s\n' "00001000-0009fbff : System RAM" "00100000-7ffdffff : System RAM" \
		"100000000-17fffffff : System RAM" "180000000-1bfffffff : System RAM" \
		"1c0000000-1ffffffff : System RAM" >"$R/proc/iomem"
}

ratio=$tmp/ratio.yaml
printf 'version: 1\nrules:\n  - {name: global-ratio, rule: max-ratio, max: 301}\n' >"$ratio"
low=$tmp/low.yaml
# 1 GiB Movable over ~4 GiB kernel early = 25: one DIMM fits 30, two do not
printf 'version: 1\nrules:\n  - {name: low, rule: max-ratio, max: 30}\n' >"$low"
resv=$tmp/reserve.yaml
printf 'version: 1\nrules:\n  - {name: global-ratio, rule: max-ratio, max: 301}\n  - {name: node0-reserve, rule: kernel-reserve, node: 0, min: 4352M}\n' >"$resv"

# --- usage (exit 2) ------------------------------------------------------------
run --help
expect_rc "--help" 0
expect_in "help names --dry-run" "$tmp/o" "--dry-run"
mkroot "$tmp/r"
run --policy "$data/policy-bad-key.conf" --sysroot "$tmp/r" --once
expect_rc "bad policy: exit 2" 2
expect_in "bad policy: FILE:LINE" "$tmp/e" "memhp online-daemon: $data/policy-bad-key.conf:7:"
run --ratio abc --once
expect_rc "bad --ratio: exit 2" 2
run --ratio 301 --once extra
expect_rc "stray argument: exit 2" 2
run --once --duration 3 --sysroot "$tmp/r"
expect_rc "--once with --duration: exit 2" 2
run --once
expect_rc "live without policy or --ratio: exit 2" 2
expect_in "live without policy: message" "$tmp/e" "refusing to online memory without a policy"
run --policy "$ratio" --sysroot "$tmp/nonexistent" --once
expect_rc "unreadable state: exit 2" 2

# --- dry run: decisions, nothing changes ---------------------------------------------
before=$(states "$tmp/r")
run --policy "$low" --sysroot "$tmp/r" --once --dry-run
expect_rc "dry run: exit 0" 0
[ "$before" = "$(states "$tmp/r")" ] && ok "dry run: no state file changed" || nok "dry run changed states"
expect_in "dry run: mode once" "$tmp/e" "mode: once (sysroot); ratio 30 (rule low, line 3)"
expect_in "dry run: first DIMM Movable" "$tmp/o" "would-online memory48 online_movable -> Movable: static group 0 (PNP0C80:00): the whole DIMM (1 GiB) fits MOVABLE:KERNEL ratio 30"
expect_in "dry run: second DIMM KERNEL, whole" "$tmp/o" "would-online memory56 online_kernel -> Normal: static group 1 (PNP0C80:01): MOVABLE:KERNEL ratio 30"
expect_in "dry run: rest of the DIMM follows" "$tmp/o" "would-online memory63 online_kernel -> Normal: static group 1 (PNP0C80:01): the DIMM is already KERNEL"
[ "$(grep -c '^would-online' "$tmp/o")" -eq 16 ] && ok "dry run: 16 decisions" || nok "dry run: $(grep -c '^would-online' "$tmp/o") decisions"
[ "$(grep '^would-online' "$tmp/o" | awk '{print $2}' | tr '\n' ' ')" = "$(printf 'memory%s ' $(seq 48 63))" ] &&
	ok "dry run: lowest block first, DIMM by DIMM" || nok "dry run order: $(grep '^would-online' "$tmp/o" | awk '{print $2}' | tr '\n' ' ')"
expect_in "dry run: summary" "$tmp/e" "16 decided, 0 onlined, 0 failed (dry run: nothing changed)"

# --- --once writes into the tree ---------------------------------------------------------
run --policy "$ratio" --sysroot "$tmp/r" --once
expect_rc "once, ratio 301: exit 0" 0
want=$( (for b in $(seq 48 63); do echo "$b online_movable"; done) )
[ "$(states "$tmp/r" | awk '$1 >= 48')" = "$want" ] && ok "ratio 301: both DIMMs written online_movable" ||
	nok "ratio 301 states: $(states "$tmp/r" | awk '$1 >= 48' | tr '\n' ' ')"
expect_in "once: log line" "$tmp/o" "online       memory55 online_movable -> Movable:"
expect_in "once: summary" "$tmp/e" "16 decided, 16 onlined, 0 failed"

mkroot "$tmp/r2"
run --policy "$resv" --sysroot "$tmp/r2" --once -J
expect_rc "reserve: exit 0" 0
if python3 - "$tmp/o" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["action"] == "start" and lines[0]["mode"] == "once", lines[0]
acts = [l for l in lines if l["action"] == "online"]
assert [a["block"] for a in acts] == list(range(48, 64)), acts
# reserve 4352M: node 0 kernel = 4 GiB - 388 KiB: the first DIMM goes KERNEL
first = acts[:8]
assert all(a["online_type"] == "online_kernel" and a["zone"] == "Normal" for a in first), first
assert first[0]["rule"] == "kernel-reserve" and "node0-reserve" in first[0]["reason"], first[0]
assert all(a["rule"] == "static-group" for a in first[1:]), first
# the reserve is met, but it exceeds the early kernel memory: no headroom
# (the reserve never counts toward Movable headroom, as memhp check says)
second = acts[8:]
assert all(a["online_type"] == "online_kernel" for a in second), second
assert second[0]["rule"] == "ratio" and "0 B of Movable headroom" in second[0]["reason"], second[0]
assert lines[-1]["action"] == "exit" and lines[-1]["onlined"] == 16 and lines[-1]["exit"] == 0
EOF
then ok "reserve: first DIMM KERNEL (-J), the second by the ratio"; else nok "reserve -J: $(head -c 800 "$tmp/o")"; fi
[ "$(cat "$tmp/r2/sys/devices/system/memory/memory48/state")" = online_kernel ] &&
	ok "reserve: memory48 written online_kernel" || nok "reserve: memory48 $(cat "$tmp/r2/sys/devices/system/memory/memory48/state")"

# a reserve below the boot kernel memory: 4 GiB - 3.5 GiB = 0.5 GiB counts,
# 301% of it is ~1.5 GiB: the first DIMM Movable, the second KERNEL
resv2=$tmp/reserve2.yaml
printf 'version: 1\nrules:\n  - {rule: max-ratio, max: 301}\n  - {name: r, rule: kernel-reserve, min: 3584M}\n' >"$resv2"
mkroot "$tmp/r5"
run --policy "$resv2" --sysroot "$tmp/r5" --once --dry-run
expect_rc "reserve not counted: exit 0" 0
expect_in "reserve not counted: first DIMM Movable" "$tmp/o" "would-online memory48 online_movable -> Movable: static group 0 (PNP0C80:00): the whole DIMM (1 GiB) fits MOVABLE:KERNEL ratio 301 (rule max-ratio, line 3): headroom 1.50 GiB (node 0's reserve of 3.50 GiB not counted)"
expect_in "reserve not counted: second DIMM KERNEL" "$tmp/o" "would-online memory56 online_kernel -> Normal: static group 1 (PNP0C80:01): MOVABLE:KERNEL ratio 301"

# --- a failing online: bounded retries, then reported, exit 1 ------------------------------------
mkroot "$tmp/r3"
rm "$tmp/r3/sys/devices/system/memory/memory50/state"
mkdir "$tmp/r3/sys/devices/system/memory/memory50/state" # open() fails: EISDIR
start=$(date +%s)
run --ratio 301 --sysroot "$tmp/r3" --once --retries 2 --backoff 0.2
expect_rc "failed online: exit 1" 1
expect_in "failed online: retry logged" "$tmp/o" "retry        memory50 online_movable: Is a directory (attempt 1)"
expect_in "failed online: given up" "$tmp/o" "failed       memory50 online_movable: Is a directory (attempt 3)"
expect_in "failed online: summary" "$tmp/e" "15 onlined, 1 failed"
[ $(($(date +%s) - start)) -lt 10 ] && ok "failed online: bounded" || nok "retries took too long"

# --- no policy on a sysroot: the kernel's ratio, said so ------------------------------------------
mkroot "$tmp/r4"
run --sysroot "$tmp/r4" --once --dry-run
expect_rc "no policy, sysroot dry run: exit 0" 0
expect_in "no policy: kernel ratio" "$tmp/e" "ratio 301 (the kernel's auto_movable_ratio)"
# --ratio 0: everything KERNEL
run --sysroot "$tmp/r4" --once --dry-run --ratio 0
expect_in "--ratio 0: KERNEL" "$tmp/o" "would-online memory48 online_kernel -> Normal"
# polling mode on a sysroot, bounded by --duration
run --ratio 301 --sysroot "$tmp/r4" --duration 1.5 --interval 0.5
expect_rc "polling --duration: exit 0" 0
expect_in "polling: mode said" "$tmp/e" "mode: polling (sysroot, no BPF)"
expect_in "polling: onlined" "$tmp/e" "16 decided, 16 onlined, 0 failed"
# nothing to do: "0 decided" says why (issue #15)
mkroot "$tmp/r6"
for f in "$tmp"/r6/sys/devices/system/memory/memory*/state; do echo online >"$f"; done
run --ratio 301 --sysroot "$tmp/r6" --once
expect_rc "all online: exit 0" 0
expect_in "all online: 0 decided, why" "$tmp/e" "0 decided (no offline block), 0 onlined, 0 failed"
run --ratio 301 --sysroot "$tmp/r6" --once -J
expect_in "all online, JSON: why" "$tmp/o" '"decided":0,"why":"no offline block","onlined":0'
echo "# done"
