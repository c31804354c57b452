# Sourced by the tests/unit/cli_*.sh scripts: TAP-like result lines
# ("ok N - what", "not ok N - what"), numbered by the shared counter n.
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # description expected-rc cmd...: the command's exit status
	desc=$1 want=$2
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else nok "$desc (rc $rc, want $want): $err"; fi
}
