/* mode=seccomp: the layout of a stub's shared pages, for the stub's
 * assembly and for arch-um C code (trap_seccomp*.c).
 *
 * Two regions, both physmem frames the kernel writes through its own
 * mapping:
 *   RO  (STUB_DATA, the mm's STUB_DATA_SIZE data pages) is mapped
 *       read-only in the stub: the kernel's commands (release and mapper
 *       generations, TLS to load), the queue of mapping operations, the
 *       set-up block (filters, sigaction, sigaltstack). Guest code can
 *       read it but never change it: its thread may not call mprotect.
 *   RW  (STUB_SC_RW, STUB_SC_RW_SIZE) is writable, because the host
 *       builds signal frames there: the alternate signal stack, and the
 *       handler's trap word and frame pointer. Guest code can write all of
 *       it, so the kernel reads it only while the guest thread is
 *       verifiably parked, and validates what it reads. */
#ifndef UMK_STUB_SECCOMP_H
#define UMK_STUB_SECCOMP_H
#include "stub_layout.h"

/* RO region: offsets from STUB_DATA (0x0..0x18 and STUB_OPS as in
 * stub_layout.h: the op count and the queue) */
#define SC_KCMD           0x18	/* u32: release generation; the parked guest thread waits on it */
#define SC_MSEQ           0x1c	/* u32: mapper generation; the mapper thread waits on it */
#define SC_MWAKE          0x20	/* u32: 1 = the mapper releases the guest thread after the ops */
#define SC_TLS            0x24	/* u32: bit 0 load SC_FS_BASE, bit 1 load SC_GS_BASE */
#define SC_FS_BASE        0x28
#define SC_GS_BASE        0x30
#define SC_INIT           0x3400	/* the set-up block: */
#define SC_SS             (SC_INIT + 0x00)	/* stack_t for sigaltstack */
#define SC_SA             (SC_INIT + 0x20)	/* struct k_sigaction for the trap signals */
#define SC_ALLSIGS        (SC_INIT + 0x40)	/* u64 ~0 */
#define SC_NOSIGS         (SC_INIT + 0x48)	/* u64 0 */
#define SC_GPROG          (SC_INIT + 0x50)	/* struct sock_fprog: the guest thread's filter */
#define SC_MPROG          (SC_INIT + 0x60)	/* struct sock_fprog: the mapper thread's filter */
#define SC_FILTERS        (SC_INIT + 0x80)	/* the two programs' instructions */
#define SC_FILTERS_END    STUB_DATA_SIZE

/* RW region */
#define STUB_SC_RW        (STUB_DATA + 0x10000)
#define STUB_SC_RW_SIZE   0x2000	/* 2 pages: guest memory, per address space */
#define SC_UWORD          0x0	/* u32: bumped by the handler at each trap; the kernel waits on it */
#define SC_UC             0x8	/* u64: the trap's ucontext (a hint: validated) */
#define SC_MERR_NR        0x10	/* u64: the mapper's failed host call (diagnostic only) */
#define SC_MERR_RET       0x18
#define SC_ALTSTACK       0x100	/* the alternate signal stack, to the end: one frame */

/* The signals whose handler is the trap handler (SIGVTALRM is the kick). */
#define SC_SIGNALS        31, 11, 7, 4, 8, 5, 26	/* SYS SEGV BUS ILL FPE TRAP VTALRM */
#endif
