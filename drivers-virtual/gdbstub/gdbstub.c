/* The gdbstub's kernel half: a kernel thread that traces one guest
 * process as a debugger inside the guest would (ptrace's seize, interrupt,
 * resume, register sets, memory), all-stop: when one thread stops, gdb is
 * told and the others are stopped too. It serves the process named by
 * gdbstub_comm= (stopped at its first instruction after its execve), or a
 * process whose pid is written to /sys/kernel/umk/gdbstub, or one that
 * gdbstub_start() is given; one at a time, on the endpoint of gdbstub=
 * (host/gdbstub_host.c). Documentation/debugging-guest.md. */
#include <umk/kernel.h>
#include <umk/init.h>
#include <umk/arch.h>
#include <umk/hostio.h>
#include <umk/ptrace.h>
#include <umk/signal.h>
#include <umk/sysfs.h>
#include <umk/mm.h>
#include <linux/wait.h>
#include <asm/siginfo.h>
#include "gdbstub.h"
#include "gdbstub_host.h"

/* wait statuses, as <sys/wait.h> reads them */
#define WIFEXITED(s) (((s) & 0x7f) == 0)
#define WEXITSTATUS(s) (((s) >> 8) & 0xff)
#define WIFSIGNALED(s) (((s) & 0x7f) != 0 && ((s) & 0x7f) != 0x7f)
#define WTERMSIG(s) ((s) & 0x7f)
#define WIFSTOPPED(s) (((s) & 0xff) == 0x7f)
#define WSTOPSIG(s) (((s) >> 8) & 0xff)

#define MAX_THREADS 64
#define MAX_BPS 64

struct gthread {
	pid_t tid;
	bool running;
	int pending;		/* a stop (wait status) gdb has not heard of yet, 0 */
};

static struct {
	int lfd;			/* listening socket, -1: no gdbstub= */
	struct rsp rsp;
	struct wait_queue_head wq;	/* input, a connection, a start request */
	bool input;			/* the connection or listening socket is readable */
	pid_t want;			/* a start request */
	pid_t tgid;			/* the process served, 0 */
	struct gthread th[MAX_THREADS];
	int nth;
	pid_t gtid, ctid;		/* Hg and Hc: the thread for registers, to resume (0/-1: any, all) */
	struct { uaddr_t addr; uint8_t orig; } bp[MAX_BPS];
	int nbp;
	int exit_status;		/* the process ended meanwhile: its wait status, or -1 */
	pid_t last_tid;			/* the last stop reported */
	int last_sig;			/* as a gdb signal number */
	bool stepping_all;		/* gdb asked to resume all: new threads run too */
	bool owe_reply;			/* gdb resumed and waits for a stop or exit reply */
	/* gdbstub_comm=: the program waits in exec until we have it */
	char comm[16];
	bool comm_done;
	struct wait_queue_head attached_wq;
	pid_t attached;			/* the start request that has been served, or failed */
} gs = { .lfd = -1, .rsp = { .fd = -1 } };

/* ---- signals: gdb numbers its own (gdb/signals.def) */
static const uint8_t to_gdb[65] = {
	0, 1, 2, 3, 4, 5, 6, 10, 8, 9, 30, 11, 31, 13, 14, 15,
	143, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12,
	77, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
	60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 78,
};

static int sig_to_gdb(int sig)
{
	return sig >= 0 && sig <= 64 ? to_gdb[sig] : 143;
}

static int sig_from_gdb(int g)
{
	for (int s = 0; s <= 64; s++)
		if (to_gdb[s] == g)
			return s;
	return 0;
}

/* ---- threads of the process */
static struct gthread *find_thread(pid_t tid)
{
	for (int i = 0; i < gs.nth; i++)
		if (gs.th[i].tid == tid)
			return &gs.th[i];
	return NULL;
}

static struct gthread *add_thread(pid_t tid)
{
	struct gthread *g = find_thread(tid);
	if (g || gs.nth == MAX_THREADS)
		return g;
	g = &gs.th[gs.nth++];
	*g = (struct gthread){ .tid = tid, .running = true };
	return g;
}

