/* mode=seccomp: debug registers and debug traps. No tracer holds the
 * stub after set-up, so nothing can poke its DR0-DR7; each breakpoint a
 * guest tracer enables in DR7 becomes a perf hardware-breakpoint event on
 * the stub's guest thread instead (the host's own hw_breakpoint layer,
 * the one its ptrace uses), with sigtrap: a hit raises SIGTRAP (TRAP_PERF,
 * the slot in si_perf_data) in that thread, which traps to the kernel as
 * any fault does. DR6 is not in a signal frame, so it is made here as
 * Linux's exc_debug_user makes a tracee's virtual DR6: cleared at each
 * debug exception, then BS for a single step and Bn for slot n. */
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "um.h"
#include "trap_seccomp.h"
#include <umk/arch.h>
#include <umk/sched.h>

#ifndef TRAP_PERF
#define TRAP_PERF 6
#endif
#define DR_STEP 0x4000ULL
#define X86_TRAP_DB 1

/* One slot of DR7 as perf's attributes: 0, or -EINVAL where Linux's
 * ptrace refuses it (arch_bp_generic_fields: I/O breakpoints, execute
 * breakpoints longer than a byte). *len 0: the slot is off. */
static int decode_slot(uint64_t dr7, int i, uint32_t *type, uint64_t *len)
{
	*len = 0;
	if (!((dr7 >> (2 * i)) & 3))
		return 0;
	unsigned info = (unsigned)(dr7 >> (16 + 4 * i)) & 0xf, rw = info & 3, ln = info >> 2;
	static const uint64_t lens[4] = { 1, 2, 8, 4 };	/* the LEN field's 00 01 10 11 */
	switch (rw) {
	case 0:
		if (ln)
			return -EINVAL;
		*type = HW_BREAKPOINT_X;
		*len = sizeof(long);	/* perf's length for an execute breakpoint */
		return 0;
	case 1:
		*type = HW_BREAKPOINT_W;
		break;
	case 3:
		*type = HW_BREAKPOINT_RW;
		break;
	default:
		return -EINVAL;
	}
	*len = lens[ln];
	return 0;
}

static void slot_close(struct sc_bps *b, int i)
{
	if (b->on[i])
		close(b->fd[i]);
	b->on[i] = false;
}

static int slot_open(struct sc_bps *b, int i, pid_t tid, uint64_t addr, uint32_t type, uint64_t len)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	a.bp_type = type;
	a.bp_addr = addr;
	a.bp_len = len;
	a.sample_period = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.sigtrap = 1;
	a.remove_on_exec = 1;	/* required with sigtrap; the stub never execs */
	a.sig_data = (uint64_t)i;
	long fd = syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e != EINVAL && e != ENOSPC) {
			/* the host forbids it (perf_event_paranoid, no perf, a
			 * seccomp'd container): a refusal, not a crash */
			static bool told;
			if (!told)
				printk(KERN_WARNING "umk: mode=seccomp: the host refuses hardware breakpoints "
				       "(perf_event_open: error %d); guest debuggers get EIO\n", e);
			told = true;
			return -EIO;
		}
		return -e;
	}
	b->fd[i] = (int)fd;
	b->on[i] = true;
	b->addr[i] = addr;
	b->type[i] = type;
	b->len[i] = len;
	return 0;
}

int sc_bps_set(struct sc_bps *b, pid_t tid, const uint64_t dr[8])
{
	for (int i = 0; i < 4; i++) {
		uint32_t type = 0;
		uint64_t len;
		int r = decode_slot(dr[7], i, &type, &len);
		if (r)
			return r;
		if (b->on[i] && len && b->addr[i] == dr[i] && b->type[i] == type && b->len[i] == len)
			continue;	/* unchanged: as it is */
		slot_close(b, i);
		if (len && (r = slot_open(b, i, tid, dr[i], type, len)))
			return r;
	}
	return 0;
}

void sc_bps_close(struct sc_bps *b)
{
	for (int i = 0; i < 4; i++)
		slot_close(b, i);
}

void sc_debug_trap(struct task *t, struct trap_info *ti, uint64_t rip, uint64_t perf_data)
{
	if (ti->code == TRAP_TRACE) {
		t->thread.debugreg[6] = DR_STEP;
	} else if (ti->code == TRAP_PERF) {
		/* what Linux's ptrace_triggered and send_sigtrap report */
		t->thread.debugreg[6] = 1ULL << (perf_data & 3);
		ti->code = TRAP_HWBKPT;
		ti->addr = rip;
		ti->trapno = X86_TRAP_DB;
	}
}
