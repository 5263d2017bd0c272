/* CPU exceptions become the right signals with the right si_code:
 * null dereference, ud2, int3, integer divide by zero. */
#include "t.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile uintptr_t got_rip;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	got_rip = uc->uc_mcontext.gregs[REG_RIP];
	siglongjmp(jb, 1);
}

extern char ud2_here[], int3_after[], div_here[];

__attribute__((noinline, noclone)) static void do_null(void)
{
	volatile int *volatile p = NULL;
	*p = 1;
}
__attribute__((noinline, noclone)) static void do_ud2(void)
{
	__asm__ volatile(".globl ud2_here\nud2_here: ud2");
}
__attribute__((noinline, noclone)) static void do_int3(void)
{
	__asm__ volatile("int3\n.globl int3_after\nint3_after: nop");
}
static volatile int zero;
__attribute__((noinline, noclone)) static void do_div(void)
{
	int a = 7, r;
	__asm__ volatile("cltd\n.globl div_here\ndiv_here: idivl %2" : "=a"(r) : "a"(a), "r"(zero) : "rdx");
	(void)r;
}

static int run(void (*fn)(void))
{
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		fn();
		return 0;
	}
	return got_sig;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	int sigs[] = { SIGSEGV, SIGILL, SIGTRAP, SIGFPE, SIGBUS };
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);

	for (int round = 0; round < 2; round++) {
		printf("round %d\n", round);
		CHECK("null deref -> SIGSEGV", run(do_null) == SIGSEGV);
		CHECK("null deref SEGV_MAPERR at address 0", got_code == SEGV_MAPERR && got_addr == NULL);
		CHECK("ud2 -> SIGILL", run(do_ud2) == SIGILL);
		CHECK("ud2 ILL_ILLOPN", got_code == ILL_ILLOPN);
		CHECK("ud2 si_addr and RIP at the instruction",
		      got_addr == (void *)ud2_here && got_rip == (uintptr_t)ud2_here);
		CHECK("int3 -> SIGTRAP", run(do_int3) == SIGTRAP);
		CHECK("int3 si_code SI_KERNEL", got_code == SI_KERNEL);
		CHECK("int3 RIP after the instruction", got_rip == (uintptr_t)int3_after);
		CHECK("divide by zero -> SIGFPE", run(do_div) == SIGFPE);
		CHECK("divide by zero FPE_INTDIV", got_code == FPE_INTDIV);
		CHECK("divide by zero si_addr at the instruction", got_addr == (void *)div_here);
	}
	/* the handler is still installed and the mask was restored by siglongjmp */
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	CHECK("no signal left blocked", !sigismember(&cur, SIGSEGV) && !sigismember(&cur, SIGILL) &&
					     !sigismember(&cur, SIGFPE) && !sigismember(&cur, SIGTRAP));
	return t_done();
}
