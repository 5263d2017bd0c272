/* The program the gdb tests debug (tests/bats/debugging.bats): a call
 * chain for backtraces, a global that a watchpoint follows, and two more
 * threads waiting on a barrier while the main thread works. Its output
 * and everything gdb shows of it are the same in every run. */
#include <pthread.h>
#include <stdio.h>

int counter;				/* watched */
static pthread_barrier_t start, done;

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
	(void)arg;
	pthread_barrier_wait(&start);
	pthread_barrier_wait(&done);
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	pthread_barrier_init(&start, NULL, 3);
	pthread_barrier_init(&done, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	pthread_barrier_wait(&start);
	int r = sum_squares(4);
	pthread_barrier_wait(&done);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("sum of squares: %d, counter %d\n", r, counter);
	return 0;
}