static void drop_thread(pid_t tid)
{
	struct gthread *g = find_thread(tid);
	if (g)
		*g = gs.th[--gs.nth];
}

static struct task *traced(pid_t tid)
{
	struct task *t = find_task_by_pid(tid);
	return t && t->ptracer == current && t->state == TASK_TRACED ? t : NULL;
}

/* The thread the registers are read from: Hg's, else the last stopped. */
static struct task *reg_task(void)
{
	struct task *t = gs.gtid > 0 ? traced(gs.gtid) : NULL;
	return t ? t : traced(gs.last_tid);
}

/* ---- software breakpoints (Z0): int3 in the text, copy-on-write */
static int bp_insert(uaddr_t addr)
{
	struct task *t = find_task_by_pid(gs.tgid);
	if (!t || gs.nbp == MAX_BPS)
		return -ENOSPC;
	for (int i = 0; i < gs.nbp; i++)
		if (gs.bp[i].addr == addr)
			return 0;
	uint8_t orig, cc = 0xcc;
	if (ptrace_access_vm(t, addr, &orig, 1, false) != 1 || ptrace_access_vm(t, addr, &cc, 1, true) != 1)
		return -EFAULT;
	gs.bp[gs.nbp].addr = addr;
	gs.bp[gs.nbp++].orig = orig;
	return 0;
}

static int bp_remove(uaddr_t addr)
{
	struct task *t = find_task_by_pid(gs.tgid);
	for (int i = 0; i < gs.nbp; i++) {
		if (gs.bp[i].addr != addr)
			continue;
		if (t)
			ptrace_access_vm(t, addr, &gs.bp[i].orig, 1, true);
		gs.bp[i] = gs.bp[--gs.nbp];
		return 0;
	}
	return -ENOENT;
}

/* Memory reads show the program's bytes, not our int3s (as gdbserver). */
static void bp_hide(uaddr_t addr, uint8_t *buf, size_t n)
{
	for (int i = 0; i < gs.nbp; i++)
		if (gs.bp[i].addr >= addr && gs.bp[i].addr < addr + n)
			buf[gs.bp[i].addr - addr] = gs.bp[i].orig;
}

/* ---- attaching and stopping */

/* Wait for a stop (or the end) of tid; its wait status, or -1. */
static int wait_tid(pid_t tid)
{
	int st;
	return kernel_wait4(tid, &st, __WALL) == tid ? st : -1;
}

static bool is_interrupt_stop(int st)
{
	return WIFSTOPPED(st) && (st >> 16) == PTRACE_EVENT_STOP && WSTOPSIG(st) == SIGTRAP;
}

/* Stop every running thread (PTRACE_INTERRUPT); a thread that stops for
 * something else keeps it as pending, for gdb to hear later; one that
 * exited meanwhile is gone (the leader last: then the process ended). */
static void stop_all(void)
{
	for (int i = 0; i < gs.nth;) {
		struct gthread *g = &gs.th[i];
		struct task *t = g->running ? find_task_by_pid(g->tid) : NULL;
		if (!t || ptrace_interrupt(t)) {
			i++;
			continue;
		}
		pid_t tid = g->tid;
		int st = wait_tid(tid);
		g->running = false;
		if (st == -1 || !WIFSTOPPED(st)) {
			if (tid == gs.tgid && st != -1)
				gs.exit_status = st;
			drop_thread(tid);
			continue;
		}
		if (!is_interrupt_stop(st))
			g->pending = st;
		i++;
	}
}

/* While every thread is stopped only a kill (SIGKILL from elsewhere)
 * moves them: reap what exited, keep the leader's status for gdb's next
 * resume or '?' (all-stop gdb expects no reply before then). */
static void reap_stopped(void)
{
	int st;
	pid_t tid;
	while ((tid = kernel_wait4(-1, &st, __WALL | WNOHANG)) > 0) {
		struct gthread *g = find_thread(tid);
		if (WIFSTOPPED(st)) {
			if (g && !is_interrupt_stop(st))
				g->pending = st;
			continue;
		}
		drop_thread(tid);
		if (tid == gs.tgid)
			gs.exit_status = st;
	}
}

