/* Capabilities (capabilities(7)): capget/capset versions and errors,
 * the prctl options for the bounding and ambient sets and securebits,
 * and what set*id and execve (of itself, and of set-user-ID copies of
 * itself on a suid and a nosuid tmpfs) do to the five sets. Run as root;
 * it first brings its sets to one known state (caps.h). The permission
 * checks are in caps_perms.c. */
#include "caps.h"
#include <fcntl.h>
#include <grp.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>

#define D "/tmp/umk-caps-test"

static const char *self;

/* execve self (or path) to print the sets the new program has. */
static void exec_report(const char *path, const char *label)
{
	execl(path, path, "report", label, (char *)NULL);
	DIE("execl");
}

static void versions(void)
{
	struct __user_cap_header_struct h = { 0, 0 };
	struct __user_cap_data_struct d[2];
	CHECK("capget(version 0, NULL) answers", syscall(SYS_capget, &h, NULL) == 0 && h.version == _LINUX_CAPABILITY_VERSION_3);
	h.version = 0x12345678;
	CHECK_ERR("capget(bad version)", syscall(SYS_capget, &h, d), EINVAL);
	CHECK("bad version: the preferred one written back", h.version == _LINUX_CAPABILITY_VERSION_3);
	h.version = 0x12345678;
	CHECK_ERR("capset(bad version)", syscall(SYS_capset, &h, d), EINVAL);
	CHECK("capset: preferred version written back", h.version == _LINUX_CAPABILITY_VERSION_3);
	struct caps c1, c2, c3;
	CHECK_OK("capget v1", capget_v(_LINUX_CAPABILITY_VERSION_1, 0, &c1));
	CHECK_OK("capget v2", capget_v(_LINUX_CAPABILITY_VERSION_2, 0, &c2));
	CHECK_OK("capget v3", capget_v(_LINUX_CAPABILITY_VERSION_3, 0, &c3));
	CHECK("v1 sees the low 32 bits only", c1.p == (full & 0xffffffff) && c1.e == (full & 0xffffffff));
	CHECK("v2 and v3 see all", c2.p == full && c3.p == full);
	CHECK_OK("capget own pid", capget_v(_LINUX_CAPABILITY_VERSION_3, getpid(), &c1));
	CHECK_ERR("capget pid -1", capget_v(_LINUX_CAPABILITY_VERSION_3, -1, NULL), EINVAL);
	h = (struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_3, 0 };
	CHECK_ERR("capget bad data pointer", syscall(SYS_capget, &h, (void *)8), EFAULT);
	CHECK_ERR("capget bad header pointer", syscall(SYS_capget, (void *)8, d), EFAULT);
	h.pid = getppid();
	memset(d, 0, sizeof(d));
	CHECK_ERR("capset another pid", syscall(SYS_capset, &h, d), EPERM);

	/* capget of another process: a child that dropped to two caps */
	int p2c[2], c2p[2];
	if (pipe(p2c) || pipe(c2p))
		DIE("pipe");
	pid_t pid = fork();
	if (pid == 0) {
		set(BIT(CAP_KILL), BIT(CAP_KILL) | BIT(CAP_CHOWN), BIT(CAP_CHOWN));
		char x = 0;
		write(c2p[1], &x, 1);
		read(p2c[0], &x, 1);
		_exit(0);
	}
	char x;
	read(c2p[0], &x, 1);
	struct caps o = { 0 };
	CHECK_OK("capget child", capget_v(_LINUX_CAPABILITY_VERSION_3, pid, &o));
	printf("child's sets: eff=%llx prm=%llx inh=%llx\n", o.e, o.p, o.i);
	write(p2c[1], &x, 1);
	waitpid(pid, NULL, 0);
	CHECK_ERR("capget reaped pid", capget_v(_LINUX_CAPABILITY_VERSION_3, pid, NULL), ESRCH);

	/* v1 capset: the upper half becomes empty */
	h = (struct __user_cap_header_struct){ _LINUX_CAPABILITY_VERSION_1, 0 };
	d[0] = (struct __user_cap_data_struct){ (unsigned)full, (unsigned)full, 0 };
	d[1] = (struct __user_cap_data_struct){ ~0u, ~0u, ~0u };	/* not read */
	pid = fork();
	if (pid == 0) {
		CHECK_OK("capset v1", syscall(SYS_capset, &h, d));
		show("after v1 capset");
		exit(t_done());
	}
	int st;
	waitpid(pid, &st, 0);
	if (st)
		t_failures++;
}

