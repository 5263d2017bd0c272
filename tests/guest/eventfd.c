/* eventfd: flags, counter and semaphore reads, EINVAL/EAGAIN, overflow
 * blocking, poll readiness, blocking read woken by another process. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static unsigned revents(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

int main(void)
{
	uint64_t v;
	char small[4];
	CHECK_ERR("bad flags", eventfd(0, 0x40000000), EINVAL);
	int fd = eventfd(3, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK("eventfd2", fd >= 0);
	CHECK("FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK("O_RDWR|O_NONBLOCK", (fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDWR | O_NONBLOCK));
	char link[64] = "";
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	CHECK("name", readlink(path, link, sizeof link - 1) > 0 && strcmp(link, "anon_inode:[eventfd]") == 0);
	CHECK_ERR("short read", read(fd, small, 4), EINVAL);
	CHECK_ERR("short write", write(fd, small, 4), EINVAL);
	CHECK("read initval", read(fd, &v, 8) == 8 && v == 3);
	CHECK_ERR("empty read", read(fd, &v, 8), EAGAIN);
	CHECK("poll empty: POLLOUT only", revents(fd, POLLIN | POLLOUT) == POLLOUT);
	v = 5;
	CHECK("write 5", write(fd, &v, 8) == 8);
	v = 7;
	CHECK("write 7", write(fd, &v, 8) == 8);
	CHECK("poll: POLLIN|POLLOUT", revents(fd, POLLIN | POLLOUT) == (POLLIN | POLLOUT));
	uint64_t big[2] = { 0, 0 };
	CHECK("read sums (16-byte buffer)", read(fd, big, 16) == 8 && big[0] == 12);
	v = ~0ull;
	CHECK_ERR("write 2^64-1", write(fd, &v, 8), EINVAL);
	v = 0;
	CHECK("write 0", write(fd, &v, 8) == 8);
	CHECK_ERR("still empty", read(fd, &v, 8), EAGAIN);
	v = 0xfffffffffffffffeull;
	CHECK("write max", write(fd, &v, 8) == 8);
	v = 1;
	CHECK_ERR("overflow write", write(fd, &v, 8), EAGAIN);
	CHECK("poll at max: POLLIN only", revents(fd, POLLIN | POLLOUT) == POLLIN);
	CHECK("read max", read(fd, &v, 8) == 8 && v == 0xfffffffffffffffeull);
	close(fd);

	/* semaphore mode */
	fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	int ones = 0;
	while (read(fd, &v, 8) == 8 && v == 1)
		ones++;
	CHECK("semaphore: three reads of 1", ones == 3 && errno == EAGAIN);
	close(fd);

	/* blocking read woken by a writer in another process */
	fd = eventfd(0, 0);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		msleep(50);
		v = 42;
		_exit(write(fd, &v, 8) == 8 ? 0 : 1);
	}
	CHECK("blocking read", read(fd, &v, 8) == 8 && v == 42);
	int st;
	waitpid(c, &st, 0);
	CHECK("writer ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* blocking write at overflow, released by a reader */
	v = 0xfffffffffffffffeull;
	write(fd, &v, 8);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		msleep(50);
		_exit(read(fd, &v, 8) == 8 && v == 0xfffffffffffffffeull ? 0 : 1);
	}
	v = 1;
	CHECK("blocking overflow write", write(fd, &v, 8) == 8);
	waitpid(c, &st, 0);
	CHECK("reader ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK("count after", read(fd, &v, 8) == 8 && v == 1);
	close(fd);

	/* the old eventfd syscall: no flags */
	fd = syscall(284 /* SYS_eventfd */, 9);
	CHECK("eventfd (old)", fd >= 0 && fcntl(fd, F_GETFD) == 0 && read(fd, &v, 8) == 8 && v == 9);
	close(fd);
	return t_done();
}
