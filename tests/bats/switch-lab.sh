#!/bin/bash
# A two-guest lab written the way one writes it for Debian's uml_switch:
# start `uml_switch -unix CTL`, boot two UMLs with eth0=daemon on it, ping,
# tear everything down. switch-uml.bats runs it once with the real
# uml_switch and once with umk-switch installed under that name.
# Usage: switch-lab.sh WORKDIR   (UML_ROOT: busybox hostfs root with /init)
set -u
DIR=$1
ROOT=${UML_ROOT:?set UML_ROOT to a busybox hostfs root (switch-lib.bash build_uml_root)}
mkdir -p "$DIR/uml"
CTL=$DIR/switch.ctl

uml_switch -unix "$CTL" </dev/null >"$DIR/switch.log" 2>&1 &
SWPID=$!
for i in $(seq 50); do [ -S "$CTL" ] && break; sleep 0.1; done

guest() { # name ip [extra kernel args]
	local name=$1 ip=$2
	shift 2
	TMPDIR="$DIR/uml" setsid linux.uml mem=96M root=/dev/root rootfstype=hostfs rootflags="$ROOT" rw \
		init=/init uml_dir="$DIR/uml" umid="lab-$name" eth0=daemon,,unix,"$CTL" \
		con0=fd:0,fd:1 con=null uip="$ip" "$@" </dev/null >"$DIR/$name.console" 2>&1 &
	echo $!
}
B=$(guest b 10.1.0.2/24 uwait=60)
A=$(guest a 10.1.0.1/24 uping=10.1.0.2 ucount=3 uint=0.2)

rc=1
for i in $(seq 900); do
	if grep -q UMK-PING-DONE "$DIR/a.console" 2>/dev/null; then
		grep -q '^3 packets transmitted, 3 packets received' "$DIR/a.console" && rc=0
		break
	fi
	sleep 0.1
done
grep 'packets transmitted' "$DIR/a.console" || tail -5 "$DIR/a.console"

for p in $A $B; do kill -9 -- "-$p" 2>/dev/null; done
kill "$SWPID"
wait 2>/dev/null
exit $rc
