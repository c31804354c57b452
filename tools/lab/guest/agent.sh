#!/bin/sh
# memhp lab VM: command agent on a serial port (default /dev/ttyS1).
# Respawned by busybox init if it ever exits.
#
# Request (one line, host -> guest):   @@REQ <id> <timeout_s> <base64 of the shell script>
# Reply (guest -> host):                @@BEGIN <id>@@
#                                       <base64 of stdout+stderr, wrapped>
#                                       @@END <id> <rc> <flags>@@
# flags: "ok", or "timeout" (the command's process group was SIGKILLed after
# timeout_s seconds), or "trunc" (output cut to LAB_MAX_OUT bytes).
# Commands run with `sh` in their own session (setsid), cwd /memhp, stdin
# /dev/null, stdout+stderr to a file. Background jobs they start (`cmd &`) keep
# running after the reply. Lines that are not well-formed requests are ignored.
PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PATH
tty=${LAB_AGENT_TTY:-/dev/ttyS1}
max=${LAB_MAX_OUT:-4194304}
dir=/tmp/.lab-agent
mkdir -p "$dir"

exec <"$tty" >"$tty" 2>>/dev/console
stty raw -echo -ixon -ixoff clocal 2>/dev/null
echo "@@LAB-AGENT-READY@@"

while IFS= read -r line; do
	case $line in
	*"@@REQ "*) ;;
	*) continue ;;
	esac
	line=${line##*@@REQ }
	line=$(echo "$line" | tr -d '\r')
	set -- $line
	[ $# -eq 3 ] || continue
	id=$1 t=$2 b=$3
	case $id$t in *[!0-9a-zA-Z_-]*) continue ;; esac
	case $t in '' | *[!0-9]*) continue ;; esac
	cmd=$dir/cmd.$id out=$dir/out.$id to=$dir/to.$id
	if ! printf '%s\n' "$b" | base64 -d >"$cmd" 2>/dev/null; then
		printf '@@BEGIN %s@@\n@@END %s 127 badreq@@\n' "$id" "$id"
		continue
	fi
	rm -f "$to"
	(cd /memhp 2>/dev/null || cd /; exec setsid sh "$cmd") </dev/null >"$out" 2>&1 &
	pid=$!
	setsid sh -c "sleep $t; : >'$to'; kill -KILL -- -$pid" </dev/null >/dev/null 2>&1 &
	wd=$!
	wait "$pid"
	rc=$?
	kill -TERM -- -"$wd" 2>/dev/null
	kill -TERM "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	flags=ok
	[ -e "$to" ] && flags=timeout
	size=$(wc -c <"$out")
	printf '@@BEGIN %s@@\n' "$id"
	if [ "$size" -gt "$max" ]; then
		flags=trunc
		head -c "$max" "$out" | base64
	else
		base64 "$out"
	fi
	printf '@@END %s %s %s@@\n' "$id" "$rc" "$flags"
	rm -f "$cmd" "$out" "$to"
done
echo "lab agent: $tty closed, exiting" >&2
