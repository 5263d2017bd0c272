/* UML command-line options that umk does not implement yet. An existing
 * UML or Netkit script may pass them; each is named in one warning line
 * and otherwise ignored, instead of silently becoming an environment
 * variable of init. When a driver implements one, it registers the
 * option itself and its line here must go: the duplicate check in
 * cmdline.c stops umk until it does. */
#include <stdio.h>
#include <string.h>
#include <umk/init.h>
#include "um.h"

/* v: the value (key=v), the whole word (prefix options) or NULL (flags). */
static const char *not_yet(int kind, const char *key, const char *v, const char *what)
{
	fprintf(stderr, "umk: warning: %s%s%s: %s is not implemented by umk yet; ignored\n",
		kind == SETUP_PREFIX ? "" : key, kind == SETUP_VALUE ? "=" : "", v ? v : "", what);
	return NULL;
}

#define COMPAT(id, kind, key, what)                                                   \
	static const char *compat_##id(const char *v) { return not_yet(kind, key, v, what); } \
	static const struct setup_entry __compat_##id __umk_entry(umk_setup) = { key, kind, compat_##id, NULL, NULL, 0 }

COMPAT(ssl_non_raw, SETUP_FLAG, "ssl-non-raw", "ssl-non-raw (serial lines)");
COMPAT(xterm, SETUP_VALUE, "xterm", "xterm= (another terminal emulator for the xterm channel)");
COMPAT(iomem, SETUP_VALUE, "iomem", "iomem= host memory regions");
COMPAT(initrd, SETUP_VALUE, "initrd", "an initrd");
COMPAT(dtb, SETUP_VALUE, "dtb", "a device tree blob");
COMPAT(ncpus, SETUP_VALUE, "ncpus", "more than one virtual CPU");
COMPAT(time_travel, SETUP_VALUE, "time-travel", "time travel");
COMPAT(time_travel_flag, SETUP_FLAG, "time-travel", "time travel");
COMPAT(time_travel_start, SETUP_VALUE, "time-travel-start", "time travel");
COMPAT(virtio_uml, SETUP_VALUE, "virtio_uml.device", "virtio over vhost-user");
COMPAT(nosysemu, SETUP_FLAG, "nosysemu", "nosysemu (use mode=tt for the PTRACE_SYSCALL path)");
COMPAT(udb, SETUP_PREFIX, "udb", "udb (UML's catcher for a misspelt ubd)");
