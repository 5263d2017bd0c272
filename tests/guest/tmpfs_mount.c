/* mount(2)/umount2(2) with tmpfs (size=, mode=, ENOSPC, statfs, mmap
 * MAP_SHARED coherence, device nodes), remount ro/rw, bind mounts,
 * noexec, busy unmount, proc and sysfs mounts, /proc/mounts and
 * mountinfo lines. Runs as root; cleans up its mounts. */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define D "/tmp/umk-tmpfs-test"
#define B "/tmp/umk-tmpfs-bind"

static char buf[1 << 16];

static void show_mount_line(const char *file, const char *dir)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	int found = 0;
	while (f && fgets(line, sizeof line, f)) {
		char *p = strstr(line, dir);
		if (!p || p[strlen(dir)] != ' ')
			continue;
		found++;
		if (!strcmp(file, "/proc/mounts")) {
			printf("mounts: %s", line);
		} else {
			/* skip ids and dev: "root mountpoint opts ... - type src superopts" */
			char *q = line;
			for (int i = 0; i < 3; i++)
				q = strchr(q, ' ') + 1;
			printf("mountinfo: %s", q);
		}
	}
	if (f)
		fclose(f);
	if (!found)
		printf("%s: no line for %s\n", file, dir);
}

static void ls(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	printf("ls %s:", dir + strlen(D));
	for (int i = 0; i < n; i++) {
		printf(" %s", ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	printf("\n");
}

static void cleanup(void)
{
	umount2(B, MNT_DETACH);
	umount2(D, MNT_DETACH);
	umount2(D, MNT_DETACH);
	rmdir(B);
	rmdir(D);
}

int main(void)
{
	cleanup();
	if (mkdir(D, 0755) || mkdir(B, 0755))
		DIE("mkdir");
	CHECK_ERR("mount unknown type", mount("x", D, "nosuchfs", 0, NULL), ENODEV);
	CHECK_ERR("mount bad option", mount("x", D, "tmpfs", 0, "bogus=1"), EINVAL);
	CHECK_ERR("mount on missing dir", mount("x", D "/nope", "tmpfs", 0, NULL), ENOENT);
	CHECK_ERR("umount not a mount", umount(D), EINVAL);
	CHECK_OK("mount tmpfs", mount("x", D, "tmpfs", 0, "size=1m,mode=755"));

	struct statfs sf;
	CHECK_OK("statfs", statfs(D, &sf));
	printf("statfs type=%#lx bsize=%ld blocks=%ld bfree=%ld namelen=%ld ro=%d\n", (long)sf.f_type, (long)sf.f_bsize,
	       (long)sf.f_blocks, (long)sf.f_bfree, (long)sf.f_namelen, !!(sf.f_flags & ST_RDONLY));
	struct stat st;
	CHECK_OK("stat root", stat(D, &st));
	printf("root mode=%o uid=%d nlink=%d\n", st.st_mode, st.st_uid, (int)st.st_nlink);
	show_mount_line("/proc/mounts", D);
	show_mount_line("/proc/self/mountinfo", D);

	/* files, data and blocks */
	int fd = open(D "/a", O_CREAT | O_RDWR, 0644);
	CHECK("create a", fd >= 0);
	memset(buf, 'x', 10000);
	CHECK("write 10000", write(fd, buf, 10000) == 10000);
	CHECK_OK("fstat a", fstat(fd, &st));
	printf("a size=%ld blocks=%ld mode=%o\n", (long)st.st_size, (long)st.st_blocks, st.st_mode);
	fstatfs(fd, &sf);
	printf("after write bfree=%ld\n", (long)sf.f_bfree);
	CHECK("pread", pread(fd, buf, 5, 9995) == 5 && !memcmp(buf, "xxxxx", 5));
	CHECK("read at eof", pread(fd, buf, 5, 10000) == 0);
	CHECK_OK("ftruncate up", ftruncate(fd, 20000));
	CHECK("hole reads zero", pread(fd, buf, 4, 15000) == 4 && !memcmp(buf, "\0\0\0\0", 4));
	CHECK_OK("ftruncate down", ftruncate(fd, 5000));
	fstat(fd, &st);
	printf("truncated size=%ld blocks=%ld\n", (long)st.st_size, (long)st.st_blocks);

	/* MAP_SHARED: writes through the mapping reach read(), write() reaches the mapping */
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap shared", m != MAP_FAILED);
	if (m != MAP_FAILED) {
		memcpy(m + 100, "MAPPED", 6);
		CHECK("read sees mapping", pread(fd, buf, 6, 100) == 6 && !memcmp(buf, "MAPPED", 6));
		CHECK("pwrite", pwrite(fd, "WRITTEN", 7, 200) == 7);
		CHECK("mapping sees write", !memcmp(m + 200, "WRITTEN", 7));
		munmap(m, 8192);
	}
	close(fd);

	/* names */
	CHECK_OK("mkdir sub", mkdir(D "/sub", 0750));
	CHECK_OK("symlink", symlink("a", D "/lnk"));
	ssize_t n = readlink(D "/lnk", buf, sizeof buf);
	printf("readlink: %.*s\n", (int)(n > 0 ? n : 0), buf);
	CHECK_OK("link", link(D "/a", D "/sub/a2"));
	stat(D "/a", &st);
	printf("a nlink=%d\n", (int)st.st_nlink);
	stat(D, &st);
	printf("root nlink=%d\n", (int)st.st_nlink);
	CHECK_OK("rename", rename(D "/sub/a2", D "/sub/b"));
	CHECK_ERR("rmdir nonempty", rmdir(D "/sub"), ENOTEMPTY);
	CHECK_OK("mknod null", mknod(D "/null", S_IFCHR | 0666, makedev(1, 3)));
	fd = open(D "/null", O_WRONLY);
	CHECK("write to tmpfs null node", fd >= 0 && write(fd, "abc", 3) == 3);
	close(fd);
	ls(D);
	ls(D "/sub");
	CHECK("read through symlink", (fd = open(D "/lnk", O_RDONLY)) >= 0 && read(fd, buf, 6) == 6);
	close(fd);

	/* size limit */
	fd = open(D "/big", O_CREAT | O_WRONLY, 0644);
	static char big[2 << 20];
	n = write(fd, big, sizeof big);
	fstatfs(fd, &sf);
	printf("big write=%ld bfree=%ld\n", (long)n, (long)sf.f_bfree);
	CHECK_ERR("write when full", write(fd, big, 4096), ENOSPC);
	close(fd);
	CHECK_OK("unlink big", unlink(D "/big"));
	statfs(D, &sf);
	printf("after unlink bfree=%ld\n", (long)sf.f_bfree);

	/* busy: open file, cwd */
	fd = open(D "/a", O_RDONLY);
	CHECK_ERR("umount with open file", umount(D), EBUSY);
	close(fd);
	CHECK_OK("chdir in", chdir(D "/sub"));
	CHECK_ERR("umount with cwd inside", umount(D), EBUSY);
	CHECK_OK("chdir out", chdir("/"));

	/* remount read-only and back */
	CHECK_OK("remount ro", mount(NULL, D, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	statfs(D, &sf);
	printf("ro flag=%d\n", !!(sf.f_flags & ST_RDONLY));
	CHECK_ERR("create on ro", open(D "/c", O_CREAT | O_WRONLY, 0644), EROFS);
	CHECK_ERR("open for write on ro", open(D "/a", O_WRONLY), EROFS);
	CHECK_ERR("mkdir on ro", mkdir(D "/d", 0755), EROFS);
	CHECK_OK("remount rw", mount(NULL, D, NULL, MS_REMOUNT, "size=1m,mode=755"));
	CHECK_OK("create after rw", fd = open(D "/c", O_CREAT | O_WRONLY, 0644));
	close(fd);

	/* bind mount */
	CHECK_OK("bind", mount(D "/sub", B, NULL, MS_BIND, NULL));
	CHECK_OK("bind sees file", stat(B "/b", &st));
	CHECK_OK("create via bind", fd = open(B "/viabind", O_CREAT | O_WRONLY, 0600));
	close(fd);
	CHECK_OK("visible in original", stat(D "/sub/viabind", &st));
	CHECK_ERR("rename across mounts", rename(B "/viabind", D "/x"), EXDEV);
	show_mount_line("/proc/self/mountinfo", B);
	CHECK_OK("umount bind", umount(B));
	CHECK_ERR("gone after umount", stat(B "/b", &st), ENOENT);

	/* noexec */
	CHECK_OK("remount noexec", mount(NULL, D, NULL, MS_REMOUNT | MS_NOEXEC, "size=1m,mode=755"));
	fd = open(D "/script", O_CREAT | O_WRONLY, 0755);
	CHECK("write script", write(fd, "#!/bin/sh\nexit 0\n", 17) == 17);
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "script", NULL };
		execv(D "/script", argv);
		_exit(errno == EACCES ? 42 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK("exec on noexec is EACCES", WIFEXITED(status) && WEXITSTATUS(status) == 42);
	statfs(D, &sf);
	printf("noexec flag=%d\n", !!(sf.f_flags & ST_NOEXEC));

	/* lazy unmount keeps open files working */
	fd = open(D "/a", O_RDONLY);
	CHECK_OK("umount detach", umount2(D, MNT_DETACH));
	CHECK("read after detach", pread(fd, buf, 6, 100) == 6 && !memcmp(buf, "MAPPED", 6));
	close(fd);
	CHECK_ERR("file gone from tree", stat(D "/a", &st), ENOENT);

	/* proc and sysfs */
	CHECK_OK("mount proc", mount("proc", D, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	statfs(D, &sf);
	printf("proc type=%#lx nosuid=%d\n", (long)sf.f_type, !!(sf.f_flags & ST_NOSUID));
	CHECK_OK("proc self", lstat(D "/self", &st));
	show_mount_line("/proc/mounts", D);
	CHECK_OK("umount proc", umount(D));
	CHECK_OK("mount sysfs", mount("sysfs", D, "sysfs", 0, NULL));
	statfs(D, &sf);
	printf("sysfs type=%#lx\n", (long)sf.f_type);
	CHECK_OK("sysfs kernel dir", stat(D "/kernel", &st));
	CHECK_OK("sysfs class dir", stat(D "/class", &st));
	CHECK_OK("umount sysfs", umount(D));

	cleanup();
	return t_done();
}
