/* Helpers shared by the capability tests (caps.c, caps_perms.c): the
 * sets through capget/capset, one line showing them, a child per case,
 * and the known starting state. */
#ifndef UMK_GUEST_CAPS_H
#define UMK_GUEST_CAPS_H
#include "t.h"
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define BIT(c) (1ULL << (c))

/* The known state: every capability but CAP_SYS_RESOURCE (which a
 * container host may already lack), nothing inheritable or ambient, no
 * securebits: the same natively and under umk. */
#define FULL ((2ULL << CAP_LAST_CAP) - 1 - BIT(CAP_SYS_RESOURCE))
static const unsigned long long full = FULL;

struct caps { unsigned long long e, p, i; };

__attribute__((unused)) static int capget_v(unsigned version, int pid, struct caps *c)
{
	struct __user_cap_header_struct h = { version, pid };
	struct __user_cap_data_struct d[2] = { { 0 } };
	int r = syscall(SYS_capget, &h, d);
	if (r == 0 && c)
		*c = (struct caps){ d[0].effective | (unsigned long long)d[1].effective << 32,
				    d[0].permitted | (unsigned long long)d[1].permitted << 32,
				    d[0].inheritable | (unsigned long long)d[1].inheritable << 32 };
	return r;
}

__attribute__((unused)) static struct caps get(void)
{
	struct caps c = { 0 };
	if (capget_v(_LINUX_CAPABILITY_VERSION_3, 0, &c))
		DIE("capget");
	return c;
}

__attribute__((unused)) static int set(unsigned long long e, unsigned long long p, unsigned long long i)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (unsigned)e, (unsigned)p, (unsigned)i },
		{ (unsigned)(e >> 32), (unsigned)(p >> 32), (unsigned)(i >> 32) },
	};
	return syscall(SYS_capset, &h, d);
}

/* A set, written relative to the known full set when that is shorter. */
__attribute__((unused)) static void pset(const char *name, unsigned long long v)
{
	if (v == full)
		printf(" %s=full", name);
	else if (v && (v & full) == v && __builtin_popcountll(full & ~v) < 4) {
		printf(" %s=full", name);
		for (int b = 0; b < 64; b++)
			if (full & ~v & BIT(b))
				printf("-%d", b);
	} else
		printf(" %s=%llx", name, v);
}

__attribute__((unused)) static unsigned long long status_field(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = ~0ULL;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* One line: the ids, the five sets and securebits; /proc/self/status
 * must agree with capget. */
__attribute__((unused)) static void show(const char *label)
{
	struct caps c = get();
	uid_t r, e, s;
	getresuid(&r, &e, &s);
	printf("%s: uid=%d/%d/%d fsuid=%d", label, (int)r, (int)e, (int)s, setfsuid(-1));
	pset("inh", c.i);
	pset("prm", c.p);
	pset("eff", c.e);
	pset("bnd", status_field("CapBnd"));
	pset("amb", status_field("CapAmb"));
	printf(" sb=%#x\n", prctl(PR_GET_SECUREBITS));
	if (status_field("CapEff") != c.e || status_field("CapPrm") != c.p || status_field("CapInh") != c.i) {
		printf("%s: FAIL /proc/self/status disagrees with capget\n", label);
		t_failures++;
	}
}

/* Run fn in a child; its failures count as ours. */
__attribute__((unused)) static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid < 0)
		DIE("fork");
	if (pid == 0) {
		t_failures = 0;
		fn();
		exit(t_done());
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("child: FAIL status %#x\n", st);
		t_failures++;
	}
}

/* The known state: everything but CAP_SYS_RESOURCE, nothing inheritable,
 * no ambient set, no securebits. */
__attribute__((unused)) static void normalize(void)
{
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_RESOURCE, 0, 0, 0))
		DIE("PR_CAPBSET_DROP");
	if (prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		DIE("securebits");
	struct caps c = get();
	if ((c.p & full) != full) {
		printf("FATAL: run as root with every capability (but CAP_SYS_RESOURCE): permitted %llx\n", c.p);
		exit(2);
	}
	if (set(full, full, 0))
		DIE("capset");
}

#endif
