# netlab (umk-lab, issue 17): so far the lab.conf and lab.dep parsers and
# their unit tests, built plain and with $(SANITIZE); run by tests/run-all.sh with the
# other unit tests in build/tests/unit.
NETLAB_HDRS := $(wildcard netlab/*.h)
NLUT := $(B)/tests/unit
$(NLUT)/netlab-labconf: tests/unit/netlab/test_labconf.c netlab/labconf.c $(NETLAB_HDRS) tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Inetlab -o $@ $(filter %.c,$^)
$(NLUT)/netlab-labconf-asan: tests/unit/netlab/test_labconf.c netlab/labconf.c $(NETLAB_HDRS) tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SANITIZE) -Inetlab -o $@ $(filter %.c,$^)
$(NLUT)/netlab-labdep: tests/unit/netlab/test_labdep.c netlab/labdep.c netlab/labconf.c $(NETLAB_HDRS) tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Inetlab -o $@ $(filter %.c,$^)
$(NLUT)/netlab-labdep-asan: tests/unit/netlab/test_labdep.c netlab/labdep.c netlab/labconf.c $(NETLAB_HDRS) tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SANITIZE) -Inetlab -o $@ $(filter %.c,$^)
TEST_DEPS += $(NLUT)/netlab-labconf $(NLUT)/netlab-labconf-asan $(NLUT)/netlab-labdep $(NLUT)/netlab-labdep-asan

# the program
NETLAB_SRCS := $(filter-out netlab/%_test.c,$(wildcard netlab/*.c))
$(B)/umk-lab: $(NETLAB_SRCS) $(NETLAB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Inetlab -o $@ $(NETLAB_SRCS)
ALL_TARGETS += $(B)/umk-lab
