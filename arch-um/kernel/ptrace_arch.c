/* The x86-64 side of ptrace, as Linux's arch/x86/kernel/ptrace.c and
 * step.c: the register sets a tracer reads and writes (user_regs_struct
 * with Linux's checks, the FXSAVE and XSAVE areas), struct user for
 * PEEKUSER/POKEUSER with the debug registers, and stepping by the trap
 * flag. Kernel code of the arch: in the sealed kernel. The FPU state and
 * the debug registers live in the host thread of the task's stub: fetched
 * and loaded through arch-um (fpu.c, debugreg.c). */
#include <umk/arch.h>
#include <umk/sched.h>
#include <umk/signal.h>
#include <linux/elf.h>

#define X86_EFLAGS_TF 0x100ULL
/* what a tracer may change in eflags: CF PF AF ZF SF TF DF OF RF AC */
#define FLAG_MASK (0x1ULL | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x10000 | 0x40000)

/* struct user (asm/user_64.h): the registers, then i387 and the rest,
 * the debug registers at 848, error_code and fault_address (read as 0);
 * 928 bytes in all (glibc's sys/user.h stops at 912) */
#define USER_REGS_SIZE sizeof(struct guest_regs)
#define USER_DEBUGREG 848
#define USER_SIZE 928
#define FXSAVE_SIZE 512
#define XSAVE_SW_BYTES 464	/* fxsave's sw_reserved: the xfeatures word for ptrace */
#define XSAVE_HDR 512
/* DR6 reads with its reserved bits set; kept flipped (t->thread), so
 * that a new task's zeroes read as Linux's initial 0xffff0ff0 */
#define DR6_RESERVED 0xffff0ff0ULL

#define REG(name) offsetof(struct guest_regs, name)

static uint64_t getreg(struct task *t, unsigned long off)
{
	uint64_t v = ((uint64_t *)&t->regs)[off / 8];
	/* the trap flag the debugger set is not the program's */
	if (off == REG(eflags) && t->thread.forced_tf)
		v &= ~X86_EFLAGS_TF;
	return v;
}

/* Linux's putreg: selectors must be user ones (RPL 3) or null (cs and ss
 * not null), bases below the top of user space, eflags only the flags a
 * program may set. */
static int putreg(struct task *t, unsigned long off, uint64_t v)
{
	switch (off) {
	case REG(cs):
	case REG(ss):
	case REG(ds):
	case REG(es):
	case REG(fs):
	case REG(gs):
		v &= 0xffff;
		if (v != 0 && (v & 3) != 3)
			return -EIO;
		if ((off == REG(cs) || off == REG(ss)) && v == 0)
			return -EIO;
		break;
	case REG(eflags):
		if (v & X86_EFLAGS_TF)
			t->thread.forced_tf = false;
		else if (t->thread.forced_tf)
			v |= X86_EFLAGS_TF;
		v = (t->regs.eflags & ~FLAG_MASK) | (v & FLAG_MASK);
		break;
	case REG(fs_base):
	case REG(gs_base):
		if (v >= TASK_SIZE)
			return -EIO;
		break;
	}
	((uint64_t *)&t->regs)[off / 8] = v;
	return 0;
}

size_t arch_regset_size(unsigned type)
{
	switch (type) {
	case NT_PRSTATUS:
		return USER_REGS_SIZE;
	case NT_PRFPREG:
		return FXSAVE_SIZE;
	case NT_X86_XSTATE:
		return arch_fpstate_size();
	default:
		return 0;
	}
}

/* The XSAVE area as ptrace shows it: the state the task has now, with
 * the software bytes of the FXSAVE part as the host's ptrace puts them
 * (the xfeatures word for NT_X86_XSTATE, nothing for NT_PRFPREG). */
static int fpstate_for_ptrace(struct task *t, uint8_t *buf, size_t len, bool xstate)
{
	if (arch_fpstate_get(t))
		return -EIO;
	size_t n = MIN(len, (size_t)t->fpstate->size);
	memcpy(buf, t->fpstate->data, n);
	uint8_t sw[48] = { 0 };
	if (xstate) {
		uint64_t xfeatures = arch_fpstate_xfeatures();
		memcpy(sw, &xfeatures, 8);
	}
	if (n > XSAVE_SW_BYTES)
		memcpy(buf + XSAVE_SW_BYTES, sw, MIN(n - XSAVE_SW_BYTES, sizeof(sw)));
	uint32_t mask = arch_fpstate_mxcsr_mask();
	if (n >= 32)
		memcpy(buf + 28, &mask, 4);
	return (int)n;
}

/* MXCSR bits this CPU has (FXSAVE's mxcsr_mask; 0 means the default). */
static uint32_t mxcsr_mask(void)
{
	uint32_t m = arch_fpstate_mxcsr_mask();
	return m ? m : 0xffbf;
}

long arch_regset_get(struct task *t, unsigned type, void *buf, size_t len)
{
	switch (type) {
	case NT_PRSTATUS:
		len = MIN(len, USER_REGS_SIZE);
		for (size_t off = 0; off + 8 <= len; off += 8) {
			uint64_t v = getreg(t, off);
			memcpy((uint8_t *)buf + off, &v, 8);
		}
		return (long)(len & ~7UL);
	case NT_PRFPREG:
		return fpstate_for_ptrace(t, buf, MIN(len, (size_t)FXSAVE_SIZE), false);
	case NT_X86_XSTATE:
		return fpstate_for_ptrace(t, buf, len, true);
	default:
		return -EINVAL;
	}
}

