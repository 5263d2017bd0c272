/* The scheduler preempts a process that never makes a system call: a
 * spinning child must not stop the parent from sleeping, printing and
 * finally killing it. */
#include "t.h"
#include <sys/wait.h>
#include <time.h>

int main(void)
{
	fflush(stdout);
	pid_t spinner = fork();
	if (spinner == 0) {
		volatile unsigned long x = 0;
		for (;;)
			x++;
	}
	for (int i = 1; i <= 5; i++) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
		printf("tick %d while the spinner runs\n", i);
	}
	CHECK("spinner still alive", kill(spinner, 0) == 0);
	kill(spinner, SIGKILL);
	int st;
	CHECK("spinner killed", waitpid(spinner, &st, 0) == spinner && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* two spinners and a sleeper: everybody gets CPU */
	int fds[2];
	if (pipe(fds))
		DIE("pipe");
	pid_t s[2];
	for (int k = 0; k < 2; k++) {
		fflush(stdout);
		s[k] = fork();
		if (s[k] == 0) {
			/* report progress once, then spin */
			volatile unsigned long x = 0;
			while (x < 20000000)
				x++;
			(void)!write(fds[1], "p", 1);
			for (;;)
				x++;
		}
	}
	char c[2];
	int got = 0;
	while (got < 2) {
		ssize_t n = read(fds[0], c, 2 - got);
		if (n <= 0)
			break;
		got += n;
	}
	CHECK("both spinners made progress", got == 2);
	for (int k = 0; k < 2; k++) {
		kill(s[k], SIGKILL);
		waitpid(s[k], NULL, 0);
	}
	return t_done();
}
