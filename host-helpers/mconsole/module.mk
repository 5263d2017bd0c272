# umk-mconsole: the management console's client (UML's mconsole
# protocol, include/wire/mconsole.h), listing the running instances with
# the instance-directory library (host-helpers/lib/instdir.c).
$(B)/obj/host-helpers/mconsole/%.o: host-helpers/mconsole/%.c include/wire/mconsole.h include/wire/instdir.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/umk-mconsole: $(B)/obj/host-helpers/mconsole/umk-mconsole.o $(B)/obj/host-helpers/lib/instdir.o
	$(CC) -o $@ $^

ALL_TARGETS += $(B)/umk-mconsole
