#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static const char *log_prog = "umk-switch";
static int use_syslog;

void sw_log_syslog(void)
{
	openlog(log_prog, LOG_PID, LOG_DAEMON);
	use_syslog = 1;
}

void sw_log_init(const char *prog)
{
	log_prog = prog;
}

void sw_log(const char *fmt, ...)
{
	/* Format into one buffer and write once so lines from a daemon and
	 * its children never interleave mid-line. */
	char line[512];
	int n = snprintf(line, sizeof line, "%s: ", log_prog);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (use_syslog) {
		syslog(LOG_NOTICE, "%s", line + n);
		return;
	}
	size_t len = strlen(line);
	line[len++] = '\n';
	fwrite(line, 1, len, stderr);
	fflush(stderr);
}

uint64_t sw_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
