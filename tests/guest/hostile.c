/* Hostile but legal system calls, natively and under umk (outputs
 * compared): mmap on every guessable descriptor (a leaked host fd, such
 * as the guest memory file, would map), and rt_sigreturn with frames the
 * program forged itself: the registers and the signal mask in the frame
 * are what the process gets, and nothing more. tests/umk/escape.c does
 * the attacks that only make sense under umk. */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* long forge(uint64_t *frame): rt_sigreturn through frame (an
 * rt_sigframe image: pretcode, ucontext), which the C side filled with
 * r12 and the mask; the rest (callee-saved registers, rsp, rip) is filled
 * here so that the forged context returns from forge() with r12. */
long forge(uint64_t *frame);
__asm__(".globl forge\nforge:\n"
	"push %rbx\npush %rbp\npush %r12\npush %r13\npush %r14\npush %r15\n"
	"mov %rbx, 136(%rdi)\nmov %rbp, 128(%rdi)\nmov %r13, 88(%rdi)\nmov %r14, 96(%rdi)\nmov %r15, 104(%rdi)\n"
	"mov %rsp, 168(%rdi)\nlea 1f(%rip), %rax\nmov %rax, 176(%rdi)\n"
	"lea 8(%rdi), %rsp\nmov $15, %eax\nsyscall\n"
	"1:\nmov %r12, %rax\n"
	"pop %r15\npop %r14\npop %r13\npop %r12\npop %rbp\npop %rbx\nret\n");

static uint64_t frame[128] __attribute__((aligned(64)));

static long forged(uint64_t r12, uint64_t mask)
{
	memset(frame, 0, sizeof(frame));
	frame[32 / 8] = 2;		/* uc_stack.ss_flags = SS_DISABLE */
	frame[80 / 8] = r12;
	frame[184 / 8] = 0x202;		/* eflags */
	frame[192 / 8] = 0x33 | (0x2bULL << 48);	/* cs, ss */
	frame[304 / 8] = mask;
	return forge(frame);
}

static int blocked(int sig)
{
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

int main(void)
{
	syscall(SYS_close_range, 3, ~0U, 0);
	int ebadf = 0;
	for (int fd = 3; fd < 1024; fd++) {
		errno = 0;
		void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		ebadf += p == MAP_FAILED && errno == EBADF;
	}
	CHECK("mmap on fds 3..1023: all EBADF", ebadf == 1021);
	for (int fd = 3; fd < 1024; fd++) {
		errno = 0;
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		ebadf -= p == MAP_FAILED && errno == EBADF;
	}
	CHECK("private mmap on fds 3..1023: all EBADF", ebadf == 0);

	long r = forged(0x1234567887654321, 1ULL << (SIGUSR1 - 1));
	CHECK("forged rt_sigreturn frame: registers restored", r == 0x1234567887654321);
	CHECK("forged rt_sigreturn frame: its mask applied", blocked(SIGUSR1) && !blocked(SIGUSR2));
	r = forged(42, ~0ULL);
	CHECK("forged frame blocking everything: returns", r == 42);
	CHECK("forged frame blocking everything: SIGKILL, SIGSTOP stay open",
	      blocked(SIGTERM) && blocked(SIGSEGV) && !blocked(SIGKILL) && !blocked(SIGSTOP));
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* still an ordinary process: a blocked-then-opened signal arrives */
	signal(SIGUSR2, SIG_IGN);
	CHECK("raise after the forged frames", raise(SIGUSR2) == 0);
	return t_failures ? 1 : 0;
}
