/* fallocate on tmpfs (allocate, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE; the
 * modes tmpfs lacks; ENOSPC leaving the file as it was; seals),
 * copy_file_range (same filesystem, EXDEV across two tmpfs mounts),
 * posix_fadvise, readahead and sync_file_range, with the errno of each
 * case the man pages list. Runs as root (mounts its own tmpfs). */
#include "t.h"
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

static char dir[] = "/tmp/umk-falloc-XXXXXX";
static char dir2[300], path[300];
static char buf[65536];

static int mkfile(const char *d, const char *name, const char *data)
{
	snprintf(path, sizeof path, "%s/%s", d, name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		DIE("mkfile");
	return fd;
}

static void show(const char *what, int fd)
{
	struct stat st;
	fstat(fd, &st);
	printf("%s: size %lld blocks %lld\n", what, (long long)st.st_size, (long long)st.st_blocks);
}

static void falloc(void)
{
	int fd = mkfile(dir, "f", "");
	CHECK_OK("allocate 10000 bytes", fallocate(fd, 0, 0, 10000));
	show("after allocate", fd);
	CHECK_OK("KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 10000, 20000));
	show("after KEEP_SIZE", fd);
	memset(buf, 'x', sizeof buf);
	CHECK("fill", pwrite(fd, buf, 30000, 0) == 30000);
	CHECK_OK("punch a hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 12000));
	show("after punch", fd);
	CHECK("hole reads zeroes, edges kept", pread(fd, buf, 30000, 0) == 30000 && buf[99] == 'x' && buf[100] == 0 &&
						    buf[12099] == 0 && buf[12100] == 'x' && buf[29999] == 'x');
	char *m = mmap(NULL, 30000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK("mmap", m != MAP_FAILED);
	m[20000] = 'y';
	CHECK_OK("punch under a mapping", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 16384, 8192));
	CHECK("mapping sees the hole", m[20000] == 0 && m[16383] == 'x' && m[24576] == 'x');
	munmap(m, 30000);
	CHECK_OK("allocate inside the file", fallocate(fd, 0, 0, 100));
	show("after allocate inside", fd);
	CHECK_OK("grow with mode 0", fallocate(fd, 0, 40000, 1));
	show("after grow", fd);
	CHECK_ERR("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
	CHECK_ERR("ZERO_RANGE on tmpfs", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 10), EOPNOTSUPP);
	CHECK_ERR("COLLAPSE_RANGE on tmpfs", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("INSERT_RANGE on tmpfs", fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("COLLAPSE with KEEP_SIZE", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096), EOPNOTSUPP);
	CHECK_ERR("PUNCH and ZERO together", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE, 0, 10), EOPNOTSUPP);
	CHECK_ERR("NO_HIDE_STALE", fallocate(fd, FALLOC_FL_NO_HIDE_STALE, 0, 10), EOPNOTSUPP);
	CHECK_ERR("unknown mode bit", fallocate(fd, 0x1000, 0, 10), EOPNOTSUPP);
	CHECK_ERR("length 0", fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR("negative length", fallocate(fd, 0, 0, -1), EINVAL);
	CHECK_ERR("negative offset", fallocate(fd, 0, -1, 10), EINVAL);
	CHECK_ERR("length 0 beats a bad mode", fallocate(fd, 0x1000, 0, 0), EINVAL);
	CHECK_ERR("offset + length overflows", fallocate(fd, 0, 0x7fffffffffffff00LL, 0x1000), EFBIG);
	CHECK_ERR("bad fd", fallocate(99, 0, 0, 10), EBADF);
	int ro = open(path, O_RDONLY);
	CHECK_ERR("read-only fd", fallocate(ro, 0, 0, 10), EBADF);
	CHECK_ERR("bad mode beats read-only fd", fallocate(ro, 0x1000, 0, 10), EOPNOTSUPP);
	close(ro);
	int p[2];
	if (pipe(p))
		DIE("pipe");
	CHECK_ERR("pipe", fallocate(p[1], 0, 0, 10), ESPIPE);
	CHECK_ERR("pipe read end", fallocate(p[0], 0, 0, 10), EBADF);
	close(p[0]);
	close(p[1]);
	int nul = open("/dev/null", O_WRONLY);
	CHECK_ERR("character device", fallocate(nul, 0, 0, 10), ENODEV);
	close(nul);
	int s[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s))
		DIE("socketpair");
	CHECK_ERR("socket", fallocate(s[0], 0, 0, 10), ENODEV);
	close(s[0]);
	close(s[1]);
	close(fd);
	/* a small tmpfs: an allocation that does not fit changes nothing */
	int small = mkfile(dir2, "small", "");
	CHECK_ERR("more than the filesystem holds", fallocate(small, 0, 0, 1 << 20), ENOSPC);
	show("after ENOSPC", small);
	CHECK_OK("what fits", fallocate(small, 0, 0, 32768));
	show("after fitting", small);
	close(small);
	/* seals */
	int mfd = memfd_create("sealed", MFD_ALLOW_SEALING);
	CHECK("memfd", mfd >= 0 && ftruncate(mfd, 4096) == 0 && fcntl(mfd, F_ADD_SEALS, F_SEAL_GROW) == 0);
	CHECK_ERR("grow a F_SEAL_GROW memfd", fallocate(mfd, 0, 0, 8192), EPERM);
	CHECK_OK("allocate inside a F_SEAL_GROW memfd", fallocate(mfd, 0, 0, 4096));
	CHECK("add F_SEAL_WRITE", fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE) == 0);
	CHECK_ERR("punch a F_SEAL_WRITE memfd", fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 10), EPERM);
	close(mfd);
}

static void copy_range(void)
{
	int in = mkfile(dir, "src", "0123456789abcdefghij"), out = mkfile(dir, "dst", "");
	loff_t oin = 5, oout = 2;
	CHECK("copy with offsets", copy_file_range(in, &oin, out, &oout, 8, 0) == 8);
	CHECK("offsets advanced, f_pos not", oin == 13 && oout == 10 && lseek(in, 0, SEEK_CUR) == 20 &&
						  lseek(out, 0, SEEK_CUR) == 0);
	char b[32] = { 0 };
	CHECK("copied bytes", pread(out, b, sizeof b, 0) == 10 && !memcmp(b, "\0\0" "56789abc", 10));
	lseek(in, 15, SEEK_SET);
	CHECK("copy at f_pos, short at EOF", copy_file_range(in, NULL, out, NULL, 100, 0) == 5);
	CHECK("f_pos advanced", lseek(in, 0, SEEK_CUR) == 20 && lseek(out, 0, SEEK_CUR) == 5);
	CHECK("copy at EOF gives 0", copy_file_range(in, NULL, out, NULL, 100, 0) == 0);
	CHECK("len 0", copy_file_range(in, &(loff_t){ 0 }, out, NULL, 0, 0) == 0);
	CHECK("same file, apart", copy_file_range(in, &(loff_t){ 0 }, in, &(loff_t){ 10 }, 5, 0) == 5);
	CHECK_ERR("same file, overlapping", copy_file_range(in, &(loff_t){ 0 }, in, &(loff_t){ 3 }, 5, 0), EINVAL);
	CHECK_ERR("flags", copy_file_range(in, &(loff_t){ 0 }, out, NULL, 5, 1), EINVAL);
	CHECK_ERR("bad fd in", copy_file_range(99, NULL, out, NULL, 5, 0), EBADF);
	CHECK_ERR("bad fd out", copy_file_range(in, NULL, 99, NULL, 5, 0), EBADF);
	int ro = open(path, O_RDONLY), wo = open(path, O_WRONLY), ap = open(path, O_WRONLY | O_APPEND);
	CHECK_ERR("to a read-only fd", copy_file_range(in, &(loff_t){ 0 }, ro, NULL, 5, 0), EBADF);
	CHECK_ERR("from a write-only fd", copy_file_range(wo, &(loff_t){ 0 }, out, NULL, 5, 0), EBADF);
	CHECK_ERR("to an O_APPEND fd", copy_file_range(in, &(loff_t){ 0 }, ap, NULL, 5, 0), EBADF);
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_ERR("from a directory", copy_file_range(d, NULL, out, NULL, 5, 0), EISDIR);
	int p[2];
	if (pipe(p))
		DIE("pipe");
	CHECK_ERR("to a pipe", copy_file_range(in, &(loff_t){ 0 }, p[1], NULL, 5, 0), EINVAL);
	CHECK_ERR("bad offset pointer", copy_file_range(in, (loff_t *)8, out, NULL, 5, 0), EFAULT);
	CHECK("huge offset: past EOF, 0", copy_file_range(in, &(loff_t){ 0x7ffffffffffffff0LL }, out, NULL, 0x100, 0) == 0);
	CHECK_ERR("negative offset wraps", copy_file_range(in, &(loff_t){ -1 }, out, NULL, 5, 0), EOVERFLOW);
	int other = mkfile(dir2, "other", "");
	CHECK_ERR("across two tmpfs mounts", copy_file_range(in, &(loff_t){ 0 }, other, NULL, 5, 0), EXDEV);
	/* fadvise (returns the error), readahead, sync_file_range */
	CHECK("fadvise WILLNEED", posix_fadvise(in, 0, 100, POSIX_FADV_WILLNEED) == 0);
	CHECK("fadvise DONTNEED, len 0", posix_fadvise(in, 0, 0, POSIX_FADV_DONTNEED) == 0);
	CHECK("fadvise NOREUSE", posix_fadvise(in, 0, 10, POSIX_FADV_NOREUSE) == 0);
	CHECK("fadvise bad advice", posix_fadvise(in, 0, 10, 99) == EINVAL);
	CHECK("fadvise negative len", posix_fadvise(in, 0, -1, POSIX_FADV_NORMAL) == EINVAL);
	CHECK("fadvise on a pipe", posix_fadvise(p[0], 0, 10, POSIX_FADV_NORMAL) == ESPIPE);
	CHECK("fadvise bad fd", posix_fadvise(99, 0, 10, POSIX_FADV_NORMAL) == EBADF);
	CHECK("fadvise a write-only fd", posix_fadvise(wo, 0, 10, POSIX_FADV_SEQUENTIAL) == 0);
	CHECK_OK("readahead", readahead(in, 0, 4096));
	CHECK_ERR("readahead on a pipe", readahead(p[0], 0, 10), EINVAL);
	CHECK_ERR("readahead on a directory", readahead(d, 0, 10), EINVAL);
	CHECK_ERR("readahead on a write-only fd", readahead(wo, 0, 10), EBADF);
	CHECK_ERR("readahead bad fd", readahead(99, 0, 10), EBADF);
	CHECK_OK("sync_file_range", sync_file_range(out, 0, 0, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
	CHECK_OK("sync_file_range read-only fd", sync_file_range(ro, 0, 10, SYNC_FILE_RANGE_WAIT_BEFORE));
	CHECK_OK("sync_file_range a directory", sync_file_range(d, 0, 10, SYNC_FILE_RANGE_WRITE));
	CHECK_ERR("sync_file_range bad flags", sync_file_range(out, 0, 0, 8), EINVAL);
	CHECK_ERR("sync_file_range negative offset", sync_file_range(out, -1, 0, 0), EINVAL);
	CHECK_ERR("sync_file_range negative length", sync_file_range(out, 0, -1, 0), EINVAL);
	CHECK_ERR("sync_file_range wraps", sync_file_range(out, 0x7fffffffffffff00LL, 0x1000, 0), EINVAL);
	CHECK_ERR("sync_file_range on a pipe", sync_file_range(p[1], 0, 0, 0), ESPIPE);
	CHECK_ERR("sync_file_range bad fd", sync_file_range(99, 0, 0, 8), EBADF);
	close(d);
	close(ro);
	close(wo);
	close(ap);
	close(other);
	close(in);
	close(out);
	close(p[0]);
	close(p[1]);
}

/* fallocate on an ext4 filesystem mounted at d (tests/bats/ext4.bats:
 * a loop mount natively, ubd in umk): Linux ext4's modes. */
static int on_ext4(const char *d)
{
	int fd = mkfile(d, "falloc", "");
	CHECK_OK("allocate 10000 bytes", fallocate(fd, 0, 0, 10000));
	show("after allocate", fd);
	CHECK("reads zeroes", pread(fd, buf, 10000, 0) == 10000 && buf[0] == 0 && buf[9999] == 0);
	CHECK_OK("KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 10000, 20000));
	show("after KEEP_SIZE", fd);
	memset(buf, 'x', sizeof buf);
	CHECK("fill", pwrite(fd, buf, 30000, 0) == 30000 && fsync(fd) == 0);
	show("after fill", fd);
	CHECK_OK("punch a hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 12000));
	show("after punch", fd);
	CHECK("hole reads zeroes, edges kept", pread(fd, buf, 30000, 0) == 30000 && buf[99] == 'x' && buf[100] == 0 &&
						    buf[12099] == 0 && buf[12100] == 'x' && buf[29999] == 'x');
	CHECK_OK("grow with mode 0", fallocate(fd, 0, 40000, 1));
	show("after grow", fd);
	CHECK_OK("punch past the end does nothing", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 50000, 4096));
	show("after punch past the end", fd);
	/* ZERO_RANGE: sizes and data only (how many extent-tree blocks the
	 * result takes depends on how the range is mapped) */
	struct stat st;
	CHECK_OK("zero a range", fallocate(fd, FALLOC_FL_ZERO_RANGE, 20000, 5000));
	CHECK("range reads zeroes", pread(fd, buf, 30000, 0) == 30000 && buf[19999] == 'x' && buf[20000] == 0 &&
					    buf[24999] == 0 && buf[25000] == 'x');
	CHECK_OK("ZERO_RANGE past the end grows", fallocate(fd, FALLOC_FL_ZERO_RANGE, 39000, 3000));
	CHECK("new size", fstat(fd, &st) == 0 && st.st_size == 42000);
	CHECK_OK("ZERO_RANGE|KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 41000, 30000));
	CHECK("same size", fstat(fd, &st) == 0 && st.st_size == 42000);
	CHECK("tail reads zeroes", pread(fd, buf, 5000, 38000) == 4000 && buf[0] == 0 && buf[3999] == 0);
	CHECK_ERR("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
	CHECK_ERR("UNSHARE_RANGE", fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, 10), EOPNOTSUPP);
	close(fd);
	CHECK_OK("unlink", unlink(path));
	return t_done();
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return on_ext4(argv[1]);
	if (!mkdtemp(dir))
		DIE("mkdtemp");
	snprintf(dir2, sizeof dir2, "%s/small", dir);
	if (mount("tmpfs", dir, "tmpfs", 0, "size=4m") || mkdir(dir2, 0755) ||
	    mount("tmpfs", dir2, "tmpfs", 0, "size=64k"))
		DIE("mount tmpfs");
	falloc();
	copy_range();
	umount(dir2);
	umount(dir);
	rmdir(dir);
	return t_done();
}
