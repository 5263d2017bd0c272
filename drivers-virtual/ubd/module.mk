# The ubd host side uses the UML COW library (host-helpers/lib/cowfile.c)
# and runs one host I/O thread per device (host/ubd_thread.c): POSIX
# threads at compile and link time.
$(B)/umk: $(B)/obj/host-helpers/lib/cowfile.o
$(B)/obj/drivers-virtual/ubd/host/%.o: HOST_CFLAGS += -pthread
UMK_LDLIBS += -pthread
