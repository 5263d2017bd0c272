/* mode=seccomp, internal: the pieces in trap_seccomp*.c. */
#ifndef UM_TRAP_SECCOMP_H
#define UM_TRAP_SECCOMP_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct task;
struct trap_info;

/* Fill the read-only region's set-up block (stub_seccomp.h): the
 * sigaltstack and sigaction records and both threads' filters. */
void sc_setup_block(uint8_t *ro);
/* Can this host run the mode? NULL, or why not. */
const char *sc_probe(void);

/* The guest's hardware breakpoints as perf events on the stub's guest
 * thread (trap_seccomp_debug.c): one per DR7 slot in use. */
struct sc_bps {
	bool on[4];
	int fd[4];
	uint64_t addr[4], len[4];
	uint32_t type[4];
};
/* Make the events say what DR0-DR3 and DR7 say: 0 or -errno (-EINVAL
 * where Linux's ptrace refuses the DR7, -EIO if the host has no perf). */
int sc_bps_set(struct sc_bps *b, pid_t tid, const uint64_t dr[8]);
void sc_bps_close(struct sc_bps *b);
/* A SIGTRAP the guest thread took (ti from its frame): DR6 as Linux
 * leaves it, and a perf breakpoint's hit as TRAP_HWBKPT at rip. */
void sc_debug_trap(struct task *t, struct trap_info *ti, uint64_t rip, uint64_t perf_data);
#endif
