#!/bin/sh
# CLI checks of `memhp record`, `memhp replay` and tools/gen-record that
# need no BPF: exit codes and one-line errors for bad input, torn and
# damaged files, replay output (TAP-like: "ok"/"not ok" lines).
out=${1:-build}
bin=$out/memhp
gen=$out/gen-record
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
# stderr of the command must be one line containing TEXT (plus argp's
# "Try `memhp replay --help'" hint after usage errors)
check_msg() { # description expected-rc text cmd...
	desc=$1 want=$2 text=$3
	shift 3
	n=$((n + 1))
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | grep -v '^Try `' | grep -c .)
	case $err in
	*"$text"*) [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] &&
		{ echo "ok $n - $desc"; return; } ;;
	esac
	echo "not ok $n - $desc (rc $rc, want $want, $lines lines): $err"
}
yes_() { # description cmd... (a shell condition)
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi
}

check "record --help" 0 "$bin" record --help
check "replay --help" 0 "$bin" replay --help
check "--help lists record" 0 sh -c "'$bin' --help | grep -q '^  record '"
check "--help lists replay" 0 sh -c "'$bin' --help | grep -q '^  replay '"
check_msg "record without -o" 2 "missing -o FILE" "$bin" record
check_msg "record bad --count" 2 "invalid --count '0'" "$bin" record -o "$tmp/x.rec" -c 0
check_msg "record bad --duration" 2 "invalid --duration '-1'" "$bin" record -o "$tmp/x.rec" -d -1
check_msg "record bad --attach" 2 "invalid --attach 'magic'" "$bin" record -o "$tmp/x.rec" --attach magic
check_msg "record bad --buffer-size" 2 "invalid --buffer-size '5000'" "$bin" record -o "$tmp/x.rec" --buffer-size 5000
check_msg "record stray arg" 2 "unexpected argument 'extra'" "$bin" record -o "$tmp/x.rec" extra
check "record missing sysroot" 2 "$bin" record -o "$tmp/x.rec" --sysroot /nonexistent
check_msg "replay without FILE" 2 "missing record FILE" "$bin" replay
check_msg "replay two missing files" 1 "a: No such file or directory" "$bin" replay a b
check_msg "record bad --max-size" 2 "invalid --max-size '1K'" "$bin" record -o "$tmp/x.rec" --max-size 1K
check_msg "record bad --max-files" 2 "invalid --max-files '0'" "$bin" record -o "$tmp/x.rec" --max-files 0
check "record --min-free 10% --max-size 64M --max-files 3 --rotate-every 1h parse" 0 \
	"$bin" record -o "$tmp/x.rec" --min-free 10% --max-size 64M --max-files 3 --rotate-every 1h --help
check "record --min-free 0 parses" 0 "$bin" record -o "$tmp/x.rec" --min-free 0 --help
check_msg "record --max-files alone" 2 "--max-files needs --max-size or --rotate-every" "$bin" record -o "$tmp/x.rec" --max-files 3
check_msg "record bad --rotate-every" 2 "invalid --rotate-every '0.5s'" "$bin" record -o "$tmp/x.rec" --rotate-every 0.5s
check_msg "record bad --min-free" 2 "invalid --min-free '100%'" "$bin" record -o "$tmp/x.rec" --min-free 100%
check_msg "record bad --min-free size" 2 "invalid --min-free '5Q'" "$bin" record -o "$tmp/x.rec" --min-free 5Q
check_msg "replay bad --format" 2 "invalid --format 'xml'" "$bin" replay --format xml f
check_msg "replay bad --repeat" 2 "invalid --repeat '0'" "$bin" replay --repeat 0 f
check_msg "replay bad --every" 2 "invalid --every 'x'" "$bin" replay --every x f
check_msg "replay missing file" 1 "$tmp/none.rec: No such file or directory" "$bin" replay "$tmp/none.rec"
check_msg "replay a directory" 1 "$tmp: not a regular file" "$bin" replay "$tmp"
printf 'hello world, not a record file\n' >"$tmp/text"
check_msg "replay a text file" 1 "offset 0: not a memhp record file (bad magic)" "$bin" replay "$tmp/text"
: >"$tmp/empty"
check_msg "replay an empty file" 1 "offset 0: empty file" "$bin" replay "$tmp/empty"

