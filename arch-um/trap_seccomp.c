/* mode=seccomp: guest system calls, faults and kicks become signals the
 * stub handles in the guest's own host thread (arch-um/stub/
 * stub_seccomp.S); the handler publishes its signal frame and parks on
 * a futex, the kernel edits the frame in place and releases it. No
 * ptrace stop after set-up.
 *
 * Security (Documentation/trap-modes.md has the whole argument): guest
 * code can reach every stub instruction and write the RW region, so
 *   - a trap counts only when the guest thread is verifiably parked: a
 *     futex self-requeue on SC_KCMD (read-only to the stub) returns its
 *     waiter count without waking it, and nothing but the kernel or the
 *     mapper wakes that word; so guest code never runs while the kernel
 *     works for it (frames freed, pages unmapped, COW downgrades);
 *   - the frame's address and contents are validated, read once, and
 *     the signal mask in it is reset at every return;
 *   - the mapper thread that holds the memory file runs only queued
 *     operations from the read-only region, and only after it has
 *     finished (parked again) does the kernel queue new ones. */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "um.h"
#include "trap_mode.h"
#include "stub_seccomp.h"
#include "trap_seccomp.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

#define RW_PAGES (STUB_SC_RW_SIZE / PAGE_SIZE)
#define FP_XSTATE_MAGIC1 0x46505853U
#define SYS_SECCOMP_CODE 1

/* The host's x86-64 signal frame: glibc's struct sigcontext is the
 * kernel's (its __pad0 is the kernel's ss), inside the kernel's
 * ucontext, whose sigmask is 8 bytes (glibc's ucontext_t is not). */
struct sc_ucontext {
	uint64_t flags, link;
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
	struct sigcontext mc;
	uint64_t sigmask;
};
struct sc_siginfo {
	int32_t signo, errno_, code, pad;
	uint64_t addr;		/* SIGSEGV...: si_addr; SIGSYS: si_call_addr */
	int32_t syscall, arch;
	uint8_t rest[96];
};
_Static_assert(sizeof(struct sc_ucontext) == 304, "ucontext");
_Static_assert(sizeof(struct sc_siginfo) == 128, "siginfo");

struct sc_mm {
	uint64_t rw_pfn;
	uint8_t *ro, *rw;		/* the kernel's views */
	uint64_t uc;			/* the parked trap's frame (stub address), 0: none */
	uint64_t fp;			/* its XSAVE area, and the size there */
	uint32_t fpsz;
	uint32_t seen;			/* SC_UWORD at the last release */
	bool mapper_busy;		/* released with ops, not seen parked since */
	uint64_t host_fs, host_gs;	/* what the stub's thread has loaded */
	struct sc_bps bps;		/* the guest's hardware breakpoints */
};

static volatile uint32_t *ro32(struct sc_mm *sc, unsigned off) { return (volatile uint32_t *)(sc->ro + off); }
static volatile uint32_t *uword(struct sc_mm *sc) { return (volatile uint32_t *)(sc->rw + SC_UWORD); }
static void *rw_at(struct sc_mm *sc, uint64_t stub_addr) { return sc->rw + (stub_addr - STUB_SC_RW); }

static long futex(volatile uint32_t *w, int op, uint32_t v, const struct timespec *ts, volatile uint32_t *w2,
		  uint32_t v3)
{
	return syscall(SYS_futex, w, op, v, ts, w2, v3);
}

/* Is a thread asleep in FUTEX_WAIT on w? Requeueing w's waiters onto w
 * itself wakes nobody and returns how many there are. */
static bool parked_on(volatile uint32_t *w)
{
	return futex(w, FUTEX_CMP_REQUEUE, 0, (void *)(long)1, w, __atomic_load_n(w, __ATOMIC_SEQ_CST)) == 1;
}

/* Stub deaths: stubs are umk's children and, after set-up, no longer
 * traced, so a death arrives as SIGCHLD; the handler wakes whichever
 * stub word the kernel sleeps on. */
