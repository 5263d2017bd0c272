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

enum trap_mode { MODE_TT, MODE_SKAS };
extern enum trap_mode um_mode;
extern bool um_pin;	/* pin= : keep kernel and stubs on one host CPU */
extern int console_loglevel;
extern bool printk_quiet;

void parse_cmdline(int argc, char **argv);
int parse_size(const char *s, uint64_t *out);

/* physmem */
extern int physmem_fd;
void physmem_init(uint64_t bytes);

/* interrupts: host signals become pending bits */
void irq_init(void);
void irq_set_running(pid_t pid);	/* stub pid now running guest code, 0 = none */
void irq_poll_fds(void);		/* run handlers of ready registered fds */
extern volatile unsigned irq_pending;

/* stub processes */
void stub_init(void);
void host_exit_hooks(void);
void host_terminal_restore(void);
#endif