# gen-record
check_msg "gen-record without -n" 2 "missing -n" "$gen" -o "$tmp/g.rec"
check_msg "gen-record bad -n" 2 "invalid -n" "$gen" -n x -o "$tmp/g.rec"
check "gen-record -h" 0 "$gen" -h
check "gen-record 2000 events" 0 "$gen" -n 2000 -s 7 -o "$tmp/g.rec"
"$gen" -n 2000 -s 7 -o "$tmp/g2.rec" 2>/dev/null
"$gen" -n 2000 -s 8 -o "$tmp/g3.rec" 2>/dev/null
yes_ "gen-record is deterministic" "cmp -s '$tmp/g.rec' '$tmp/g2.rec'"
yes_ "gen-record depends on the seed" "! cmp -s '$tmp/g.rec' '$tmp/g3.rec'"
check_msg "gen-record unwritable" 1 "/nonexistent/g.rec" "$gen" -n 5 -o /nonexistent/g.rec

# replay output
yes_ "replay -J: one JSON line per event" \
	"[ \$('$bin' replay -J '$tmp/g.rec' 2>/dev/null | grep -c '^{\"time\":') -eq 2000 ]"
yes_ "replay text: a header and one line per event" \
	"[ \$('$bin' replay '$tmp/g.rec' 2>/dev/null | wc -l) -eq 2001 ]"
yes_ "replay summary on stderr" \
	"'$bin' replay -J '$tmp/g.rec' 2>&1 >/dev/null | grep -q '2000 events, 0 lost, 0 malformed'"
yes_ "replay --format prom" \
	"'$bin' replay --format prom '$tmp/g.rec' 2>/dev/null | grep -q '^memhp_build_info'"
yes_ "replay --stats" \
	"'$bin' replay --stats --repeat 3 '$tmp/g.rec' | grep -q '^events: *6000$'"
yes_ "replay --stats -J" \
	"'$bin' replay --stats -J '$tmp/g.rec' | grep -q '\"events\":2000,'"
check "replay --policy" 0 "$bin" replay --stats --policy tests/data/policy-good.conf "$tmp/g.rec"
check "replay unreadable --policy" 2 "$bin" replay --policy /nonexistent/p.yaml "$tmp/g.rec"

# a torn tail: warning, exit 0, everything before it replayed
size=$(wc -c <"$tmp/g.rec")
head -c $((size - 100)) "$tmp/g.rec" >"$tmp/torn.rec"
check_msg "replay torn tail: a warning" 0 "warning: $tmp/torn.rec: offset" "$bin" replay --stats "$tmp/torn.rec"
yes_ "replay torn tail: the events before it" \
	"'$bin' replay --stats '$tmp/torn.rec' 2>/dev/null | grep -q '^events: *1999$'"
# garbage in the middle: an error naming the offset (the third record)
cp "$tmp/g.rec" "$tmp/bad.rec"
# the second record's length, as written (the event size grows with the ABI)
ev=$(od -An -tu4 -j $((224 + 16 + 8 + 64 * 80)) -N4 "$tmp/g.rec" | tr -d ' ')
off=$((224 + 16 + 8 + 64 * 80 + 16 + ev))
printf 'XXXX' | dd of="$tmp/bad.rec" bs=1 seek=$((off + 40)) conv=notrunc 2>/dev/null
check_msg "replay damaged middle" 1 "offset $off: record checksum mismatch" "$bin" replay --stats "$tmp/bad.rec"
# the format as docs/record.md defines it, checked by an independent
# implementation (tests/unit/record_spec.py); a record type this memhp does
# not know is checked and skipped
"$gen" -n 200 -s 9 -o "$tmp/s.rec" 2>/dev/null
check_msg "record_spec.py reads gen-record's file" 0 "ok 201 records" \
	sh -c "python3 tests/unit/record_spec.py check '$tmp/s.rec' 1>&2"
python3 tests/unit/record_spec.py append "$tmp/s.rec" 99 0102030405060708090a0b
check_msg "replay skips an unknown record type" 0 "1 records of types this memhp does not know" \
	"$bin" replay --stats "$tmp/s.rec"
