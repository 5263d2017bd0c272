/* Adversarial guest program, run as init under umk in every mode
 * (tests/bats/kernel.bats): it attacks the stub that every guest address
 * space shares with the kernel (at 0x7fc000000000), each attack in a
 * child of its own, and prints one line per attack that must not depend
 * on the mode. Every attack must end in a signal or an error for the
 * child alone; the parent (and so the kernel) carries on.
 *   1. jump to every `syscall` instruction of the stub with crafted
 *      registers: mmap the memory file (fd 3) into guest space, make the
 *      stub's read-only page writable, install a seccomp filter;
 *   2. forge a trap whose frame pointer points outside the signal stack;
 *   3. a forged host rt_sigreturn that blocks every signal, then spin;
 *   4. two threads: one scribbles over every writable stub page while
 *      the other makes system calls;
 *   5. look for another process's secret (a private page, a pipe buffer:
 *      kernel memory) in every readable page of the stub region. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STUB_CODE 0x7fc000000000UL
#define STUB_END 0x7fc000200000UL
#define TARGET 0x200000000UL	/* where an escaped mmap would land */
#define ESCAPED 3

/* jump to jr.target with these registers */
static struct {
	uint64_t rax, rdi, rsi, rdx, r10, r8, r9, r12, rsp, target;
} jr;
void do_jump(void);
__asm__(".globl do_jump\ndo_jump:\n"
	"lea jr(%rip), %r11\n"
	"mov 0(%r11), %rax\nmov 8(%r11), %rdi\nmov 16(%r11), %rsi\nmov 24(%r11), %rdx\n"
	"mov 32(%r11), %r10\nmov 40(%r11), %r8\nmov 48(%r11), %r9\nmov 56(%r11), %r12\n"
	"mov 64(%r11), %rsp\njmp *72(%r11)\n");

static sigjmp_buf back;
static volatile int probing;
static void on_signal(int sig)
{
	(void)sig;
	if (probing) {
		probing = 0;
		siglongjmp(back, 1);
	}
	siglongjmp(back, 2);
}

/* recover from whatever the jump leads to: a fault, a bad frame, a hang */
static void child_signals(void)
{
	static char alt[65536];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGALRM };
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static int readable(uint64_t addr, uint8_t *out)
{
	probing = 1;
	if (sigsetjmp(back, 1))
		return 0;
	uint8_t v = *(volatile uint8_t *)addr;
	probing = 0;
	if (out)
		*out = v;
	return 1;
}

static int writable(uint64_t addr)
{
	probing = 1;
	if (sigsetjmp(back, 1))
		return 0;
	volatile uint8_t *p = (volatile uint8_t *)addr;
	*p = *p;
	probing = 0;
	return 1;
}

/* Run fn in a child; how it ended: 'e' exit 0, 'X' escaped, 's' signal,
 * 'k' killed by us after the deadline. */
static char run_child(void (*fn)(void *), void *arg, int deadline_ms)
{
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	int st;
	for (int ms = 0;; ms += 10) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (ms >= deadline_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 'k';
		}
		usleep(10000);
	}
	if (WIFSIGNALED(st))
		return 's';
	return WEXITSTATUS(st) == ESCAPED ? 'X' : 'e';
}

static uint64_t syscall_insns[256];
static unsigned n_insns;
static uint8_t code[4096];

static void find_syscalls(void)
{
	for (unsigned i = 0; i < sizeof(code); i++)
		if (!readable(STUB_CODE + i, &code[i]))
			break;
	for (unsigned i = 0; i + 1 < sizeof(code); i++)
		if (code[i] == 0x0f && code[i + 1] == 0x05 && n_insns < 256)
			syscall_insns[n_insns++] = STUB_CODE + i;
}

/* 1. the attacks through the stub's own syscall instructions */
enum { A_MMAP, A_MPROTECT, A_SECCOMP, A_COUNT };
static const char *const attack_names[] = {
	"mmap of the memory file (fd 3) through a stub syscall instruction",
	"mprotect of the stub's read-only page through a stub syscall instruction",
	"seccomp allow-all filter through a stub syscall instruction",
};
static char scratch[65536] __attribute__((aligned(64)));

