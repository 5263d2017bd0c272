/* Pipes: pipe2 flags, EAGAIN, EOF, EPIPE, capacity, big transfer. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#define TOTAL (8u << 20)

int main(void)
{
	int p[2];
	CHECK_OK("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(p, O_CLOEXEC | O_NONBLOCK));
	CHECK("read end FD_CLOEXEC", fcntl(p[0], F_GETFD) == FD_CLOEXEC);
	CHECK("write end FD_CLOEXEC", fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	CHECK("read end O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	CHECK("read end O_RDONLY", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK("write end O_WRONLY", (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	char buf[65536];
	CHECK_ERR("empty nonblocking read", read(p[0], buf, 1), EAGAIN);
	CHECK_ERR("write to read end", write(p[0], "x", 1), EBADF);
	CHECK_ERR("read from write end", read(p[1], buf, 1), EBADF);

	/* fill the pipe: default capacity 64 KiB */
	size_t filled = 0;
	ssize_t n;
	memset(buf, 'f', sizeof buf);
	while ((n = write(p[1], buf, 4096)) > 0)
		filled += n;
	CHECK("full nonblocking write fails EAGAIN", n == -1 && errno == EAGAIN);
	CHECK("capacity is 64 KiB", filled == 65536);
	struct pollfd pf = { .fd = p[1], .events = POLLOUT };
	CHECK("poll: full pipe not writable", poll(&pf, 1, 0) == 0);
	pf.fd = p[0];
	pf.events = POLLIN;
	CHECK("poll: full pipe readable", poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN));
	size_t drained = 0;
	while ((n = read(p[0], buf, sizeof buf)) > 0)
		drained += n;
	CHECK("drained everything", drained == filled);
	/* small write is atomic and fully readable */
	CHECK("write 5", write(p[1], "hello", 5) == 5);
	CHECK("read 5", read(p[0], buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0);
	/* EOF once the writer is closed */
	close(p[1]);
	CHECK("EOF after writer closed", read(p[0], buf, 1) == 0);
	pf.fd = p[0];
	pf.events = POLLIN;
	CHECK("poll: POLLHUP after writer closed", poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP));
	close(p[0]);

	/* EPIPE with SIGPIPE ignored, SIGPIPE by default */
	CHECK_OK("pipe", pipe(p));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("write with no reader", write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		(void)!write(p[1], "x", 1);
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	CHECK("default SIGPIPE kills the writer", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	close(p[1]);

	/* F_GETPIPE_SZ is optional for umk: not checked. */

	/* 8 MiB through a pipe between processes, checksummed */
	CHECK_OK("pipe", pipe(p));
	fflush(stdout);
	c = fork();
	if (c == 0) {
		close(p[0]);
		uint32_t x = 12345;
		unsigned char out[3000];
		size_t sent = 0;
		while (sent < TOTAL) {
			size_t k = TOTAL - sent < sizeof out ? TOTAL - sent : sizeof out;
			for (size_t i = 0; i < k; i++) {
				x = x * 1103515245 + 12345;
				out[i] = (unsigned char)(x >> 16);
			}
			size_t off = 0;
			while (off < k) {
				ssize_t w = write(p[1], out + off, k - off);
				if (w <= 0)
					_exit(1);
				off += w;
			}
			sent += k;
		}
		_exit(0);
	}
	close(p[1]);
	uint32_t x = 12345, bad = 0;
	size_t got = 0;
	while ((n = read(p[0], buf, 7001)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			if (buf[i] != (char)(unsigned char)(x >> 16))
				bad++;
		}
		got += n;
	}
	waitpid(c, &st, 0);
	CHECK("8 MiB transferred", got == TOTAL);
	CHECK("content intact", bad == 0);
	CHECK("writer exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);

	/* blocked reader woken by a writer in another process */
	CHECK_OK("pipe", pipe(p));
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
		(void)!write(p[1], "late", 4);
		_exit(0);
	}
	n = read(p[0], buf, sizeof buf);
	CHECK("blocking read woken by writer", n == 4 && memcmp(buf, "late", 4) == 0);
	waitpid(c, NULL, 0);
	close(p[0]);
	close(p[1]);
	return t_done();
}
