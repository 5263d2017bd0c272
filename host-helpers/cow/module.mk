# umk-cow (UML COW file tool), over the COW library
# host-helpers/lib/cowfile.c (header: include/wire/cow.h).
# Unit tests tests/unit/cow/test_NAME.c become build/tests/unit/cow-NAME
# (plain) and cow-NAME-asan ($(SANITIZE), UBSan fatal); tests/run-all.sh
# runs every executable directly in build/tests/unit/.
COW_LIB_SRC := host-helpers/lib/cowfile.c
COW_HDRS := include/wire/cow.h

$(B)/obj/host-helpers/cow/%.o: host-helpers/cow/%.c $(COW_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/umk-cow: $(B)/obj/host-helpers/cow/umk-cow.o $(B)/obj/host-helpers/lib/cowfile.o
	$(CC) -o $@ $^

COWUT := $(B)/tests/unit
COWUT_NAMES := header rw
define cowut_rule
$(COWUT)/cow-$(1): tests/unit/cow/test_$(1).c tests/unit/common/check.h $(COW_LIB_SRC) $(COW_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HOST_CFLAGS) -o $$@ $$(filter %.c,$$^)
$(COWUT)/cow-$(1)-asan: tests/unit/cow/test_$(1).c tests/unit/common/check.h $(COW_LIB_SRC) $(COW_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HOST_CFLAGS) $$(SANITIZE) -fno-sanitize-recover=all -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(COWUT_NAMES),$(eval $(call cowut_rule,$(t))))
COWUT_BINS := $(foreach t,$(COWUT_NAMES),$(COWUT)/cow-$(t) $(COWUT)/cow-$(t)-asan)

# Test helper for tests/bats/cow.bats: writes sectors through the library.
$(B)/tests/cow-write: tests/unit/cow/cow-write.c $(COW_LIB_SRC) $(COW_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

.PHONY: cow-unit
cow-unit: $(COWUT_BINS)
	@for t in $(COWUT_BINS); do $$t || exit 1; done

ALL_TARGETS += $(B)/umk-cow $(B)/tests/cow-write
TEST_DEPS += $(COWUT_BINS)
