/* A program starts clean, whatever ran before it: a process dirties its
 * FPU/SSE state (xmm15, MXCSR, the x87 control word), its TLS base and a
 * page at a fixed address, then exits; programs exec'd after it (umk
 * reuses the host stub process of an ended address space for the next)
 * start with the initial FPU state, no mapping at that address, and
 * their own TLS. Natively the same holds by construction. */
#include "t.h"
#include <asm/prctl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define SPOT ((void *)0x5a5a0000000ul)

static void dirty_and_exit(void)
{
	/* dirty first, then map: the exit is the last trap */
	uint8_t pattern[16];
	memset(pattern, 0xa5, sizeof(pattern));
	__asm__ volatile("movdqu %0, %%xmm15" : : "m"(pattern) : "xmm15");
	uint32_t mxcsr = 0x7f80 | (3u << 13);	/* round toward zero, all masked */
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	uint16_t fcw = 0x0c7f;			/* x87: truncate */
	__asm__ volatile("fldcw %0" : : "m"(fcw));
	char *p = mmap(SPOT, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		_exit(2);
	memset(p, 0x5a, 4096);
	/* a TLS base of our own: the next program must not start with it */
	syscall(SYS_arch_prctl, ARCH_SET_GS, 0x123456000ul);
	syscall(SYS_exit_group, 0);
}

static int check(void)
{
	uint8_t x[16];
	uint32_t mxcsr;
	uint16_t fcw;
	__asm__ volatile("movdqu %%xmm15, %0" : "=m"(x));
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	int zero = 1;
	for (int i = 0; i < 16; i++)
		zero &= x[i] == 0;
	printf("xmm15 zero: %d\n", zero);
	printf("mxcsr: %#x\n", mxcsr & ~0x3fu);	/* the sticky flags aside */
	printf("x87 control word: %#x\n", fcw);
	unsigned long gs = 1;
	syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
	printf("gs base: %#lx\n", gs);
	char *p = mmap(SPOT, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	printf("nothing mapped at the old spot: %d\n", p == SPOT);
	printf("its page is zero: %d\n", p == SPOT && p[0] == 0 && p[4095] == 0);
	return zero && (mxcsr & ~0x3fu) == 0x1f80 && fcw == 0x37f && p == SPOT && p[0] == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "check"))
		return check();
	for (int round = 0; round < 3; round++) {
		/* two at once, so that both the fork and the exec below can
		 * come after a dirty process */
		int st, go[2];
		pid_t a[2];
		if (pipe(go))
			return 2;
		for (int i = 0; i < 2; i++) {
			a[i] = fork();
			if (a[i] == 0) {
				char c;
				close(go[1]);
				if (read(go[0], &c, 1) < 0)
					_exit(3);
				dirty_and_exit();
			}
		}
		close(go[0]);
		close(go[1]);
		for (int i = 0; i < 2; i++) {
			waitpid(a[i], &st, 0);
			CHECK("a dirtying child ran", WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		pid_t b = fork();
		if (b == 0) {
			execl("/proc/self/exe", argv[0], "check", (char *)NULL);
			_exit(127);
		}
		waitpid(b, &st, 0);
		CHECK("the next program started clean", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* a dirty process that execs: the new program is clean too */
	pid_t c = fork();
	if (c == 0) {
		uint8_t pattern[16];
		memset(pattern, 0x3c, sizeof(pattern));
		__asm__ volatile("movdqu %0, %%xmm15" : : "m"(pattern) : "xmm15");
		execl("/proc/self/exe", argv[0], "check", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(c, &st, 0);
	CHECK("exec after dirtying starts clean", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return t_failures ? 1 : 0;
}
