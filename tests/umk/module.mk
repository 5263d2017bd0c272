# Programs that only make sense under umk (they run as init and check
# kernel behaviour that has no native counterpart): tests/bats/kernel.bats.
UMK_ONLY_SRCS := $(sort $(wildcard tests/umk/*.c))
UMK_ONLY_PROGS := $(patsubst tests/umk/%.c,$(B)/tests/umk/%,$(UMK_ONLY_SRCS))
$(B)/tests/umk/%: tests/umk/%.c tests/umk/rng.h
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<
TEST_DEPS += $(UMK_ONLY_PROGS)
