# Guest test programs: ordinary static x86-64 Linux programs, run natively
# and under umk by tests/bats/guest.bats (outputs compared).
GUEST_CFLAGS := -static -O2 -g -Wall -Wextra -Werror
GUEST_SRCS := $(sort $(wildcard tests/guest/*.c))
GUEST_PROGS := $(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(GUEST_SRCS))

$(B)/tests/guest/%: tests/guest/%.c tests/guest/t.h tests/guest/net.h tests/guest/ptrace_t.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDFLAGS)

# the capability programs share caps.h
$(B)/tests/guest/caps $(B)/tests/guest/caps_perms: tests/guest/caps.h

# the packet socket programs share packet.h
$(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(wildcard tests/guest/net_packet*.c)): tests/guest/packet.h

# execstack asks for an executable stack in PT_GNU_STACK (saying so
# also keeps ld quiet about its nested-function trampolines).
$(B)/tests/guest/execstack: GUEST_LDFLAGS := -Wl,-z,execstack

.PHONY: guest-tests
guest-tests: $(GUEST_PROGS)
TEST_DEPS += $(GUEST_PROGS)

# build/test-rootfs: the default rootfs plus gdb, every guest test program
# and the run-one init under /tests, and TEST_ROOTFS_EXTRA (programs other
# module.mk files add, with a prerequisite on the stamp: tests/net).
TEST_ROOTFS := $(B)/test-rootfs
TEST_ROOTFS_STAMP := $(B)/.test-rootfs.stamp
GUEST_SCRIPTS := tests/guest/run-one $(wildcard tests/guest/*.sh)

# gdb only here, not in the default image: with its libraries it would
# double the image (Documentation/debugging-guest.md).
$(TEST_ROOTFS_STAMP): $(ROOTFS_STAMP) $(GUEST_PROGS) $(GUEST_SCRIPTS) rootfs/add-gdb.sh rootfs/host-programs.sh
	@rm -rf $(TEST_ROOTFS)
	@cp -a $(B)/rootfs-dir $(TEST_ROOTFS)
	@sh rootfs/add-gdb.sh $(TEST_ROOTFS) >/dev/null
	@mkdir -p $(TEST_ROOTFS)/tests
	@cp $(GUEST_PROGS) $(GUEST_SCRIPTS) $(TEST_ROOTFS_EXTRA) $(TEST_ROOTFS)/tests/
	@chmod 0755 $(TEST_ROOTFS)/tests/*
	@touch $@
	@echo "test-rootfs: $(TEST_ROOTFS)"

.PHONY: test-rootfs
test-rootfs: $(TEST_ROOTFS_STAMP)
TEST_DEPS += $(TEST_ROOTFS_STAMP)
CLEAN_FILES += $(TEST_ROOTFS) $(TEST_ROOTFS_STAMP)
