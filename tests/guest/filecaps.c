/* File capabilities: a copy of this program on a private tmpfs with a
 * security.capability attribute, run by uid 1000 (no capabilities of
 * its own): fP with and without fE, fI with pI, a v3 attribute for root
 * 0 and for another root, fE with a bounding set that lacks fP (EPERM),
 * a nosuid mount, and AT_SECURE. Runs as root; cleans up. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>
#include <linux/capability.h>

#define D "/tmp/umk-filecaps-test"
#define PROG D "/prog"

/* The child side: print the sets as /proc/self/status has them. */
static int show_caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapPrm:", 7) || !strncmp(line, "CapEff:", 7) || !strncmp(line, "CapInh:", 7) ||
		    !strncmp(line, "CapAmb:", 7))
			printf("  %s", line);
	printf("  AT_SECURE %lu\n", getauxval(AT_SECURE));
	return 0;
}

static void set_caps(uint32_t magic, uint32_t prm, uint32_t inh, int size, uint32_t rootid)
{
	struct vfs_ns_cap_data c = { .magic_etc = magic };
	c.data[0].permitted = prm;
	c.data[0].inheritable = inh;
	c.rootid = rootid;
	if (setxattr(PROG, "security.capability", &c, size, 0))
		printf("setxattr: %s\n", strerror(errno));
}

/* Run PROG as uid 1000; inh: a capability to keep inheritable (with
 * KEEPCAPS), drop: one to drop from the bounding set first. */
static void run(const char *label, int inh, int drop)
{
	printf("%s:\n", label);
	pid_t p = fork();
	if (p == 0) {
		if (drop >= 0 && prctl(PR_CAPBSET_DROP, drop, 0, 0, 0))
			_exit(101);
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000))
			_exit(102);
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
		if (setresuid(1000, 1000, 1000))
			_exit(103);
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2] = { 0 };
		if (inh >= 0) {
			d[0].permitted = d[0].inheritable = 1u << inh;
		}
		if (syscall(SYS_capset, &h, d))
			_exit(104);
		char *argv[] = { PROG, "show", NULL };
		execv(PROG, argv);
		printf("  execv: %s\n", strerror(errno));
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("  child status %#x\n", st);
}

static void copy_self(void)
{
	int in = open("/proc/self/exe", O_RDONLY), out = open(PROG, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			break;
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "show"))
		return show_caps();
	mkdir(D, 0755);
	if (mount("none", D, "tmpfs", 0, "mode=0755"))
		DIE("mount tmpfs");
	copy_self();
	run("no file capabilities", -1, -1);
	set_caps(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, 1u << CAP_NET_RAW, 0, XATTR_CAPS_SZ_2, 0);
	run("fP net_raw, fE", -1, -1);
	run("fP net_raw, fE, net_raw not in the bounding set", -1, CAP_NET_RAW);
	set_caps(VFS_CAP_REVISION_2, 1u << CAP_NET_RAW, 0, XATTR_CAPS_SZ_2, 0);
	run("fP net_raw, no fE", -1, -1);
	run("fP net_raw, no fE, net_raw not in the bounding set", -1, CAP_NET_RAW);
	set_caps(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, 0, 1u << CAP_CHOWN, XATTR_CAPS_SZ_2, 0);
	run("fI chown, pI chown", CAP_CHOWN, -1);
	run("fI chown, pI empty", -1, -1);
	set_caps(VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE, 1u << CAP_KILL, 0, XATTR_CAPS_SZ_3, 0);
	run("v3 root 0: fP kill, fE", -1, -1);
	set_caps(VFS_CAP_REVISION_3 | VFS_CAP_FLAGS_EFFECTIVE, 1u << CAP_KILL, 0, XATTR_CAPS_SZ_3, 1000);
	run("v3 root 1000 (another namespace's)", -1, -1);
	CHECK_OK("remount nosuid", mount("none", D, NULL, MS_REMOUNT | MS_NOSUID, NULL));
	set_caps(VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE, 1u << CAP_NET_RAW, 0, XATTR_CAPS_SZ_2, 0);
	run("nosuid mount", -1, -1);
	CHECK_OK("umount", umount(D));
	rmdir(D);
	return t_done();
}
