/* Devices of a running machine: a driver whose devices can be added,
 * described and removed after boot registers its family here, by the
 * name its devices have on the command line (UML's
 * mconsole_register_dev). The management console (config DEV=SPEC,
 * config DEV, remove DEV) walks the registrations. Handlers run in a
 * kernel thread and may sleep; err/out get one line of text. */
#ifndef UMK_DEVCONF_H
#define UMK_DEVCONF_H
#include <umk/kernel.h>
#include <umk/init.h>

struct devconf {
	const char *name;	/* "ubd": devices ubd0, ubd1, ... (the longest name wins) */
	/* Add or change: word is the whole command-line word
	 * ("ubd1=disk.img"). 0, or -errno with the reason in err. */
	int (*config)(const char *word, struct sbuf *err);
	/* Describe device dev ("ubd1") into out: 0, or -errno with err. */
	int (*get_config)(const char *dev, struct sbuf *out);
	/* Remove device dev: 0, or -errno (-EBUSY: in use) with err. */
	int (*remove)(const char *dev, struct sbuf *err);
};
#define DEFINE_DEVCONF(var) \
	static const struct devconf *const __devconf_##var __umk_entry(umk_devconfs) = &(var)
#endif
