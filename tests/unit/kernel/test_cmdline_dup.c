/* arch-um/cmdline.c: two registrations of one option are refused at boot
 * (exit status 1, one line naming it) before any word is looked at. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <umk/init.h>
#include "ktest.h"
#include "um.h"

static const char *opt(const char *v)
{
	(void)v;
	return NULL;
}
__setup(twice, opt, "twice=X", "first");
__setup_named(twice2, "twice", opt, "twice=Y", "second");

int main(void)
{
	int p[2];
	char out[512] = "";
	if (pipe(p))
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		char *argv[] = { "umk", "other=1", NULL };
		parse_cmdline(2, argv);
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = 0;
	int st;
	waitpid(pid, &st, 0);
	OK(WIFEXITED(st) && WEXITSTATUS(st) == 1, "a duplicate option stops the boot with status 1");
	EQ_S(out, "umk: the option twice is registered twice (a build error)\n", "one line naming it");
	return t_done();
}
