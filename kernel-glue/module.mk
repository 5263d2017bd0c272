# The umk kernel binary: kernel-glue and drivers-virtual (built against the
# uapi-only include path) plus arch-um (built against the host libc).
KGLUE_SRCS := $(shell find kernel-glue drivers-virtual -name '*.c' -not -path '*/host/*' 2>/dev/null | sort)
ARCH_SRCS := $(shell find arch-um -name '*.c' -not -path 'arch-um/stub/*' | sort) \
	$(shell find drivers-virtual -path '*/host/*' -name '*.c' 2>/dev/null | sort)
ARCH_ASM := $(shell find arch-um -name '*.S' -not -path 'arch-um/stub/*' | sort)
KGLUE_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(KGLUE_SRCS))
ARCH_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(ARCH_SRCS)) $(patsubst %.S,$(B)/obj/%.o,$(ARCH_ASM))
KHDRS := $(shell find kernel-glue/include arch-um include -name '*.h' | sort)

$(B)/obj/kernel-glue/%.o: kernel-glue/%.c $(KHDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(B)/obj/drivers-virtual/%.o: drivers-virtual/%.c $(KHDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(if $(findstring /host/,$<),$(HOST_CFLAGS) -Ikernel-glue/include -Iarch-um,$(KERNEL_CFLAGS)) -c $< -o $@
$(B)/obj/arch-um/%.o: arch-um/%.c $(KHDRS) $(B)/stub.bin.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Ikernel-glue/include -Iarch-um -I$(B) -c $< -o $@
$(B)/obj/arch-um/%.o: arch-um/%.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(B)/umk: $(KGLUE_OBJS) $(ARCH_OBJS)
	$(CC) -o $@ $^ -lpthread $(UMK_LDLIBS)
ALL_TARGETS += $(B)/umk