static void capset_rules(void)
{
	CHECK_ERR("effective beyond permitted", set(full, full & ~BIT(CAP_KILL), 0), EPERM);
	CHECK_OK("drop CAP_KILL from permitted", set(full & ~BIT(CAP_KILL), full & ~BIT(CAP_KILL), 0));
	CHECK_ERR("permitted cannot grow back", set(full & ~BIT(CAP_KILL), full, 0), EPERM);
	CHECK_OK("inheritable from permitted", set(full & ~BIT(CAP_KILL), full & ~BIT(CAP_KILL), BIT(CAP_CHOWN)));
	CHECK_OK("inheritable beyond permitted with CAP_SETPCAP", set(full & ~BIT(CAP_KILL), full & ~BIT(CAP_KILL), BIT(CAP_KILL)));
	CHECK_OK("drop CAP_NET_RAW from the bounding set", prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0));
	unsigned long long p = full & ~BIT(CAP_KILL);
	CHECK_ERR("inheritable beyond bounding", set(p, p, BIT(CAP_KILL) | BIT(CAP_NET_RAW)), EPERM);
	/* bits past the last capability: dropped, not refused */
	CHECK_OK("bits past cap_last_cap", set(p | BIT(50), p | BIT(50), BIT(CAP_KILL) | BIT(63)));
	CHECK_OK("keep CAP_KILL inheritable, drop SETPCAP from effective", set(p & ~BIT(CAP_SETPCAP), p, BIT(CAP_KILL)));
	CHECK_OK("inheritable may shrink", set(p & ~BIT(CAP_SETPCAP), p, 0));
	CHECK_ERR("and not grow beyond permitted without CAP_SETPCAP", set(p & ~BIT(CAP_SETPCAP), p, BIT(CAP_KILL)), EPERM);
	CHECK_OK("but within permitted", set(p & ~BIT(CAP_SETPCAP), p, BIT(CAP_CHOWN)));
	show("capset rules");
}

static void bounding(void)
{
	CHECK("PR_CAPBSET_READ 0", prctl(PR_CAPBSET_READ, 0, 0, 0, 0) == 1);
	CHECK("PR_CAPBSET_READ CAP_SYS_RESOURCE (dropped)", prctl(PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 0);
	CHECK("PR_CAPBSET_READ 40", prctl(PR_CAPBSET_READ, 40, 0, 0, 0) == 1);
	CHECK_ERR("PR_CAPBSET_READ 41", prctl(PR_CAPBSET_READ, 41, 0, 0, 0), EINVAL);
	CHECK_ERR("PR_CAPBSET_READ -1", prctl(PR_CAPBSET_READ, -1L, 0, 0, 0), EINVAL);
	CHECK_ERR("PR_CAPBSET_DROP 64", prctl(PR_CAPBSET_DROP, 64, 0, 0, 0), EINVAL);
	CHECK_OK("PR_CAPBSET_DROP CAP_MKNOD", prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0));
	CHECK_OK("PR_CAPBSET_DROP again", prctl(PR_CAPBSET_DROP, CAP_MKNOD, 0, 0, 0));
	CHECK_OK("drop CAP_SETPCAP from effective", set(full & ~BIT(CAP_SETPCAP), full, 0));
	CHECK_ERR("PR_CAPBSET_DROP without CAP_SETPCAP", prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0), EPERM);
	CHECK_ERR("PR_CAPBSET_DROP 64 without CAP_SETPCAP", prctl(PR_CAPBSET_DROP, 64, 0, 0, 0), EPERM);
	show("bounding");
}

