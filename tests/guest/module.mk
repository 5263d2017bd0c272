# Guest test programs: ordinary static x86-64 Linux programs, run natively
# and under umk by tests/bats/guest.bats (outputs compared).
GUEST_CFLAGS := -static -O2 -g -Wall -Wextra -Werror
GUEST_SRCS := $(sort $(wildcard tests/guest/*.c))
GUEST_PROGS := $(patsubst tests/guest/%.c,$(B)/tests/guest/%,$(GUEST_SRCS))

$(B)/tests/guest/%: tests/guest/%.c tests/guest/t.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

.PHONY: guest-tests
guest-tests: $(GUEST_PROGS)
TEST_DEPS += $(GUEST_PROGS)