/* The process's end, for gdb: W (exit code) or X (signal). */
static void report_exit(int st)
{
	char buf[16];
	if (WIFEXITED(st))
		snprintf(buf, sizeof(buf), "W%02x", WEXITSTATUS(st));
	else
		snprintf(buf, sizeof(buf), "X%02x", sig_to_gdb(WTERMSIG(st)));
	gs.nth = 0;
	gs.tgid = 0;
	gs.exit_status = -1;
	gs.owe_reply = false;
	rsp_send_str(&gs.rsp, buf);
}

/* Seize every thread of the process and stop it. A program waiting in
 * its exec (gdbstub_comm=) may go on once seized: it stops right after. */
static int attach_process(pid_t pid)
{
	struct task *leader = find_task_group_leader(pid);
	int r = leader && process_alive(leader) ? 0 : -ESRCH;
	gs.nth = 0;
	gs.nbp = 0;
	gs.exit_status = -1;
	gs.owe_reply = false;
	struct task *th;
	if (!r) {
		gs.tgid = pid;
		for_each_thread(leader->signal, th) {
			if ((r = ptrace_attach(th, PTRACE_SEIZE, PTRACE_O_TRACECLONE)))
				break;
			add_thread(th->pid);
		}
	}
	gs.attached = pid;
	wake_up(&gs.attached_wq);
	if (r)
		return r;
	stop_all();
	gs.last_tid = pid;
	gs.last_sig = 5;
	gs.gtid = gs.ctid = 0;
	return 0;
}

static void resume(struct gthread *g, bool step, int sig)
{
	struct task *t = traced(g->tid);
	if (!t)
		return;
	if (ptrace_resume(t, step ? PTRACE_SINGLESTEP : PTRACE_CONT, (unsigned long)sig) == 0)
		g->running = true;
}

/* Leave the process: our breakpoints out, every thread resumed. */
static void detach_process(void)
{
	while (gs.nbp)
		bp_remove(gs.bp[0].addr);
	stop_all();	/* detaching needs stopped tracees */
	for (int i = 0; i < gs.nth; i++) {
		struct task *t = traced(gs.th[i].tid);
		if (t)
			ptrace_detach(t, 0);
	}
	/* exits reported to us meanwhile: reaped, which passes them on */
	while (kernel_wait4(-1, NULL, __WALL | WNOHANG) > 0)
		;
	gs.nth = 0;
	gs.tgid = 0;
}

/* ---- stop replies */
static void report_stop(pid_t tid, int gdb_sig)
{
	char buf[64];
	gs.last_tid = tid;
	gs.last_sig = gdb_sig;
	gs.owe_reply = false;
	snprintf(buf, sizeof(buf), "T%02xthread:%x;", gdb_sig, tid);
	rsp_send_str(&gs.rsp, buf);
}

/* What wait said of a thread: true when gdb was told (the process is
 * stopped again, or gone). */
static bool handle_status(pid_t tid, int st)
{
	struct gthread *g = find_thread(tid);
	if (!g)
		g = add_thread(tid);	/* a new thread's first stop before its clone event */
	if (!g)
		return false;
	g->running = false;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		drop_thread(tid);
		if (tid != gs.tgid)
			return false;
		report_exit(st);
		return true;
	}
	int event = st >> 16;
	if (event == PTRACE_EVENT_CLONE) {
		unsigned long tidnew = 0;
		struct task *t = traced(tid);
		if (t)
			tidnew = t->ptrace_message;
		struct gthread *n = add_thread((pid_t)tidnew);
		if (n)
			n->running = true;	/* its first stop is on its way */
		resume(g, false, 0);
		return false;
	}
	if (event == PTRACE_EVENT_STOP && WSTOPSIG(st) == SIGTRAP) {
		/* a new thread's first stop: it runs as the others do */
		resume(g, false, 0);
		return false;
	}
	int sig = WSTOPSIG(st);
	stop_all();
	if (gs.exit_status != -1)	/* it ended meanwhile: its threads with it */
		report_exit(gs.exit_status);
	else
		report_stop(tid, sig_to_gdb(sig));
	return true;
}

