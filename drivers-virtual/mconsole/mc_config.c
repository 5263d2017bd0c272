/* config DEV=SPEC, config DEV and remove DEV: hot-plugging, through the
 * drivers that registered their device family (umk/devconf.h). DEV is
 * a command-line device name (ubd1, eth0, con1, ssl0); SPEC is what the
 * command line would take after it. */
#include <umk/devconf.h>
#include "mc_internal.h"

umk_section_declare(const struct devconf *const, umk_devconfs);

/* The family of device word w (the longest registered name it starts
 * with, followed by a digit or a letter as in ubdb), or NULL. */
static const struct devconf *family(const char *w)
{
	const struct devconf *best = NULL;
	umk_section_foreach(const struct devconf *const, umk_devconfs, p) {
		size_t n = strlen((*p)->name);
		char c = w[n];
		if (!strncmp(w, (*p)->name, n) && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) &&
		    (!best || n > strlen(best->name)))
			best = *p;
	}
	return best;
}

static bool has_any(const char *s, const char *set)
{
	for (; *s; s++)
		if (strchr(set, *s))
			return true;
	return false;
}

static void answer(struct mc_req *r, int err, struct sbuf *msg, const char *fallback)
{
	const char *text = msg->len ? msg->buf : fallback;
	if (err)
		mc_reply(r, true, "%s", msg->len ? text : mc_strerror(-err));
	else
		mc_reply_text(r, false, text, strlen(text));
}

void mc_cmd_config(struct mc_req *r, const char *arg)
{
	if (!*arg) {
		mc_reply(r, true, "config takes a device: config ubd1=FILE, config eth0");
		return;
	}
	const struct devconf *d = family(arg);
	if (!d) {
		mc_reply(r, true, "Bad configuration option: %s (no such device family)", arg);
		return;
	}
	struct sbuf msg;
	sbuf_init(&msg);
	int err;
	if (has_any(arg, "=:"))
		err = d->config ? d->config(arg, &msg) : -EOPNOTSUPP;
	else
		err = d->get_config ? d->get_config(arg, &msg) : -EOPNOTSUPP;
	sbuf_putmem(&msg, "", 1);
	msg.len--;	/* a C string, whatever the handler wrote */
	answer(r, err, &msg, "");
	sbuf_free(&msg);
}

void mc_cmd_remove(struct mc_req *r, const char *arg)
{
	const struct devconf *d = *arg ? family(arg) : NULL;
	if (!d || has_any(arg, "=: ")) {
		mc_reply(r, true, "remove takes a device name: remove ubd1, remove eth0");
		return;
	}
	struct sbuf msg;
	sbuf_init(&msg);
	int err = d->remove ? d->remove(arg, &msg) : -EOPNOTSUPP;
	sbuf_putmem(&msg, "", 1);
	msg.len--;
	answer(r, err, &msg, "");
	sbuf_free(&msg);
}
