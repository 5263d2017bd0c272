/* The permission model: a child of root drops to uid/gid 1000 and meets
 * EACCES/EPERM on root's files (on a private tmpfs, so ownership is the
 * guest's), while root bypasses the mode bits. */
#include "t.h"
#include <fcntl.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#define D "/tmp/umk-perms-test"

static int mk(const char *path, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY, mode);
	if (fd < 0 || write(fd, "data\n", 5) != 5)
		DIE(path);
	close(fd);
	return chmod(path, mode);
}

int main(void)
{
	umount2(D, MNT_DETACH);
	rmdir(D);
	if (mkdir(D, 0755) || mount("perms", D, "tmpfs", 0, "mode=755"))
		DIE("mount");
	mk(D "/secret", 0600);
	mk(D "/pub", 0644);
	mkdir(D "/rootdir", 0755);
	mkdir(D "/shared", 0777);
	chmod(D "/shared", 01777);
	mk(D "/shared/rootfile", 0666);
	mk(D "/noexec", 0644);

	/* root bypasses r/w bits, not exec bits */
	chmod(D "/secret", 0);
	int fd = open(D "/secret", O_RDWR);
	CHECK("root opens a 000 file", fd >= 0);
	close(fd);
	chmod(D "/secret", 0600);
	CHECK_ERR("root access X on 0644", access(D "/noexec", X_OK), EACCES);

	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		gid_t none[1];
		CHECK_OK("setgroups", setgroups(0, none));
		CHECK_OK("setgid 1000", setgid(1000));
		CHECK_OK("setuid 1000", setuid(1000));
		uid_t r, e, s;
		getresuid(&r, &e, &s);
		printf("ids: %d %d %d gid %d groups %d\n", (int)r, (int)e, (int)s, (int)getegid(), getgroups(0, NULL));
		CHECK_ERR("open 0600 root file", open(D "/secret", O_RDONLY), EACCES);
		CHECK_ERR("access R on 0600", access(D "/secret", R_OK), EACCES);
		CHECK_OK("read 0644 root file", fd = open(D "/pub", O_RDONLY));
		close(fd);
		CHECK_ERR("write 0644 root file", open(D "/pub", O_WRONLY), EACCES);
		CHECK_ERR("truncate 0644 root file", truncate(D "/pub", 0), EACCES);
		CHECK_ERR("create in 0755 root dir", open(D "/rootdir/x", O_CREAT | O_WRONLY, 0644), EACCES);
		CHECK_ERR("mkdir in 0755 root dir", mkdir(D "/rootdir/y", 0755), EACCES);
		CHECK_ERR("unlink in 0755 root dir", unlink(D "/pub"), EACCES);
		CHECK_ERR("rename in 0755 root dir", rename(D "/pub", D "/pub2"), EACCES);
		CHECK_ERR("chmod root's file", chmod(D "/pub", 0666), EPERM);
		CHECK_ERR("chown root's file", chown(D "/pub", 1000, 1000), EPERM);
		CHECK_ERR("utimes explicit on root's file", utimes(D "/pub", (struct timeval[2]){ { 1, 0 }, { 1, 0 } }), EPERM);
		CHECK_ERR("utimes now on root's file", utimes(D "/pub", NULL), EACCES);
		CHECK_OK("create in sticky dir", fd = open(D "/shared/mine", O_CREAT | O_WRONLY, 0644));
		close(fd);
		struct stat st;
		stat(D "/shared/mine", &st);
		printf("mine: uid=%d gid=%d mode=%o\n", (int)st.st_uid, (int)st.st_gid, st.st_mode & 07777);
		CHECK_OK("chmod own file", chmod(D "/shared/mine", 0600));
		CHECK_ERR("chown own file to root", chown(D "/shared/mine", 0, -1), EPERM);
		CHECK_ERR("chgrp own file to a foreign group", chown(D "/shared/mine", -1, 0), EPERM);
		CHECK_ERR("unlink root's file in sticky dir", unlink(D "/shared/rootfile"), EPERM);
		CHECK_OK("write root's 0666 file", fd = open(D "/shared/rootfile", O_WRONLY));
		close(fd);
		CHECK_ERR("kill root process", kill(parent, 0), EPERM);
		CHECK_OK("kill self", kill(getpid(), 0));
		CHECK_ERR("setuid 0", setuid(0), EPERM);
		CHECK_ERR("setgid 0", setgid(0), EPERM);
		CHECK_ERR("setgroups", setgroups(0, none), EPERM);
		CHECK_ERR("mount", mount("x", D "/shared", "tmpfs", 0, NULL), EPERM);
		CHECK_ERR("umount", umount(D), EPERM);
		CHECK_ERR("chroot", chroot(D "/shared"), EPERM);
		CHECK_ERR("mknod chr", mknod(D "/shared/dev", S_IFCHR | 0666, 0x103), EPERM);
		_exit(t_done());
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK("child checks passed", WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* root may do what the user could not */
	CHECK_OK("root chown", chown(D "/shared/mine", 0, 0));
	CHECK_OK("root unlink in sticky dir", unlink(D "/shared/mine"));
	CHECK_OK("root chmod", chmod(D "/pub", 0600));

	if (umount(D) || rmdir(D))
		DIE("cleanup");
	return t_done();
}
