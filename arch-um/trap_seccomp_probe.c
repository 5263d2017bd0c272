/* mode=seccomp's probe: can this host run it? A test child does what a
 * stub does, on a real memory file: installs a filter that traps one
 * system call, takes the SIGSYS in a handler that finds the call in the
 * signal frame, wakes us through a futex on the shared file and parks on
 * another; we must see it parked (the waiter count of a self-requeue),
 * release it and see it exit cleanly. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "stub_seccomp.h"
#include "trap_seccomp.h"

static volatile uint32_t *shared;	/* [0] trapped call, [1] park word, [2] frame ok */

static long futex(volatile uint32_t *w, int op, uint32_t v, const struct timespec *ts, volatile uint32_t *w2,
		  uint32_t v3)
{
	return syscall(SYS_futex, w, op, v, ts, w2, v3);
}

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	(void)sig;
	shared[2] = uc->uc_mcontext.gregs[REG_RAX] == si->si_syscall && si->si_code == 1 /* SYS_SECCOMP */;
	__atomic_store_n(&shared[0], (uint32_t)si->si_syscall, __ATOMIC_SEQ_CST);
	futex(&shared[0], FUTEX_WAKE, 1, NULL, NULL, 0);
	while (__atomic_load_n(&shared[1], __ATOMIC_SEQ_CST) == 0)
		futex(&shared[1], FUTEX_WAIT, 0, NULL, NULL, 0);
}

static void child(pid_t parent)
{
	/* not left waiting on the futex for ever if umk dies meanwhile */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	if (sigaction(SIGSYS, &sa, NULL) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		_exit(2);
	syscall(SYS_getppid);
	_exit(shared[2] ? 0 : 3);
}

const char *sc_probe(void)
{
	/* the stub's signal stack holds one frame of this CPU (AMX's do not fit) */
	unsigned long need = getauxval(AT_MINSIGSTKSZ);
	if (need + 1024 > STUB_SC_RW_SIZE - SC_ALTSTACK)
		return "this CPU's signal frames do not fit the stub's signal stack";
	int fd = memfd_create("umk-probe", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4096))
		return "no memory file (memfd_create)";
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return "cannot map a memory file";
	shared = p;
	pid_t self = getpid(), pid = fork();
	if (pid == 0)
		child(self);
	const char *why = NULL;
	int st = 0;
	bool dead = false;
	struct timespec ts = { 0, 50000000 };
	for (int i = 0; !dead && !__atomic_load_n(&shared[0], __ATOMIC_SEQ_CST); i++) {
		if (i == 40) {
			why = "no SIGSYS from a seccomp filter, or a futex on shared memory does not wake";
			break;
		}
		futex(&shared[0], FUTEX_WAIT, 0, &ts, NULL, 0);
		dead = waitpid(pid, &st, WNOHANG) == pid;
	}
	if (!why && !dead && shared[0] != SYS_getppid)
		why = "the SIGSYS names another system call";
	/* the handler parks right after waking us: count it as a waiter. On
	 * a loaded host the child may not run for a while: yield first,
	 * then sleep a millisecond at a time, for up to 2 s in all */
	long n = 0;
	struct timespec ms = { 0, 1000000 };
	for (int i = 0; !why && !dead && i < 2100 && n != 1; i++) {
		n = futex(&shared[1], FUTEX_CMP_REQUEUE, 0, (void *)(long)1, &shared[1], 0);
		if (n == 1)
			break;
		if (i < 100)
			sched_yield();
		else
			nanosleep(&ms, NULL);
	}
	if (!why && !dead && n != 1)
		why = "a parked futex waiter cannot be counted (FUTEX_CMP_REQUEUE)";
	__atomic_store_n(&shared[1], 1, __ATOMIC_SEQ_CST);
	futex(&shared[1], FUTEX_WAKE, 1, NULL, NULL, 0);
	if (why && !dead)
		kill(pid, SIGKILL);
	while (!dead && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!why && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		why = WIFEXITED(st) && WEXITSTATUS(st) == 2 ? "seccomp filters are not allowed"
							    : "the signal frame does not hold the trapped call";
	munmap(p, 4096);
	return why;
}
