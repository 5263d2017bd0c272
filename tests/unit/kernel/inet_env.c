/* The world the IPv4 unit test (test_inet.c) runs the stack in: a
 * clock that moves only when the test says (inet_env_advance runs the
 * kernel timers that fall due, in order), a repeatable random source,
 * and recorders standing in for the socket side (raw and ping sockets),
 * which the test does not link. Host code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/kernel.h>
#include <umk/timer.h>
#include <umk/skbuff.h>
#include "inet_env.h"

struct task *current;
static int64_t now_ns = 1000000000ll;
static LIST_HEAD(timers);

int64_t ktime_mono_ns(void) { return now_ns; }
int64_t ktime_boot_ns(void) { return now_ns; }
int64_t ktime_real_ns(void) { return now_ns + 1700000000ll * 1000000000ll; }

/* Armed timers, in no order: advancing picks the earliest each time. */
void ktimer_init(struct ktimer *t, void (*fn)(struct ktimer *), void *data)
{
	*t = (struct ktimer){ .fn = fn, .data = data };
	INIT_LIST_HEAD(&t->link);
}

void ktimer_cancel(struct ktimer *t)
{
	if (t->armed)
		list_del(&t->link);
	t->armed = false;
}

void ktimer_arm(struct ktimer *t, int64_t deadline)
{
	ktimer_cancel(t);
	t->deadline = deadline;
	t->armed = true;
	list_add(&t->link, &timers);
}

void inet_env_advance(int64_t ms)
{
	int64_t until = now_ns + ms * 1000000ll;
	for (;;) {
		struct ktimer *t, *first = NULL;
		list_for_each_entry(t, &timers, link)
			if (!first || t->deadline < first->deadline)
				first = t;
		if (!first || first->deadline > until)
			break;
		if (first->deadline > now_ns)
			now_ns = first->deadline;
		ktimer_cancel(first);
		first->fn(first);
	}
	now_ns = until;
}

static uint64_t rnd = 0x9e3779b97f4a7c15ull;

uint64_t inet_env_random(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

void get_random_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)inet_env_random();
}

void printk_once_key(const char *key, const char *fmt, ...)
{
	(void)key;
	(void)fmt;
}

/* procfs's inode maker: the test never looks files up */
struct inode *proc_iget(int kind, int pid, int fd)
{
	(void)kind;
	(void)pid;
	(void)fd;
	return NULL;
}

/* the socket side: what reached it */
struct inet_env_log inet_env_log;

/* device events for user space: counted (the test has no user space) */
void uevent_send(const char *action, const char *devpath, const char *subsystem, const char *const *vars)
{
	(void)action;
	(void)devpath;
	(void)subsystem;
	(void)vars;
	inet_env_log.uevents++;
}

bool raw_local_deliver(struct sk_buff *skb, uint8_t protocol)
{
	(void)skb;
	inet_env_log.raw_delivered++;
	inet_env_log.raw_protocol = protocol;
	return protocol == 253;	/* a raw socket for 253 exists */
}

void raw_icmp_error(struct sk_buff *skb, uint8_t protocol, int type, int code, uint32_t info)
{
	(void)skb;
	(void)protocol;
	inet_env_log.icmp_errors++;
	inet_env_log.err_type = type;
	inet_env_log.err_code = code;
	inet_env_log.err_info = info;
}

void ping_rcv(struct sk_buff *skb)
{
	(void)skb;
	inet_env_log.echo_replies++;
}

void ping_err(struct sk_buff *skb, int type, int code, uint32_t info)
{
	(void)skb;
	(void)type;
	(void)code;
	(void)info;
}
