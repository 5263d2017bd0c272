/* memfd_create and file seals as Linux: flag and name checks, the
 * /proc/self/fd name, a file that reads, writes, truncates and maps
 * shared; F_GET_SEALS/F_ADD_SEALS with every seal enforced where Linux
 * enforces it (write, truncate up and down, shared writable mmap and
 * mprotect, EBUSY while a writable mapping exists), and seals on a file
 * that is not a memfd or not sealable. */
#include "t.h"
#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

static int mfd(const char *name, unsigned flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

int main(void)
{
	char longname[300];
	memset(longname, 'x', sizeof(longname));
	longname[250] = 0;
	show("a 250-byte name", mfd(longname, 0));
	longname[249] = 0;
	int big = mfd(longname, 0);
	show("a 249-byte name", big >= 0 ? 0 : -1);
	close(big);
	show("bad flags", mfd("x", 0x100));
	show("a bad name pointer", mfd((const char *)8, 0));

	int fd = mfd("test", MFD_CLOEXEC);
	char link[256] = "";
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(p, link, sizeof(link) - 1);
	printf("fd link: %s\n", n > 0 ? link : strerror(errno));
	show("FD_CLOEXEC", fcntl(fd, F_GETFD));
	show("access mode", fcntl(fd, F_GETFL) & O_ACCMODE);
	struct stat st;
	fstat(fd, &st);
	printf("mode %o size %ld nlink %ld\n", st.st_mode, (long)st.st_size, (long)st.st_nlink);
	show("write", write(fd, "hello world", 11));
	show("ftruncate 8192", ftruncate(fd, 8192));
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(m + 4096, "mapped", 6);
	char buf[16] = "";
	show("pread through the mapping's write", pread(fd, buf, 6, 4096));
	printf("read back: %.6s\n", buf);
	pid_t c = fork();
	if (c == 0) {
		memcpy(m, "HELLO", 5);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	pread(fd, buf, 11, 0);
	printf("after the child wrote through the shared map: %.11s\n", buf);
	show("F_GET_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_GET_SEALS));
	show("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));

	int s = mfd("sealed", MFD_ALLOW_SEALING);
	show("F_GET_SEALS", fcntl(s, F_GET_SEALS));
	show("bad seal bits", fcntl(s, F_ADD_SEALS, 0x100));
	ftruncate(s, 4096);
	show("seal shrink", fcntl(s, F_ADD_SEALS, F_SEAL_SHRINK));
	show("ftruncate down", ftruncate(s, 100));
	show("ftruncate up", ftruncate(s, 8192));
	show("seal grow", fcntl(s, F_ADD_SEALS, F_SEAL_GROW));
	show("ftruncate up again", ftruncate(s, 16384));
	show("write past the end", pwrite(s, "x", 1, 8192));
	show("write inside", pwrite(s, "abc", 3, 10));
	char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	show("seal write while mapped writable", fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(w, 4096);
	show("seal write", fcntl(s, F_ADD_SEALS, F_SEAL_WRITE));
	show("F_GET_SEALS", fcntl(s, F_GET_SEALS));
	show("write when sealed", pwrite(s, "abc", 3, 10));
	void *x = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, s, 0);
	show("shared writable mmap when sealed", x == MAP_FAILED ? -1 : 0);
	x = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, s, 0);
	show("private writable mmap when sealed", x == MAP_FAILED ? -1 : 0);
	char *r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0);
	show("shared read-only mmap when sealed", r == MAP_FAILED ? -1 : 0);
	show("mprotect it writable", mprotect(r, 4096, PROT_READ | PROT_WRITE));
	show("seal seal", fcntl(s, F_ADD_SEALS, F_SEAL_SEAL));
	show("another seal after F_SEAL_SEAL", fcntl(s, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	show("F_GET_SEALS", fcntl(s, F_GET_SEALS));

	int pfd[2];
	pipe(pfd);
	show("F_GET_SEALS on a pipe", fcntl(pfd[0], F_GET_SEALS));
	show("F_ADD_SEALS on a pipe's write end", fcntl(pfd[1], F_ADD_SEALS, F_SEAL_GROW));
	return t_failures ? 1 : 0;
}
