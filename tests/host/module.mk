# Host-side test helpers (run by bats files on the host, not in a guest).
$(B)/tests/noseccomp: tests/host/noseccomp.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<
TEST_DEPS += $(B)/tests/noseccomp
