#!/bin/sh
# capture.sh DIR: lo up, then twice Debian's tcpdump capturing with a
# filter (compiled by libpcap, run by the kernel) while DIR/pktgen sends
# five frames on lo: on lo itself (SOCK_RAW, Ethernet headers), then on
# "any" (SOCK_DGRAM, Linux cooked headers); then what tcpdump printed.
# Run natively in a network namespace and as a guest's script: the
# outputs are compared.
d=$1
echo "=== CAPTURE BEGIN"
"$d/pktgen" up || exit 1
capture() { # IFACE FILTER
	# the files exist before tcpdump starts, and it appends: the wait
	# below never reads an old file or none
	: >"$d/cap.out"
	: >"$d/cap.err"
	tcpdump -n -t -e -x -l -i "$1" -c 4 "$2" >>"$d/cap.out" 2>>"$d/cap.err" &
	pid=$!
	i=0
	while ! grep -q "^listening on $1," "$d/cap.err" && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$d/pktgen" send || echo "pktgen send failed"
	wait $pid
	echo "tcpdump -i $1 exit $?"
	cat "$d/cap.out"
	cat "$d/cap.err"
}
capture lo 'arp or udp or ether proto 0x88b5 or vlan'
capture any 'not ether proto 0x88b6'
echo "=== CAPTURE END"
