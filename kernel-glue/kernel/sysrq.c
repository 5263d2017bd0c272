/* Magic SysRq: the emergency keys of Linux's drivers/tty/sysrq.c that
 * mean something here. Each action runs where it is asked (an mconsole
 * request, a write to /proc/sysrq-trigger); the ones that must sleep
 * (stopping the machine) go to a kernel thread. An unknown key prints
 * the help line, as Linux does. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/proc.h>
#include <umk/reboot.h>
#include <umk/sysrq.h>

static void signal_all(int sig)
{
	struct task *t;
	for_each_task(t)
		if (t != init_task && t->state != TASK_ZOMBIE && t->state != TASK_DEAD)
			send_sig(sig, t);
}

static char state_letter(const struct task *t)
{
	static const char letters[] = "RSDTZX";
	return t->state <= TASK_DEAD ? letters[t->state] : '?';
}

static void show_tasks(bool blocked_only)
{
	struct task *t;
	printk(KERN_INFO "  PID  PPID S COMM\n");
	for_each_task(t) {
		if (blocked_only && t->state != TASK_UNINTERRUPTIBLE)
			continue;
		printk(KERN_INFO "%5d %5d %c %s%s\n", t->pid, t->parent ? t->parent->tgid : 0, state_letter(t), t->comm,
		       t->pid != t->tgid ? " (thread)" : "");
	}
}

static void show_mem(void)
{
	uint64_t total, free;
	mem_get_stats(&total, &free);
	printk(KERN_INFO "Mem-Info: %llu pages of %llu free (%llu kB of %llu kB)\n", (unsigned long long)free,
	       (unsigned long long)total, (unsigned long long)free * (PAGE_SIZE / 1024),
	       (unsigned long long)total * (PAGE_SIZE / 1024));
}

struct sysrq_key {
	char key;
	const char *what;	/* as Linux's help and action messages */
	void (*fn)(void);
};

static void do_reboot(void) { arch_halt(UMK_EXIT_REBOOT); }
static void do_crash(void) { panic("sysrq triggered crash"); }
static void do_term(void) { signal_all(SIGTERM); }
static void do_kill(void) { signal_all(SIGKILL); }
static void do_mem(void) { show_mem(); }
static void do_poweroff(void) { kernel_stop_async("reboot: Power down", UMK_EXIT_POWEROFF); }
static void do_sync(void) { sync_filesystems(); printk(KERN_INFO "Emergency Sync complete\n"); }
static void do_tasks(void) { show_tasks(false); }
static void do_blocked(void) { show_tasks(true); }
static void do_help(void);

static const struct sysrq_key keys[] = {
	{ 'b', "reBoot", do_reboot },
	{ 'c', "crash", do_crash },
	{ 'e', "terminate-all-tasks", do_term },
	{ 'h', "help", do_help },
	{ 'i', "kill-all-tasks", do_kill },
	{ 'm', "show-memory-usage", do_mem },
	{ 'o', "poweroff", do_poweroff },
	{ 's', "sync", do_sync },
	{ 't', "show-task-states", do_tasks },
	{ 'w', "show-blocked-tasks", do_blocked },
};

static void do_help(void)
{
	struct sbuf b;
	sbuf_init(&b);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		sbuf_printf(&b, " %s(%c)", keys[i].what, keys[i].key);
	sbuf_putmem(&b, "", 1);
	printk(KERN_INFO "sysrq: HELP :%s\n", b.buf);
	sbuf_free(&b);
}

void handle_sysrq(int key)
{
	if (key >= 'A' && key <= 'Z')
		key += 'a' - 'A';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].key == key) {
			if (keys[i].fn != do_help)
				printk(KERN_INFO "sysrq: %s\n", keys[i].what);
			keys[i].fn();
			return;
		}
	do_help();
}

/* /proc/sysrq-trigger: root writes a key (the first byte of each write,
 * as Linux's write_sysrq_trigger); reading it gives nothing. */
static int sysrq_trigger_show(struct sbuf *out __unused, void *data __unused)
{
	return 0;
}

static int sysrq_trigger_write(const char *buf, size_t len, void *data __unused)
{
	if (len)
		handle_sysrq(buf[0]);
	return 0;
}
DEFINE_PROC_FILE(sysrq_trigger, "sysrq-trigger", 0200, sysrq_trigger_show, sysrq_trigger_write, NULL);
