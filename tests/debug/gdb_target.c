/* The program the gdb tests debug (tests/bats/debugging.bats): a call
 * chain for backtraces, a global that a watchpoint follows, and two more
 * threads asleep in read(2) (the main thread waits until they are) while
 * the main thread works. Its output and everything gdb shows of it are
 * the same in every run. With an argument it first waits for a debugger
 * to set release. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int counter;				/* watched */
volatile int release;			/* set by gdb */
static int go[2];
static volatile pid_t tids[2];

static int square(int x)
{
	int y = x * x;
	return y;
}

static int sum_squares(int n)
{
	int s = 0;
	for (int i = 1; i <= n; i++) {
		s += square(i);
		counter++;
	}
	return s;
}

static void *worker(void *arg)
{
	char c;
	tids[(long)arg] = gettid();
	if (read(go[0], &c, 1) != 1)
		return NULL;
	return arg;
}

/* Is the thread asleep (S in its /proc stat)? */
static int sleeping(pid_t tid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	FILE *f = fopen(path, "r");
	int n = f ? (int)fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

int main(int argc, char **argv)
{
	(void)argv;
	while (argc > 1 && !release)
		usleep(1000);
	pthread_t t[2];
	if (pipe(go))
		return 1;
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < 2; i++)
		while (!tids[i] || !sleeping(tids[i]))
			usleep(1000);
	int r = sum_squares(4);
	if (write(go[1], "gg", 2) != 2)
		return 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("sum of squares: %d, counter %d\n", r, counter);
	return 0;
}
