/* mode=seccomp: the two seccomp filters of a stub process, and the rest
 * of the set-up block the stub reads from its read-only region.
 *
 * A rule allows one system call made from one instruction (the address
 * after its `syscall`, which is what seccomp reports) with some
 * arguments fixed. Guest code can jump to any stub instruction, so a
 * rule must be harmless even then: the guest thread may only wake the
 * kernel, park itself, set its own TLS and return from its signal frame.
 * Everything else of the guest thread traps (SIGSYS: the kernel's
 * system call); the mapper thread's anything-else kills the process. */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
#include "um.h"
#include "stub_seccomp.h"
#include "trap_seccomp.h"
#include "stub.bin.h"
#include <umk/kernel.h>

#define SA_RESTORER 0x04000000	/* not in glibc's headers */

#define NARGS 6
struct rule {
	int nr;
	uint64_t ip;
	uint64_t arg[NARGS];
	unsigned fixed;		/* bit i: arg[i] must equal */
	unsigned user_addr;	/* bit i: arg[i] must lie below the stub (high word < STUB_CODE's) */
};

#define LD(off) ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(v) ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)

/* Emit one rule: each test jumps past the rule's end when it fails. */
static unsigned emit_rule(struct sock_filter *f, unsigned n, const struct rule *r)
{
	struct sock_filter body[64];
	unsigned k = 0;
	body[k++] = LD(offsetof(struct seccomp_data, nr));
	body[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr, 0, 0);
	body[k++] = LD(IP_LO);
	body[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->ip, 0, 0);
	body[k++] = LD(IP_LO + 4);
	body[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(r->ip >> 32), 0, 0);
	for (int i = 0; i < NARGS; i++) {
		if (r->fixed & (1u << i)) {
			body[k++] = LD(ARG_LO(i));
			body[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->arg[i], 0, 0);
			body[k++] = LD(ARG_LO(i) + 4);
			body[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(r->arg[i] >> 32), 0, 0);
		}
		if (r->user_addr & (1u << i)) {
			body[k++] = LD(ARG_LO(i) + 4);
			/* jump-if-greater-or-equal is a failure: swap the targets below */
			body[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
								 (uint32_t)(STUB_CODE >> 32), 1, 0);
		}
	}
	body[k++] = RET(SECCOMP_RET_ALLOW);
	/* every conditional jump: false (or true for JGE) goes past the end */
	for (unsigned i = 0; i < k; i++) {
		if (BPF_CLASS(body[i].code) != BPF_JMP)
			continue;
		uint8_t out = (uint8_t)(k - i - 1);
		if (BPF_OP(body[i].code) == BPF_JGE) {
			body[i].jt = out;
			body[i].jf = 0;
		} else {
			body[i].jt = 0;
			body[i].jf = out;
		}
	}
	memcpy(f + n, body, k * sizeof(*body));
	return n + k;
}

/* arch check, the rules, then the default action */
static unsigned emit_filter(struct sock_filter *f, const struct rule *rules, unsigned nrules, uint32_t otherwise)
{
	unsigned n = 0;
	f[n++] = LD(offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = RET(otherwise);	/* int $0x80, 32-bit code: the kernel's business */
	for (unsigned i = 0; i < nrules; i++)
		n = emit_rule(f, n, &rules[i]);
	f[n++] = RET(otherwise);
	return n;
}

#define KCMD (STUB_DATA + SC_KCMD)
#define MSEQ (STUB_DATA + SC_MSEQ)
#define UWORD (STUB_SC_RW + SC_UWORD)

static const struct rule guest_rules[] = {
	{ SYS_futex, stub_sc_wake_ip_addr, { UWORD, FUTEX_WAKE }, 0x3, 0 },
	{ SYS_futex, stub_sc_park_ip_addr, { KCMD, FUTEX_WAIT, 0, 0 }, 0xb, 0 },
	{ SYS_arch_prctl, stub_sc_fs_ip_addr, { ARCH_SET_FS }, 0x1, 0 },
	{ SYS_arch_prctl, stub_sc_gs_ip_addr, { ARCH_SET_GS }, 0x1, 0 },
	{ SYS_rt_sigreturn, stub_sc_sigret_ip_addr, { 0 }, 0, 0 },
};
static const struct rule mapper_rules[] = {
	{ SYS_futex, stub_sc_mwait_ip_addr, { MSEQ, FUTEX_WAIT, 0, 0 }, 0xb, 0 },
	{ SYS_futex, stub_sc_mwake_ip_addr, { KCMD, FUTEX_WAKE }, 0x3, 0 },
	/* only views of the memory file (fd 3), only below the stub */
	{ SYS_mmap, stub_sc_op_ip_addr, { 0, 0, 0, MAP_SHARED | MAP_FIXED, STUB_PHYSMEM_FD }, 0x18, 0x1 },
	{ SYS_munmap, stub_sc_op_ip_addr, { 0 }, 0, 0x1 },
	{ SYS_mprotect, stub_sc_op_ip_addr, { 0 }, 0, 0x1 },
	{ SYS_exit_group, stub_sc_exit_ip_addr, { 0 }, 0, 0 },
};

struct k_sigaction_rec {
	uint64_t handler, flags, restorer, mask;
};
struct fprog_rec {
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter;	/* stub address */
};

void sc_setup_block(uint8_t *ro)
{
	uint64_t ss[3] = { STUB_SC_RW + SC_ALTSTACK, 0, STUB_SC_RW_SIZE - SC_ALTSTACK };
	memcpy(ro + SC_SS, ss, sizeof(ss));
	struct k_sigaction_rec sa = { stub_sc_handler_addr, SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
				      stub_sc_restorer_addr, ~0ULL };
	memcpy(ro + SC_SA, &sa, sizeof(sa));
	uint64_t all = ~0ULL, none = 0;
	memcpy(ro + SC_ALLSIGS, &all, 8);
	memcpy(ro + SC_NOSIGS, &none, 8);
	struct sock_filter *f = (struct sock_filter *)(ro + SC_FILTERS);
	unsigned ng = emit_filter(f, guest_rules, sizeof(guest_rules) / sizeof(guest_rules[0]), SECCOMP_RET_TRAP);
	unsigned nm = emit_filter(f + ng, mapper_rules, sizeof(mapper_rules) / sizeof(mapper_rules[0]),
				  SECCOMP_RET_KILL_PROCESS);
	if (SC_FILTERS + (ng + nm) * sizeof(*f) > SC_FILTERS_END)
		panic("seccomp filters do not fit the stub's set-up block");
	struct fprog_rec g = { (uint16_t)ng, { 0 }, STUB_DATA + SC_FILTERS };
	struct fprog_rec m = { (uint16_t)nm, { 0 }, STUB_DATA + SC_FILTERS + ng * sizeof(*f) };
	memcpy(ro + SC_GPROG, &g, sizeof(g));
	memcpy(ro + SC_MPROG, &m, sizeof(m));
}
