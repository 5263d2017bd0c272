/* Task limits as Linux's fork has them: kernel.threads-max is MemTotal
 * divided by 8 kernel stacks of 16 KiB (within 1%: the kernel sized it
 * at boot); a user at RLIMIT_NPROC tasks (its real uid's, counted over
 * the whole system) gets EAGAIN from fork, and from clone for a thread;
 * root is not held to RLIMIT_NPROC. Runs as root; uid 54321 stands for
 * an ordinary user with no other processes. */
#include "t.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define USER 54321

static char stack[65536];
static int thread_fn(void *arg)
{
	(void)arg;
	return 0;
}

/* As the user, with RLIMIT_NPROC 3: itself and two children make three. */
static int as_user(void)
{
	struct rlimit rl = { 3, 3 };
	if (setrlimit(RLIMIT_NPROC, &rl) || setgid(USER) || setuid(USER)) {
		printf("cannot become uid %d: %s\n", USER, strerror(errno));
		return 1;
	}
	pid_t kids[2];
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			pause();
			_exit(0);
		}
		printf("user fork %d: %s\n", i + 1, kids[i] > 0 ? "ok" : strerror(errno));
	}
	CHECK_ERR("user's 3rd task by fork", fork(), EAGAIN);
	CHECK_ERR("user's 3rd task by clone (a thread)",
		  clone(thread_fn, stack + sizeof(stack), CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD,
			NULL),
		  EAGAIN);
	kill(kids[0], SIGKILL);
	waitpid(kids[0], NULL, 0);
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	CHECK("a slot freed by reaping a child can be used again", p > 0);
	waitpid(p, NULL, 0);
	kill(kids[1], SIGKILL);
	waitpid(kids[1], NULL, 0);
	return t_failures ? 1 : 0;
}

int main(void)
{
	FILE *f = fopen("/proc/sys/kernel/threads-max", "r");
	long long tmax = -1;
	if (!f || fscanf(f, "%lld", &tmax) != 1)
		tmax = -1;
	if (f)
		fclose(f);
	long long want = t_memtotal_kb() / 128;
	long long d = tmax > want ? tmax - want : want - tmax;
	CHECK("threads-max is MemTotal / (8 x 16 KiB), within 1%", tmax > 0 && d * 100 <= want);

	fflush(stdout);
	pid_t u = fork();
	if (u == 0)
		_exit(as_user());
	int st;
	waitpid(u, &st, 0);
	CHECK("the user's checks passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* root: RLIMIT_NPROC 1 and still forking */
	struct rlimit rl = { 1, 1 };
	CHECK_OK("root sets RLIMIT_NPROC 1", setrlimit(RLIMIT_NPROC, &rl));
	fflush(stdout);
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	CHECK("root forks past RLIMIT_NPROC", p > 0);
	waitpid(p, NULL, 0);
	return t_failures ? 1 : 0;
}
