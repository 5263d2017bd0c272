# The umk kernel binary: kernel-glue and the drivers' kernel halves (built
# against the uapi-only include path, sealed into build/kernel.o) plus
# arch-um and the drivers' host halves (built against the host libc).
KGLUE_SRCS := $(shell find kernel-glue drivers-virtual arch-um/kernel -name '*.c' -not -path '*/host/*' 2>/dev/null | sort)
ARCH_SRCS := $(shell find arch-um -name '*.c' -not -path 'arch-um/stub/*' -not -path 'arch-um/kernel/*' | sort) \
	$(shell find drivers-virtual -path '*/host/*' -name '*.c' 2>/dev/null | sort)
ARCH_ASM := $(shell find arch-um -name '*.S' -not -path 'arch-um/stub/*' | sort)
KGLUE_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(KGLUE_SRCS))
ARCH_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(ARCH_SRCS)) $(patsubst %.S,$(B)/obj/%.o,$(ARCH_ASM))
# every header, the private ones beside the .c files too (net/ipv4/ipv4.h,
# net/packet/packet.h, fs/proc_internal.h): a change to one rebuilds what
# may include it
KHDRS := $(shell find kernel-glue arch-um include drivers-virtual -name '*.h' | sort)
# Registration sections (umk/init.h) keep a file's entries in source
# order, so "link order" means the same thing within a file as across files.
KERNEL_CFLAGS += -fno-toplevel-reorder

$(B)/obj/kernel-glue/%.o: kernel-glue/%.c $(KHDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@
# Host code sees the kernel's headers after the system's (-idirafter):
# kernel-glue/include/sys/socket.h, the kernel's stand-in for a libc
# header, must not hide the host's <sys/socket.h>.
HOST_KINC := -idirafter kernel-glue/include
$(B)/obj/drivers-virtual/%.o: drivers-virtual/%.c $(KHDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(if $(findstring /host/,$<),$(HOST_CFLAGS) $(HOST_KINC) -Iarch-um,$(KERNEL_CFLAGS)) -c $< -o $@
# arch-um/kernel: the arch's kernel code (signal frame, arch_prctl)
$(B)/obj/arch-um/kernel/%.o: arch-um/kernel/%.c $(KHDRS) $(UAPI_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(B)/obj/arch-um/%.o: arch-um/%.c $(KHDRS) $(B)/stub.bin.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(HOST_KINC) -Iarch-um -I$(B) -c $< -o $@
$(B)/obj/arch-um/%.o: arch-um/%.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

# The sealed kernel: one relocatable object whose only global symbols are
# those in kernel-glue/kernel.exports (tests/bats/structure.bats checks).
KERNEL_EXPORTS := kernel-glue/kernel.exports
$(B)/kernel.o: $(KGLUE_OBJS) $(KERNEL_EXPORTS)
	$(LD) -r -o $@.tmp $(KGLUE_OBJS)
	objcopy --keep-global-symbols=$(KERNEL_EXPORTS) $@.tmp $@
	@rm -f $@.tmp

$(B)/umk: $(B)/kernel.o $(ARCH_OBJS)
	$(CC) -o $@ $^ -lpthread $(UMK_LDLIBS)
ALL_TARGETS += $(B)/umk
