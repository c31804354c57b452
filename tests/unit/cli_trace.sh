#!/bin/sh
# CLI checks of `memhp` and `memhp trace` that need no BPF: exit codes and
# one-line errors for bad input (TAP-like: "ok"/"not ok" lines).
out=${1:-build}
bin=$out/memhp
. "$(dirname "$0")/lib.sh"
check "no command" 2 "$bin"
check "--help" 0 "$bin" --help
check "--version" 0 "$bin" --version
check "unknown command" 2 "$bin" frobnicate
check "trace --help" 0 "$bin" trace --help
check "trace bad --attach" 2 "$bin" trace --attach magic
check "trace bad --event" 2 "$bin" trace -e online,bogus
check "trace bad --block" 2 "$bin" trace --block 9-3
check "trace bad --count" 2 "$bin" trace -c 0
check "trace bad --duration" 2 "$bin" trace -d -1
check "trace bad --node" 2 "$bin" trace --node x
check "trace stray arg" 2 "$bin" trace extra
# a node no kernel has (Linux allows 1024 at most) is refused, not traced silently
n=$((n + 1))
msg=$("$bin" trace --node 100000 2>&1 | head -n1)
case $msg in *"--node 100000: no such node (possible: "*) echo "ok $n - trace --node: unknown node refused" ;;
*) echo "not ok $n - trace --node 100000: $msg" ;; esac
check "trace missing sysroot" 2 "$bin" trace --sysroot /nonexistent
check "trace bad --group" 2 "$bin" trace --group x
# A memory group the system does not have now is traced with a warning (a
# hot-plug may register it later), not refused: the warning comes first, then
# the session goes on (here: "cannot trace" where the host forbids BPF).
# tests/data/readiness-tree has one group, 0 (its ACPI memory device).
rt=$(dirname "$0")/../data/readiness-tree
n=$((n + 1))
msg=$(timeout 20 "$bin" trace --sysroot "$rt" --group 5 -d 1 2>&1 >/dev/null)
first=$(printf '%s\n' "$msg" | head -n1)
rest=$(printf '%s\n' "$msg" | sed -n 2p)
case "$first" in
"memhp trace: warning: --group 5: no such memory group now (registered: 0); tracing anyway"*)
	case "$rest" in
	*"usage"* | *"invalid"*) echo "not ok $n - trace --group 5: refused after the warning: $rest" ;;
	*) echo "ok $n - trace --group 5: warned (registered: 0), then traced on" ;;
	esac ;;
*) echo "not ok $n - trace --group 5: $msg" ;;
esac
n=$((n + 1))
msg=$(timeout 20 "$bin" trace --sysroot "$rt" --group 0 -d 1 2>&1 >/dev/null)
case "$msg" in
*"--group 0"*) echo "not ok $n - trace --group 0 (a group of the tree): $msg" ;;
*) echo "ok $n - trace --group 0: a registered group, no warning" ;;
esac
check "trace bad --buffer-size" 2 "$bin" trace --buffer-size 5000
check "trace tiny --buffer-size" 2 "$bin" trace --buffer-size 1024
check "trace unreadable --policy" 2 "$bin" trace --policy /nonexistent/policy.yaml
check "trace --require unknown probe" 2 "$bin" trace --require core,bogus
check "trace --require empty" 2 "$bin" trace --require ''
n=$((n + 1))
msg=$("$bin" trace --require online_pages,frob 2>&1 | head -n1)
case $msg in *"unknown probe frob (known: online_pages, offline_pages,"*) echo "ok $n - --require: unknown probe named, known listed" ;;
*) echo "not ok $n - --require message: $msg" ;; esac
n=$((n + 1))
msg=$("$bin" trace --help 2>&1)
case $msg in *"--require"*"core"*) echo "ok $n - --help documents --require" ;;
*) echo "not ok $n - --help lacks --require" ;; esac
# --require is accepted; on a host that cannot trace it fails as such
# (exit 2, "cannot trace"), naming each required probe missing.
n=$((n + 1))
msg=$("$bin" trace -d 1 --require core 2>&1 >/dev/null)
rc=$?
case "$rc:$msg" in
0:*) echo "ok $n - --require core: this host traces # SKIP can trace here" ;;
2:*"cannot trace"*"remove_memory: "*"memory_notify: "*) echo "ok $n - --require core: exit 2, names every missing probe" ;;
2:*"cannot trace"*"run as root"*) echo "ok $n - --require core: exit 2 (not root)" ;;
*) echo "not ok $n - --require core: rc $rc: $msg" ;; esac
# Degrading per probe (issue #11): a kernel whose struct memory_block has no
# start_section_nr (Debian 6.12.118's BTF with that member renamed): the
# programs of memory_subsys_online cannot load (their relocation fails),
# while memory_notify's, in the same object, do (and then fail to attach
# here, as everything does on a host that forbids tracing).
btf612=${MEMHP_CACHE:-.cache}/kernels/6.12/vmlinux
mutant=$(dirname "$bin")/tests/btf-no-start-section.raw
if [ ! -f "$btf612" ]; then
	skip "per-probe degrade" "no $btf612 (tools/deps.sh compat)"
