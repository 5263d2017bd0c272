/* How many tasks the guest may have, as Linux's fork_init and
 * copy_process: kernel.threads-max is sized so that kernel stacks of
 * THREAD_SIZE (x86-64's 16 KiB) take at most an eighth of memory (at
 * least 20), RLIMIT_NPROC starts at half of it (RLIMIT_SIGPENDING too),
 * and fork fails with EAGAIN at threads-max, or at RLIMIT_NPROC tasks of
 * the caller's real uid unless root. Zombies count until reaped. */
#include <umk/capability.h>
#include <umk/internal.h>
#include <umk/mm.h>
#include <umk/proc.h>
#include <linux/resource.h>

#define THREAD_SIZE (16 * 1024)
#define MIN_THREADS 20
#define MAX_THREADS 0x3fffffff	/* FUTEX_TID_MASK */

static int max_threads;

int threads_max(void)
{
	if (!max_threads) {
		uint64_t total, free;
		mem_get_stats(&total, &free);
		uint64_t n = total * PAGE_SIZE / (THREAD_SIZE * 8ULL);
		max_threads = n < MIN_THREADS ? MIN_THREADS : n > MAX_THREADS ? MAX_THREADS : (int)n;
	}
	return max_threads;
}

int set_threads_max(long long n)
{
	if (n < 1 || n > MAX_THREADS)
		return -EINVAL;
	max_threads = n;
	return 0;
}

/* /proc/sys/kernel/threads-max: computed from memory at first use, so a
 * plain DEFINE_SYSCTL_INT on the variable would show 0 before that. */
static int threads_max_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "%d\n", threads_max());
	return 0;
}

static int threads_max_write(const char *buf, size_t len, void *data __unused)
{
	long long v;
	if (sysctl_parse_ints(buf, len, &v, 1) != 1)
		return -EINVAL;
	return set_threads_max(v);
}
DEFINE_PROC_FILE(threads_max, "sys/kernel/threads-max", 0644, threads_max_show, threads_max_write, NULL);

long fork_check_limits(struct task *p)
{
	int all = 0, mine = 0;
	struct task *t;
	for_each_task(t) {
		all++;
		mine += t->cred.uid == p->cred.uid;
	}
	if (all >= threads_max())
		return -EAGAIN;
	if ((uint64_t)mine >= p->signal->rlim[RLIMIT_NPROC].cur && p->cred.uid != 0 && !capable(CAP_SYS_RESOURCE) && !capable(CAP_SYS_ADMIN))
		return -EAGAIN;
	return 0;
}
