#!/bin/bash
# The online-daemon's systemd unit: systemd-analyze verify is clean with the
# binary it would run; it keeps the capabilities docs/daemon.md needs and no
# others (no CAP_SETUID/CAP_SETGID/CAP_DAC_OVERRIDE: it serves no network and
# writes root-owned files as root); /sys stays writable (no
# ProtectKernelTunables) and syslog(2) allowed (no ProtectKernelLogs).
# TAP-like "ok"/"not ok", "# done" at the end.
out=${1:-build}
bin=$out/memhp
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$top/tools/systemd/memhp-online-daemon.service
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-ops-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

unit=$tmp/memhp-online-daemon.service
sed "s|/usr/local/sbin/memhp|$(cd "$(dirname "$bin")" && pwd)/memhp|" "$src" >"$unit"
if command -v systemd-analyze >/dev/null 2>&1; then
	if v=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$v" ]; then ok "systemd-analyze verify online-daemon unit"
	else nok "systemd-analyze verify: $v"; fi
else
	skip "systemd-analyze verify" "systemd-analyze not installed"
fi

caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$src")
[ "$caps" = "CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_ADMIN CAP_SYSLOG" ] &&
	ok "bounding set: BPF, PERFMON, SYS_RESOURCE, SYS_ADMIN, SYSLOG" || nok "bounding set: $caps"
[ "$(sed -n 's/^AmbientCapabilities=//p' "$src")" = "$caps" ] && ok "ambient = bounding set" ||
	nok "AmbientCapabilities differs from the bounding set"
for k in ProtectKernelTunables=yes ProtectKernelLogs=yes 'User=' 'AF_INET'; do
	grep -q "^[^#]*$k" "$src" && nok "unit has $k (see its comments)" || ok "unit has no $k"
done
for k in NoNewPrivileges=yes ProtectSystem=strict PrivateNetwork=yes PrivateTmp=yes \
	'ConditionPathExists=/etc/memhp/policy.yaml' \
	'ExecStart=/usr/local/sbin/memhp online-daemon --policy /etc/memhp/policy.yaml'; do
	grep -q "^$k" "$src" && ok "unit has $k" || nok "unit lacks $k"
done

echo "# done"
