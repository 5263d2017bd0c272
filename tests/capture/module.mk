# pktgen: raw frames on lo for tests/bats/packet-capture.bats, which runs
# it natively and in guests (static).
PKTGEN := $(B)/tests/capture/pktgen
$(PKTGEN): tests/capture/pktgen.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<
TEST_DEPS += $(PKTGEN)
