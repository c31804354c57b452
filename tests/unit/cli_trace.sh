#!/bin/sh
# CLI checks of `memhp` and `memhp trace` that need no BPF: exit codes and
# one-line errors for bad input (TAP-like: "ok"/"not ok" lines).
out=${1:-build}
bin=$out/memhp
n=0
check() { # description expected-rc cmd...
	desc=$1 want=$2
	shift 2
	n=$((n + 1))
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (rc $rc, want $want): $err"
	fi
}
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
# The one-line error must name the problem.
n=$((n + 1))
msg=$("$bin" trace --attach magic 2>&1 | head -n1)
case $msg in *"invalid --attach 'magic'"*) echo "ok $n - error names the value" ;;
*) echo "not ok $n - error message: $msg" ;; esac
echo "# done"
