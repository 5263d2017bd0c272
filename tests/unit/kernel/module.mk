# C unit tests for kernel-glue data structures and formats: host programs
# build/tests/unit/kernel-NAME (plain) and kernel-NAME-asan ($(SANITIZE),
# with UBSan made fatal so undefined behaviour fails the test), which
# tests/run-all.sh runs like every executable in build/tests/unit/.
#
# Each links tests/unit/kernel/test_NAME.c and doubles.c (host code) with
# the real kernel-glue files it tests, compiled with KERNEL_CFLAGS minus
# -mgeneral-regs-only (plus the sanitizers) and with rename.h, which gives
# lib/ functions named like libc ones (memcpy, snprintf, ...) a k_ prefix
# so they neither replace nor get mistaken for the host's.
ifndef KUT_MK_INCLUDED
KUT_MK_INCLUDED := 1

KUT := $(B)/tests/unit
KUT_OBJ := $(B)/obj/tests/unit/kernel
KUT_KCFLAGS := $(filter-out -mgeneral-regs-only,$(KERNEL_CFLAGS)) -include tests/unit/kernel/rename.h
KUT_HCFLAGS := $(HOST_CFLAGS) -Ikernel-glue/include -Iarch-um
KUT_SAN := $(SANITIZE) -fno-sanitize-recover=all
KUT_HDRS := $(wildcard tests/unit/kernel/*.h)

# NAME: kernel-glue files linked in (without .c), host files linked in.
KUT_NAMES := vsnprintf string page_alloc slab pgtable vma cmdline cmdline_dup inet filter
KUT_K_vsnprintf := lib/vsnprintf lib/string
KUT_K_string := lib/string
KUT_K_page_alloc := mm/page_alloc lib/string
KUT_K_slab := mm/slab mm/vmalloc mm/page_alloc lib/string
KUT_H_slab := arch-um/vmap.c
KUT_K_pgtable := mm/pgtable mm/page_alloc lib/string
KUT_K_vma := mm/vma lib/string
KUT_K_inet := lib/string lib/vsnprintf fs/proc_generic net/core/dev net/core/eth net/core/skbuff \
	net/core/checksum net/core/loopback net/ipv4/devinet net/ipv4/fib net/ipv4/route net/ipv4/ip_input \
	net/ipv4/ip_output net/ipv4/ip_forward net/ipv4/ip_fragment net/ipv4/icmp net/ipv4/arp \
	net/ipv4/neighbour net/ipv4/mcast net/ipv4/sysctl
KUT_H_inet := tests/unit/kernel/inet_env.c
KUT_K_filter := net/core/filter net/core/skbuff lib/string
KUT_H_cmdline := arch-um/cmdline.c
KUT_H_cmdline_dup := arch-um/cmdline.c

$(KUT_OBJ)/plain/%.o: kernel-glue/%.c $(KHDRS) $(KUT_HDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(KUT_KCFLAGS) -c $< -o $@
$(KUT_OBJ)/asan/%.o: kernel-glue/%.c $(KHDRS) $(KUT_HDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(KUT_KCFLAGS) $(KUT_SAN) -c $< -o $@

define kut_rule
$(KUT)/kernel-$(1): tests/unit/kernel/test_$(1).c tests/unit/kernel/doubles.c $(KUT_H_$(1)) \
		$(foreach k,$(KUT_K_$(1)),$(KUT_OBJ)/plain/$(k).o) $(KUT_HDRS) $(KHDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(KUT_HCFLAGS) -o $$@ $$(filter %.c %.o,$$^)
$(KUT)/kernel-$(1)-asan: tests/unit/kernel/test_$(1).c tests/unit/kernel/doubles.c $(KUT_H_$(1)) \
		$(foreach k,$(KUT_K_$(1)),$(KUT_OBJ)/asan/$(k).o) $(KUT_HDRS) $(KHDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(KUT_HCFLAGS) $$(KUT_SAN) -o $$@ $$(filter %.c %.o,$$^)
endef
$(foreach t,$(KUT_NAMES),$(eval $(call kut_rule,$(t))))
KUT_BINS := $(foreach t,$(KUT_NAMES),$(KUT)/kernel-$(t) $(KUT)/kernel-$(t)-asan)

# make kernel-unit: build and run them all.
.PHONY: kernel-unit
kernel-unit: $(KUT_BINS)
	@rc=0; for t in $(KUT_BINS); do $$t >/dev/null 2>&1 && echo "ok   $$t" || { echo "FAIL $$t"; rc=1; }; done; exit $$rc

TEST_DEPS += $(KUT_BINS)
endif