/* A resume request: a thread with a stop gdb has not heard of reports it
 * at once (nothing runs); else each thread does what the action says. */
static void resume_all(int (*action)(pid_t tid, int *sig))
{
	if (gs.exit_status != -1) {
		report_exit(gs.exit_status);
		return;
	}
	for (int i = 0; i < gs.nth; i++) {
		if (gs.th[i].pending) {
			int st = gs.th[i].pending;
			gs.th[i].pending = 0;
			report_stop(gs.th[i].tid, WIFSTOPPED(st) ? sig_to_gdb(WSTOPSIG(st)) : 0);
			return;
		}
	}
	gs.owe_reply = true;
	for (int i = 0; i < gs.nth; i++) {
		int sig = 0, a = action(gs.th[i].tid, &sig);
		if (a)
			resume(&gs.th[i], a == 's', sig);
	}
}

/* vCont's and c/s's actions, kept for resume_all's callback */
static struct { char act[MAX_THREADS + 1]; pid_t tid[MAX_THREADS + 1]; int sig[MAX_THREADS + 1]; int n; } vc;

static int vcont_action(pid_t tid, int *sig)
{
	for (int i = 0; i < vc.n; i++)
		if (vc.tid[i] == tid || vc.tid[i] == -1) {
			*sig = vc.sig[i];
			return vc.act[i] == 't' ? 0 : vc.act[i];
		}
	return 0;
}

/* vCont;ACTION[:TID];... (c, C sig, s, S sig, t); also c, C, s, S */
static int parse_vcont(const char *p)
{
	vc.n = 0;
	while (*p == ';' && vc.n < MAX_THREADS) {
		p++;
		char a = *p++;
		int sig = 0;
		if (a == 'C' || a == 'S')
			sig = sig_from_gdb((int)hex_number(&p));
		pid_t tid = -1;
		if (*p == ':') {
			p++;
			if (*p == '-') {
				p += 2;
			} else {
				if (*p == 'p') {	/* pPID.TID */
					p++;
					hex_number(&p);
					if (*p == '.')
						p++;
				}
				tid = (pid_t)hex_number(&p);
			}
		}
		vc.act[vc.n] = (char)(a == 'C' ? 'c' : a == 'S' ? 's' : a);
		vc.tid[vc.n] = tid;
		vc.sig[vc.n++] = sig;
	}
	return vc.n ? 0 : -1;
}

/* ---- packets */
static void reply_error(int err)
{
	char buf[8];
	snprintf(buf, sizeof(buf), "E%02x", err > 0 && err < 256 ? err : 1);
	rsp_send_str(&gs.rsp, buf);
}

/* qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH from a buffer */
static void xfer(const char *data, size_t size, const char *range)
{
	uint64_t off = hex_number(&range);
	if (*range == ',')
		range++;
	uint64_t len = hex_number(&range);
	if (off > size) {
		reply_error(EINVAL);
		return;
	}
	size_t n = MIN(len, MIN(size - off, (size_t)RSP_MAX / 2 - 2));
	char *out = kmalloc(2 * n + 2);
	out[0] = off + n < size ? 'm' : 'l';
	size_t o = 1 + rsp_escape(out + 1, data + off, n);
	rsp_send(&gs.rsp, out, o);
	kfree(out);
}