static volatile uint32_t *waiting_word;
static volatile unsigned child_events;
static volatile int64_t kick_ns;	/* when the running guest was kicked (0: not) */

static void on_sigchld(int sig)
{
	(void)sig;
	int e = errno;
	child_events++;
	volatile uint32_t *w = waiting_word;
	if (w)	/* a wake without a change: the waiter rechecks (or times out) */
		futex(w, FUTEX_WAKE, 1, NULL, NULL, 0);
	errno = e;
}

static bool stub_dead(pid_t pid)
{
	siginfo_t si;
	si.si_pid = 0;
	return waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A guest that blocked the kick signal (a forged rt_sigreturn frame can
 * set the host mask) would run forever: SigBlk in /proc says so. */
static bool kick_blocked(pid_t pid)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	char *p = strstr(buf, "SigBlk:");
	unsigned long long blk = p ? strtoull(p + 7, NULL, 16) : 0;
	return blk & (1ULL << (STUB_KICK_SIG - 1));
}

/* Checks made while waiting for a stub, now and then: is it dead, or
 * has it blocked the kick? -1: dead (or killed). */
static int check_stub(struct um_mm *m)
{
	if (stub_dead(m->pid))
		return -1;
	int64_t k = kick_ns;
	if (k && now_ns() - k > 200000000) {
		if (kick_blocked(m->pid)) {
			printk(KERN_ERR "umk: stub %d blocked its interrupt signal: killed\n", m->pid);
			kill(m->pid, SIGKILL);
			return -1;
		}
		if (irq_pending)
			um_trap->kick(m->pid);
	}
	return 0;
}

/* Wait until the guest thread is parked in its handler (and the mapper
 * idle): 0, or -1 if the stub died or had to be killed. The handler
 * bumps SC_UWORD and wakes us before it parks, so once the word has
 * moved we only yield the CPU until the park shows; we sleep on the
 * word only while it has not. */
static int wait_parked(struct um_mm *m, struct sc_mm *sc)
{
	unsigned events = child_events;
	int r = 0;
	waiting_word = uword(sc);
	for (unsigned spins = 1;; spins++) {
		if (sc->mapper_busy && parked_on(ro32(sc, SC_MSEQ)))
			sc->mapper_busy = false;
		if (!sc->mapper_busy && parked_on(ro32(sc, SC_KCMD)))
			break;
		if (events != child_events || spins % 1024 == 0) {
			events = child_events;
			if ((r = check_stub(m)))
				break;
		}
		if (sc->mapper_busy || __atomic_load_n(uword(sc), __ATOMIC_SEQ_CST) != sc->seen) {
			sched_yield();
			continue;
		}
		struct timespec ts = { 0, 20000000 };
		if (futex(uword(sc), FUTEX_WAIT, sc->seen, &ts, NULL, 0) && errno == ETIMEDOUT &&
		    (r = check_stub(m)))
			break;
	}
	waiting_word = NULL;
	return r;
}

/* Take the parked thread's frame: where it says it is, if that is
 * inside the alternate stack; and its XSAVE area, if well formed. */
static bool take_frame(struct sc_mm *sc)
{
	const uint64_t lo = STUB_SC_RW + SC_ALTSTACK, hi = STUB_SC_RW + STUB_SC_RW_SIZE;
	uint64_t uc;
	memcpy(&uc, sc->rw + SC_UC, 8);
	sc->uc = 0;
	if (uc < lo + 8 || uc % 8 || uc > hi - sizeof(struct sc_ucontext) - sizeof(struct sc_siginfo))
		return false;
	const struct sc_ucontext *u = rw_at(sc, uc);
	uint64_t fp = u->mc.__fpstate_word;
	sc->fp = 0;
	sc->fpsz = 0;
	if (fp >= lo && fp % 64 == 0 && fp <= hi - 512) {
		uint32_t sw[5];
		memcpy(sw, (uint8_t *)rw_at(sc, fp) + 464, sizeof(sw));
		sc->fp = fp;
		sc->fpsz = 512;
		if (sw[0] == FP_XSTATE_MAGIC1 && sw[4] >= 512 + 64 && sw[4] <= hi - fp)
			sc->fpsz = sw[4];
	}
	sc->uc = uc;
	return true;
}

