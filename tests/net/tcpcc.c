/* tcpcc: TCP connection rate for the benchmarks (tests/bench/net-bench.sh),
 * static so the same binary runs in a umk guest, in a Debian linux.uml
 * guest and on the host:
 *
 *   tcpcc serve PORT IDLE     accept connections and close each at once,
 *                             until IDLE seconds pass without one (after
 *                             the first); "accepted=N"
 *   tcpcc conn DST PORT SECS  for SECS seconds: connect, wait for the
 *                             server's FIN (read gives 0), close; then
 *                             "conns=N cps=R". Until the first connection
 *                             succeeds (up to 30 s) refusals are retried
 *                             and not counted.
 *
 * One connection is a full open and close: SYN, SYN-ACK, ACK, the
 * server's FIN and the client's. The server closes first, so TIME_WAIT
 * is on its side and the client's ports come free at once.
 * Exits 0 when it did what it was asked. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static struct sockaddr_in addr(const char *ip, const char *port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(port));
	if (ip && inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "tcpcc: %s: not an IPv4 address\n", ip);
		exit(2);
	}
	return a;
}

static int serve(const char *port, int idle)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) {
		perror("tcpcc: socket");
		return 2;
	}
	struct sockaddr_in a = addr(NULL, port);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 128)) {
		perror("tcpcc: bind/listen");
		return 2;
	}
	long n = 0;
	for (;;) {
		struct pollfd p = { .fd = l, .events = POLLIN };
		/* before the first connection: wait as long as the client may retry */
		int r = poll(&p, 1, (n ? idle : 60) * 1000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		int c = accept(l, NULL, NULL);
		if (c < 0) {
			perror("tcpcc: accept");
			return 1;
		}
		close(c);
		n++;
	}
	printf("accepted=%ld\n", n);
	return n ? 0 : 1;
}

/* One connection: 1 done, 0 refused or unreachable (retry), -1 an error. */
static int one_conn(const struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) {
		perror("tcpcc: socket");
		return -1;
	}
	if (connect(s, (const struct sockaddr *)a, sizeof(*a))) {
		int e = errno;
		close(s);
		if (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == ETIMEDOUT)
			return 0;
		errno = e;
		perror("tcpcc: connect");
		return -1;
	}
	char b[16];
	ssize_t r;
	while ((r = read(s, b, sizeof(b))) < 0 && errno == EINTR)
		;
	close(s);
	if (r != 0) {
		fprintf(stderr, "tcpcc: expected the server's FIN, read gave %zd (%s)\n", r, r < 0 ? strerror(errno) : "data");
		return -1;
	}
	return 1;
}

static int conn(const char *ip, const char *port, double secs)
{
	struct sockaddr_in a = addr(ip, port);
	double t0 = now();
	int r;
	while ((r = one_conn(&a)) == 0) {
		if (now() - t0 > 30) {
			fprintf(stderr, "tcpcc: %s:%s does not accept connections\n", ip, port);
			return 1;
		}
		usleep(100000);
	}
	if (r < 0)
		return 1;
	long n = 0;
	t0 = now();
	double t;
	while ((t = now() - t0) < secs) {
		if (one_conn(&a) != 1) {
			fprintf(stderr, "tcpcc: connection %ld failed\n", n + 1);
			return 1;
		}
		n++;
	}
	printf("conns=%ld cps=%.0f\n", n, (double)n / t);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "conn"))
		return conn(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: tcpcc serve PORT IDLE | tcpcc conn DST PORT SECS\n");
	return 2;
}