static void handle_query(const char *p)
{
	if (!strncmp(p, "qSupported", 10)) {
		char buf[160];
		snprintf(buf, sizeof(buf), "PacketSize=%x;qXfer:features:read+;qXfer:auxv:read+;vContSupported+;"
			 "QStartNoAckMode+", RSP_MAX);
		rsp_send_str(&gs.rsp, buf);
	} else if (!strncmp(p, "qXfer:features:read:target.xml:", 31)) {
		xfer(gdbstub_target_xml, strlen(gdbstub_target_xml), p + 31);
	} else if (!strncmp(p, "qXfer:auxv:read::", 17)) {
		struct task *t = find_task_by_pid(gs.tgid);
		if (!t || !t->mm) {
			reply_error(ESRCH);
			return;
		}
		size_t n = 0;
		while (n + 2 <= ARRAY_SIZE(t->mm->auxv) && t->mm->auxv[n])
			n += 2;
		xfer((const char *)t->mm->auxv, (n + 2) * 8, p + 17);
	} else if (!strcmp(p, "qC")) {
		char buf[32];
		snprintf(buf, sizeof(buf), "QC%x", gs.last_tid);
		rsp_send_str(&gs.rsp, buf);
	} else if (!strcmp(p, "qfThreadInfo")) {
		struct sbuf b;
		sbuf_init(&b);
		sbuf_printf(&b, "m");
		for (int i = 0; i < gs.nth; i++)
			sbuf_printf(&b, "%s%x", i ? "," : "", gs.th[i].tid);
		rsp_send(&gs.rsp, b.buf, b.len);
		sbuf_free(&b);
	} else if (!strcmp(p, "qsThreadInfo")) {
		rsp_send_str(&gs.rsp, "l");
	} else if (!strncmp(p, "qAttached", 9)) {
		rsp_send_str(&gs.rsp, "1");	/* quitting gdb detaches, not kills */
	} else {
		rsp_send_str(&gs.rsp, "");	/* not supported */
	}
}

static void read_memory(const char *p)
{
	uaddr_t addr = hex_number(&p);
	if (*p++ != ',') {
		reply_error(EINVAL);
		return;
	}
	uint64_t want = hex_number(&p);	/* not in MIN(): it would read twice */
	size_t len = MIN(want, (uint64_t)RSP_MAX / 2 - 1);
	struct task *t = find_task_by_pid(gs.tgid);
	uint8_t *buf = kmalloc(len + 1);
	long n = t ? ptrace_access_vm(t, addr, buf, len, false) : 0;
	if (n <= 0 && len) {
		reply_error(EFAULT);
	} else {
		bp_hide(addr, buf, (size_t)n);
		char *hex = kmalloc(2 * (size_t)n + 1);
		hex_encode(hex, buf, (size_t)n);
		rsp_send(&gs.rsp, hex, 2 * (size_t)n);
		kfree(hex);
	}
	kfree(buf);
}

/* M addr,len:HEX and X addr,len:BINARY */
static void write_memory(const char *p, bool binary)
{
	uaddr_t addr = hex_number(&p);
	if (*p++ != ',') {
		reply_error(EINVAL);
		return;
	}
	size_t len = hex_number(&p);
	if (*p++ != ':') {
		reply_error(EINVAL);
		return;
	}
	const char *data = p;
	size_t have = gs.rsp.pkt_len - (size_t)(data - gs.rsp.pkt);
	uint8_t *buf = kmalloc(len + 1);
	if (binary ? have < len : hex_decode(buf, data, len) < 0) {
		kfree(buf);
		reply_error(EINVAL);
		return;
	}
	if (binary)
		memcpy(buf, data, len);
	struct task *t = find_task_by_pid(gs.tgid);
	/* a write over one of our breakpoints changes what it hides */
	for (int i = 0; i < gs.nbp; i++)
		if (gs.bp[i].addr >= addr && gs.bp[i].addr < addr + len) {
			gs.bp[i].orig = buf[gs.bp[i].addr - addr];
			buf[gs.bp[i].addr - addr] = 0xcc;
		}
	if (len && (!t || ptrace_access_vm(t, addr, buf, len, true) != (long)len))
		reply_error(EFAULT);
	else
		rsp_send_str(&gs.rsp, "OK");
	kfree(buf);
}

static void kill_process(void)
{
	struct task *t = find_task_by_pid(gs.tgid);
	if (t) {
		struct ksiginfo info = { .si_signo = SIGKILL, .si_code = SI_KERNEL };
		send_signal(t, SIGKILL, &info);
	}
	/* reap every tracee (the leader comes last): then none is left */
	while (kernel_wait4(-1, NULL, __WALL) > 0)
		;
	gs.nth = 0;
	gs.tgid = 0;
}

