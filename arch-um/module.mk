# The stub program: assembled, linked at its fixed address, and embedded
# into umk as a byte array (umk runs it from a memfd for each new mm).
$(B)/stub/stub.o: arch-um/stub/stub.S arch-um/stub_layout.h
	@mkdir -p $(dir $@)
	$(CC) -D__ASSEMBLER__ -c $< -o $@
$(B)/stub/umk-stub: $(B)/stub/stub.o arch-um/stub/stub.lds
	$(CC) -nostdlib -static -Wl,-T,arch-um/stub/stub.lds -Wl,--build-id=none -Wl,-z,noexecstack -o $@ $<
$(B)/stub.bin.h: $(B)/stub/umk-stub
	@{ echo "/* generated from $< */"; echo "static const unsigned char stub_image[] = {"; \
	   od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo "};"; \
	   printf 'static const unsigned long stub_run_ops_addr = 0x%s;\n' \
	     $$(nm $< | awk '$$3=="stub_run_ops"{print $$1}'); } > $@
# The instance directory (umid.c, umid_dir.c) shares its rules with
# umk-mconsole through host-helpers/lib/instdir.c; default umids come
# from libuuid.
$(B)/umk: $(B)/obj/host-helpers/lib/instdir.o
UMK_LDLIBS += -luuid
