/* Threads: pthread create/join, a mutex/condvar stress whose totals must
 * match, thread ids, per-thread signal masks and thread-directed signals,
 * the group leader exiting first, and execve from a non-leader thread. */
#define _GNU_SOURCE
#include "t.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NTHREADS 8
#define ITERS 20000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter, queue_len, produced, consumed;
static int done_producing;

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&mu);
		counter++;
		pthread_mutex_unlock(&mu);
		if (i % 1000 == 0)
			sched_yield();
	}
	return (void *)(long)syscall(SYS_gettid);
}

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&mu);
		queue_len++;
		produced++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done_producing++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&mu);
		while (queue_len == 0 && done_producing < 2)
			pthread_cond_wait(&cv, &mu);
		if (queue_len == 0 && done_producing == 2) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		queue_len--;
		consumed++;
		pthread_mutex_unlock(&mu);
	}
}

static volatile sig_atomic_t got_usr1_tid;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1_tid = (sig_atomic_t)syscall(SYS_gettid);
}

static void *sig_target(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	pthread_sigmask(SIG_SETMASK, &s, NULL);	/* this thread takes SIGUSR1 */
	*(long *)arg = syscall(SYS_gettid);
	while (!got_usr1_tid)
		sched_yield();
	return NULL;
}

static void *lingering(void *arg)
{
	(void)arg;
	usleep(100000);
	printf("thread outlived the leader: getpid still the process: %s\n", getpid() > 0 ? "yes" : "no");
	fflush(stdout);
	exit(7);
}

static void *exec_from_thread(void *arg)
{
	char *self = arg;
	char *argv[] = { self, "exec-child", NULL };
	execv(self, argv);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec-child")) {
		printf("exec from a thread: new image runs as pid %s\n", getpid() == (pid_t)syscall(SYS_gettid) ? "== tid" : "!= tid");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "leader-exit")) {
		pthread_t t;
		pthread_create(&t, NULL, lingering, NULL);
		pthread_exit(NULL);
	}

	pthread_t th[NTHREADS];
	long tids[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		CHECK("pthread_create", pthread_create(&th[i], NULL, adder, NULL) == 0);
	for (int i = 0; i < NTHREADS; i++) {
		void *r;
		pthread_join(th[i], &r);
		tids[i] = (long)r;
	}
	printf("mutex counter: %ld (expected %d)\n", counter, NTHREADS * ITERS);
	int distinct = 1;
	for (int i = 0; i < NTHREADS; i++)
		for (int j = i + 1; j < NTHREADS; j++)
			if (tids[i] == tids[j] || tids[i] == getpid())
				distinct = 0;
	CHECK("thread ids distinct and not the pid", distinct);

	pthread_t p[2], c[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (int i = 0; i < 2; i++)
		pthread_create(&p[i], NULL, producer, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(c[i], NULL);
	printf("condvar: produced %ld consumed %ld\n", produced, consumed);

	/* SIGUSR1 blocked here, unblocked in the target: a process-directed
	 * kill must land in the target thread */
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	long target_tid = 0;
	pthread_t st;
	pthread_create(&st, NULL, sig_target, &target_tid);
	while (!target_tid)
		sched_yield();
	kill(getpid(), SIGUSR1);
	pthread_join(st, NULL);
	CHECK("process-directed signal taken by the thread that unblocks it", got_usr1_tid == target_tid);

	cpu_set_t set;
	CHECK("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1);

	/* the leader exits first; the process ends when the last thread does */
	pid_t pid = fork();
	if (pid == 0) {
		execl(argv[0], argv[0], "leader-exit", NULL);
		_exit(99);
	}
	int st2;
	waitpid(pid, &st2, 0);
	printf("leader exited first: process exit status %d\n", WIFEXITED(st2) ? WEXITSTATUS(st2) : -1);

	pid = fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, exec_from_thread, argv[0]);
		pthread_join(t, NULL);
		_exit(98);
	}
	waitpid(pid, &st2, 0);
	printf("exec from a thread: exit status %d\n", WIFEXITED(st2) ? WEXITSTATUS(st2) : -1);
	return t_done();
}
