# The stub program: assembled, linked at its fixed address, and embedded
# into umk as a byte array (umk runs it from a memfd for each new mm).
# Every global stub_* symbol becomes NAME_addr in stub.bin.h (entry points,
# and the instruction addresses mode=seccomp's filters allow).
STUB_OBJS := $(B)/stub/stub.o $(B)/stub/stub_seccomp.o
$(B)/stub/%.o: arch-um/stub/%.S arch-um/stub/stub_ops.inc arch-um/stub_layout.h arch-um/stub_seccomp.h
	@mkdir -p $(dir $@)
	$(CC) -D__ASSEMBLER__ -c $< -o $@
$(B)/stub/umk-stub: $(STUB_OBJS) arch-um/stub/stub.lds
	$(CC) -nostdlib -static -Wl,-T,arch-um/stub/stub.lds -Wl,--build-id=none -Wl,-z,noexecstack -o $@ $(STUB_OBJS)
$(B)/stub.bin.h: $(B)/stub/umk-stub
	@{ echo "/* generated from $< */"; echo "static const unsigned char stub_image[] = {"; \
	   od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo "};"; \
	   nm $< | awk '$$2=="T" && $$3 ~ /^stub_/ {printf "static const unsigned long %s_addr = 0x%s;\n", $$3, $$1}'; } > $@
# The instance directory (umid.c, umid_dir.c) shares its rules with
# umk-mconsole through host-helpers/lib/instdir.c; default umids come
# from libuuid.
$(B)/umk: $(B)/obj/host-helpers/lib/instdir.o
UMK_LDLIBS += -luuid

# Unit test of CPU placement's decisions (arch-um/placement_policy.c).
PLACEUT := $(B)/tests/unit/arch-placement
$(PLACEUT): tests/unit/arch/test_placement.c arch-um/placement_policy.c arch-um/placement.h tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)
$(PLACEUT)-asan: tests/unit/arch/test_placement.c arch-um/placement_policy.c arch-um/placement.h tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SANITIZE) -fno-sanitize-recover=all -o $@ $(filter %.c,$^)
TEST_DEPS += $(PLACEUT) $(PLACEUT)-asan
