# netprobe: the guest side of the network card tests (tests/bats/net-*.bats),
# a static program put into build/test-rootfs/tests with the guest tests;
# udpx: UDP through the stack for the lab tests and benchmarks, static so
# umk guests, Debian linux.uml guests and the host run the same binary;
# tcpmany: many TCP connections open at once (net-tcp.bats); tcpcc: TCP
# connections per second for the benchmarks, static likewise.
NETPROBE := $(B)/tests/net/netprobe
UDPX := $(B)/tests/net/udpx
TCPMANY := $(B)/tests/net/tcpmany
TCPCC := $(B)/tests/net/tcpcc
$(NETPROBE): tests/net/netprobe.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<
$(UDPX): tests/net/udpx.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<
$(TCPMANY): tests/net/tcpmany.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<
$(TCPCC): tests/net/tcpcc.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<
TEST_ROOTFS_EXTRA += $(NETPROBE) $(UDPX) $(TCPMANY) $(TCPCC) tests/net/net-guest.sh tests/net/malformed-frames.py
$(TEST_ROOTFS_STAMP): $(NETPROBE) $(UDPX) $(TCPMANY) $(TCPCC) tests/net/net-guest.sh tests/net/malformed-frames.py
TEST_DEPS += $(NETPROBE) $(UDPX) $(TCPMANY) $(TCPCC)