/* *perf_data: a SIGTRAP's si_perf_data (TRAP_PERF: the breakpoint slot) */
static void frame_to_regs(struct sc_mm *sc, struct guest_regs *r, struct trap_info *ti, uint64_t *perf_data)
{
	struct sc_ucontext u;
	struct sc_siginfo si;
	memcpy(&u, rw_at(sc, sc->uc), sizeof(u));
	memcpy(&si, rw_at(sc, sc->uc + sizeof(u)), sizeof(si));
	const struct sigcontext *c = &u.mc;
	r->r8 = c->r8; r->r9 = c->r9; r->r10 = c->r10; r->r11 = c->r11;
	r->r12 = c->r12; r->r13 = c->r13; r->r14 = c->r14; r->r15 = c->r15;
	r->rdi = c->rdi; r->rsi = c->rsi; r->rbp = c->rbp; r->rbx = c->rbx;
	r->rdx = c->rdx; r->rax = c->rax; r->rcx = c->rcx; r->rsp = c->rsp;
	r->rip = c->rip; r->eflags = c->eflags; r->cs = c->cs; r->ss = c->__pad0;
	switch (si.signo) {
	case SIGSYS:
		if (si.code == SYS_SECCOMP_CODE) {
			r->orig_rax = c->rax;
			r->rax = (uint64_t)-ENOSYS;
			ti->kind = TRAP_SYSCALL;
			return;
		}
		break;
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGTRAP:
		if (si.code > 0) {	/* raised by the CPU, not sent */
			ti->kind = TRAP_FAULT;
			ti->signo = si.signo;
			ti->code = si.code;
			ti->addr = si.addr;
			ti->trapno = (int)c->trapno;
			memcpy(perf_data, &si.syscall, 8);	/* _sigfault._perf._data */
			return;
		}
		break;
	}
	ti->kind = TRAP_IRQ;	/* the kick, or anything else */
}

static void regs_to_frame(struct sc_mm *sc, const struct guest_regs *r)
{
	struct sc_ucontext *u = rw_at(sc, sc->uc);
	struct sigcontext *c = &u->mc;
	c->r8 = r->r8; c->r9 = r->r9; c->r10 = r->r10; c->r11 = r->r11;
	c->r12 = r->r12; c->r13 = r->r13; c->r14 = r->r14; c->r15 = r->r15;
	c->rdi = r->rdi; c->rsi = r->rsi; c->rbp = r->rbp; c->rbx = r->rbx;
	c->rdx = r->rdx; c->rax = r->rax; c->rcx = r->rcx; c->rsp = r->rsp;
	c->rip = r->rip; c->eflags = r->eflags;
	c->cs = r->cs ? (uint16_t)r->cs : 0x33;
	c->__pad0 = r->ss ? (uint16_t)r->ss : 0x2b;
	c->__fpstate_word = sc->fp;
	u->sigmask = 0;		/* the guest's host mask is always empty */
}

static void mapper_wait_idle(struct um_mm *m, struct sc_mm *sc)
{
	for (int i = 0; sc->mapper_busy; i++) {
		if (parked_on(ro32(sc, SC_MSEQ)))
			sc->mapper_busy = false;
		else if (i % 256 == 255 && stub_dead(m->pid))
			return;
		else
			sched_yield();
	}
}

/* Hand the queued operations to the mapper; with resume, it (or we,
 * without operations) then releases the guest thread. */
