# Host libraries shared by several programs: cowfile.c, the UML COW file
# format (header include/wire/cow.h), linked by umk-cow
# (host-helpers/cow), by umk itself (the ubd driver's host half) and by
# the COW unit tests; instdir.c, the instance directory ~/.uml/UMID
# (include/wire/instdir.h), linked by umk and umk-mconsole. Users name the object path directly, so the order in
# which module.mk files are read does not matter.
$(B)/obj/host-helpers/lib/%.o: host-helpers/lib/%.c include/wire/cow.h include/wire/instdir.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@