elif [ "$(id -u)" -ne 0 ]; then
	skip "per-probe degrade" "needs root"
elif ! "$(dirname "$bin")/tests/btf-rename" "$btf612" "$mutant" memory_block start_section_nr; then
	nok "per-probe degrade: cannot write the test BTF"
else
	msg=$(MEMHP_TEST_BTF=$mutant "$bin" trace -d 1 --attach kprobe \
		--require memory_subsys_online,memory_notify 2>&1 >/dev/null)
	case $msg in
	*"memory_subsys_online: kprobe programs failed to load: CO-RE relocation failed: struct memory_block.start_section_nr"*"memory_notify: attaching kprobe"*)
		ok "per-probe degrade: only memory_subsys_online fails, with the relocation" ;;
	*) nok "per-probe degrade: $msg" ;;
	esac
	# The real 6.12.118 BTF (online_type an enum): everything loads now.
	msg=$(MEMHP_TEST_BTF=$btf612 "$bin" trace -d 1 --attach kprobe \
		--require memory_subsys_online 2>&1 >/dev/null)
	case $msg in
	*"memory_subsys_online: attaching kprobe"*) ok "6.12.118 BTF: memory_subsys_online loads (online_type flavours)" ;;
	*) nok "6.12.118 BTF: memory_subsys_online: $msg" ;;
	esac
fi
# Not root: a precise error and exit 2, whatever this host allows root.
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	n=$((n + 1))
	msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" trace -d 1 2>&1 >/dev/null)
	rc=$?
	case "$rc:$msg" in 2:*"cannot trace"*"run as root"*) echo "ok $n - not root: exit 2, says run as root" ;;
	*) echo "not ok $n - not root: rc $rc: $msg" ;; esac
fi
# A system without memory hotplug (no memory blocks in sysfs): exit 2.
t=$(mktemp -d "${TMPDIR:-/tmp}/memhp-cli-trace.XXXXXX")
mkdir -p "$t/sys/devices/system"
n=$((n + 1))
msg=$("$bin" trace -d 1 --sysroot "$t" 2>&1 >/dev/null)
rc=$?
case "$rc:$msg" in 2:*"no memory hotplug"*) echo "ok $n - no memory hotplug: exit 2, says so" ;;
*) echo "not ok $n - no memory hotplug: rc $rc: $msg" ;; esac
rm -rf "$t"
# The one-line error must name the problem.
n=$((n + 1))
msg=$("$bin" trace --attach magic 2>&1 | head -n1)
case $msg in *"invalid --attach 'magic'"*) echo "ok $n - error names the value" ;;
*) echo "not ok $n - error message: $msg" ;; esac
echo "# done"