static void ambient(void)
{
	CHECK_ERR("raise without inheritable", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0), EPERM);
	set(full, full, BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN));
	CHECK_OK("raise", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
	CHECK_OK("raise CAP_CHOWN", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0));
	CHECK("is set", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) == 1);
	CHECK("is not set", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0) == 0);
	CHECK_ERR("is set 41", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 41, 0, 0), EINVAL);
	CHECK_ERR("bad op", prctl(PR_CAP_AMBIENT, 99, CAP_KILL, 0, 0), EINVAL);
	CHECK_ERR("raise with arg4", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 1, 0), EINVAL);
	CHECK_ERR("clear all with arg3", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	show("ambient raised");
	/* capset trims the ambient set to permitted and inheritable */
	CHECK_OK("inheritable without CAP_CHOWN", set(full, full, BIT(CAP_NET_BIND_SERVICE)));
	show("ambient trimmed");
	CHECK_OK("lower", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_BIND_SERVICE, 0, 0));
	CHECK("lowered", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) == 0);
	CHECK_OK("raise again", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
	CHECK_OK("clear all", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	CHECK_OK("SECBIT_NO_CAP_AMBIENT_RAISE", prctl(PR_SET_SECUREBITS, SECBIT_NO_CAP_AMBIENT_RAISE, 0, 0, 0));
	CHECK_ERR("raise under NO_CAP_AMBIENT_RAISE", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0), EPERM);
	show("ambient end");
}

static void securebits(void)
{
	CHECK("PR_GET_KEEPCAPS 0", prctl(PR_GET_KEEPCAPS) == 0);
	CHECK_ERR("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
	CHECK_OK("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	CHECK("keepcaps is SECBIT_KEEP_CAPS", prctl(PR_GET_SECUREBITS) == SECBIT_KEEP_CAPS && prctl(PR_GET_KEEPCAPS) == 1);
	CHECK_ERR("unknown securebit", prctl(PR_SET_SECUREBITS, 1 << 20, 0, 0, 0), EPERM);
	CHECK_OK("set and lock KEEP_CAPS off", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT, 0, 0, 0));
	CHECK_ERR("PR_SET_KEEPCAPS when locked", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), EPERM);
	CHECK_ERR("change a locked bit", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | SECBIT_KEEP_CAPS | SECBIT_NOROOT, 0, 0, 0), EPERM);
	CHECK_ERR("unlock", prctl(PR_SET_SECUREBITS, SECBIT_NOROOT, 0, 0, 0), EPERM);
	CHECK_OK("unlocked bits may change", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0));
	set(full & ~BIT(CAP_SETPCAP), full, 0);
	CHECK_ERR("PR_SET_SECUREBITS without CAP_SETPCAP", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0), EPERM);
	show("securebits");
}

/* ---- set*id ---- */

static void uid_setuid(void)
{
	CHECK_OK("setuid 1000", setuid(1000));
	show("setuid 1000");
	CHECK_ERR("and back", setuid(0), EPERM);
}

static void uid_keepcaps(void)
{
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	set(full, full, BIT(CAP_NET_BIND_SERVICE));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0);
	CHECK_OK("setresuid 1000 with keepcaps", setresuid(1000, 1000, 1000));
	show("keepcaps setresuid 1000");
	CHECK_ERR("setuid 0 needs CAP_SETUID in effective", setuid(0), EPERM);
	CHECK_OK("raise effective from permitted", set(full, full, 0));
	CHECK_OK("setuid 0 with CAP_SETUID", setuid(0));
	show("back to 0");
}

static void uid_euid(void)
{
	CHECK_OK("seteuid 1000", setresuid(-1, 1000, -1));
	show("euid 1000");
	CHECK_OK("seteuid 0", setresuid(-1, 0, -1));
	show("euid 0 again");
	CHECK_OK("setreuid 1000 1000 (saved follows)", setreuid(1000, 1000));
	show("setreuid 1000");
}

static void uid_fsuid(void)
{
	setfsuid(1000);
	show("fsuid 1000");
	setfsuid(0);
	show("fsuid 0");
	prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0);
	setfsuid(1000);
	CHECK_OK("setresuid 1000 under NO_SETUID_FIXUP", setresuid(1000, 1000, 1000));
	show("no setuid fixup");
}

static void uid_partial(void)
{
	/* one id still 0: the permitted set stays */
	CHECK_OK("setresuid 1000 1000 0", setresuid(1000, 1000, 0));
	show("saved 0");
	CHECK_OK("setresuid -1 -1 1000", setresuid(-1, -1, 1000));
	show("none 0");
}

/* ---- execve ---- */

static void exec_root(void) { exec_report(self, "root exec"); }

static void exec_bounding(void)
{
	prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0);
	set(full, full, BIT(CAP_KILL));
	exec_report(self, "root exec, bounding -net_raw, inheritable kill");
}

