/* Files: open flags, I/O calls, fd duplication, stat, namespace
 * operations and their errnos, getdents64, truncation, times, modes. */
#include "t.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static char T[64];
static char pbuf[8][256];
static int pi;
static const char *P(const char *rel)
{
	char *b = pbuf[pi++ % 8];
	snprintf(b, 256, "%s/%s", T, rel);
	return b;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	strcpy(T, "/tmp/umk-files.XXXXXX");
	if (!mkdtemp(T))
		DIE("mkdtemp");
	umask(022);
	char buf[256];

	/* open / creat / O_EXCL / O_TRUNC / O_APPEND */
	int fd = creat(P("a"), 0666);
	CHECK("creat", fd >= 0);
	CHECK("write 11", write(fd, "hello world", 11) == 11);
	CHECK_ERR("read from O_WRONLY", read(fd, buf, 1), EBADF);
	close(fd);
	CHECK_ERR("O_CREAT|O_EXCL on existing", open(P("a"), O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ERR("open missing without O_CREAT", open(P("nope"), O_RDONLY), ENOENT);
	CHECK_ERR("open in missing dir", open(P("nodir/x"), O_CREAT | O_WRONLY, 0644), ENOENT);
	fd = open(P("a"), O_RDWR);
	CHECK("read back", read(fd, buf, sizeof buf) == 11 && memcmp(buf, "hello world", 11) == 0);
	CHECK("read at EOF returns 0", read(fd, buf, sizeof buf) == 0);
	/* lseek */
	CHECK("lseek SEEK_SET", lseek(fd, 6, SEEK_SET) == 6);
	CHECK("read after seek", read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0);
	CHECK("lseek SEEK_CUR", lseek(fd, -5, SEEK_CUR) == 6);
	CHECK("lseek SEEK_END", lseek(fd, 0, SEEK_END) == 11);
	CHECK_ERR("lseek negative", lseek(fd, -100, SEEK_SET), EINVAL);
	/* write past EOF leaves a zero-filled gap */
	CHECK("lseek past EOF", lseek(fd, 20, SEEK_SET) == 20);
	CHECK("write past EOF", write(fd, "Z", 1) == 1);
	CHECK("gap reads zero", pread(fd, buf, 10, 11) == 10 && buf[0] == 0 && buf[8] == 0 && buf[9] == 'Z');
	/* pread / pwrite do not move the offset */
	CHECK("pwrite", pwrite(fd, "HELLO", 5, 0) == 5);
	CHECK("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR) == 21);
	CHECK("pread", pread(fd, buf, 11, 0) == 11 && memcmp(buf, "HELLO world", 11) == 0);
	CHECK("offset unchanged by pread", lseek(fd, 0, SEEK_CUR) == 21);
	close(fd);
	/* O_TRUNC */
	fd = open(P("a"), O_WRONLY | O_TRUNC);
	struct stat st;
	fstat(fd, &st);
	CHECK("O_TRUNC empties the file", st.st_size == 0);
	close(fd);
	/* O_APPEND */
	fd = open(P("a"), O_WRONLY | O_APPEND);
	(void)!write(fd, "one,", 4);
	lseek(fd, 0, SEEK_SET);
	(void)!write(fd, "two", 3);
	close(fd);
	fd = open(P("a"), O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf);
	CHECK("O_APPEND always appends", n == 7 && memcmp(buf, "one,two", 7) == 0);
	close(fd);
	/* readv / writev */
	fd = open(P("v"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct iovec iov[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	CHECK("writev", writev(fd, iov, 3) == 8);
	char r1[2], r2[10];
	struct iovec riov[2] = { { r1, 2 }, { r2, 10 } };
	lseek(fd, 0, SEEK_SET);
	CHECK("readv", readv(fd, riov, 2) == 8 && memcmp(r1, "ab", 2) == 0 && memcmp(r2, "cdefgh", 6) == 0);
	close(fd);

	/* dup family and fd flags */
	fd = open(P("v"), O_RDONLY);
	int lowest = 0;
	while (fcntl(lowest, F_GETFD) != -1)
		lowest++;
	int d = dup(fd);
	CHECK("dup returns lowest free", d == lowest);
	CHECK("dup shares the offset", lseek(fd, 3, SEEK_SET) == 3 && lseek(d, 0, SEEK_CUR) == 3);
	CHECK("dup2 to 50", dup2(fd, 50) == 50);
	CHECK("dup2 same fd", dup2(50, 50) == 50);
	CHECK_ERR("dup3 same fd", dup3(50, 50, 0), EINVAL);
	CHECK("dup3 O_CLOEXEC", dup3(fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC);
	CHECK("dup2 clears cloexec", dup2(fd, 51) == 51 && fcntl(51, F_GETFD) == 0);
	CHECK("F_DUPFD >= 60", fcntl(fd, F_DUPFD, 60) == 60);
	CHECK("F_DUPFD_CLOEXEC", fcntl(fd, F_DUPFD_CLOEXEC, 60) == 61 && fcntl(61, F_GETFD) == FD_CLOEXEC);
	CHECK_OK("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK("F_GETFD", fcntl(fd, F_GETFD) == FD_CLOEXEC && fcntl(d, F_GETFD) == 0);
	CHECK("F_GETFL O_RDONLY", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK_OK("F_SETFL O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK));
	CHECK("status flags shared by dup", (fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
	CHECK_ERR("close bad fd", close(1000), EBADF);
	CHECK_ERR("dup bad fd", dup(1000), EBADF);
	close(50);
	close(51);
	close(60);
	close(61);
	close(d);
	close(fd);

	/* stat fields */
	umask(027);
	fd = open(P("m"), O_CREAT | O_WRONLY, 0777);
	(void)!write(fd, "12345", 5);
	fstat(fd, &st);
	close(fd);
	CHECK("umask applied to create mode (0750)", (st.st_mode & 07777) == 0750);
	CHECK("S_ISREG", S_ISREG(st.st_mode));
	CHECK("st_size 5", st.st_size == 5);
	CHECK("st_nlink 1", st.st_nlink == 1);
	CHECK("st_uid == geteuid", st.st_uid == geteuid());
	CHECK("umask returns previous", umask(022) == 027);
	CHECK_OK("chmod 0604", chmod(P("m"), 0604));
	stat(P("m"), &st);
	CHECK("chmod applied", (st.st_mode & 07777) == 0604);
	fd = open(P("m"), O_RDONLY);
	CHECK_OK("fchmod 0640", fchmod(fd, 0640));
	fstat(fd, &st);
	CHECK("fchmod applied", (st.st_mode & 07777) == 0640);
	close(fd);
	CHECK_OK("access F_OK", access(P("m"), F_OK));
	CHECK_ERR("access X_OK on non-executable", access(P("m"), X_OK), EACCES);
	CHECK_ERR("access missing", access(P("missing"), F_OK), ENOENT);
	struct stat dst;
	stat(T, &dst);
	CHECK("directory S_ISDIR", S_ISDIR(dst.st_mode));

	/* link / rename / unlink */
	CHECK_OK("link", link(P("m"), P("m2")));
	stat(P("m"), &st);
	struct stat st2;
	stat(P("m2"), &st2);
	CHECK("nlink 2 after link", st.st_nlink == 2);
	CHECK("hard link same inode", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
	CHECK_ERR("link onto existing", link(P("m"), P("m2")), EEXIST);
	CHECK_OK("rename", rename(P("m2"), P("m3")));
	CHECK_ERR("old name gone", stat(P("m2"), &st2), ENOENT);
	CHECK_OK("rename over existing file", rename(P("m3"), P("a")));
	stat(P("a"), &st2);
	CHECK("target replaced", st2.st_ino == st.st_ino && st2.st_size == 5);
	CHECK_OK("unlink", unlink(P("a")));
	stat(P("m"), &st);
	CHECK("nlink 1 after unlink", st.st_nlink == 1);
	CHECK_ERR("unlink missing", unlink(P("a")), ENOENT);
	/* unlinked open file stays readable */
	fd = open(P("m"), O_RDONLY);
	unlink(P("m"));
	CHECK("unlinked file still readable", read(fd, buf, 5) == 5 && memcmp(buf, "12345", 5) == 0);
	fstat(fd, &st);
	CHECK("unlinked file nlink 0", st.st_nlink == 0);
	close(fd);

	/* mkdir / rmdir and their errors */
	CHECK_OK("mkdir", mkdir(P("d"), 0755));
	CHECK_ERR("mkdir existing", mkdir(P("d"), 0755), EEXIST);
	CHECK_ERR("mkdir in missing parent", mkdir(P("x/y"), 0755), ENOENT);
	fd = creat(P("d/f"), 0644);
	close(fd);
	CHECK_ERR("rmdir non-empty", rmdir(P("d")), ENOTEMPTY);
	CHECK_ERR("rmdir a file", rmdir(P("d/f")), ENOTDIR);
	CHECK_ERR("unlink a directory", unlink(P("d")), EISDIR);
	CHECK_ERR("open dir for writing", open(P("d"), O_WRONLY), EISDIR);
	CHECK_ERR("file as path component", open(P("d/f/g"), O_RDONLY), ENOTDIR);
	CHECK_ERR("O_DIRECTORY on a file", open(P("d/f"), O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR("rename dir below itself", rename(P("d"), P("d/f")), EINVAL);
	CHECK_OK("mkdir e", mkdir(P("e"), 0755));
	CHECK_ERR("rename file over dir", rename(P("d/f"), P("e")), EISDIR);
	CHECK_OK("rename dir over empty dir", rename(P("e"), P("d2")));
	CHECK_OK("mkdir e again", mkdir(P("e"), 0755));
	CHECK_ERR("rename dir over non-empty dir", rename(P("e"), P("d")), ENOTEMPTY);
	CHECK_ERR("rename dir into itself", rename(P("d"), P("d/sub")), EINVAL);
	close(creat(P("plain"), 0644));
	CHECK_ERR("rename dir over file", rename(P("d"), P("plain")), ENOTDIR);
	unlink(P("plain"));
	CHECK_ERR("rmdir .", rmdir(P("e/.")), EINVAL);

	/* getdents64 listing */
	const char *names[] = { "zeta", "alpha", "mid", "Beta", "a.b" };
	for (unsigned i = 0; i < 5; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "e/%s", names[i]);
		close(creat(P(rel), 0644));
	}
	mkdir(P("e/subdir"), 0755);
	fd = open(P("e"), O_RDONLY | O_DIRECTORY);
	char dbuf[4096];
	char *list[64];
	int cnt = 0, dots = 0, dtype_ok = 1;
	long nr;
	while ((nr = syscall(SYS_getdents64, fd, dbuf, sizeof dbuf)) > 0) {
		for (long off = 0; off < nr;) {
			struct dirent64 *de = (struct dirent64 *)(dbuf + off);
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				dots++;
			else if (cnt < 64) {
				if (de->d_type != DT_UNKNOWN &&
				    de->d_type != (strcmp(de->d_name, "subdir") ? DT_REG : DT_DIR))
					dtype_ok = 0;
				list[cnt++] = strdup(de->d_name);
			}
			off += de->d_reclen;
		}
	}
	close(fd);
	CHECK("getdents64 returned . and ..", dots == 2);
	CHECK("getdents64 d_type right", dtype_ok);
	qsort(list, cnt, sizeof list[0], cmpstr);
	printf("listing:");
	for (int i = 0; i < cnt; i++)
		printf(" %s", list[i]);
	printf("\n");
	/* readdir via libc, small buffer forces several calls */
	DIR *dir = opendir(P("e"));
	int rc = 0;
	while (readdir(dir))
		rc++;
	closedir(dir);
	CHECK("readdir count 8", rc == 8);

	/* truncate / ftruncate */
	fd = open(P("t"), O_RDWR | O_CREAT, 0644);
	(void)!write(fd, "0123456789", 10);
	CHECK_OK("ftruncate shrink", ftruncate(fd, 4));
	fstat(fd, &st);
	CHECK("size 4", st.st_size == 4);
	CHECK_OK("truncate grow", truncate(P("t"), 100));
	stat(P("t"), &st);
	CHECK("size 100", st.st_size == 100);
	CHECK("grown part reads zero", pread(fd, buf, 10, 0) == 10 && memcmp(buf, "0123\0\0\0\0\0\0", 10) == 0);
	CHECK_ERR("ftruncate negative", ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open(P("t"), O_RDONLY);
	CHECK_ERR("ftruncate read-only fd", ftruncate(fd, 0), EINVAL);
	close(fd);
	CHECK_ERR("truncate a directory", truncate(P("e"), 0), EISDIR);

	/* utimensat */
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
	CHECK_OK("utimensat", utimensat(AT_FDCWD, P("t"), ts, 0));
	stat(P("t"), &st);
	CHECK("atime set", st.st_atim.tv_sec == 1000000000);
	CHECK("mtime set", st.st_mtim.tv_sec == 1234567890 && st.st_mtim.tv_nsec == 500);
	struct timespec om[2] = { { 0, UTIME_OMIT }, { 42, 0 } };
	CHECK_OK("utimensat UTIME_OMIT", utimensat(AT_FDCWD, P("t"), om, 0));
	stat(P("t"), &st);
	CHECK("UTIME_OMIT keeps atime", st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 42);
	CHECK_ERR("utimensat missing", utimensat(AT_FDCWD, P("missing"), ts, 0), ENOENT);

	/* cleanup */
	for (unsigned i = 0; i < 5; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "e/%s", names[i]);
		unlink(P(rel));
	}
	rmdir(P("e/subdir"));
	rmdir(P("e"));
	unlink(P("d/f"));
	rmdir(P("d"));
	rmdir(P("d2"));
	unlink(P("t"));
	unlink(P("v"));
	CHECK_OK("scratch dir removed", rmdir(T));
	return t_done();
}
