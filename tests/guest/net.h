/* Helpers for the network guest programs (net_*.c). Natively they run
 * in a private network namespace (tests/lib.sh), so both there and under
 * umk they start with lo down and without an address, and configure it
 * themselves with the ioctls busybox ifconfig uses. */
#ifndef UMK_GUEST_NET_H
#define UMK_GUEST_NET_H
#include "t.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

static inline struct sockaddr_in t_sin(const char *ip, int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

static inline void t_ifreq_addr(struct ifreq *r, const char *name, const char *ip)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->ifr_name, IFNAMSIZ, "%s", name);
	struct sockaddr_in a = t_sin(ip, 0);
	memcpy(&r->ifr_addr, &a, sizeof(a));
}

/* lo up with 127.0.0.1/8, as `ifconfig lo 127.0.0.1 netmask 255.0.0.0 up`. */
static inline void t_lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		DIE("socket for ioctls");
	struct ifreq r;
	t_ifreq_addr(&r, "lo", "127.0.0.1");
	if (ioctl(s, SIOCSIFADDR, &r))
		DIE("SIOCSIFADDR lo");
	t_ifreq_addr(&r, "lo", "255.0.0.0");
	if (ioctl(s, SIOCSIFNETMASK, &r))
		DIE("SIOCSIFNETMASK lo");
	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &r))
		DIE("SIOCGIFFLAGS lo");
	r.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &r))
		DIE("SIOCSIFFLAGS lo");
	close(s);
}

/* A counter of /proc/net/snmp or /proc/net/netstat ("Udp", "InErrors"),
 * or -1. Tests compare differences, never absolute values. */
static inline long long t_counter(const char *table, const char *name)
{
	static const char *const files[] = { "/proc/net/snmp", "/proc/net/netstat" };
	char head[4096], vals[4096];
	size_t tl = strlen(table);
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		if (!f)
			continue;
		while (fgets(head, sizeof(head), f) && fgets(vals, sizeof(vals), f)) {
			if (strncmp(head, table, tl) || head[tl] != ':')
				continue;
			char *hs, *vs;
			char *h = strtok_r(head + tl + 1, " \n", &hs);
			char *v = strtok_r(vals + tl + 1, " \n", &vs);
			while (h && v) {
				if (!strcmp(h, name)) {
					fclose(f);
					return atoll(v);
				}
				h = strtok_r(NULL, " \n", &hs);
				v = strtok_r(NULL, " \n", &vs);
			}
		}
		fclose(f);
	}
	return -1;
}

/* A UDP socket bound to 127.0.0.1 on a port the kernel picks; its
 * address in *a. */
static inline int t_udp_bound(struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in b = t_sin("127.0.0.1", 0);
	socklen_t l = sizeof(*a);
	if (s < 0 || bind(s, (struct sockaddr *)&b, sizeof(b)) || getsockname(s, (struct sockaddr *)a, &l))
		DIE("bound UDP socket");
	return s;
}

/* A port nobody listens on: bind one, then close it. */
static inline int t_free_port(void)
{
	struct sockaddr_in a;
	int s = t_udp_bound(&a);
	close(s);
	return ntohs(a.sin_port);
}

/* The Internet checksum of n bytes (the value to store). */
static inline uint16_t t_csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* Run fn in a child as nobody (uid and gid 65534): true if it returned 0. */
static inline int t_as_nobody(int (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (!p) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		_exit(fn());
	}
	int st;
	return waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Wait up to ms for s to be readable (1) or not (0). */
static inline int t_readable(int s, int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}
#endif