/* One packet; false when the session is over. */
static bool handle_packet(void)
{
	char *p = gs.rsp.pkt;
	switch (p[0]) {
	case '?': {
		if (gs.exit_status != -1) {	/* it ended while being stopped */
			report_exit(gs.exit_status);
			return true;
		}
		char buf[48];
		snprintf(buf, sizeof(buf), "T%02xthread:%x;", gs.last_sig, gs.last_tid);
		rsp_send_str(&gs.rsp, buf);
		return true;
	}
	case 'q':
		handle_query(p);
		return true;
	case 'Q':
		if (!strcmp(p, "QStartNoAckMode")) {
			rsp_send_str(&gs.rsp, "OK");
			gs.rsp.noack = true;
		} else {
			rsp_send_str(&gs.rsp, "");
		}
		return true;
	case 'H': {
		const char *q = p + 2;
		pid_t tid = *q == '-' ? -1 : (pid_t)hex_number(&q);
		if (p[1] == 'g')
			gs.gtid = tid;
		else
			gs.ctid = tid;
		rsp_send_str(&gs.rsp, "OK");
		return true;
	}
	case 'T': {
		const char *q = p + 1;
		pid_t tid = (pid_t)hex_number(&q);
		rsp_send_str(&gs.rsp, find_thread(tid) ? "OK" : "E01");
		return true;
	}
	case 'g': {
		char *out = kmalloc(RSP_MAX);
		struct task *t = reg_task();
		long n = t ? regs_read_all(t, out, RSP_MAX) : -ESRCH;
		if (n < 0)
			reply_error((int)-n);
		else
			rsp_send(&gs.rsp, out, (size_t)n);
		kfree(out);
		return true;
	}
	case 'G': {
		struct task *t = reg_task();
		int r = t ? regs_write_all(t, p + 1) : -ESRCH;
		if (r)
			reply_error(-r);
		else
			rsp_send_str(&gs.rsp, "OK");
		return true;
	}
	case 'p': {
		const char *q = p + 1;
		int n = (int)hex_number(&q);
		char out[40];
		struct task *t = reg_task();
		long r = t ? regs_read_one(t, n, out, sizeof(out)) : -ESRCH;
		if (r < 0)
			reply_error((int)-r);
		else
			rsp_send(&gs.rsp, out, (size_t)r);
		return true;
	}
	case 'P': {
		const char *q = p + 1;
		int n = (int)hex_number(&q);
		struct task *t = reg_task();
		int r = t && *q == '=' ? regs_write_one(t, n, q + 1) : -EINVAL;
		if (r)
			reply_error(-r);
		else
			rsp_send_str(&gs.rsp, "OK");
		return true;
	}
	case 'm':
		read_memory(p + 1);
		return true;
	case 'M':
	case 'X':
		write_memory(p + 1, p[0] == 'X');
		return true;
	case 'Z':
	case 'z': {
		/* software breakpoints only: gdb writes its own otherwise */
		if (p[1] != '0') {
			rsp_send_str(&gs.rsp, "");
			return true;
		}
		const char *q = p + 3;
		uaddr_t addr = hex_number(&q);
		int r = p[0] == 'Z' ? bp_insert(addr) : bp_remove(addr);
		if (r)
			reply_error(-r);
		else
			rsp_send_str(&gs.rsp, "OK");
		return true;
	}
	case 'c':
	case 's':
	case 'C':
	case 'S': {
		/* the old resume packets: the Hc thread (all: -1/0) */
		const char *q = p + 1;
		char a = p[0];
		int sig = 0;
		if (a == 'C' || a == 'S') {
			sig = sig_from_gdb((int)hex_number(&q));
			if (*q == ';')
				q++;
		}
		if (*q) {	/* a new pc */
			struct task *t = traced(gs.ctid > 0 ? gs.ctid : gs.last_tid);
			uint64_t pc = hex_number(&q);
			if (t)
				t->regs.rip = pc;
		}
		bool step = a == 's' || a == 'S';
		vc.n = 0;
		pid_t who = gs.ctid > 0 ? gs.ctid : gs.last_tid;
		vc.act[vc.n] = step ? 's' : 'c';
		vc.tid[vc.n] = who;
		vc.sig[vc.n++] = sig;
		if (!step) {	/* the others continue too */
			vc.act[vc.n] = 'c';
			vc.tid[vc.n] = -1;
			vc.sig[vc.n++] = 0;
		}
		resume_all(vcont_action);
		return true;
	}
	case 'v':
		if (!strcmp(p, "vCont?")) {
			rsp_send_str(&gs.rsp, "vCont;c;C;s;S;t");
		} else if (!strncmp(p, "vCont;", 5) && p[5] == ';') {
			if (parse_vcont(p + 5))
				reply_error(EINVAL);
			else
				resume_all(vcont_action);
		} else if (!strncmp(p, "vKill", 5)) {
			kill_process();
			rsp_send_str(&gs.rsp, "OK");
			return false;
		} else if (!strcmp(p, "vMustReplyEmpty")) {
			rsp_send_str(&gs.rsp, "");
		} else {
			rsp_send_str(&gs.rsp, "");
		}
		return true;
	case 'k':
		kill_process();
		return false;
	case 'D':
		detach_process();
		rsp_send_str(&gs.rsp, "OK");
		return false;
	default:
		rsp_send_str(&gs.rsp, "");
		return true;
	}
}

