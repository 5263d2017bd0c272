#!/usr/bin/env bats
# Debian's tcpdump, from the default image, captures on lo inside a guest
# in every trap mode: libpcap's memory-mapped ring (PACKET_RX_RING,
# TPACKET_V3, blocks handed over by their timer), its kernel filter (a
# program using the VLAN ancillary loads), the VLAN tag from the ring put
# back into the frame, and PACKET_STATISTICS for the closing counts; then
# on "any" (SOCK_DGRAM, Linux cooked headers). tests/capture/capture.sh
# runs pktgen (five raw frames on lo, one left out by the filter) under
# each `tcpdump -c 4`; its output must be what the same script prints
# natively in a private network namespace (as root, with the host's
# tcpdump).

load ../lib.sh

setup_file() {
	export CAP_ROOT=$BATS_FILE_TMPDIR/root
	[ -x "$UMK_ROOTFS/usr/sbin/tcpdump" ] || return 0
	rm -rf "$CAP_ROOT"
	cp -a "$UMK_ROOTFS" "$CAP_ROOT"
	mkdir -p "$CAP_ROOT/cap"
	cp "$UMK_BUILD/tests/capture/pktgen" "$UMK_TOP/tests/capture/capture.sh" "$CAP_ROOT/cap/"
}

section() {
	awk '/^=== CAPTURE BEGIN/{on=1; next} /^=== CAPTURE END/{exit} on{print}' "$1"
}

@test "tcpdump -i lo in a guest prints what it prints natively (every mode)" {
	[ -x "$UMK_ROOTFS/usr/sbin/tcpdump" ] || skip "no tcpdump in $UMK_ROOTFS (make rootfs on a host with tcpdump)"
	command -v tcpdump >/dev/null || skip "no tcpdump on the host"
	[ "$(id -u)" = 0 ] || skip "the native run needs root (a network namespace, packet sockets)"
	local native=$BATS_TEST_TMPDIR/native
	mkdir -p "$native"
	chmod 0755 "$native"
	cp "$UMK_BUILD/tests/capture/pktgen" "$native/"
	(cd / && timeout 60 unshare -n sh "$UMK_TOP/tests/capture/capture.sh" "$native") >"$native/out" 2>&1
	section "$native/out" >"$native/want"
	cat "$native/out"
	[ "$(grep -c "^4 packets captured$" "$native/want")" -eq 2 ]
	local mode failed=""
	for mode in $UMK_MODES; do
		umk_boot "$mode" "$CAP_ROOT" /init /cap/capture.sh /cap
		section "$UMK_OUT" >"$BATS_TEST_TMPDIR/got.$mode"
		if ! diff -u "$native/want" "$BATS_TEST_TMPDIR/got.$mode" || [ "$UMK_STATUS" -ne 0 ]; then
			echo "# mode $mode differs" >&3
			umk_explain noconsole
			failed="$failed $mode"
		fi
	done
	[ -z "$failed" ]
}
