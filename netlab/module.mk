# netlab (umk-lab, issue 17): so far the lab.conf parser and its unit
# test, built plain and with $(SANITIZE); run by tests/run-all.sh with the
# other unit tests in build/tests/unit.
NETLAB_HDRS := $(wildcard netlab/*.h)
NLUT := $(B)/tests/unit
$(NLUT)/netlab-labconf: tests/unit/netlab/test_labconf.c netlab/labconf.c $(NETLAB_HDRS) tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Inetlab -o $@ $(filter %.c,$^)
$(NLUT)/netlab-labconf-asan: tests/unit/netlab/test_labconf.c netlab/labconf.c $(NETLAB_HDRS) tests/unit/common/check.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SANITIZE) -Inetlab -o $@ $(filter %.c,$^)
TEST_DEPS += $(NLUT)/netlab-labconf $(NLUT)/netlab-labconf-asan
