/* Guest address spaces, host side: each is a stub process whose user
 * range holds MAP_SHARED views of physmem frames. The kernel's mapping
 * changes are queued as host syscalls in the stub's data pages and run by
 * the trap mode's flush before the guest next runs. */
#ifndef UM_MMU_H
#define UM_MMU_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "stub_layout.h"

struct task;

struct um_mm {
	pid_t pid;			/* the stub process */
	uint64_t data_pfn;		/* first of the STUB_DATA_SIZE data-page frames */
	volatile uint64_t *data;	/* kernel view of the data pages */
	struct stub_op *ops;		/* queued operations, in the data pages */
	int nops;
	struct task *fpu_owner;		/* whose FPU state the stub's thread holds */
	void *mode_priv;		/* the trap mode's own state, if it keeps any */
	struct task *dr_owner;		/* whose debug registers it holds */
	bool dr_loaded;			/* and whether any is set */
};

/* Start a stub process for m: vfork, the memory file as fd 3, the stub
 * image executed from a memfd, stopped for its tracer (PTRACE_TRACEME);
 * returns its pid (waited for: in its first SIGTRAP stop) or -errno. */
pid_t stub_spawn(void);
void stub_init(void);	/* load the stub image into its memfd */
/* waitpid(pid, __WALL) until it reports (EINTR retried): 0 or -errno */
int um_wait_stopped(pid_t pid, int *status);
/* Let a stub stopped at its first instruction set itself up (stub.S
 * _start): its data pages at physmem offset data_off with protection
 * data_prot (0: read-write), and with rw_off (not 0) mode=seccomp's RW
 * region and the rest of its set-up. 0 when it reached its int3 with
 * success, else -1. */
int stub_setup(pid_t pid, uint64_t data_off, uint64_t data_prot, uint64_t rw_off);
/* The stub's entry that runs the queued ops and traps (int3). */
uint64_t stub_run_ops_entry(void);
#endif