static void release(struct um_mm *m, struct sc_mm *sc, bool resume)
{
	mapper_wait_idle(m, sc);
	sc->seen = __atomic_load_n(uword(sc), __ATOMIC_SEQ_CST);
	if (m->nops) {
		m->data[STUB_OP_COUNT / 8] = m->nops;
		__atomic_store_n(ro32(sc, SC_MWAKE), resume, __ATOMIC_SEQ_CST);
		if (resume)
			__atomic_add_fetch(ro32(sc, SC_KCMD), 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(ro32(sc, SC_MSEQ), 1, __ATOMIC_SEQ_CST);
		sc->mapper_busy = true;
		m->nops = 0;
		futex(ro32(sc, SC_MSEQ), FUTEX_WAKE, 1, NULL, NULL, 0);
	} else if (resume) {
		__atomic_add_fetch(ro32(sc, SC_KCMD), 1, __ATOMIC_SEQ_CST);
		futex(ro32(sc, SC_KCMD), FUTEX_WAKE, 1, NULL, NULL, 0);
	}
}

static void sc_kick(pid_t pid)
{
	kick_ns = now_ns();
	syscall(SYS_tgkill, pid, pid, STUB_KICK_SIG);
}

static int sc_mm_start(struct um_mm *m)
{
	static bool sigchld_set;
	if (!sigchld_set) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigchld;
		sa.sa_flags = SA_RESTART;
		sigfillset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
		sigchld_set = true;
	}
	struct sc_mm *sc = kzalloc(sizeof(*sc));
	sc->rw_pfn = page_alloc_contig(RW_PAGES);
	if (!sc->rw_pfn) {
		kfree(sc);
		return -ENOMEM;
	}
	sc->ro = (uint8_t *)m->data;
	sc->rw = pfn_to_virt(sc->rw_pfn);
	sc_setup_block(sc->ro);
	pid_t pid = stub_spawn();
	if (pid < 0) {
		page_free_contig(sc->rw_pfn, RW_PAGES);
		kfree(sc);
		return pid;
	}
	m->pid = pid;
	m->mode_priv = sc;
	int st;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL) ||
	    stub_setup(pid, m->data_pfn << PAGE_SHIFT, PROT_READ, sc->rw_pfn << PAGE_SHIFT))
		goto fail;
	/* from here on no tracer: the next trap parks it in its handler */
	if (ptrace(PTRACE_DETACH, pid, 0, 0))
		goto fail;
	sc->mapper_busy = true;	/* wait for the mapper to park too */
	if (wait_parked(m, sc) || !take_frame(sc))
		goto fail;
	return 0;
fail:
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
	page_free_contig(sc->rw_pfn, RW_PAGES);
	kfree(sc);
	m->mode_priv = NULL;
	return -ECHILD;
}

static void sc_mm_stop(struct um_mm *m)
{
	struct sc_mm *sc = m->mode_priv;
	sc_bps_close(&sc->bps);
	kill(m->pid, SIGKILL);
	int st;
	while (waitpid(m->pid, &st, __WALL) < 0 && errno == EINTR)
		;
	page_free_contig(sc->rw_pfn, RW_PAGES);
	kfree(sc);
	m->mode_priv = NULL;
}

/* A reused stub: the guest may have set its TLS through the stub's
 * arch_prctl, so the cached values are not to be trusted; a value no
 * guest can have (not canonical) loads both on the next run. */
static int sc_mm_reset(struct um_mm *m)
{
	struct sc_mm *sc = m->mode_priv;
	if (!sc || !sc->uc || sc->mapper_busy || stub_dead(m->pid))
		return -1;
	sc->host_fs = sc->host_gs = 0x8000000000000000ull;
	return 0;
}

/* Before a run the operations go with the release (run); a full queue
 * in the middle of the kernel's work is run now, the guest still parked. */
