/* net.ipv4.* sysctls (/proc/sys/net/ipv4): the values the stack uses,
 * Linux's defaults, and the per-device directories conf/DEV and
 * neigh/DEV made when a device registers. net.ipv4.ip_forward is
 * conf/all/forwarding: writing it sets every device's forwarding and
 * the default for new ones, as Linux's inet_forward_change. */
#include <umk/proc.h>
#include "ipv4.h"

int sysctl_ip_forward;
int sysctl_conf_default_forwarding;
int sysctl_ip_default_ttl = 64;
int sysctl_ip_no_pmtu_disc;
int sysctl_ip_nonlocal_bind;
int sysctl_ip_local_port_range[2] = { 32768, 60999 };
int sysctl_ip_unprivileged_port_start = 1024;
int sysctl_ping_group_range[2] = { 1, 0 };
int sysctl_icmp_echo_ignore_all;
int sysctl_icmp_echo_ignore_broadcasts = 1;
int sysctl_icmp_ignore_bogus_error_responses = 1;
int sysctl_icmp_ratelimit = 1000;
int sysctl_icmp_ratemask = 6168;
int sysctl_icmp_msgs_per_sec = 1000;
int sysctl_icmp_msgs_burst = 50;
int sysctl_ipfrag_high_thresh = 4 * 1024 * 1024;
int sysctl_ipfrag_low_thresh = 3 * 1024 * 1024;
int sysctl_ipfrag_time = 30;

static void forward_changed(int *val)
{
	sysctl_conf_default_forwarding = *val;
	for_each_netdev(d) {
		struct in_device *idev = in_dev_get(d);
		if (idev)
			idev->forwarding = *val;
	}
}

#define INT_MAX_ 0x7fffffff
DEFINE_SYSCTL_INT(ip_forward, "net/ipv4/ip_forward", sysctl_ip_forward, 0, 1, forward_changed);
DEFINE_SYSCTL_INT(conf_all_forwarding, "net/ipv4/conf/all/forwarding", sysctl_ip_forward, 0, 1, forward_changed);
DEFINE_SYSCTL_INT(conf_default_forwarding, "net/ipv4/conf/default/forwarding", sysctl_conf_default_forwarding, 0, 1,
		  NULL);
DEFINE_SYSCTL_INT(ip_default_ttl, "net/ipv4/ip_default_ttl", sysctl_ip_default_ttl, 1, 255, NULL);
DEFINE_SYSCTL_INT(ip_no_pmtu_disc, "net/ipv4/ip_no_pmtu_disc", sysctl_ip_no_pmtu_disc, 0, 3, NULL);
DEFINE_SYSCTL_INT(ip_nonlocal_bind, "net/ipv4/ip_nonlocal_bind", sysctl_ip_nonlocal_bind, 0, 1, NULL);
DEFINE_SYSCTL_INT(ip_unprivileged_port_start, "net/ipv4/ip_unprivileged_port_start",
		  sysctl_ip_unprivileged_port_start, 0, 65535, NULL);
DEFINE_SYSCTL_INT(icmp_echo_ignore_all, "net/ipv4/icmp_echo_ignore_all", sysctl_icmp_echo_ignore_all, 0, 1, NULL);
DEFINE_SYSCTL_INT(icmp_echo_ignore_broadcasts, "net/ipv4/icmp_echo_ignore_broadcasts",
		  sysctl_icmp_echo_ignore_broadcasts, 0, 1, NULL);
DEFINE_SYSCTL_INT(icmp_ignore_bogus_error_responses, "net/ipv4/icmp_ignore_bogus_error_responses",
		  sysctl_icmp_ignore_bogus_error_responses, 0, 1, NULL);
DEFINE_SYSCTL_INT(icmp_ratelimit, "net/ipv4/icmp_ratelimit", sysctl_icmp_ratelimit, 0, INT_MAX_, NULL);
DEFINE_SYSCTL_INT(icmp_ratemask, "net/ipv4/icmp_ratemask", sysctl_icmp_ratemask, -INT_MAX_ - 1, INT_MAX_, NULL);
DEFINE_SYSCTL_INT(icmp_msgs_per_sec, "net/ipv4/icmp_msgs_per_sec", sysctl_icmp_msgs_per_sec, 0, INT_MAX_, NULL);
DEFINE_SYSCTL_INT(icmp_msgs_burst, "net/ipv4/icmp_msgs_burst", sysctl_icmp_msgs_burst, 0, INT_MAX_, NULL);
DEFINE_SYSCTL_INT(ipfrag_high_thresh, "net/ipv4/ipfrag_high_thresh", sysctl_ipfrag_high_thresh, 0, INT_MAX_, NULL);
DEFINE_SYSCTL_INT(ipfrag_low_thresh, "net/ipv4/ipfrag_low_thresh", sysctl_ipfrag_low_thresh, 0, INT_MAX_, NULL);
DEFINE_SYSCTL_INT(ipfrag_time, "net/ipv4/ipfrag_time", sysctl_ipfrag_time, 0, INT_MAX_, NULL);

/* Two integers in one file: ip_local_port_range, ping_group_range. */
static int pair_show(struct sbuf *o, void *data)
{
	int *v = data;
	sbuf_printf(o, "%d\t%d\n", v[0], v[1]);
	return 0;
}

