/* Permission checks follow the effective capabilities, not uid 0: root
 * with every capability opens a mode-0000 file; without
 * CAP_DAC_OVERRIDE it may still read it (CAP_DAC_READ_SEARCH) but not
 * write it, and so on for each capability a check asks (Linux's
 * generic_permission and the syscalls' own checks), on a private tmpfs.
 * Also what chown, write and truncate do to set-id bits. Run as root. */
#include "caps.h"
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define D "/tmp/umk-caps-perms-test"

static void perms(void)
{
	int fd;
	CHECK_OK("root opens a 000 file for writing", fd = open(D "/f000", O_RDWR));
	close(fd);
	unsigned long long nodac = full & ~BIT(CAP_DAC_OVERRIDE);
	CHECK_OK("drop CAP_DAC_OVERRIDE from effective", set(nodac, full, 0));
	CHECK_OK("read a 000 file: CAP_DAC_READ_SEARCH", fd = open(D "/f000", O_RDONLY));
	close(fd);
	CHECK_ERR("write a 000 file", open(D "/f000", O_WRONLY), EACCES);
	CHECK_OK("list a 000 dir", fd = open(D "/d000", O_RDONLY | O_DIRECTORY));
	close(fd);
	struct stat st;
	CHECK_ERR("search a 000 dir", stat(D "/d000/none", &st), ENOENT);
	CHECK_ERR("create in a 000 dir", open(D "/d000/x", O_CREAT | O_WRONLY, 0644), EACCES);
	CHECK_OK("access(W_OK) uses root's permitted set", access(D "/f000", W_OK));
	CHECK_ERR("faccessat(AT_EACCESS) the effective set", faccessat(AT_FDCWD, D "/f000", W_OK, AT_EACCESS), EACCES);
	unsigned long long nodacs = nodac & ~BIT(CAP_DAC_READ_SEARCH);
	CHECK_OK("drop CAP_DAC_READ_SEARCH too", set(nodacs, full, 0));
	CHECK_ERR("read a 000 file", open(D "/f000", O_RDONLY), EACCES);
	CHECK_ERR("list a 000 dir", open(D "/d000", O_RDONLY | O_DIRECTORY), EACCES);
	CHECK_ERR("search a 000 dir", stat(D "/d000/none", &st), EACCES);
	CHECK_OK("back to all", set(full, full, 0));
	CHECK_ERR("exec bit: not even for CAP_DAC_OVERRIDE", access(D "/f644", X_OK), EACCES);
	CHECK_OK("a 0010 file of another: x through DAC_OVERRIDE", faccessat(AT_FDCWD, D "/f010", X_OK, AT_EACCESS));

	/* chown drops set-id bits, root's chown too (with g+x for setgid) */
	static const int sid[] = { 04755, 02755, 02745, 06711 };
	for (unsigned k = 0; k < sizeof(sid) / sizeof(sid[0]); k++) {
		chmod(D "/f644", sid[k]);
		CHECK_OK("chown -1 -1", chown(D "/f644", -1, -1));
		stat(D "/f644", &st);
		printf("chown of %04o leaves %04o\n", sid[k], st.st_mode & 07777);
	}
	chmod(D "/d000", 02700);
	CHECK_OK("chown a setgid dir", chown(D "/d000", 0, 0));
	stat(D "/d000", &st);
	printf("setgid dir keeps %04o\n", st.st_mode & 07777);
	chmod(D "/d000", 0);
	chmod(D "/f644", 0644);
	CHECK_OK("drop CAP_CHOWN", set(full & ~BIT(CAP_CHOWN), full, 0));
	CHECK_ERR("chown without CAP_CHOWN", chown(D "/f644", 1000, -1), EPERM);
	CHECK_OK("drop CAP_FOWNER", set(full & ~BIT(CAP_FOWNER), full, 0));
	CHECK_ERR("chmod another's file without CAP_FOWNER", chmod(D "/u1000", 0600), EPERM);
	CHECK_ERR("unlink another's file in a sticky dir", unlink(D "/sticky/u1000"), EPERM);
	CHECK_OK("chmod own file", chmod(D "/f644", 0644));
	CHECK_OK("drop CAP_FSETID", set(full & ~BIT(CAP_FSETID), full, 0));
	CHECK_OK("chmod g+s, not in the group", chmod(D "/g1000", 02755));
	stat(D "/g1000", &st);
	printf("setgid kept without CAP_FSETID: %s\n", (st.st_mode & S_ISGID) ? "yes" : "no");
	/* a write drops set-id bits unless CAP_FSETID */
	chmod(D "/f644", 06755);
	fd = open(D "/f644", O_WRONLY);
	CHECK("write without CAP_FSETID", write(fd, "x", 1) == 1);
	stat(D "/f644", &st);
	printf("written 6755 leaves %04o\n", st.st_mode & 07777);
	chmod(D "/f644", 04755);
	CHECK_OK("ftruncate without CAP_FSETID", ftruncate(fd, 0));
	stat(D "/f644", &st);
	printf("truncated 4755 leaves %04o\n", st.st_mode & 07777);
	close(fd);
	chmod(D "/f644", 04755);
	CHECK_OK("back to all", set(full, full, 0));
	fd = open(D "/f644", O_WRONLY);
	CHECK("write with CAP_FSETID", write(fd, "x", 1) == 1);
	close(fd);
	stat(D "/f644", &st);
	printf("written with CAP_FSETID: %04o\n", st.st_mode & 07777);
	chmod(D "/f644", 0644);
	CHECK_OK("drop CAP_MKNOD", set(full & ~BIT(CAP_MKNOD), full, 0));
	CHECK_ERR("mknod a char device", mknod(D "/null", S_IFCHR | 0666, makedev(1, 3)), EPERM);
	CHECK_OK("drop CAP_SYS_ADMIN", set(full & ~BIT(CAP_SYS_ADMIN), full, 0));
	CHECK_ERR("sethostname", sethostname("x", 1), EPERM);
	CHECK_ERR("mount", mount("x", D "/d000", "tmpfs", 0, NULL), EPERM);
	CHECK_OK("drop CAP_SYS_CHROOT", set(full & ~BIT(CAP_SYS_CHROOT), full, 0));
	CHECK_ERR("chroot", chroot(D), EPERM);
	CHECK_OK("drop CAP_SETUID and CAP_SETGID", set(full & ~(BIT(CAP_SETUID) | BIT(CAP_SETGID)), full, 0));
	CHECK_ERR("setuid 1000", setuid(1000), EPERM);
	CHECK_ERR("setgid 1000", setgid(1000), EPERM);
	CHECK_ERR("setgroups", setgroups(0, NULL), EPERM);
	CHECK_OK("drop CAP_SYS_BOOT", set(full & ~BIT(CAP_SYS_BOOT), full, 0));
	/* no such command: EINVAL were the capability (wrongly) there */
	CHECK_ERR("reboot", syscall(SYS_reboot, 0xfee1dead, 672274793, 0x7e57, NULL), EPERM);
	CHECK_OK("drop CAP_NET_RAW", set(full & ~BIT(CAP_NET_RAW), full, 0));
	CHECK_ERR("packet socket", socket(AF_PACKET, SOCK_RAW, 0), EPERM);
	CHECK_OK("drop CAP_NET_BIND_SERVICE", set(full & ~BIT(CAP_NET_BIND_SERVICE), full, 0));
	int us = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	CHECK_ERR("bind port 80", bind(us, (struct sockaddr *)&sin, sizeof(sin)), EACCES);
	close(us);
	CHECK_OK("drop CAP_KILL", set(full & ~BIT(CAP_KILL), full, 0));
	int ready[2], never[2];
	if (pipe(ready) || pipe(never))
		DIE("pipe");
	pid_t pid = fork();
	if (pid == 0) {
		setresuid(1000, 1000, 1000);
		char x;
		write(ready[1], "", 1);
		read(never[0], &x, 1);	/* until killed */
		_exit(0);
	}
	char x;
	read(ready[0], &x, 1);
	CHECK_ERR("kill a uid 1000 process without CAP_KILL", kill(pid, SIGTERM), EPERM);
	CHECK_OK("with CAP_KILL", (set(full, full, 0), kill(pid, SIGKILL)));
	waitpid(pid, NULL, 0);
}

