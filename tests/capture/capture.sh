#!/bin/sh
# capture.sh DIR: lo up, Debian's tcpdump capturing on lo with a filter
# (compiled by libpcap, run by the kernel), five frames from DIR/pktgen,
# then what tcpdump printed. Run natively in a network namespace and as a
# guest's script: the outputs are compared.
d=$1
echo "=== CAPTURE BEGIN"
"$d/pktgen" up || exit 1
tcpdump -n -t -e -x -l -i lo -c 4 'arp or udp or ether proto 0x88b5 or vlan' >"$d/cap.out" 2>"$d/cap.err" &
pid=$!
i=0
while ! grep -q '^listening on' "$d/cap.err" && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$d/pktgen" send || echo "pktgen send failed"
wait $pid
echo "tcpdump exit $?"
cat "$d/cap.out"
cat "$d/cap.err"
echo "=== CAPTURE END"
