# Host network helpers: umk-switch (uml_switch-compatible switch daemon) and
# umk-net (privileged tap helper), their unit tests and the test/bench peer.
SWITCH_SRCS := $(sort $(wildcard host-helpers/switch/*.c))
SWITCH_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(SWITCH_SRCS))
SWITCH_HDRS := $(wildcard host-helpers/switch/*.h) include/wire/uml_switch.h
UMKNET_SRCS := $(sort $(wildcard host-helpers/net/*.c))
UMKNET_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(UMKNET_SRCS))
UMKNET_HDRS := $(wildcard host-helpers/net/*.h)

$(B)/obj/host-helpers/switch/%.o: host-helpers/switch/%.c $(SWITCH_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@
$(B)/obj/host-helpers/net/%.o: host-helpers/net/%.c $(UMKNET_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/umk-switch: $(SWITCH_OBJS)
	$(CC) -o $@ $^ -lpcap -lvdeplug
$(B)/umk-net: $(UMKNET_OBJS)
	$(CC) -o $@ $^ -lcap-ng

# The switch under ASan/UBSan, for running the bats suites against it:
#   UMK_SWITCH=build/umk-switch-asan bats tests/bats/switch*.bats
$(B)/umk-switch-asan: $(SWITCH_SRCS) $(SWITCH_HDRS)
	$(CC) $(HOST_CFLAGS) $(SANITIZE) -o $@ $(SWITCH_SRCS) -lpcap -lvdeplug

# Test/bench peer: speaks the daemon protocol, sends and counts frames.
$(B)/umk-switch-peer: tests/bench/switch-peer.c include/wire/uml_switch.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<

# Unit tests, each linked with the module it tests; built plain and with
# $(SANITIZE) (ASan/UBSan). tests/bats/switch-unit.bats runs them.
SWUT := $(B)/tests/unit/switch
SWUT_NAMES := fdb impair request pcapw delayq
SWUT_DEPS_fdb := fdb
SWUT_DEPS_impair := impair
SWUT_DEPS_request := request
SWUT_DEPS_pcapw := pcapw
SWUT_DEPS_delayq := delayq
define swut_rule
$(SWUT)/test_$(1): tests/unit/switch/test_$(1).c tests/unit/common/check.h $(foreach d,$(SWUT_DEPS_$(1)),host-helpers/switch/$(d).c) $(SWITCH_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HOST_CFLAGS) -Ihost-helpers/switch -o $$@ $$(filter %.c,$$^) -lpcap -lm
$(SWUT)/test_$(1)-asan: tests/unit/switch/test_$(1).c tests/unit/common/check.h $(foreach d,$(SWUT_DEPS_$(1)),host-helpers/switch/$(d).c) $(SWITCH_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HOST_CFLAGS) $$(SANITIZE) -Ihost-helpers/switch -o $$@ $$(filter %.c,$$^) -lpcap -lm
endef
$(foreach t,$(SWUT_NAMES),$(eval $(call swut_rule,$(t))))
SWUT_BINS := $(foreach t,$(SWUT_NAMES),$(SWUT)/test_$(t) $(SWUT)/test_$(t)-asan)

.PHONY: switch-unit
switch-unit: $(SWUT_BINS)
	@for t in $(SWUT_BINS); do $$t || exit 1; done

ALL_TARGETS += $(B)/umk-switch $(B)/umk-net $(B)/umk-switch-peer
TEST_DEPS += $(SWUT_BINS)
