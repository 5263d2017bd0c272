/* Copy-on-write after fork: writes in the child are invisible to the
 * parent and vice versa, for data, bss, heap, stack and a big array. */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define BIG (8u << 20) /* 8 MiB */

static int data_var = 1234;
static int bss_var;
static unsigned char bss_big[1 << 20];

static uint64_t sum(const unsigned char *p, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

int main(void)
{
	int stack_var = 77;
	unsigned char *heap = malloc(BIG);
	if (!heap)
		DIE("malloc");
	for (size_t i = 0; i < BIG; i++)
		heap[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < sizeof bss_big; i++)
		bss_big[i] = (unsigned char)i;
	unsigned char *anon = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		DIE("mmap");
	memset(anon, 0x5a, BIG);
	bss_var = 5;
	uint64_t heap_sum = sum(heap, BIG), anon_sum = sum(anon, BIG), bss_sum = sum(bss_big, sizeof bss_big);

	int fds[2], back[2];
	if (pipe(fds) || pipe(back))
		DIE("pipe");
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		/* child: sees the parent's values, then overwrites everything */
		int ok = data_var == 1234 && bss_var == 5 && stack_var == 77 &&
			 sum(heap, BIG) == heap_sum && sum(anon, BIG) == anon_sum &&
			 sum(bss_big, sizeof bss_big) == bss_sum;
		data_var = 1;
		bss_var = 2;
		stack_var = 3;
		memset(heap, 0xff, BIG);
		memset(anon, 0x11, BIG);
		memset(bss_big, 0x22, sizeof bss_big);
		int ok2 = data_var == 1 && bss_var == 2 && stack_var == 3 && heap[BIG - 1] == 0xff &&
			  anon[12345] == 0x11 && bss_big[99] == 0x22;
		char r[2] = { ok ? 'y' : 'n', ok2 ? 'y' : 'n' };
		(void)!write(back[1], r, 2);
		/* wait for the parent to modify its copy, then check ours */
		char c;
		(void)!read(fds[0], &c, 1);
		_exit(heap[0] == 0xff && anon[0] == 0x11 && data_var == 1 ? 0 : 1);
	}
	char r[2] = { 0, 0 };
	if (read(back[0], r, 2) != 2)
		DIE("read");
	CHECK("child sees parent's values", r[0] == 'y');
	CHECK("child sees its own writes", r[1] == 'y');
	CHECK("parent data unchanged", data_var == 1234);
	CHECK("parent bss unchanged", bss_var == 5);
	CHECK("parent stack unchanged", stack_var == 77);
	CHECK("parent heap unchanged (8 MiB)", sum(heap, BIG) == heap_sum);
	CHECK("parent anon mmap unchanged (8 MiB)", sum(anon, BIG) == anon_sum);
	CHECK("parent big bss unchanged", sum(bss_big, sizeof bss_big) == bss_sum);
	/* parent writes; child must not see them */
	memset(heap, 0, BIG);
	anon[0] = 0;
	data_var = 0;
	(void)!write(fds[1], "x", 1);
	int st;
	waitpid(p, &st, 0);
	CHECK("child does not see parent's later writes", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* many forks touching a few pages each: frames are released */
	int bad = 0;
	for (int i = 0; i < 50; i++) {
		fflush(stdout);
		pid_t q = fork();
		if (q == 0) {
			for (size_t off = 0; off < BIG; off += 1 << 16)
				anon[off] = (unsigned char)i;
			_exit(anon[1] == 0x5a ? 0 : 1);
		}
		waitpid(q, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	CHECK("50 forks each writing 128 pages", bad == 0);
	CHECK("parent anon still intact", anon[1 << 16] == 0x5a && anon[1] == 0x5a);
	return t_done();
}
