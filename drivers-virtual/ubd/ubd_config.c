/* Hot-plugging disks (mconsole config ubdN=FILE, config ubdN, remove
 * ubdN), as UML's ubd_config/ubd_get_config/ubd_remove: the option's own
 * syntax and checks, then the device appears in the running guest
 * (/dev/ubdX, /sys/block/ubdX, a uevent). */
#include <umk/devconf.h>
#include "ubd.h"

/* "ubd1", "ubdb" -> 1; -1 if not a ubd device name. */
static int dev_index(const char *dev)
{
	const char *p = dev + 3;
	int n;
	if (*p >= 'a' && *p <= 'p' && !p[1])
		return *p - 'a';
	if (*p < '0' || *p > '9')
		return -1;
	n = *p++ - '0';
	if (*p >= '0' && *p <= '9')
		n = n * 10 + (*p++ - '0');
	return *p || n >= UBD_MAX ? -1 : n;
}

static int ubd_config(const char *word, struct sbuf *err)
{
	int n;
	const char *why = ubd_host_config(word, &n);
	if (why) {
		sbuf_printf(err, "%s: %s", word, why);
		return -EINVAL;
	}
	int e = ubd_add(n);
	if (e) {
		ubd_host_remove(n);
		sbuf_printf(err, "%s: cannot add the device (error %d)", word, -e);
	}
	return e;
}

static int ubd_get_config(const char *dev, struct sbuf *out)
{
	int n = dev_index(dev);
	if (n < 0 || !ubd_host_present(n)) {
		sbuf_printf(out, "%s: no such device", dev);
		return -ENODEV;
	}
	char buf[512];
	ubd_host_describe(n, buf, sizeof(buf));
	sbuf_printf(out, "%s", buf);
	return 0;
}

static int ubd_remove(const char *dev, struct sbuf *err)
{
	int n = dev_index(dev);
	if (n < 0 || !ubd_host_present(n)) {
		sbuf_printf(err, "%s: no such device", dev);
		return -ENODEV;
	}
	int e = ubd_del(n);
	if (e == -EBUSY)
		sbuf_printf(err, "%s: Device is busy (mounted or open in the guest)", dev);
	return e;
}

static const struct devconf ubd_devconf = {
	.name = "ubd", .config = ubd_config, .get_config = ubd_get_config, .remove = ubd_remove,
};
DEFINE_DEVCONF(ubd_devconf);
