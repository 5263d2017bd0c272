/* The x86-64 signal frame, exactly as Linux lays it out
 * (arch/x86/kernel/signal.c): rt_sigframe with the ucontext, the siginfo
 * and the XSAVE area below it; and rt_sigreturn, which reads it back.
 * Kernel code of the arch: built into the sealed kernel object. */
#include <umk/arch.h>
#include <umk/signal.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/siginfo.h>

struct ksigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate;
	uint64_t reserved1[8];
};
struct kucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct ksigaltstack uc_stack;
	struct ksigcontext uc_mcontext;
	uint64_t uc_sigmask;
};
struct rt_sigframe {
	uint64_t pretcode;
	struct kucontext uc;
	struct ksiginfo info;
};
_Static_assert(sizeof(struct ksigcontext) == 256, "sigcontext");
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe");

#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U

int arch_setup_rt_frame(struct task *t, int sig, const struct k_sigaction *ka, const struct ksiginfo *info,
			const ksigset_t *oldset)
{
	struct guest_regs *r = &t->regs;
	uint64_t sp = r->rsp - 128;	/* red zone */
	if ((ka->flags & SA_ONSTACK) && t->sas_ss_size && !on_sig_stack(t, r->rsp))
		sp = t->sas_ss_sp + t->sas_ss_size;
	/* FPU state below the frame, 64-byte aligned */
	uint64_t fp_addr = 0;
	bool have_fp = arch_fpstate_get(t) == 0;
	size_t fpsz = have_fp ? t->fpstate->size : 0;
	if (have_fp) {
		sp -= fpsz + 4;
		sp &= ~63ULL;
		fp_addr = sp;
		uint8_t *x = t->fpstate->data;
		uint32_t sw[12] = { FP_XSTATE_MAGIC1, (uint32_t)(fpsz + 4), 0, 0, (uint32_t)fpsz };
		uint64_t xfeatures;
		memcpy(&xfeatures, x + 512, 8);	/* XSAVE header: xstate_bv */
		memcpy(&sw[2], &xfeatures, 8);
		memcpy(x + 464, sw, sizeof(sw));
		uint32_t magic2 = FP_XSTATE_MAGIC2;
		if (copy_to_user(fp_addr, x, fpsz) || copy_to_user(fp_addr + fpsz, &magic2, 4))
			return -EFAULT;
	}
	sp -= sizeof(struct rt_sigframe);
	sp = (sp & ~15ULL) - 8;
	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (have_fp ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->sas_ss_sp;
	f.uc.uc_stack.ss_flags = sas_ss_flags(t, r->rsp);
	f.uc.uc_stack.ss_size = t->sas_ss_size;
	struct ksigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip; sc->eflags = r->eflags;
	sc->cs = (uint16_t)r->cs; sc->ss = (uint16_t)r->ss;
	sc->fs = 0; sc->gs = 0;
	if (sig == SIGSEGV || sig == SIGBUS) {
		sc->trapno = 14;
		sc->err = 4;
		sc->cr2 = info->fault.addr;
	}
	sc->oldmask = oldset->sig;
	sc->fpstate = fp_addr;
	f.uc.uc_sigmask = oldset->sig;
	f.info = *info;
	if (copy_to_user(sp, &f, sizeof(f)))
		return -EFAULT;
	if (t->sas_ss_flags & SS_AUTODISARM) {
		t->sas_ss_sp = 0;
		t->sas_ss_size = 0;
	}
	r->rdi = sig;
	r->rsi = sp + offsetof(struct rt_sigframe, info);
	r->rdx = sp + offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rsp = sp;
	r->rip = ka->handler;
	r->eflags &= ~(0x100ULL | 0x400ULL | 0x40000ULL);	/* TF, DF, AC */
	r->cs = 0x33;
	r->ss = 0x2b;
	/* handlers start with a clean FPU control state, as on Linux */
	if (have_fp) {
		uint8_t *x = t->fpstate->data;
		memset(x, 0, 512);
		uint16_t fcw = 0x37f;
		uint32_t mxcsr = 0x1f80;
		memcpy(x, &fcw, 2);
		memcpy(x + 24, &mxcsr, 4);
		memset(x + 512, 0, 64);	/* XSAVE header: all components in init state */
		arch_fpstate_changed(t);
	}
	return 0;
}

SYSCALL_DEFINE0(rt_sigreturn)
{
	struct task *t = current;
	struct guest_regs *r = &t->regs;
	uaddr_t fa = r->rsp - 8;
	struct rt_sigframe f;
	if (copy_from_user(&f, fa, sizeof(f))) {
		force_sig_fault(SIGSEGV, SI_KERNEL, 0, 0);
		return r->rax;
	}
	struct ksigcontext *sc = &f.uc.uc_mcontext;
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	/* user-changeable flags only: CF PF AF ZF SF TF DF OF AC RF */
	uint64_t fix = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x10000;
	r->eflags = (r->eflags & ~fix) | (sc->eflags & fix);
	r->cs = 0x33;
	r->ss = 0x2b;
	r->orig_rax = (uint64_t)-1;	/* no syscall restart after sigreturn */
	ksigset_t set = { f.uc.uc_sigmask & ~KERNEL_ONLY_MASK };
	t->blocked = set;
	if (sc->fpstate && t->fpstate) {
		size_t sz = arch_fpstate_size();
		if (copy_from_user(t->fpstate->data, sc->fpstate, MIN(sz, (size_t)t->fpstate->size ? t->fpstate->size : sz)) == 0) {
			memset(t->fpstate->data + 464, 0, 48);
			arch_fpstate_changed(t);
		}
	}
	/* restore_altstack: as sigaltstack() from the saved uc_stack */
	struct ksigaltstack *ss = &f.uc.uc_stack;
	if (!on_sig_stack(t, r->rsp)) {
		if (ss->ss_flags & SS_DISABLE) {
			t->sas_ss_sp = 0;
			t->sas_ss_size = 0;
		} else if (ss->ss_size >= MINSIGSTKSZ) {
			t->sas_ss_sp = ss->ss_sp;
			t->sas_ss_size = ss->ss_size;
			t->sas_ss_flags = ss->ss_flags & SS_AUTODISARM;
		}
	}
	t->in_syscall = false;
	return r->rax;
}
