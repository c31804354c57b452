#!/bin/bash
# The Debian package as built by `make deb`: unpacked with dpkg-deb -x into a
# scratch root (never installed), it has every file it should; the binary
# runs from there and lists fixture trees exactly like the build's own
# binary; the man page renders; the units run /usr/sbin/memhp and verify with
# systemd-analyze; the rules pass promtool; the maintainer scripts neither
# enable nor start a unit; the Maintainer is no placeholder; lintian
# (tools/mkdeb.sh) left no error or warning. The promised files: tests/deb/files.txt.
# TAP-like "ok"/"not ok" lines, then "N passed, N failed".
# Usage: tests/deb/check.sh DEB OUTPUT
deb=${1:?usage: tests/deb/check.sh DEB OUTPUT}
out=${2:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/unit/lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/memhp-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
nok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

root=$tmp/root
if dpkg-deb -x "$deb" "$root"; then ok "dpkg-deb -x $(basename "$deb")"; else
	nok "dpkg-deb -x $deb"
	echo "0 passed, 1 failed"
	exit 1
fi
dpkg-deb -e "$deb" "$tmp/DEBIAN"

grep -v '^#' "$top/tests/deb/files.txt" | grep -q . || nok "tests/deb/files.txt lists no file"
for f in $(grep -v '^#' "$top/tests/deb/files.txt"); do
	[ -f "$root$f" ] && ok "package has $f" || nok "package lacks $f"
done
[ "$(stat -c %a "$root/usr/sbin/memhp")" = 755 ] && ok "/usr/sbin/memhp mode 755" || nok "memhp mode"

# The binary from the package root (its libraries are the host's).
ver=$(dpkg-deb -f "$deb" Version)
v=$("$root/usr/sbin/memhp" --version 2>&1)
case $v in *"$ver"*) ok "memhp --version: $v" ;; *) nok "memhp --version: '$v', package $ver" ;; esac
for l in libbpf1 libmicrohttpd12 libyaml-0-2 libcap2; do
	dpkg-deb -f "$deb" Depends | grep -q "$l" && ok "Depends: $l" || nok "Depends lacks $l: $(dpkg-deb -f "$deb" Depends)"
done
# No placeholder contact: the reserved example domains (RFC 2606) read as a
# real list; memhp has none, and says so with an RFC 6761 .invalid host.
mt=$(dpkg-deb -f "$deb" Maintainer)
case $mt in
*@*example.com\>* | *@*example.org\>* | *@*example.net\>* | *@*.example\>*) nok "Maintainer is a placeholder: $mt" ;;
*\<*@*.*\>) ok "Maintainer: $mt" ;;
*) nok "Maintainer has no address: $mt" ;;
esac
bash "$top/tests/data/mk-sysroots.sh" "$tmp/fx" >/dev/null || nok "mk-sysroots.sh failed"
for t in 2node offline bs1g; do
	a=$("$root/usr/sbin/memhp" ls --sysroot "$tmp/fx/sysroot-$t" -o +NODE,ZONES 2>&1)
	rc=$?
	b=$("$out/memhp" ls --sysroot "$tmp/fx/sysroot-$t" -o +NODE,ZONES 2>&1)
	if [ "$rc" -eq 0 ] && [ -n "$a" ] && [ "$a" = "$b" ]; then ok "packaged memhp ls --sysroot $t ($(echo "$a" | wc -l) lines) = build's"
	else nok "packaged memhp ls --sysroot $t (rc $rc): $a"; fi
done

# The man page, as man finds it in the package.
if command -v man >/dev/null 2>&1; then
	m=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root/usr/share/man/man8/memhp.8.gz" 2>"$tmp/man.err")
	echo "$m" | grep -q "memhp online-daemon" && [ ! -s "$tmp/man.err" ] && ok "man page renders, clean" ||
		nok "man page: $(cat "$tmp/man.err")"
else
	skip "man page renders" "man-db not installed"
fi

# The units run the packaged path and verify (with that path in the scratch root).
for u in memhp-exporter memhp-online-daemon; do
	f=$root/lib/systemd/system/$u.service
	grep -q '^ExecStart=/usr/sbin/memhp ' "$f" && ok "$u.service runs /usr/sbin/memhp" || nok "$u.service: $(grep ExecStart "$f")"
	if command -v systemd-analyze >/dev/null 2>&1; then
		sed "s|=/usr/sbin/memhp|=$root/usr/sbin/memhp|" "$f" >"$tmp/$u.service"
		v=$(systemd-analyze verify --man=no "$tmp/$u.service" 2>&1) && [ -z "$v" ] &&
			ok "systemd-analyze verify $u.service" || nok "systemd-analyze verify $u.service: $v"
	fi
done
# (an enable only right after "was-enabled": an upgrade keeps the admin's choice)
if grep -q 'deb-systemd-invoke' "$tmp/DEBIAN/postinst" ||
	awk '/deb-systemd-helper enable/ && prev !~ /was-enabled/ { bad = 1 }
		NF && !/^[ \t]*#/ { prev = $0 } END { exit !bad }' "$tmp/DEBIAN/postinst"; then
	nok "postinst enables or starts a unit: $(grep -n 'invoke\|enable' "$tmp/DEBIAN/postinst")"
else
	ok "postinst neither enables nor starts a unit"
fi
if command -v promtool >/dev/null 2>&1; then
	v=$(promtool check rules "$root/usr/share/memhp/prometheus/memhp-rules.yml" 2>&1) &&
		ok "packaged rules: promtool check rules" || nok "packaged rules: $v"
fi
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$root/usr/share/memhp/grafana/memhp-dashboard.json" &&
	ok "packaged dashboard is JSON" || nok "packaged dashboard does not parse"

# lintian's verdict from the build (tools/mkdeb.sh fails on E/W already).
lt=$(dirname "$deb")/lintian.txt
if [ -f "$lt" ]; then
	ew=$(grep -E '^[EW]: ' "$lt")
	[ -z "$ew" ] && ok "lintian: no error or warning ($(grep -c '^I: ' "$lt") info)" || nok "lintian: $ew"
else
	nok "no lintian report $lt"
fi
echo "$n tests"
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
