/* The power button: the host asks the machine to stop (SIGTERM, SIGHUP
 * or SIGINT to umk, raised by arch-um as IRQ_POWER). As Linux's
 * orderly_poweroff, the kernel runs /sbin/poweroff, so init shuts the
 * system down the normal way (its shutdown actions, processes told to
 * stop, filesystems unmounted) and powers off (umk exits with status 0).
 * If that cannot start, if the guest has not powered off within
 * shutdown_timeout= seconds, or if the host asks a second time, the
 * kernel stops the guest's processes, writes every filesystem out clean
 * and stops at once, with exit status 4. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/timer.h>
#include <umk/reboot.h>

static long long timeout_s = 10;
static bool requested, forcing;
static struct ktimer deadline;

static const char *shutdown_timeout_setup(const char *v)
{
	long long n;
	if (kstrtoll(v, 10, &n) || n < 0 || n > 3600)
		return "expected a number of seconds from 0 to 3600";
	timeout_s = n;
	return NULL;
}
__setup(shutdown_timeout, shutdown_timeout_setup, "shutdown_timeout=SECS",
	"on SIGTERM/SIGHUP/SIGINT umk runs the guest's /sbin/poweroff;\n"
	"after SECS (default 10) it syncs the disks and stops");

bool system_stopping;

void kernel_stop(const char *msg, int status)
{
	system_stopping = true;
	struct task *t;
	for_each_task(t)
		if (t != init_task && t->state != TASK_ZOMBIE && t->state != TASK_DEAD && !(t->flags & PF_KTHREAD))
			send_sig(9, t);
	sleep_until(ktime_mono_ns() + 200 * 1000000LL);
	vfs_shutdown();
	printk(KERN_NOTICE "%s\n", msg);
	arch_halt(status);
}

struct stop_req {
	const char *msg;
	int status;
};

static void stop_thread(void *data)
{
	struct stop_req *r = data;
	kernel_stop(r->msg, r->status);
}

void kernel_stop_async(const char *msg, int status)
{
	static struct stop_req req;
	static bool started;
	if (started)
		return;
	started = true;
	req = (struct stop_req){ msg, status };
	kthread_run(stop_thread, &req, "kshutdown");
}

static void force(const char *why)
{
	if (forcing)
		return;
	forcing = true;
	ktimer_cancel(&deadline);
	printk(KERN_WARNING "umk: %s: syncing the disks and stopping now\n", why);
	kernel_stop_async("reboot: Power down (forced)", UMK_EXIT_FORCED);
}

static void deadline_passed(struct ktimer *tm __unused)
{
	force("the guest did not power off in time");
}

static void poweroff_failed(int err __unused)
{
	force("/sbin/poweroff could not run");
}

void power_button(void)
{
	static const char *const argv[] = { "/sbin/poweroff", NULL };
	static const char *const envp[] = { "HOME=/", "PATH=/sbin:/bin:/usr/sbin:/usr/bin", NULL };
	if (requested) {
		force("the host asked again");
		return;
	}
	requested = true;
	if (!timeout_s) {
		force("shutdown_timeout=0");
		return;
	}
	printk(KERN_NOTICE "umk: the host asked the guest to stop: running /sbin/poweroff (forced after %llds)\n",
	       timeout_s);
	ktimer_init(&deadline, deadline_passed, NULL);
	ktimer_arm(&deadline, ktime_mono_ns() + timeout_s * 1000000000LL);
	if (call_usermodehelper(argv[0], argv, envp, poweroff_failed))
		force("cannot start /sbin/poweroff");
}
