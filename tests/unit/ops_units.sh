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

# make install puts the unit, the rules and the docs next to the binary.
if [ -x "$out/memhp" ] && command -v make >/dev/null 2>&1; then
	d=$tmp/dest
	if log=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$top" --no-print-directory \
		OUTPUT="$(cd "$out" && pwd)" DESTDIR="$d" PREFIX=/usr install 2>&1); then
		for f in usr/lib/systemd/system/memhp-online-daemon.service \
			usr/share/memhp/prometheus/memhp-rules.yml usr/share/doc/memhp/daemon.md \
			usr/share/doc/memhp/metrics.md usr/share/doc/memhp/README.md \
			usr/share/doc/memhp/examples/daemonset.yaml; do
			[ -f "$d/$f" ] && ok "make install: /$f" || nok "make install: no /$f"
		done
		[ ! -e "$d/usr/share/doc/memhp/DESIGN-NOTES.md" ] && ok "make install: no developer notes" ||
			nok "make install: DESIGN-NOTES.md installed"
		grep -q '^ExecStart=/usr/sbin/memhp online-daemon ' "$d/usr/lib/systemd/system/memhp-online-daemon.service" &&
			ok "installed online-daemon unit runs /usr/sbin/memhp" || nok "installed online-daemon unit: ExecStart"
	else
		nok "make install: $(echo "$log" | tail -n3)"
	fi
else
	skip "make install" "no $out/memhp"
fi
echo "# done"
