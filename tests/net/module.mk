# netprobe: the guest side of the network card tests (tests/bats/net-*.bats),
# a static program put into build/test-rootfs/tests with the guest tests.
NETPROBE := $(B)/tests/net/netprobe
$(NETPROBE): tests/net/netprobe.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<
TEST_ROOTFS_EXTRA += $(NETPROBE) tests/net/net-guest.sh
$(TEST_ROOTFS_STAMP): $(NETPROBE) tests/net/net-guest.sh
TEST_DEPS += $(NETPROBE)
