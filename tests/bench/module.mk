# Benchmark programs (static, like the guest tests) for tests/bench/run.sh.
BENCH_PROGS := $(B)/tests/bench/ubench $(B)/tests/bench/diskbench

$(B)/tests/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

TEST_DEPS += $(BENCH_PROGS)
