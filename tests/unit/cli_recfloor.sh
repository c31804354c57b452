#!/bin/sh
# Bounded recordings on a real, small file system: a 2 MiB tmpfs (root
# only; skipped otherwise). The writer is tools/gen-record with -S/-k/-f,
# which runs the same bounded writer as `memhp record --max-size
# --max-files --min-free` (user/lib/record_rotate.c); the files are read
# back with `memhp replay`. The tmpfs is unmounted on every path (trap).
out=${1:-build}
bin=$out/memhp
gen=$out/gen-record
tmp=$(mktemp -d)
mnt=$tmp/mnt
mounted=
cleanup() {
	[ -n "$mounted" ] && umount "$mnt"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
. "$(dirname "$0")/lib.sh"

mkdir -p "$mnt"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=2M memhp-test "$mnt" 2>/dev/null; then
	skip "tmpfs floor tests" "needs root and tmpfs"
	echo "# done"
	exit 0
fi
mounted=1
# events in the replayed set (replay --stats), or -1
events() { "$bin" replay --stats "$@" 2>/dev/null | sed -n 's/^events: *//p'; }

# 1. no --max-files: below the floor the recording stops, files complete
err=$("$gen" -n 100000 -s 3 -S 64K -f 512K -o "$mnt/stop.rec" 2>&1)
rc=$?
case $err in
*"stopped: $mnt has"*"below the floor of 0.50 MiB"*"--max-files does not allow removing parts"*)
	[ "$rc" -eq 1 ] && ok "floor without --max-files: stops, says why, exit 1" ||
		nok "floor stop exit $rc" ;;
*) nok "floor without --max-files: $rc $err" ;;
esac
free=$(df -k --output=avail "$mnt" | tail -n1)
[ "$free" -ge 512 ] && ok "the floor was kept (${free}K free)" || nok "floor kept: ${free}K free"
rep=$("$bin" replay --stats "$mnt/stop.rec" 2>&1 >/dev/null)
ev=$(events "$mnt/stop.rec")
[ -z "$rep" ] && [ "${ev:-0}" -gt 1000 ] && ok "the stopped set replays whole ($ev events, no warning)" ||
	nok "stopped set replay: $ev events, stderr: $rep"
rm -f "$mnt"/stop.rec.*

# 2. --max-files 5: old parts deleted, never near the floor, all written
err=$("$gen" -n 20000 -s 3 -S 64K -k 5 -f 512K -o "$mnt/keep.rec" 2>&1)
rc=$?
nf=$(ls "$mnt" | grep -c '^keep\.rec\.')
[ "$rc" -eq 0 ] && [ "$nf" -eq 5 ] && ok "--max-files 5 keeps 5 parts" || nok "max-files: rc $rc, $nf files: $err"
rep=$("$bin" replay --stats "$mnt/keep.rec" 2>&1 >/dev/null)
case $rep in
*"the parts before it were removed"*) ok "replay says the set's first parts are gone" ;;
*) nok "replay of a pruned set: $rep" ;;
esac
rm -f "$mnt"/keep.rec.*

# 3. --max-files with room for many: the floor prunes the oldest instead
err=$("$gen" -n 30000 -s 3 -S 64K -k 1000 -f 1M -o "$mnt/prune.rec" 2>&1)
rc=$?
case $err in
*"below the free-space floor (--min-free): removed $mnt/prune.rec.000001"*)
	[ "$rc" -eq 0 ] && ok "floor with --max-files: oldest parts removed, recording goes on" ||
		nok "floor prune rc $rc" ;;
*) nok "floor prune: rc $rc: $(printf '%s' "$err" | tail -n 2)" ;;
esac
free=$(df -k --output=avail "$mnt" | tail -n1)
[ "$free" -ge 1024 ] && ok "the floor was kept while pruning (${free}K free)" || nok "prune floor: ${free}K"
rm -f "$mnt"/prune.rec.*

# 4. no floor: the file system fills up (ENOSPC); the file is cut back to
# its last whole record, no torn tail for replay to skip
err=$("$gen" -n 100000 -s 3 -f 0 -o "$mnt/full.rec" 2>&1)
rc=$?
case $err in
*"No space left on device; the file ends with its last whole record"*)
	[ "$rc" -eq 1 ] && ok "ENOSPC: exit 1, says the file is whole" || nok "ENOSPC rc $rc" ;;
*) nok "ENOSPC: rc $rc: $err" ;;
esac
rep=$("$bin" replay --stats "$mnt/full.rec" 2>&1 >/dev/null)
ev=$(events "$mnt/full.rec")
[ -z "$rep" ] && [ "${ev:-0}" -gt 1000 ] && ok "after ENOSPC: $ev events, no torn tail" ||
	nok "after ENOSPC: $ev events, stderr: $rep"
echo "# done"
