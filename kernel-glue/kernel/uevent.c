/* Hotplug events (umk/uevent.h), delivered as Linux's uevent_helper
 * does: one usermode helper per event, a child of init, with the event
 * in its environment. Events before init runs are not sent: what exists
 * at boot, user space finds by itself (devtmpfs, mdev -s). */
#include <umk/internal.h>
#include <umk/proc.h>
#include <umk/uevent.h>

#define UEVENT_HELPER_MAX 256
static char uevent_helper[UEVENT_HELPER_MAX];	/* "": none (the default) */
static uint64_t seqnum;

/* /proc/sys/kernel/hotplug, a string sysctl as Linux's proc_dostring:
 * the write up to its first newline or NUL, cut to 255 bytes. */
static int hotplug_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "%s\n", uevent_helper);
	return 0;
}

static int hotplug_write(const char *buf, size_t len, void *data __unused)
{
	size_t n = 0;
	while (n < len && n < sizeof(uevent_helper) - 1 && buf[n] && buf[n] != '\n')
		n++;
	memcpy(uevent_helper, buf, n);
	uevent_helper[n] = 0;
	return 0;
}
DEFINE_PROC_FILE(kernel_hotplug, "sys/kernel/hotplug", 0644, hotplug_show, hotplug_write, NULL);

#define UEVENT_VARS 16

/* argv, envp and their strings in one allocation, freed by the helper
 * once its program runs (call_usermodehelper_owned). */
struct uevent_env {
	const char *argv[3];
	const char *envp[UEVENT_VARS + 8];
	char text[];
};

void uevent_send(const char *action, const char *devpath, const char *subsystem, const char *const *vars)
{
	seqnum++;
	if (!uevent_helper[0] || !init_task)
		return;
	struct sbuf s;
	sbuf_init(&s);
	/* the strings, NUL-separated; pointers are set once the text is final */
	sbuf_printf(&s, "%s", uevent_helper);
	sbuf_putmem(&s, "", 1);
	sbuf_printf(&s, "%s", subsystem);
	sbuf_putmem(&s, "", 1);
	const char *fixed[] = { "HOME=/", "PATH=/sbin:/bin:/usr/sbin:/usr/bin" };
	int nenv = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++, nenv++) {
		sbuf_printf(&s, "%s", fixed[i]);
		sbuf_putmem(&s, "", 1);
	}
	sbuf_printf(&s, "ACTION=%s", action);
	sbuf_putmem(&s, "", 1);
	sbuf_printf(&s, "DEVPATH=%s", devpath);
	sbuf_putmem(&s, "", 1);
	sbuf_printf(&s, "SUBSYSTEM=%s", subsystem);
	sbuf_putmem(&s, "", 1);
	sbuf_printf(&s, "SEQNUM=%llu", (unsigned long long)seqnum);
	sbuf_putmem(&s, "", 1);
	nenv += 4;
	for (int i = 0; vars && vars[i] && i < UEVENT_VARS; i++, nenv++) {
		sbuf_printf(&s, "%s", vars[i]);
		sbuf_putmem(&s, "", 1);
	}
	struct uevent_env *e = kmalloc(sizeof(*e) + s.len);
	if (!e) {
		sbuf_free(&s);
		return;
	}
	memcpy(e->text, s.buf, s.len);
	sbuf_free(&s);
	const char *p = e->text;
	e->argv[0] = p;
	p += strlen(p) + 1;
	e->argv[1] = p;
	p += strlen(p) + 1;
	e->argv[2] = NULL;
	for (int i = 0; i < nenv; i++) {
		e->envp[i] = p;
		p += strlen(p) + 1;
	}
	e->envp[nenv] = NULL;
	if (call_usermodehelper_owned(e->argv[0], e->argv, e->envp, NULL, e))
		kfree(e);
}