/* Linux's xfpregs_set: a part replaces that part; MXCSR must be valid;
 * x87 and SSE are in use from then on. */
static long fpregs_set(struct task *t, const void *buf, size_t len)
{
	if (arch_fpstate_get(t))
		return -EIO;
	uint8_t fx[FXSAVE_SIZE];
	memcpy(fx, t->fpstate->data, FXSAVE_SIZE);
	len = MIN(len, (size_t)FXSAVE_SIZE);
	memcpy(fx, buf, len);
	uint32_t mxcsr;
	memcpy(&mxcsr, fx + 24, 4);
	if (mxcsr & ~mxcsr_mask())
		return -EINVAL;
	memcpy(t->fpstate->data, fx, FXSAVE_SIZE);
	t->fpstate->data[XSAVE_HDR] |= 0x3;	/* xstate_bv: FP | SSE */
	arch_fpstate_changed(t);
	return (long)len;
}

/* Linux's xstateregs_set: a whole standard-format XSAVE buffer, with
 * features the task may use and a valid MXCSR. */
static long xstate_set(struct task *t, const void *buf, size_t len)
{
	if (arch_fpstate_get(t))
		return -EIO;
	size_t size = t->fpstate->size;
	if (len != size)
		return -EFAULT;
	const uint8_t *x = buf;
	uint64_t xfeatures, xcomp;
	memcpy(&xfeatures, x + XSAVE_HDR, 8);
	memcpy(&xcomp, x + XSAVE_HDR + 8, 8);
	if ((xfeatures & ~arch_fpstate_xfeatures()) || xcomp)
		return -EINVAL;
	for (int i = 16; i < 64; i++)
		if (x[XSAVE_HDR + i])
			return -EINVAL;
	uint32_t mxcsr;
	memcpy(&mxcsr, x + 24, 4);
	if ((xfeatures & 0x6) && (mxcsr & ~mxcsr_mask()))
		return -EINVAL;
	memcpy(t->fpstate->data, x, size);
	arch_fpstate_changed(t);
	return (long)len;
}

long arch_regset_set(struct task *t, unsigned type, const void *buf, size_t len)
{
	switch (type) {
	case NT_PRSTATUS: {
		len = MIN(len, USER_REGS_SIZE);
		for (size_t off = 0; off + 8 <= len; off += 8) {
			uint64_t v;
			memcpy(&v, (const uint8_t *)buf + off, 8);
			int r = putreg(t, off, v);
			if (r)
				return r;
		}
		return (long)(len & ~7UL);
	}
	case NT_PRFPREG:
		return fpregs_set(t, buf, len);
	case NT_X86_XSTATE:
		return xstate_set(t, buf, len);
	default:
		return -EINVAL;
	}
}

/* Debug registers as Linux's ptrace shows them: DR0-3 and DR7 as
 * written (once the host accepted them), DR6 as written or as the last
 * debug trap left it, DR4 and DR5 not there. */
static uint64_t get_debugreg(struct task *t, int n)
{
	if (n == 4 || n == 5)
		return 0;
	return n == 6 ? t->thread.debugreg[6] ^ DR6_RESERVED : t->thread.debugreg[n];
}

static int set_debugreg(struct task *t, int n, uint64_t v)
{
	if (n == 4 || n == 5)
		return -EIO;
	if (n == 6) {
		t->thread.debugreg[6] = v ^ DR6_RESERVED;
		return 0;
	}
	/* the stub sits above user space: no breakpoint there */
	if (n < 4 && v > TASK_SIZE - 8)
		return -EINVAL;
	uint64_t dr[8];
	memcpy(dr, t->thread.debugreg, sizeof(dr));
	dr[n] = v;
	int r = arch_debugregs_set(t, dr);
	if (r == 0)
		memcpy(t->thread.debugreg, dr, sizeof(dr));
	return r;
}

int arch_ptrace_peekuser(struct task *t, unsigned long off, uint64_t *val)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	*val = 0;
	if (off < USER_REGS_SIZE)
		*val = getreg(t, off);
	else if (off >= USER_DEBUGREG && off < USER_DEBUGREG + 64)
		*val = get_debugreg(t, (int)(off - USER_DEBUGREG) / 8);
	return 0;
}

int arch_ptrace_pokeuser(struct task *t, unsigned long off, uint64_t val)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	if (off < USER_REGS_SIZE)
		return putreg(t, off, val);
	if (off >= USER_DEBUGREG && off < USER_DEBUGREG + 64)
		return set_debugreg(t, (int)(off - USER_DEBUGREG) / 8, val);
	return -EIO;
}

/* Linux's enable_single_step: TF in the registers makes the host trap the
 * task's next instruction; if the program had TF set itself, it stays
 * the program's. */
void arch_user_enable_single_step(struct task *t)
{
	if (t->regs.eflags & X86_EFLAGS_TF)
		return;
	t->regs.eflags |= X86_EFLAGS_TF;
	t->thread.forced_tf = true;
}

void arch_user_disable_single_step(struct task *t)
{
	if (t->thread.forced_tf) {
		t->regs.eflags &= ~X86_EFLAGS_TF;
		t->thread.forced_tf = false;
	}
}

/* Linux's ptrace_disable at detach: no more stepping (the hardware
 * breakpoints stay, as on Linux: debuggers clear them first). */
void arch_ptrace_disable(struct task *t)
{
	arch_user_disable_single_step(t);
}

/* Linux's flush_ptrace_hw_breakpoint at exec. */
void arch_ptrace_exec(struct task *t)
{
	memset(t->thread.debugreg, 0, sizeof(t->thread.debugreg));
}
