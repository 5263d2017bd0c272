/* Which of some system calls exist: each is called with arguments it
 * must refuse (so nothing happens either way); ENOSYS means absent.
 * kernel.bats compares the answers with /proc/config.gz. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void probe(const char *name, long nr, long a, long b, long c)
{
	errno = 0;
	long r = syscall(nr, a, b, c, 0L, 0L);
	printf("%s %s\n", name, r < 0 && errno == ENOSYS ? "absent" : "present");
}

int main(void)
{
	probe("shmget", SYS_shmget, 0, 0, 0);			/* size 0: EINVAL */
	probe("mq_open", SYS_mq_open, 0, 0, 0);			/* NULL name: EFAULT */
	probe("epoll_create1", SYS_epoll_create1, -1, 0, 0);	/* EINVAL */
	probe("signalfd4", SYS_signalfd4, -2, 0, 0);		/* EBADF/EINVAL */
	probe("timerfd_create", SYS_timerfd_create, -1, 0, 0);	/* EINVAL */
	probe("eventfd2", SYS_eventfd2, 0, -1, 0);		/* EINVAL */
	probe("io_setup", SYS_io_setup, 0, 0, 0);		/* EINVAL */
	probe("inotify_init1", SYS_inotify_init1, -1, 0, 0);	/* EINVAL */
	probe("seccomp", SYS_seccomp, -1, 0, 0);		/* EINVAL */
	probe("memfd_create", SYS_memfd_create, 0, -1, 0);	/* EFAULT/EINVAL */
	probe("name_to_handle_at", SYS_name_to_handle_at, -2, 0, 0); /* EBADF/EFAULT */
	probe("flock", SYS_flock, -2, 0, 0);			/* EBADF */
	probe("init_module", SYS_init_module, 0, 0, 0);		/* EFAULT/EPERM */
	return 0;
}