static void attack(void *arg)
{
	uint64_t insn = ((uint64_t *)arg)[0], kind = ((uint64_t *)arg)[1];
	child_signals();
	int ro_before = readable(STUB_CODE + 0x100000, NULL) && !writable(STUB_CODE + 0x100000);
	pid_t me = getpid();
	static struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	static struct sock_fprog prog = { 1, allow };
	memset(&jr, 0, sizeof(jr));
	jr.rsp = (uint64_t)scratch + sizeof(scratch) / 2;
	jr.target = insn;
	switch (kind) {
	case A_MMAP:
		jr.rax = SYS_mmap, jr.rdi = TARGET, jr.rsi = 4096, jr.rdx = PROT_READ;
		jr.r10 = MAP_SHARED | MAP_FIXED, jr.r8 = 3, jr.r9 = 0;
		break;
	case A_MPROTECT:
		jr.rax = SYS_mprotect, jr.rdi = STUB_CODE + 0x100000, jr.rsi = 4096, jr.rdx = PROT_READ | PROT_WRITE;
		break;
	case A_SECCOMP:
		jr.rax = SYS_seccomp, jr.rdi = SECCOMP_SET_MODE_FILTER, jr.rsi = 0, jr.rdx = (uint64_t)&prog;
		break;
	}
	if (sigsetjmp(back, 1) == 0)
		do_jump();
	/* back by a signal: did anything get through? */
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	int escaped = 0;
	if (kind == A_MMAP)
		escaped = readable(TARGET, NULL);
	if (kind == A_MPROTECT)
		escaped = ro_before && writable(STUB_CODE + 0x100000);
	/* a host getpid would give the host's pid, not ours */
	if (kind == A_SECCOMP)
		escaped = syscall(SYS_getpid) != me;
	_exit(escaped ? ESCAPED : 0);
}

/* 2. a trap whose frame pointer lies outside the signal stack */
static void forged_trap(void *arg)
{
	(void)arg;
	child_signals();
	/* the handler's entry: movabs $RW, %rbx; movabs $DATA, %rbp; mov %rdx, 8(%rbx) */
	static const uint8_t entry[] = { 0x48, 0xbb, 0x00, 0x00, 0x11, 0x00, 0xc0, 0x7f, 0x00, 0x00,
					 0x48, 0xbd, 0x00, 0x00, 0x10, 0x00, 0xc0, 0x7f, 0x00, 0x00,
					 0x48, 0x89, 0x53, 0x08 };
	uint8_t *at = memmem(code, sizeof(code), entry, sizeof(entry));
	if (!at)
		_exit(ESCAPED);	/* the test is out of date with the stub */
	memset(&jr, 0, sizeof(jr));
	jr.rdx = 0x4141414141414141;
	jr.rsp = (uint64_t)scratch + sizeof(scratch) / 2;
	jr.target = STUB_CODE + (uint64_t)(at - code);
	if (sigsetjmp(back, 1) == 0)
		do_jump();
	_exit(0);
}

/* 3. rt_sigreturn through the stub's own instruction (mov $15, %eax;
 * syscall), with a frame that blocks every signal and spins */
