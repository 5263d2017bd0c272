/* tcpmany: many TCP connections open at once, for tests/bats/net-tcp.bats
 * (static, in build/test-rootfs/tests; runs natively too).
 *
 *   tcpmany server PORT N      accept until N connections were open at the
 *                              same time, answering each "hello K\n" with
 *                              "ok K\n"; prints accepted=, peak=, answered=
 *   tcpmany client IP PORT N   N non-blocking connects at once, each sends
 *                              its hello; only when all N answers are in
 *                              are they closed; prints connected=, answers=
 *
 * Both raise RLIMIT_NOFILE's soft limit to the hard one, and give up
 * after 120 s. Exit status 0 when all N made it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void room_for(int n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < (rlim_t)n + 16) {
			fprintf(stderr, "tcpmany: RLIMIT_NOFILE %lu is too small for %d\n", (unsigned long)rl.rlim_cur, n);
			exit(2);
		}
	}
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int server(int port, int n)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4096) < 0)
		die("tcpmany: listen");
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = l };
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) < 0)
		die("tcpmany: epoll");
	printf("listening\n");
	fflush(stdout);
	int accepted = 0, open = 0, peak = 0, answered = 0;
	long end = now_ms() + 120000;
	while ((peak < n || answered < n) && now_ms() < end) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, 1000);
		for (int i = 0; i < k; i++) {
			int fd = evs[i].data.fd;
			if (fd == l) {
				int c;
				while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ce = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
					accepted++;
					if (++open > peak)
						peak = open;
				}
				continue;
			}
			char buf[64];
			ssize_t r = read(fd, buf, sizeof buf - 1);
			if (r > 0) {
				int id;
				buf[r] = 0;
				if (sscanf(buf, "hello %d", &id) == 1) {
					char out[32];
					int m = snprintf(out, sizeof out, "ok %d\n", id);
					if (write(fd, out, (size_t)m) == m)
						answered++;
				}
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(fd);
				open--;
			}
		}
	}
	printf("accepted=%d peak=%d answered=%d\n", accepted, peak, answered);
	return peak == n && answered == n ? 0 : 1;
}

static int client(const char *ip, int port, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "tcpmany: bad address %s\n", ip);
		return 2;
	}
	int ep = epoll_create1(0);
	int *fds = calloc((size_t)n, sizeof *fds);
	char *state = calloc((size_t)n, 1); /* 0 connecting, 1 sent, 2 answered */
	if (ep < 0 || !fds || !state)
		die("tcpmany: setup");
	for (int i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			die("tcpmany: socket");
		if (connect(fds[i], (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
			die("tcpmany: connect");
		struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.u32 = (uint32_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	int connected = 0, answers = 0, failed = 0;
	long end = now_ms() + 120000;
	while (answers + failed < n && now_ms() < end) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, 1000);
		for (int j = 0; j < k; j++) {
			int i = (int)evs[j].data.u32, fd = fds[i];
			if (state[i] == 0 && (evs[j].events & (EPOLLOUT | EPOLLERR))) {
				int err = 0;
				socklen_t len = sizeof err;
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (err) {
					fprintf(stderr, "tcpmany: connection %d: %s\n", i, strerror(err));
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					failed++;
					continue;
				}
				char out[32];
				int m = snprintf(out, sizeof out, "hello %d\n", i);
				if (write(fd, out, (size_t)m) != m)
					die("tcpmany: write");
				connected++;
				state[i] = 1;
				struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
			} else if (state[i] == 1 && (evs[j].events & EPOLLIN)) {
				char buf[64];
				int id;
				ssize_t r = read(fd, buf, sizeof buf - 1);
				if (r > 0) {
					buf[r] = 0;
					if (sscanf(buf, "ok %d", &id) == 1 && id == i) {
						answers++;
						state[i] = 2;
						epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					}
				} else if (r == 0 || errno != EAGAIN) {
					fprintf(stderr, "tcpmany: connection %d closed before its answer\n", i);
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					failed++;
				}
			}
		}
	}
	printf("connected=%d answers=%d\n", connected, answers);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return answers == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "server")) {
		room_for(atoi(argv[3]));
		return server(atoi(argv[2]), atoi(argv[3]));
	}
	if (argc == 5 && !strcmp(argv[1], "client")) {
		room_for(atoi(argv[4]));
		return client(argv[2], atoi(argv[3]), atoi(argv[4]));
	}
	fprintf(stderr, "usage: tcpmany server PORT N | tcpmany client IP PORT N\n");
	return 2;
}
