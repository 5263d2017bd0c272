/* Stopping the machine from inside the kernel (kernel/power.c,
 * kernel/sys.c): the management console's halt, reboot and cad, sysrq,
 * the power button's forced path. umk's exit status says how it ended
 * (Documentation/command-line.md). */
#ifndef UMK_REBOOT_H
#define UMK_REBOOT_H
#include <umk/types.h>
#include <umk/init.h>

#define UMK_EXIT_POWEROFF 0	/* power off, halt */
#define UMK_EXIT_REBOOT 3	/* restart: a wrapper may boot again */
#define UMK_EXIT_FORCED 4	/* the power button had to force it */

/* From a task that may sleep: every process but init gets SIGKILL and a
 * moment to go, every filesystem is written out clean, msg is logged,
 * and umk exits with status. Processes do not run their shutdown. */
__attribute__((noreturn)) void kernel_stop(const char *msg, int status);
extern bool system_stopping;	/* kernel_stop has begun */
/* The same from any context (an interrupt, a timer): in a kernel thread. */
void kernel_stop_async(const char *msg, int status);
/* Ctrl-Alt-Del, as Linux: SIGINT to init once init turned the key off
 * (reboot(LINUX_REBOOT_CMD_CAD_OFF): busybox and sysvinit do, and run
 * their ctrlaltdel action); until then a restart at once. */
void ctrl_alt_del(void);

/* Told of a kernel panic, with its message, before umk exits (Linux's
 * panic_notifier_list: the management console's notify socket). */
struct panic_notifier {
	void (*fn)(const char *msg);
};
#define DEFINE_PANIC_NOTIFIER(var) \
	static const struct panic_notifier *const __panic_notifier_##var __umk_entry(umk_panic_notifiers) = &(var)
#endif
