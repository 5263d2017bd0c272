/* Rate limiting for kernel messages, as Linux's ___ratelimit: at most
 * `burst` messages per `interval`; when a new interval starts, one line
 * says how many were dropped in the last. */
#include <umk/kernel.h>
#include <umk/sched.h>

bool ratelimit(struct ratelimit_state *rs, const char *who)
{
	int64_t now = ktime_mono_ns();
	if (!rs->begin || now - rs->begin >= rs->interval_ns) {
		if (rs->missed)
			printk(KERN_WARNING "%s: %d callbacks suppressed\n", who, rs->missed);
		rs->begin = now;
		rs->printed = 0;
		rs->missed = 0;
	}
	if (rs->printed < rs->burst) {
		rs->printed++;
		return true;
	}
	rs->missed++;
	return false;
}
