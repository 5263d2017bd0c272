/* vfork: the parent is suspended until the child exits or execs, and the
 * child shares the parent's memory meanwhile. */
#include "t.h"
#include <sys/wait.h>

static volatile int shared_var;

__attribute__((noinline)) static int one_vfork(int i)
{
	pid_t p = vfork();
	if (p == 0)
		_exit(i & 0x7f);
	int st;
	return waitpid(p, &st, 0) == p && WEXITSTATUS(st) == (i & 0x7f);
}

static int many_vforks(void)
{
	int bad = 0;
	for (int i = 0; i < 100; i++)
		if (!one_vfork(i))
			bad++;
	return bad;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return 21;

	shared_var = 1;
	fflush(stdout);
	pid_t p = vfork();
	if (p == 0) {
		shared_var = 2; /* visible to the parent: same memory */
		_exit(11);
	}
	CHECK("vfork returns child pid", p > 0);
	CHECK("parent resumes after child _exit and sees its write", shared_var == 2);
	int st;
	CHECK("wait vfork child", waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 11);

	/* vfork + execve: parent resumes once the exec succeeded */
	shared_var = 0;
	char *args[] = { argv[0], "child", NULL };
	char *env[] = { NULL };
	fflush(stdout);
	p = vfork();
	if (p == 0) {
		shared_var = 3;
		execve(argv[0], args, env);
		_exit(99);
	}
	CHECK("parent sees write made before exec", shared_var == 3);
	CHECK("exec'd child exit status 21", waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 21);

	/* vfork + failing execve */
	fflush(stdout);
	p = vfork();
	if (p == 0) {
		execve("/nonexistent/program", args, env);
		_exit(errno == ENOENT ? 12 : 13);
	}
	CHECK("failed exec reported by child", waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 12);

	CHECK("100 vforks", many_vforks() == 0);
	return t_done();
}
