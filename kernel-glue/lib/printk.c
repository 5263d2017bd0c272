/* Kernel log: a ring of formatted lines, readable by syslog(2) (dmesg),
 * echoed to the host's stderr when their level is below the console log
 * level, as Linux: 7 by default (everything but debug messages), 4 with
 * `quiet` (errors and worse), or loglevel=N. */
#include <umk/capability.h>
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/init.h>
#include <umk/reboot.h>

umk_section_declare(const struct panic_notifier *const, umk_panic_notifiers);

#define LOG_BUF_SIZE (128 * 1024)
static char log_buf[LOG_BUF_SIZE];
static size_t log_start, log_end;	/* monotonically growing offsets */
static size_t log_clear;		/* offset after SYSLOG_ACTION_CLEAR */
#define CONSOLE_LOGLEVEL_DEFAULT 7
#define CONSOLE_LOGLEVEL_QUIET 4
static int console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
static struct sbuf *capture;

static const char *quiet_setup(const char *v __unused)
{
	console_loglevel = CONSOLE_LOGLEVEL_QUIET;
	return NULL;
}
__setup_flag(quiet, quiet_setup, "quiet", "only errors from the kernel log on stderr");

static const char *loglevel_setup(const char *v)
{
	if (v[0] < '0' || v[0] > '8' || v[1])
		return "expected a number from 0 to 8";
	console_loglevel = v[0] - '0';
	return NULL;
}
__setup(loglevel, loglevel_setup, "loglevel=N", "console log level (0-8)");

static void log_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		log_buf[log_end % LOG_BUF_SIZE] = s[i];
		log_end++;
	}
	/* Drop whole lines from the front when the ring overflows. */
	while (log_end - log_start > LOG_BUF_SIZE) {
		while (log_start < log_end && log_buf[log_start % LOG_BUF_SIZE] != '\n')
			log_start++;
		log_start++;
	}
	if (log_clear < log_start)
		log_clear = log_start;
}

static void vprintk(const char *fmt, va_list ap)
{
	char text[1024];
	int level = 6;
	if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '7' && fmt[2] == '>') {
		level = fmt[1] - '0';
		fmt += 3;
	}
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	if (n >= (int)sizeof(text))
		n = sizeof(text) - 1;
	if (n > 0 && text[n - 1] == '\n')
		text[--n] = 0;
	int64_t ns = ktime_boot_ns();
	char line[1100];
	int len = snprintf(line, sizeof(line), "[%5lld.%06lld] %s\n", (long long)(ns / 1000000000),
			   (long long)(ns % 1000000000 / 1000), text);
	if (len >= (int)sizeof(line))
		len = sizeof(line) - 1;
	char pfx[4] = { '<', (char)('0' + level), '>', 0 };
	log_put(pfx, 3);
	log_put(line, len);
	if (capture)
		sbuf_putmem(capture, line, len);
	if (level < console_loglevel)
		arch_console_write_raw(line, len);
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	return 0;
}

void printk_capture(struct sbuf *out)
{
	capture = out;
}

/* Keys already logged by printk_once_key (small: one per distinct event). */
static char *once_keys[512];
static int n_once;

void printk_once_key(const char *key, const char *fmt, ...)
{
	for (int i = 0; i < n_once; i++)
		if (!strcmp(once_keys[i], key))
			return;
	if (n_once < (int)ARRAY_SIZE(once_keys))
		once_keys[n_once++] = kstrdup(key);
	va_list ap;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	console_loglevel = CONSOLE_LOGLEVEL_DEFAULT;
	printk(KERN_EMERG "Kernel panic - not syncing: %s\n", text);
	static bool in_panic;
	if (!in_panic) {
		in_panic = true;
		umk_section_foreach(const struct panic_notifier *const, umk_panic_notifiers, n)
			(*n)->fn(text);
	}
	arch_halt(1);
}

static long syslog_copy(uaddr_t ubuf, long len, size_t from, bool consume)
{
	if (!ubuf || len < 0)
		return -EINVAL;
	size_t avail = log_end - from;
	size_t n = MIN((size_t)len, avail);
	/* READ_ALL returns the newest n bytes; keep line boundaries simple. */
	if (!consume)
		from = log_end - n;
	char tmp[512];
	size_t done = 0;
	while (done < n) {
		size_t c = MIN(sizeof(tmp), n - done);
		for (size_t i = 0; i < c; i++)
			tmp[i] = log_buf[(from + done + i) % LOG_BUF_SIZE];
		if (copy_to_user(ubuf + done, tmp, c))
			return -EFAULT;
		done += c;
	}
	if (consume)
		log_clear = from + n;
	return n;
}

/* Linux's check_syslog_permissions: CAP_SYSLOG, or the older
 * CAP_SYS_ADMIN. */
static bool syslog_privileged(void)
{
	return capable(CAP_SYSLOG) || capable(CAP_SYS_ADMIN);
}

SYSCALL_DEFINE3(syslog, int, type, uaddr_t, buf, int, len)
{
	switch (type) {
	case 0: case 1:		/* close, open */
		return 0;
	case 2:			/* READ: blocking consume; we never block */
		if (!syslog_privileged())
			return -EPERM;
		return syslog_copy(buf, len, log_clear, true);
	case 3:			/* READ_ALL */
		return syslog_copy(buf, len, log_clear, false);
	case 4: {		/* READ_CLEAR */
		if (!syslog_privileged())
			return -EPERM;
		long r = syslog_copy(buf, len, log_clear, false);
		if (r >= 0)
			log_clear = log_end;
		return r;
	}
	case 5:			/* CLEAR */
		if (!syslog_privileged())
			return -EPERM;
		log_clear = log_end;
		return 0;
	case 6: console_loglevel = 1; return 0;
	case 7: console_loglevel = 7; return 0;
	case 8:
		if (len < 1 || len > 8)
			return -EINVAL;
		console_loglevel = len < 1 ? 1 : len;
		return 0;
	case 9:
		return log_end - log_clear;
	case 10:
		return LOG_BUF_SIZE;
	default:
		return -EINVAL;
	}
}
