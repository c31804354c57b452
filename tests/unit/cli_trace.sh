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
check "trace missing sysroot" 2 "$bin" trace --sysroot /nonexistent
check "trace bad --buffer-size" 2 "$bin" trace --buffer-size 5000
check "trace tiny --buffer-size" 2 "$bin" trace --buffer-size 1024
check "trace unreadable --policy" 2 "$bin" trace --policy /nonexistent/policy.yaml
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
