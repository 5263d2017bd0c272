/* ip= on the kernel command line, in the syntax of Linux's
 * Documentation/admin-guide/nfs/nfsroot.rst:
 *
 *   ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1:NTP0
 *   ip=off|none|on|any|dhcp
 *
 * The kernel checks the option at boot (a bad one is an error naming it,
 * never an environment variable of init) and keeps it in /proc/cmdline;
 * the default image's init scripts carry it out (/etc/init.d/ipconfig:
 * udhcpc for DHCP, ifconfig/route/hostname for a static configuration),
 * because umk has no in-kernel DHCP client. BOOTP and RARP are refused. */
#include <umk/init.h>
#include <umk/kernel.h>

#define IPCONFIG_FIELDS 10

/* A dotted quad, each part 0..255 ("" allowed: the field is empty). */
static bool dotted_quad(const char *s, size_t n)
{
	int parts = 0, digits = 0, val = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!digits || val > 255)
				return false;
			parts++;
			digits = val = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			val = val * 10 + (s[i] - '0');
			digits++;
		} else {
			return false;
		}
	}
	return parts == 4;
}

static bool contiguous_mask(const char *s, size_t n)
{
	uint32_t m = 0;
	const char *p = s;
	for (int i = 0; i < 4; i++) {
		uint32_t v = 0;
		while (p < s + n && *p != '.')
			v = v * 10 + (uint32_t)(*p++ - '0');
		p++;
		m = m << 8 | v;
	}
	return (~m & (~m + 1)) == 0;	/* ones, then zeros */
}

static const char *autoconf_ok(const char *s, size_t n)
{
	static const char *const ok[] = { "off", "none", "on", "any", "dhcp" };
	if (!n)
		return NULL;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && !strncmp(s, ok[i], n))
			return NULL;
	if ((n == 5 && !strncmp(s, "bootp", 5)) || (n == 4 && !strncmp(s, "rarp", 4)) ||
	    (n == 4 && !strncmp(s, "both", 4)))
		return "BOOTP and RARP are not implemented: use dhcp, or give a static address";
	return "autoconf must be off, none, on, any or dhcp";
}

static const char *ip_setup(const char *v)
{
	static const char *const whole[] = { "off", "none", "on", "any", "dhcp" };
	for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		if (!strcmp(v, whole[i]))
			return NULL;
	if (!strcmp(v, "bootp") || !strcmp(v, "rarp") || !strcmp(v, "both"))
		return "BOOTP and RARP are not implemented: use ip=dhcp, or a static ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE";
	const char *p = v;
	for (int field = 0;; field++) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (field >= IPCONFIG_FIELDS)
			return "expected at most 10 fields: CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1:NTP0";
		switch (field) {
		case 4:	/* hostname */
			if (n > 64)
				return "the hostname is longer than 64 characters";
			break;
		case 5:	/* device */
			for (size_t i = 0; i < n; i++)
				if (p[i] == '/')
					n = 99;
			if (n > 15)
				return "the device is not an interface name (at most 15 characters, no '/')";
			break;
		case 6: {
			const char *why = autoconf_ok(p, n);
			if (why)
				return why;
			break;
		}
		default:
			if (n && !dotted_quad(p, n))
				return "addresses (client, server, gateway, netmask, DNS, NTP) must be dotted quads such as 10.0.0.2";
			if (field == 3 && n && !contiguous_mask(p, n))
				return "the netmask must be contiguous (such as 255.255.255.0)";
		}
		if (!end)
			return NULL;
		p = end + 1;
	}
}
__setup(ip, ip_setup, "ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE:AUTOCONF",
	"network configuration at boot (Linux's nfsroot syntax;\n"
	"ip=dhcp for DHCP), carried out by the default image's\n"
	"init scripts: udhcpc, or a static address and route");
