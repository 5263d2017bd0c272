/* The management console, kernel half: UML's mconsole. Requests arrive
 * on the host socket (host/mc_sock.c checks them); a kernel thread,
 * kmconsole, runs them one at a time, so a command may sleep (reading a
 * /proc file, opening a disk) while the guest goes on. The socket's
 * interrupt only wakes the thread, and is off while the thread works,
 * so requests waiting behind a slow one cost nothing.
 *
 * stop freezes the whole machine as UML's does: the thread keeps the
 * CPU and blocks the host process on the socket, running only the
 * commands that need nothing else to run, until go. */
#include <umk/arch.h>
#include <umk/internal.h>
#include <umk/init.h>
#include <umk/reboot.h>
#include <umk/wait.h>
#include <wire/mconsole.h>
#include "mc_internal.h"

static int mc_fd = -1;
static struct wait_queue_head mc_wq;
static bool mc_pending, mc_stopped;

void mc_reply_text(struct mc_req *r, bool err, const char *text, size_t len)
{
	mc_host_reply(mc_fd, r, err, text, len);
}

void mc_reply(struct mc_req *r, bool err, const char *fmt, ...)
{
	char text[MC_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(text))
		n = sizeof(text) - 1;
	mc_reply_text(r, err, text, n < 0 ? 0 : (size_t)n);
}

/* Split "name args" and run it; unknown names get UML's answer. */
static void run(struct mc_req *r)
{
	const char *s = r->text;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	const struct mc_cmd *c = mc_find(s, n);
	if (!c) {
		mc_reply(r, true, "Unknown command '%.*s'", (int)(n > 64 ? 64 : n), s);
		return;
	}
	const char *arg = s + n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (mc_stopped && !c->while_stopped) {
		mc_reply(r, true, "the machine is stopped: %s must wait for go", c->name);
		return;
	}
	c->fn(r, arg);
}

void mc_cmd_stop(struct mc_req *r, const char *arg __unused)
{
	if (mc_stopped) {
		mc_reply(r, true, "the machine is already stopped");
		return;
	}
	mc_reply(r, false, "%s", "");
	printk(KERN_INFO "mconsole: the machine is stopped (go resumes it)\n");
	mc_stopped = true;
	struct mc_req q;
	while (mc_stopped) {
		mc_host_wait(mc_fd);
		while (mc_stopped && mc_host_recv(mc_fd, &q) > 0)
			run(&q);
	}
	printk(KERN_INFO "mconsole: the machine runs again\n");
}

void mc_cmd_go(struct mc_req *r, const char *arg __unused)
{
	if (!mc_stopped) {
		mc_reply(r, true, "the machine is not stopped");
		return;
	}
	mc_stopped = false;
	mc_reply(r, false, "%s", "");
}

static void mc_irq(void *data __unused)
{
	/* off until the thread has read everything: see the top */
	arch_irq_unregister_fd(mc_fd);
	mc_pending = true;
	wake_up(&mc_wq);
}

static void mc_thread(void *data __unused)
{
	struct mc_req *r = kzalloc(sizeof(*r));
	for (;;) {
		while (mc_host_recv(mc_fd, r) > 0)
			run(r);
		mc_pending = false;
		if (arch_irq_register_fd(mc_fd, false, mc_irq, NULL)) {
			printk(KERN_ERR "mconsole: no interrupt for its socket: it stops answering\n");
			for (;;)
				wait_event(mc_wq, false);
		}
		wait_event(mc_wq, mc_pending);
	}
}

static void mc_panic(const char *msg)
{
	mc_host_notify(MCONSOLE_PANIC, msg);
}
static const struct panic_notifier mc_panic_notifier = { .fn = mc_panic };
DEFINE_PANIC_NOTIFIER(mc_panic_notifier);

/* Late: every device is there, and the listener may act on "booted". */
static int mconsole_init(void)
{
	const char *path;
	init_waitqueue_head(&mc_wq);
	int fd = mc_host_open(&path);
	if (fd < 0) {
		if (fd != -ENOENT)
			printk(KERN_ERR "mconsole: cannot make its socket (error %d)\n", -fd);
		return 0;
	}
	mc_fd = fd;
	kthread_run(mc_thread, NULL, "kmconsole");
	printk(KERN_INFO "mconsole (version %d) initialized on %s\n", MCONSOLE_VERSION, path);
	int err = mc_host_notify(MCONSOLE_SOCKET, path);
	if (err && err != -ENOENT)
		printk(KERN_WARNING "mconsole: cannot notify %s (error %d)\n", mc_host_notify_path(), -err);
	return 0;
}
late_initcall(mconsole_init);
