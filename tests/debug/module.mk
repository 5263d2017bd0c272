# Programs for the debugger tests (tests/bats/debugging.bats): built static
# without optimisation and with debug information, so that gdb's output
# (lines, locals, backtraces) is the same natively and in a guest; copied
# into build/test-rootfs/tests with the guest tests.
DEBUG_PROGS := $(B)/tests/debug/gdb_target
$(B)/tests/debug/%: tests/debug/%.c
	@mkdir -p $(dir $@)
	$(CC) -static -O0 -g -Wall -Wextra -Werror -pthread -o $@ $<
TEST_ROOTFS_EXTRA += $(DEBUG_PROGS) tests/debug/gdb_target.c
# (the stamp by name: tests/guest/module.mk, which names it, comes later)
$(B)/.test-rootfs.stamp: $(DEBUG_PROGS) tests/debug/gdb_target.c
TEST_DEPS += $(DEBUG_PROGS)
