/* Runs as init under umk: an unimplemented syscall returns ENOSYS and is
 * logged once (checked by the bats test on the kernel log); dmesg-style
 * syslog(2) reads the kernel log back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	for (int i = 0; i < 3; i++) {
		long r = syscall(441 + 60);	/* a number Linux does not have */
		printf("bogus syscall: %ld %s\n", r, r < 0 ? strerror(errno) : "");
	}
	static char buf[1 << 17];
	int n = klogctl(3, buf, sizeof(buf));	/* SYSLOG_ACTION_READ_ALL */
	buf[n > 0 ? n : 0] = 0;
	printf("syslog has the boot banner: %s\n", strstr(buf, "Kernel command line:") ? "yes" : "no");
	int lines = 0;
	for (char *q = buf; (q = strstr(q, "unimplemented syscall 501")); q++)
		lines++;
	printf("ENOSYS lines in syslog: %d\n", lines);
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 1;
}
