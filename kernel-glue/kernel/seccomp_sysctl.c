/* /proc/sys/kernel/seccomp/: actions_avail (the actions this kernel
 * knows) and actions_logged (which of them seccomp_log reports), as
 * Linux's. */
#include <umk/internal.h>
#include <umk/seccomp.h>
#include <umk/proc.h>
#include <umk/capability.h>
#include <linux/seccomp.h>

static const struct { const char *name; uint32_t action; } actions[] = {
	{ "kill_process", SECCOMP_RET_KILL_PROCESS }, { "kill_thread", SECCOMP_RET_KILL_THREAD },
	{ "trap", SECCOMP_RET_TRAP }, { "errno", SECCOMP_RET_ERRNO }, { "user_notif", SECCOMP_RET_USER_NOTIF },
	{ "trace", SECCOMP_RET_TRACE },
	{ "log", SECCOMP_RET_LOG }, { "allow", SECCOMP_RET_ALLOW },
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

/* bit i: actions[i] is logged; by default all but allow */
static unsigned logged = (1u << (NACTIONS - 1)) - 1;

bool seccomp_action_logged(uint32_t action)
{
	for (unsigned i = 0; i < NACTIONS; i++)
		if (actions[i].action == action)
			return logged & (1u << i);
	return logged & 1u;	/* an unknown action kills the process */
}

static void show_set(struct sbuf *out, unsigned set)
{
	bool first = true;
	for (unsigned i = 0; i < NACTIONS; i++)
		if (set & (1u << i)) {
			sbuf_printf(out, "%s%s", first ? "" : " ", actions[i].name);
			first = false;
		}
	sbuf_printf(out, "\n");
}

static int avail_show(struct sbuf *out, void *data __unused)
{
	show_set(out, (1u << NACTIONS) - 1);
	return 0;
}

static int logged_show(struct sbuf *out, void *data __unused)
{
	show_set(out, logged);
	return 0;
}

/* names separated by spaces; allow cannot be logged (EINVAL) */
static int logged_write(const char *buf, size_t len, void *data __unused)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	unsigned set = 0;
	size_t i = 0;
	while (i < len) {
		while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t'))
			i++;
		size_t start = i;
		while (i < len && buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\t')
			i++;
		if (i == start)
			break;
		unsigned a;
		for (a = 0; a < NACTIONS; a++)
			if (strlen(actions[a].name) == i - start && !memcmp(actions[a].name, buf + start, i - start))
				break;
		if (a == NACTIONS || actions[a].action == SECCOMP_RET_ALLOW)
			return -EINVAL;
		set |= 1u << a;
	}
	logged = set;
	return 0;
}

DEFINE_PROC_FILE(seccomp_actions_avail, "sys/kernel/seccomp/actions_avail", 0444, avail_show, NULL, NULL);
DEFINE_PROC_FILE(seccomp_actions_logged, "sys/kernel/seccomp/actions_logged", 0644, logged_show, logged_write, NULL);