/* ---- the thread */
static void on_readable(void *fdp)
{
	arch_irq_unregister_fd((int)(intptr_t)fdp);	/* again once read */
	gs.input = true;
	wake_up(&gs.wq);
}

static void listen_again(int fd)
{
	arch_irq_register_fd(fd, false, on_readable, (void *)(intptr_t)fd);
}

/* Sleep until input, a start request, or news of a tracee. */
static void stub_sleep(void)
{
	struct wait_entry a, b;
	wait_enqueue(&gs.wq, &a);
	wait_enqueue(&current->signal->wait_chldexit, &b);
	wait_sleep(&gs.wq, &a, false, -1);
	wait_dequeue(&b);
	wait_dequeue(&a);
}

/* A connection from gdb: the first waiting one. */
static void accept_gdb(void)
{
	while (gs.rsp.fd < 0) {
		gs.input = false;
		int fd = gdbstub_host_accept(gs.lfd);
		if (fd >= 0) {
			gs.rsp.fd = fd;
			listen_again(fd);
			break;
		}
		listen_again(gs.lfd);
		while (!gs.input)
			stub_sleep();
	}
}

/* Serve the stopped process until gdb detaches, kills it, goes away, or
 * the process ends. */
static void serve(void)
{
	bool running = false;
	for (;;) {
		/* tracee news while the process runs */
		int st;
		pid_t tid;
		while (running && (tid = kernel_wait4(-1, &st, __WALL | WNOHANG)) > 0)
			if (handle_status(tid, st))
				running = false;
		if (!running && gs.tgid) {
			reap_stopped();
			/* resumed while a kill was on its way: none could run */
			if (gs.owe_reply && gs.exit_status != -1) {
				report_exit(gs.exit_status);
				return;
			}
		}
		if (!gs.tgid && !running) {
			/* the process is gone; gdb has been told */
			return;
		}
		gs.input = false;
		rsp_fill(&gs.rsp);
		enum rsp_event ev;
		while ((ev = rsp_next(&gs.rsp)) != RSP_NONE) {
			if (ev == RSP_CLOSED) {
				if (gs.tgid)
					detach_process();
				return;
			}
			if (ev == RSP_BREAK) {
				if (running) {
					stop_all();
					running = false;
					if (gs.exit_status != -1) {
						report_exit(gs.exit_status);
						return;
					}
					report_stop(gs.last_tid, 2);	/* SIGINT, as gdbserver reports it */
				}
				continue;
			}
			bool resuming = strchr("cCsS", gs.rsp.pkt[0]) || !strncmp(gs.rsp.pkt, "vCont;", 6);
			if (!handle_packet()) {
				rsp_close(&gs.rsp);
				return;
			}
			if (resuming && gs.tgid) {
				running = false;
				for (int i = 0; i < gs.nth; i++)
					running |= gs.th[i].running;
			}
			if (!gs.tgid)
				return;
		}
		if (gs.rsp.fd < 0) {
			if (gs.tgid)
				detach_process();
			return;
		}
		listen_again(gs.rsp.fd);
		if (!gs.input && !(running && kernel_wait4(-1, NULL, __WALL | WNOHANG | WNOWAIT) > 0))
			stub_sleep();
	}
}