static void spin(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static void forged_sigreturn(void *arg)
{
	(void)arg;
	static const uint8_t insn[] = { 0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05 };
	uint8_t *at = memmem(code, sizeof(code), insn, sizeof(insn));
	if (!at)
		_exit(ESCAPED);
	/* ucontext at rsp: flags, link, stack (24), then sigcontext */
	uint64_t *uc = (uint64_t *)(scratch + 4096);
	memset(scratch, 0, sizeof(scratch));
	uint64_t *sc = uc + 5;
	sc[15] = (uint64_t)scratch + sizeof(scratch) - 64;	/* rsp */
	sc[16] = (uint64_t)spin;				/* rip */
	sc[17] = 0x202;						/* eflags */
	sc[18] = 0x33 | (0x2bULL << 48);			/* cs, gs, fs, ss */
	uc[5 + 32] = ~0ULL;					/* uc_sigmask */
	uc[0] = 2;						/* UC_SIGCONTEXT_SS */
	memset(&jr, 0, sizeof(jr));
	jr.rax = SYS_rt_sigreturn;
	jr.rsp = (uint64_t)uc;
	jr.target = STUB_CODE + (uint64_t)(at - code) + 5;
	do_jump();
}

/* 4. scribble over every writable stub page while another thread makes
 * system calls that must keep their right answers */
static uint64_t writable_pages[512];
static unsigned n_writable;
static volatile int stop_scribbling;

static void *scribbler(void *arg)
{
	(void)arg;
	uint64_t x = 88172645463325252ULL;
	while (!stop_scribbling)
		for (unsigned i = 0; i < n_writable; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			uint64_t *p = (uint64_t *)writable_pages[i];
			for (unsigned j = 0; j < 4096 / 8; j += 7)
				p[j] = x + j;
		}
	return NULL;
}

static void race(void *arg)
{
	(void)arg;
	for (uint64_t a = STUB_CODE; a < STUB_END && n_writable < 512; a += 4096)
		if (readable(a, NULL) && writable(a))
			writable_pages[n_writable++] = a;
	pthread_t t;
	pthread_create(&t, NULL, scribbler, NULL);
	pid_t parent = getppid();
	int wrong = 0;
	for (int i = 0; i < 20000; i++)
		wrong += syscall(SYS_getppid) != parent;
	stop_scribbling = 1;
	pthread_join(t, NULL);
	_exit(wrong ? ESCAPED : 0);
}

/* 5. another process's secrets, anywhere in the stub region? */
static const char secret[] = "umk-escape-secret-9f3c2a71";

static void scan(void *arg)
{
	(void)arg;
	static uint8_t page[4096];
	int found = 0;
	for (uint64_t a = STUB_CODE; a < STUB_END; a += 4096) {
		if (!readable(a, NULL))
			continue;
		memcpy(page, (void *)a, sizeof(page));
		found |= memmem(page, sizeof(page), secret, sizeof(secret) - 1) != NULL;
	}
	_exit(found ? ESCAPED : 0);
}

static void report(const char *what, char outcome[], unsigned n)
{
	int escaped = 0;
	for (unsigned i = 0; i < n; i++)
		escaped |= outcome[i] == 'X';
	printf("%s: %s\n", what, escaped ? "ESCAPED" : "contained");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	signal(SIGCHLD, SIG_DFL);
	close(3);	/* an fd 3 of ours would make the mmap attack a legal mmap */
	child_signals();
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	find_syscalls();
	printf("stub syscall instructions found: %s\n", n_insns >= 10 ? "yes" : "no");
	static char outcome[1024];
	for (uint64_t kind = 0; kind < A_COUNT; kind++) {
		for (unsigned i = 0; i < n_insns; i++) {
			uint64_t arg[2] = { syscall_insns[i], kind };
			outcome[i] = run_child(attack, arg, 2000);
		}
		report(attack_names[kind], outcome, n_insns);
	}
	char c = run_child(forged_trap, NULL, 3000);
	printf("forged trap with its frame outside the signal stack: %s\n",
	       c == 'X' ? "ESCAPED" : c == 'e' ? "no effect" : "child ended by a signal");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = run_child(forged_sigreturn, NULL, 4000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("forged host rt_sigreturn blocking every signal: %s; parent ran again: yes\n",
	       c == 'X' ? "ESCAPED" : c == 'e' ? "no effect" : "child ended by a signal");
	c = run_child(race, NULL, 20000);
	printf("scribbling over the writable stub pages from a second thread: %s\n",
	       c == 'X' ? "ESCAPED (a system call answered wrong)" : "contained");
	/* the secrets: in this process's private memory and in a pipe buffer */
	char *mine = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strcpy(mine, secret);
	int p[2];
	if (pipe(p) == 0 && write(p[1], secret, sizeof(secret)) < 0)
		perror("pipe");
	c = run_child(scan, NULL, 20000);
	printf("another process's secret in the stub region: %s\n", c == 'X' ? "FOUND" : "not found");
	printf("escape: done\n");
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
