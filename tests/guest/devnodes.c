/* Device nodes as Linux has them: the memory devices fill whole reads
 * (read, readv, getrandom of 1-8 MiB at once), nodes made with mknod in a
 * private tmpfs open the device of their number (null, zero, full,
 * urandom) or fail with ENXIO, and only root may make them. The
 * devtmpfs side (/dev itself) is tests/bats/devfs.bats. Runs as root. */
#include "t.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define MB (1 << 20)
static char dir[] = "/tmp/umk-devnodes-XXXXXX";
static char paths[2][300];
static char *big;

/* dir/name (two calls may be used together: rename) */
static const char *at(const char *name)
{
	static int n;
	char *p = paths[n++ % 2];
	snprintf(p, sizeof paths[0], "%s/%s", dir, name);
	return p;
}

static int all_zero(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void whole_reads(void)
{
	int z = open("/dev/zero", O_RDONLY);
	memset(big, 1, 8 * MB);
	CHECK("read 8 MiB of /dev/zero at once", read(z, big, 8 * MB) == 8 * MB && all_zero(big, 8 * MB));
	memset(big, 1, 2 * MB);
	struct iovec iov[2] = { { big, MB }, { big + MB, MB } };
	CHECK("readv 2 MiB of /dev/zero", readv(z, iov, 2) == 2 * MB && all_zero(big, 2 * MB));
	CHECK("pread /dev/zero", pread(z, big, MB, 12345) == MB);
	close(z);
	int f = open("/dev/full", O_RDWR);
	CHECK("read 1 MiB of /dev/full", read(f, big, MB) == MB);
	CHECK_ERR("write /dev/full", write(f, "x", 1), ENOSPC);
	close(f);
	int u = open("/dev/urandom", O_RDONLY);
	memset(big, 0, 4 * MB);
	CHECK("read 4 MiB of /dev/urandom at once", read(u, big, 4 * MB) == 4 * MB && !all_zero(big + 4 * MB - 64, 64));
	close(u);
	int r = open("/dev/random", O_RDONLY);
	CHECK("read 1 MiB of /dev/random at once", read(r, big, MB) == MB);
	close(r);
	CHECK("getrandom 8 MiB at once", getrandom(big, 8 * MB, 0) == 8 * MB);
	CHECK("getrandom GRND_INSECURE", getrandom(big, 100, GRND_INSECURE) == 100);
	CHECK_ERR("getrandom GRND_INSECURE|GRND_RANDOM", getrandom(big, 100, GRND_INSECURE | GRND_RANDOM), EINVAL);
	CHECK_ERR("getrandom unknown flag", getrandom(big, 100, 0x100), EINVAL);
	void *volatile nowhere = (void *)8;
	CHECK_ERR("getrandom bad buffer", getrandom(nowhere, 100, 0), EFAULT);
	int nul = open("/dev/null", O_WRONLY);
	CHECK("/dev/null takes a write from no buffer", write(nul, nowhere, 100) == 100);
	struct iovec bad[2] = { { nowhere, 10 }, { nowhere, 20 } };
	CHECK("/dev/null takes a writev from no buffers", writev(nul, bad, 2) == 30);
	close(nul);
	z = open("/dev/zero", O_WRONLY);
	CHECK("/dev/zero too", write(z, nowhere, 100) == 100);
	close(z);
	z = open("/dev/zero", O_RDONLY);
	/* a buffer that runs into an inaccessible page: the part before it */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(two + 4096, 4096, PROT_NONE);
	CHECK("read /dev/zero into a short buffer", read(z, two, 8192) == 4096);
	CHECK_ERR("read /dev/zero into no buffer", read(z, two + 4096, 100), EFAULT);
	munmap(two, 8192);
	close(z);
}

static void nodes(void)
{
	CHECK_OK("mknod c 1 3 (null)", mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)));
	int fd = open(at("null"), O_RDWR);
	CHECK("write to it", fd >= 0 && write(fd, "abc", 3) == 3);
	CHECK("read it: EOF", read(fd, big, 10) == 0);
	close(fd);
	CHECK_OK("mknod c 1 5 (zero)", mknod(at("zero"), S_IFCHR | 0644, makedev(1, 5)));
	fd = open(at("zero"), O_RDONLY);
	memset(big, 1, MB);
	CHECK("a whole MiB of zeroes through it", fd >= 0 && read(fd, big, MB) == MB && all_zero(big, MB));
	close(fd);
	CHECK_OK("mknod c 1 7 (full)", mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)));
	fd = open(at("full"), O_WRONLY);
	CHECK_ERR("full: ENOSPC", write(fd, "x", 1), ENOSPC);
	close(fd);
	CHECK_OK("mknod c 1 9 (urandom)", mknod(at("urandom"), S_IFCHR | 0444, makedev(1, 9)));
	fd = open(at("urandom"), O_RDONLY);
	CHECK("urandom through it", fd >= 0 && read(fd, big, 1000) == 1000);
	close(fd);
	struct stat st;
	CHECK("stat shows the number", stat(at("zero"), &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
					       minor(st.st_rdev) == 5 && (st.st_mode & 07777) == 0644);
	/* numbers with no device (42: "demo/sample use", never allocated) */
	CHECK_OK("mknod c 42 42", mknod(at("nochr"), S_IFCHR | 0666, makedev(42, 42)));
	CHECK_ERR("open it", open(at("nochr"), O_RDONLY), ENXIO);
	CHECK_OK("mknod b 42 42", mknod(at("noblk"), S_IFBLK | 0666, makedev(42, 42)));
	CHECK_ERR("open the block node", open(at("noblk"), O_RDONLY), ENXIO);
	CHECK_ERR("mknod over a name", mknod(at("zero"), S_IFCHR | 0666, makedev(1, 5)), EEXIST);
	CHECK_ERR("mknod a directory", mknod(at("bad"), S_IFDIR | 0755, 0), EPERM);
	CHECK_ERR("mknod bad type", mknod(at("bad"), 0170000 | 0755, 0), EINVAL);
	CHECK_ERR("mknod in a missing dir", mknod(at("no/x"), S_IFCHR | 0666, makedev(1, 3)), ENOENT);
	CHECK_OK("rename a node", rename(at("null"), at("null2")));
	CHECK_OK("chmod a node", chmod(at("null2"), 0600));
	CHECK_OK("chown a node", chown(at("null2"), 1, 2));
	CHECK("owner and mode", stat(at("null2"), &st) == 0 && st.st_uid == 1 && st.st_gid == 2 &&
					(st.st_mode & 07777) == 0600);
	CHECK_OK("unlink a node", unlink(at("null2")));
	CHECK_OK("mkdir 0755", mkdir(at("sub"), 0755));
	CHECK_OK("symlink", symlink("/dev/null", at("sub/l")));
	pid_t pid = fork();
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		int bad = 0;
		errno = 0;
		if (mknod(at("x"), S_IFCHR | 0666, makedev(1, 3)) != -1 || errno != EPERM)
			bad |= 1;	/* world-writable dir: the device needs CAP_MKNOD */
		errno = 0;
		if (mknod(at("sub/x"), S_IFIFO | 0666, 0) != -1 || errno != EACCES)
			bad |= 2;	/* no write permission on sub */
		errno = 0;
		if (mkdir(at("sub/d"), 0755) != -1 || errno != EACCES)
			bad |= 4;
		errno = 0;
		if (unlink(at("sub/l")) != -1 || errno != EACCES)
			bad |= 8;
		errno = 0;
		if (chmod(at("zero"), 0666) != -1 || errno != EPERM)
			bad |= 16;	/* not the owner */
		_exit(bad);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK("non-root: EPERM for devices, EACCES without write permission, EPERM for chmod",
	      WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(void)
{
	big = malloc(8 * MB + 4096);
	if (!big || !mkdtemp(dir))
		DIE("setup");
	if (mount("tmpfs", dir, "tmpfs", 0, "mode=1777"))
		DIE("mount tmpfs");
	whole_reads();
	nodes();
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	return t_done();
}
