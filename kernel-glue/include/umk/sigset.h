/* Guest signal sets and siginfo (x86-64 Linux layout). */
#ifndef UMK_SIGSET_H
#define UMK_SIGSET_H
#include <umk/types.h>

typedef struct { uint64_t sig; } ksigset_t;	/* bit (n-1) = signal n */
#define ksigmask(n) (1ULL << ((n) - 1))
static inline void ksigaddset(ksigset_t *s, int n) { s->sig |= ksigmask(n); }
static inline void ksigdelset(ksigset_t *s, int n) { s->sig &= ~ksigmask(n); }
static inline bool ksigismember(const ksigset_t *s, int n) { return s->sig & ksigmask(n); }

/* 128-byte siginfo exactly as the guest sees it */
struct ksiginfo {
	int si_signo, si_errno, si_code, __pad0;
	union {
		struct { int pid; uint32_t uid; } kill;
		struct { int tid, overrun; uint64_t sigval; } timer;
		struct { int pid; uint32_t uid; uint64_t sigval; } rt;
		struct { int pid; uint32_t uid; int status; int __pad; int64_t utime, stime; } chld;
		struct { uint64_t addr; short addr_lsb; } fault;
		struct { uint64_t call_addr; int syscall; uint32_t arch; } sys;	/* SIGSYS from seccomp */
		char __pad[112];
	};
};
_Static_assert(sizeof(struct ksiginfo) == 128, "siginfo size");
#endif
