/* Where the stub lives in every guest address space, and the layout of
 * its data page, which the kernel shares with the stub through physmem.
 * Used by arch-um C code and by the stub's assembly. */
#ifndef UMK_STUB_LAYOUT_H
#define UMK_STUB_LAYOUT_H

/* The stub sits just above guest user space (TASK_SIZE in umk/arch.h;
 * arch-um/mmu.c checks they agree). Host stack, vdso and vvar of the stub
 * process are unmapped at stub start-up. */
#define STUB_CODE         0x7fc000000000
#define STUB_DATA         0x7fc000100000
#define STUB_DATA_SIZE    0x4000		/* 4 pages */
#define STUB_END          0x7fc000200000
#define HOST_USER_TOP     0x7ffffffff000

/* Data-page layout (offsets from STUB_DATA). */
#define STUB_OP_COUNT     0x0	/* u64: number of queued ops */
#define STUB_OP_DONE      0x8	/* u64: ops completed */
#define STUB_OP_ERR       0x10	/* s64: result of the failing op */
#define STUB_OPS          0x40	/* struct stub_op[STUB_MAX_OPS] */
#define STUB_OP_SIZE      0x30
#define STUB_MAX_OPS      256	/* 256 * 48 = 12 KiB */
#define STUB_STACK_TOP    (STUB_DATA + STUB_DATA_SIZE)

/* One queued host syscall: nr, then up to 5 args (fd is always 3). */
#ifndef __ASSEMBLER__
#include <stdint.h>
struct stub_op {
	uint64_t nr;
	uint64_t a[5];
};
_Static_assert(sizeof(struct stub_op) == STUB_OP_SIZE, "stub op size");
_Static_assert(STUB_OPS + STUB_MAX_OPS * STUB_OP_SIZE <= STUB_DATA_SIZE - 0x400, "stub ops fit");
#endif
#define STUB_PHYSMEM_FD   3
#endif