static int port_range_write(const char *buf, size_t len, void *data)
{
	long long v[2];
	if (sysctl_parse_ints(buf, len, v, 2) != 2)
		return -EINVAL;
	if (v[0] < 1 || v[1] > 65535 || v[1] < v[0])
		return -EINVAL;
	int *r = data;
	r[0] = (int)v[0];
	r[1] = (int)v[1];
	return 0;
}
DEFINE_PROC_FILE(ip_local_port_range, "sys/net/ipv4/ip_local_port_range", 0644, pair_show, port_range_write,
		 sysctl_ip_local_port_range);

/* Linux: gids 0..2^31-2; a range with high < low means nobody (1 0). */
static int ping_range_write(const char *buf, size_t len, void *data)
{
	long long v[2];
	if (sysctl_parse_ints(buf, len, v, 2) != 2)
		return -EINVAL;
	if (v[0] < 0 || v[1] < 0 || v[0] > INT_MAX_ - 1 || v[1] > INT_MAX_ - 1)
		return -EINVAL;
	int *r = data;
	if (v[1] < v[0]) {
		r[0] = 1;
		r[1] = 0;
	} else {
		r[0] = (int)v[0];
		r[1] = (int)v[1];
	}
	return 0;
}
DEFINE_PROC_FILE(ping_group_range, "sys/net/ipv4/ping_group_range", 0644, pair_show, ping_range_write,
		 sysctl_ping_group_range);

/* ---- per device ---- */

/* An integer shown divided by scale (seconds of a _ms value). */
struct scaled { int *val; int scale; int min; };

static int scaled_show(struct sbuf *o, void *data)
{
	struct scaled *s = data;
	sbuf_printf(o, "%d\n", *s->val / s->scale);
	return 0;
}

static int scaled_write(const char *buf, size_t len, void *data)
{
	struct scaled *s = data;
	long long v;
	if (sysctl_parse_ints(buf, len, &v, 1) != 1)
		return -EINVAL;
	if (v < s->min || v > INT_MAX_ / s->scale)
		return -EINVAL;
	*s->val = (int)v * s->scale;
	return 0;
}

/* A device's conf/DEV and neigh/DEV: their directories and values, so
 * that they go with the device. */
#define DEV_SYSCTLS 9
struct inet_dev_sysctl {
	struct proc_entry *conf, *neigh;
	struct scaled vals[DEV_SYSCTLS];
	int n;
};

static void add_scaled(struct inet_dev_sysctl *ds, struct proc_entry *dir, const char *dir_path, const char *name,
		       int *val, int scale, int min)
{
	if (!dir || ds->n == DEV_SYSCTLS)
		return;
	struct scaled *s = &ds->vals[ds->n++];
	*s = (struct scaled){ val, scale, min };
	char path[96];
	snprintf(path, sizeof(path), "%s/%s", dir_path, name);
	proc_create(path, 0644, scaled_show, scaled_write, s);
}

void inet_sysctl_add_dev(struct in_device *idev)
{
	struct inet_dev_sysctl *ds = kzalloc(sizeof(*ds));
	char dir[64];
	snprintf(dir, sizeof(dir), "sys/net/ipv4/conf/%s", idev->dev->name);
	ds->conf = proc_create(dir, 0, NULL, NULL, NULL);
	add_scaled(ds, ds->conf, dir, "forwarding", &idev->forwarding, 1, 0);
	snprintf(dir, sizeof(dir), "sys/net/ipv4/neigh/%s", idev->dev->name);
	ds->neigh = proc_create(dir, 0, NULL, NULL, NULL);
	struct neigh_parms *p = &idev->arp_parms;
	add_scaled(ds, ds->neigh, dir, "base_reachable_time_ms", &p->base_reachable_time_ms, 1, 0);
	add_scaled(ds, ds->neigh, dir, "base_reachable_time", &p->base_reachable_time_ms, 1000, 0);
	add_scaled(ds, ds->neigh, dir, "retrans_time_ms", &p->retrans_time_ms, 1, 0);
	add_scaled(ds, ds->neigh, dir, "delay_first_probe_time", &p->delay_first_probe_time_ms, 1000, 0);
	add_scaled(ds, ds->neigh, dir, "gc_stale_time", &p->gc_stale_time_ms, 1000, 0);
	add_scaled(ds, ds->neigh, dir, "ucast_solicit", &p->ucast_solicit, 1, 0);
	add_scaled(ds, ds->neigh, dir, "mcast_solicit", &p->mcast_solicit, 1, 0);
	add_scaled(ds, ds->neigh, dir, "unres_qlen_bytes", &p->unres_qlen_bytes, 1, 0);
	idev->sysctl = ds;
}

/* The device goes: its directories go (open files of them get ENOENT on
 * a write, umk/proc.h), then the values they pointed at. */
void inet_sysctl_del_dev(struct in_device *idev)
{
	struct inet_dev_sysctl *ds = idev->sysctl;
	if (!ds)
		return;
	if (ds->conf)
		proc_remove(ds->conf);
	if (ds->neigh)
		proc_remove(ds->neigh);
	kfree(ds);
	idev->sysctl = NULL;
}