static void gdbstub_thread(void *unused)
{
	(void)unused;
	for (;;) {
		while (!gs.want)
			stub_sleep();
		pid_t pid = gs.want;
		gs.want = 0;
		int r = attach_process(pid);
		if (r) {
			printk(KERN_WARNING "gdbstub: cannot stop process %d (error %d)\n", pid, r);
			if (gs.tgid)
				detach_process();
			gs.tgid = 0;
			continue;
		}
		struct task *t = find_task_by_pid(pid);
		printk(KERN_INFO "gdbstub: process %d (%s) stopped; gdb may connect to %s\n", pid,
		       t ? t->comm : "?", gdbstub_host_endpoint());
		accept_gdb();
		serve();
		rsp_close(&gs.rsp);
		printk(KERN_INFO "gdbstub: done with process %d\n", pid);
	}
}

int gdbstub_start(pid_t pid)
{
	if (gs.lfd < 0)
		return -ENODEV;
	if (gs.tgid || gs.want)
		return -EBUSY;
	struct task *t = find_task_group_leader(pid);
	if (!t || !process_alive(t))
		return -ESRCH;
	if ((t->flags & PF_KTHREAD) || t->ptrace)
		return -EPERM;
	gs.want = pid;
	wake_up(&gs.wq);
	return 0;
}

const char *gdbstub_endpoint(void)
{
	return gdbstub_host_endpoint();
}

/* ---- the ways to start it */

/* gdbstub_comm=NAME: the first program of that name stops after its exec */
static const char *comm_setup(const char *v)
{
	if (!*v || strlen(v) >= sizeof(gs.comm))
		return "expected a program name of at most 15 characters";
	strlcpy(gs.comm, v, sizeof(gs.comm));
	return NULL;
}
__setup(gdbstub_comm, comm_setup, "gdbstub_comm=NAME",
	"with gdbstub=: stop the first program named NAME at its start\n"
	"and serve it to gdb");

static void gdbstub_exec_hook(struct task *t)
{
	if (!gs.comm[0] || gs.comm_done || gs.lfd < 0 || strcmp(t->comm, gs.comm) || t->ptrace)
		return;
	gs.comm_done = true;
	gs.attached = 0;
	if (gdbstub_start(t->tgid))
		return;
	/* we return to the program stopped: the stub seizes us meanwhile */
	wait_event(gs.attached_wq, gs.attached == t->tgid);
}
DEFINE_EXEC_HOOK(gdbstub_exec_hook);

static int sysfs_show(void *obj, struct sbuf *out)
{
	(void)obj;
	if (gs.tgid)
		sbuf_printf(out, "%d %s\n", gs.tgid, gdbstub_host_endpoint());
	else
		sbuf_printf(out, "none %s\n", gdbstub_host_endpoint());
	return 0;
}

static int sysfs_store(void *obj, const char *buf, size_t len)
{
	(void)obj;
	char num[16];
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, buf, len);
	num[len] = 0;
	if (num[len - 1] == '\n')
		num[len - 1] = 0;
	long long pid;
	if (kstrtoll(num, 10, &pid) || pid <= 0 || pid > 0x7fffffff)
		return -EINVAL;
	return gdbstub_start((pid_t)pid);
}

static const struct sysfs_attr gdbstub_attr = { "gdbstub", 0644, sysfs_show, sysfs_store };

static int gdbstub_init(void)
{
	gs.lfd = gdbstub_host_listen_fd();
	if (gs.lfd < 0)
		return 0;
	init_waitqueue_head(&gs.wq);
	init_waitqueue_head(&gs.attached_wq);
	kthread_run(gdbstub_thread, NULL, "gdbstub");
	return sysfs_create_file("kernel/umk", &gdbstub_attr, NULL);
}
device_initcall(gdbstub_init);