static void exec_keepcaps_user(void)
{
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	setresuid(1000, 1000, 1000);
	exec_report(self, "uid 1000 (keepcaps) exec");
}

static void exec_ambient(void)
{
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	setresuid(1000, 1000, 1000);
	unsigned long long c = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_DAC_OVERRIDE);
	set(c, c, c);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0);
	exec_report(self, "uid 1000 ambient exec");
}

static void exec_euid_root(void)
{
	setresuid(1000, 0, 0);
	exec_report(self, "euid 0 uid 1000 exec");
}

static void exec_ruid_root(void)
{
	setresuid(0, 1000, 1000);
	exec_report(self, "uid 0 euid 1000 exec");
}

static void exec_noroot(void)
{
	prctl(PR_SET_SECUREBITS, SECBIT_NOROOT, 0, 0, 0);
	exec_report(self, "root exec under SECBIT_NOROOT");
}

static void exec_setuid_bin(void)
{
	setgroups(0, NULL);
	setresgid(1000, 1000, 1000);
	setresuid(1000, 1000, 1000);
	exec_report(D "/suid/prog", "uid 1000 exec of a setuid-root program");
}

static void exec_setuid_nosuid(void)
{
	setresuid(1000, 1000, 1000);
	exec_report(D "/nosuid/prog", "uid 1000 exec of setuid-root on nosuid");
}

static void exec_setuid_nnp(void)
{
	setresuid(1000, 1000, 1000);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	exec_report(D "/suid/prog", "uid 1000 exec of setuid-root under no_new_privs");
}

/* traced by a tracer without CAP_SYS_PTRACE: the exec gains nothing */
static void exec_setuid_traced(void)
{
	setgroups(0, NULL);
	setresgid(1000, 1000, 1000);
	setresuid(1000, 1000, 1000);
	pid_t pid = fork();
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			DIE("PTRACE_TRACEME");
		exec_report(D "/suid/prog", "uid 1000 traced exec of a setuid-root program");
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK("tracee stops at exec", WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	waitpid(pid, &st, 0);
	CHECK("tracee exits 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void report(const char *label)
{
	show(label);
	printf("%s: AT_SECURE=%lu keepcaps=%d\n", label, getauxval(AT_SECURE), prctl(PR_GET_KEEPCAPS));
}

/* a copy of this program, 04755 root, on a suid and a nosuid tmpfs */
static void copy_self(const char *to)
{
	int in = open(self, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n;
	if (in < 0 || out < 0)
		DIE(to);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			DIE("write");
	close(in);
	close(out);
	if (chmod(to, 04755))
		DIE("chmod");
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 3 && !strcmp(argv[1], "report")) {
		report(argv[2]);
		return t_done();
	}
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int last = -1;
	if (!f || fscanf(f, "%d", &last) != 1)
		DIE("cap_last_cap");
	fclose(f);
	printf("cap_last_cap: %d\n", last);
	normalize();
	show("start");

	umount2(D "/nosuid", MNT_DETACH);
	umount2(D, MNT_DETACH);
	rmdir(D);
	if (mkdir(D, 0755) || mount("caps", D, "tmpfs", 0, "mode=755"))
		DIE("mount");
	mkdir(D "/suid", 0755);
	mkdir(D "/nosuid", 0755);
	if (mount("caps-nosuid", D "/nosuid", "tmpfs", MS_NOSUID, "mode=755"))
		DIE("mount nosuid");
	copy_self(D "/suid/prog");
	copy_self(D "/nosuid/prog");

	in_child(versions);
	in_child(capset_rules);
	in_child(bounding);
	in_child(ambient);
	in_child(securebits);
	in_child(uid_setuid);
	in_child(uid_keepcaps);
	in_child(uid_euid);
	in_child(uid_fsuid);
	in_child(uid_partial);
	in_child(exec_root);
	in_child(exec_bounding);
	in_child(exec_keepcaps_user);
	in_child(exec_ambient);
	in_child(exec_euid_root);
	in_child(exec_ruid_root);
	in_child(exec_noroot);
	in_child(exec_setuid_bin);
	in_child(exec_setuid_nosuid);
	in_child(exec_setuid_nnp);
	in_child(exec_setuid_traced);

	umount2(D "/nosuid", MNT_DETACH);
	umount2(D, MNT_DETACH);
	rmdir(D);
	return t_done();
}
