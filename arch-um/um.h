/* arch-um internal interfaces (host side). */
#ifndef UM_H
#define UM_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <umk/boot.h>

#define UMK_VERSION "0.1.0"
/* host signal that kicks a running stub back to the tracer */
#define STUB_KICK_SIG SIGVTALRM


void parse_cmdline(int argc, char **argv);
int parse_size(const char *s, uint64_t *out);

/* physmem */
extern int physmem_fd;
void physmem_init(uint64_t bytes);

/* interrupts: host signals become pending bits */
void irq_init(void);
void irq_set_running(pid_t pid);	/* stub pid now running guest code, 0 = none */
void irq_poll_fds(void);		/* run handlers of ready registered fds */
/* Make host fd raise the I/O interrupt when it becomes ready, for fds
 * whose readiness the kernel sees through another one it registered (a
 * network card's epoll set holds its transport's sockets: an epoll fd
 * raises no signal of its own). Host halves may call it. */
void irq_fd_async(int fd);
extern volatile unsigned irq_pending;

void host_exit_hooks(void);

/* switch.S: save callee-saved registers and rsp, switch to new_rsp; the
 * first switch to a new task "returns" into the trampoline */
void um_switch_stacks(uint64_t *save_rsp, uint64_t new_rsp);
void um_task_trampoline(void);
void um_call_on_stack(void (*fn)(void *), void *arg, void *top);

/* Run host library code whose stack depth is not ours to bound (libslirp
 * and glib under it) on a stack of its own, 1 MiB of host memory with a
 * guard page: a guest task's kernel stack is 32 KiB of guest memory,
 * where an overflow would corrupt guest pages silently. fn must not
 * sleep (no task switch happens on that stack). Host halves may call it. */
void um_call_deep(void (*fn)(void *), void *arg);

/* per-task FPU state (fpu.c) */
struct task;
struct um_mm;
void fpu_fork(struct task *c, struct task *p);
void fpu_release(struct task *t);
void fpu_load(struct task *t, struct um_mm *m);	/* before t runs in m */
void debugregs_load(struct task *t, struct um_mm *m);	/* before t runs in m */
void host_terminal_restore(void);
#endif