python3 tests/unit/record_spec.py append "$tmp/s.rec" 1 00
yes_ "replay counts a malformed event" \
	"'$bin' replay -J '$tmp/s.rec' 2>&1 >/dev/null | grep -q '200 events, 0 lost, 1 malformed'"

# a rotated set (gen-record -S/-k: the bounded writer of memhp record)
check_msg "gen-record bad -S" 2 "invalid -S" "$gen" -n 5 -S 1K -o "$tmp/r.rec"
check_msg "gen-record bad -k" 2 "invalid -k" "$gen" -n 5 -S 64K -k 0 -o "$tmp/r.rec"
check_msg "gen-record -k without -S" 2 "-k needs -S" "$gen" -n 5 -k 2 -o "$tmp/r.rec"
"$gen" -n 2000 -s 7 -S 64K -o "$tmp/r.rec" 2>/dev/null
yes_ "gen-record -S 64K: parts FILE.000001 .. .000010, no FILE" \
	"[ -f '$tmp/r.rec.000001' ] && [ -f '$tmp/r.rec.000010' ] && [ ! -e '$tmp/r.rec.000011' ] && [ ! -e '$tmp/r.rec' ]"
yes_ "replay of the set (base name) = replay of one file" \
	"'$bin' replay -J '$tmp/r.rec' 2>/dev/null | cmp -s - \$('$bin' replay -J '$tmp/g.rec' 2>/dev/null >'$tmp/g.json'; echo '$tmp/g.json')"
yes_ "replay of the set: a quoted glob, the same" \
	"'$bin' replay -J '$tmp/r.rec.*' 2>/dev/null | cmp -s - '$tmp/g.json'"
yes_ "replay of the set: the same Prometheus exposition" \
	"[ \"\$('$bin' replay --format prom '$tmp/r.rec' 2>/dev/null | grep -v _seconds)\" = \"\$('$bin' replay --format prom '$tmp/g.rec' 2>/dev/null | grep -v _seconds)\" ]"
s1=$(python3 tests/unit/record_spec.py check "$tmp/r.rec.000001" | sed -n 's/.*of session \([0-9a-f]*\), first record type 2$/\1/p')
s2=$(python3 tests/unit/record_spec.py check "$tmp/r.rec.000002" | sed -n 's/.*part 2 of session \([0-9a-f]*\), first record type 2$/\1/p')
yes_ "record_spec.py: parts 1 and 2 of one session, each starting with a snapshot" \
	"[ -n '$s1' ] && [ '$s1' = '$s2' ] && [ '$s1' != 0000000000000000 ]"
check_msg "replay: files out of order, a warning" 0 "warning: files given out of order" \
	"$bin" replay --stats "$tmp/r.rec.000002" "$tmp/r.rec.000001"
check_msg "replay: a missing part, a warning" 0 "warning: part 2 is missing between" \
	"$bin" replay --stats "$tmp/r.rec.000001" "$tmp/r.rec.000003"
check_msg "replay: a single file with parts, refused" 1 "is a single recording, not a part" \
	"$bin" replay --stats "$tmp/g.rec" "$tmp/r.rec.000001"
cp "$tmp/r.rec.000001" "$tmp/other.rec.000001"
"$gen" -n 2000 -s 7 -S 64K -o "$tmp/r.rec" 2>/dev/null # a new session
check_msg "replay: parts of two recordings, refused" 1 "parts of different recordings" \
	"$bin" replay --stats "$tmp/other.rec.000001" "$tmp/r.rec.000002"
size=$(wc -c <"$tmp/r.rec.000010")
head -c $((size - 100)) "$tmp/r.rec.000010" >"$tmp/r.rec.000010.x" && mv "$tmp/r.rec.000010.x" "$tmp/r.rec.000010"
check_msg "replay: a torn tail in the last part, a warning" 0 "r.rec.000010: offset" \
	"$bin" replay --stats "$tmp/r.rec"
"$gen" -n 2000 -s 7 -S 64K -k 3 -o "$tmp/r.rec" 2>/dev/null
yes_ "gen-record -k 3: the earlier parts removed, the newest 3 kept" \
	"[ \$(ls '$tmp' | grep -c '^r\\.rec\\.') -eq 3 ] && [ -f '$tmp/r.rec.000010' ]"
echo "# done"