int main(void)
{
	normalize();
	umount2(D, MNT_DETACH);
	rmdir(D);
	if (mkdir(D, 0755) || mount("caps-perms", D, "tmpfs", 0, "mode=755"))
		DIE("mount");
	close(open(D "/f000", O_CREAT | O_WRONLY, 0));
	chmod(D "/f000", 0);
	close(open(D "/f644", O_CREAT | O_WRONLY, 0644));
	close(open(D "/f010", O_CREAT | O_WRONLY, 0));
	chmod(D "/f010", 0010);
	chown(D "/f010", 1000, 1000);
	close(open(D "/u1000", O_CREAT | O_WRONLY, 0644));
	chown(D "/u1000", 1000, 1000);
	close(open(D "/g1000", O_CREAT | O_WRONLY, 0755));
	chown(D "/g1000", 0, 1000);
	mkdir(D "/d000", 0);
	chmod(D "/d000", 0);
	mkdir(D "/sticky", 01777);
	chmod(D "/sticky", 01777);
	chown(D "/sticky", 1000, 1000);
	close(open(D "/sticky/u1000", O_CREAT | O_WRONLY, 0644));
	chown(D "/sticky/u1000", 1000, 1000);

	in_child(perms);

	umount2(D, MNT_DETACH);
	rmdir(D);
	return t_done();
}
