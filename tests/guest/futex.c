/* Raw futex operations: WAIT value mismatch, timeouts on both clocks,
 * WAKE counts, CMP_REQUEUE, WAKE_OP, bitsets, shared futexes across
 * fork in MAP_SHARED memory, and the CLONE_CHILD_CLEARTID wake. */
#define _GNU_SOURCE
#include "t.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

static long fx(uint32_t *u, int op, uint32_t val, const struct timespec *ts, uint32_t *u2, uint32_t val3)
{
	return syscall(SYS_futex, u, op, val, ts, u2, val3);
}

static uint32_t word, word2;
static volatile int waiting;

static void *waiter(void *arg __attribute__((unused)))
{
	__atomic_fetch_add(&waiting, 1, __ATOMIC_SEQ_CST);
	long r = fx(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	__atomic_fetch_sub(&waiting, 1, __ATOMIC_SEQ_CST);
	return (void *)r;
}

static void *bit_waiter(void *arg)
{
	uint32_t bits = (uint32_t)(uintptr_t)arg;
	__atomic_fetch_add(&waiting, 1, __ATOMIC_SEQ_CST);
	fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, bits);
	__atomic_fetch_sub(&waiting, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void settle(void)
{
	/* let blocked threads reach the kernel */
	struct timespec ts = { 0, 20000000 };
	nanosleep(&ts, NULL);
}

int main(void)
{
	CHECK_ERR("WAIT with a different value", fx(&word, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0), EAGAIN);
	struct timespec rel = { 0, 30000000 };
	CHECK_ERR("WAIT relative timeout", fx(&word, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0), ETIMEDOUT);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
	CHECK_ERR("WAIT_BITSET absolute monotonic timeout",
		  fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 30000000;
	if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
	CHECK_ERR("WAIT_BITSET absolute realtime timeout",
		  fx(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	CHECK_ERR("WAIT_BITSET with bitset 0", fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), EINVAL);
	CHECK_ERR("unaligned futex", fx((uint32_t *)((char *)&word + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	CHECK("WAKE with nobody waiting returns 0", fx(&word, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0) == 0);

	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	while (waiting < 4)
		sched_yield();
	settle();
	long w = fx(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	printf("WAKE 1 of 4: woke %ld\n", w);
	/* move two to word2, wake one more */
	long rq = fx(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (struct timespec *)2, &word2, 0);
	printf("CMP_REQUEUE wake 1 move 2: %ld\n", rq);
	CHECK_ERR("CMP_REQUEUE with a stale value", fx(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (struct timespec *)1, &word2, 9), EAGAIN);
	printf("WAKE on the requeue target: %ld\n", fx(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);

	/* WAKE_OP: word2 += 1 then wake on word if old word2 == 0 */
	word2 = 0;
	pthread_create(&t[0], NULL, waiter, NULL);
	while (waiting < 1)
		sched_yield();
	settle();
	long wo = fx(&word2, FUTEX_WAKE_OP_PRIVATE, 0, (struct timespec *)1, &word,
		     FUTEX_OP(FUTEX_OP_SET, 5, FUTEX_OP_CMP_EQ, 0));
	printf("WAKE_OP: woke %ld, word now %u\n", wo, word);
	pthread_join(t[0], NULL);
	word = 0;

	/* bitsets: wake only the matching waiter */
	pthread_create(&t[0], NULL, bit_waiter, (void *)(uintptr_t)1);
	pthread_create(&t[1], NULL, bit_waiter, (void *)(uintptr_t)2);
	while (waiting < 2)
		sched_yield();
	settle();
	printf("WAKE_BITSET 2: woke %ld\n", fx(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 2));
	printf("WAKE_BITSET 1: woke %ld\n", fx(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 1));
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);

	/* shared futex between processes in MAP_SHARED memory */
	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*sh = 0;
	pid_t pid = fork();
	if (pid == 0) {
		long r = fx(sh, FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(r == 0 && *sh == 1 ? 0 : 1);
	}
	settle();
	*sh = 1;
	long sw;
	do {
		sw = fx(sh, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (!sw)
			sched_yield();
	} while (!sw && waitpid(pid, NULL, WNOHANG) == 0);
	int st;
	waitpid(pid, &st, 0);
	CHECK("shared futex across fork woke the child", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* pthread_join relies on CLONE_CHILD_CLEARTID + the exit wake */
	pthread_create(&t[0], NULL, waiter, NULL);
	while (waiting < 1)
		sched_yield();
	settle();
	fx(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	CHECK("join after CLEARTID wake", pthread_join(t[0], NULL) == 0);
	return t_done();
}