static void sc_flush(struct um_mm *m, struct guest_regs *regs)
{
	struct sc_mm *sc = m->mode_priv;
	if (!sc->uc)
		m->nops = 0;	/* the stub is gone: the queue must not overflow */
	if (!m->nops || regs)
		return;
	release(m, sc, false);
	mapper_wait_idle(m, sc);
}

static void sc_run(struct task *t, struct um_mm *m, struct trap_info *ti)
{
	struct sc_mm *sc = m->mode_priv;
	if (!sc->uc)
		goto died;
	regs_to_frame(sc, &t->regs);
	irq_set_running(m->pid);
	if (irq_pending) {
		irq_set_running(0);
		ti->kind = TRAP_IRQ;
		return;
	}
	uint32_t tls = 0;
	if (t->regs.fs_base != sc->host_fs) {
		memcpy(sc->ro + SC_FS_BASE, &t->regs.fs_base, 8);
		sc->host_fs = t->regs.fs_base;
		tls |= 1;
	}
	if (t->regs.gs_base != sc->host_gs) {
		memcpy(sc->ro + SC_GS_BASE, &t->regs.gs_base, 8);
		sc->host_gs = t->regs.gs_base;
		tls |= 2;
	}
	*ro32(sc, SC_TLS) = tls;
	kick_ns = 0;
	release(m, sc, true);
	sc->uc = 0;
	int r = wait_parked(m, sc);
	irq_set_running(0);
	kick_ns = 0;
	if (r || !take_frame(sc)) {
		if (!r)
			printk(KERN_ERR "umk: stub %d trapped with its frame outside its signal stack: killed\n",
			       m->pid);
		kill(m->pid, SIGKILL);
		goto died;
	}
	uint64_t perf_data = 0;
	frame_to_regs(sc, &t->regs, ti, &perf_data);
	if (ti->kind == TRAP_FAULT && ti->signo == SIGTRAP)
		sc_debug_trap(t, ti, t->regs.rip, perf_data);
	return;
died:
	ti->kind = TRAP_DIED;
}

/* The FPU state is the frame's XSAVE area. Its software-reserved bytes
 * (464..511, the host's description of the frame) stay the host's. */
static int sc_fpstate_get(struct um_mm *m, void *buf, size_t size, size_t *len)
{
	struct sc_mm *sc = m->mode_priv;
	if (!sc->uc || !sc->fp)
		return -EIO;
	size_t n = sc->fpsz < size ? sc->fpsz : size;
	memcpy(buf, rw_at(sc, sc->fp), n);
	*len = n;
	return 0;
}

static int sc_fpstate_set(struct um_mm *m, const void *buf, size_t len)
{
	struct sc_mm *sc = m->mode_priv;
	if (!sc->uc || !sc->fp || len < 512)
		return -EIO;
	uint8_t *x = rw_at(sc, sc->fp);
	memcpy(x, buf, 464);
	size_t n = len < sc->fpsz ? len : sc->fpsz;
	if (n > 512)
		memcpy(x + 512, (const uint8_t *)buf + 512, n - 512);
	return 0;
}

/* The guest thread's tid is the stub's pid (the kick's target too). */
static int sc_debugregs_set(struct um_mm *m, const uint64_t dr[8])
{
	struct sc_mm *sc = m->mode_priv;
	return sc_bps_set(&sc->bps, m->pid, dr);
}

static const struct trap_mode seccomp_mode = {
	.name = "seccomp", .rank = 30, .probe = sc_probe,
	.help = "a seccomp filter, SIGSYS in the stub, futex\nhand-off, no ptrace stop (secure)",
	.mm_start = sc_mm_start, .mm_stop = sc_mm_stop, .mm_reset = sc_mm_reset,
	.flush = sc_flush, .run = sc_run,
	.fpstate_get = sc_fpstate_get, .fpstate_set = sc_fpstate_set, .kick = sc_kick,
	.debugregs_set = sc_debugregs_set,
};
TRAP_MODE(seccomp_mode);
