/* udpx: UDP through the IPv4 stack (ordinary sockets) for the lab tests
 * and benchmarks, static so the same binary runs in a umk guest, in a
 * Debian linux.uml guest and on the host:
 *
 *   udpx send DST PORT TEXT          one datagram
 *   udpx recv PORT SECS              print the first datagram that comes
 *                                    ("udp-got: TEXT from IP"); exit 1 if none
 *   udpx echo PORT SECS              send every datagram back, until SECS
 *                                    pass without one
 *   udpx ask DST PORT TEXT SECS      send TEXT (again each second) until an
 *                                    answer comes; print it
 *   udpx blast DST PORT SECS SIZE    send SIZE-byte datagrams for SECS
 *                                    seconds; "sent=N"
 *   udpx count PORT SECS             count datagrams for SECS seconds after
 *                                    the first; "received=N pps=R"
 *
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
		fprintf(stderr, "udpx: %s: not an IPv4 address\n", ip);
		exit(2);
	}
	return a;
}

static int sock(const char *bind_port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("udpx: socket");
		exit(2);
	}
	if (bind_port) {
		struct sockaddr_in a = addr(NULL, bind_port);
		if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
			perror("udpx: bind");
			exit(2);
		}
	}
	return s;
}

/* One datagram within ms milliseconds: its length, -1 if none. */
static ssize_t get(int s, char *buf, size_t len, int ms, struct sockaddr_in *from)
{
	struct pollfd p = { s, POLLIN, 0 };
	if (poll(&p, 1, ms) != 1)
		return -1;
	socklen_t fl = sizeof(*from);
	return recvfrom(s, buf, len, 0, (struct sockaddr *)from, &fl);
}

static void usage(void)
{
	fprintf(stderr, "usage: udpx send|recv|echo|ask|blast|count ... (see tests/net/udpx.c)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char buf[65536];
	struct sockaddr_in from;
	if (argc < 2)
		usage();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "send") && argc == 5) {
		struct sockaddr_in d = addr(argv[2], argv[3]);
		int s = sock(NULL);
		if (sendto(s, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&d, sizeof(d)) < 0) {
			perror("udpx: sendto");
			return 1;
		}
		return 0;
	}
	if (!strcmp(cmd, "recv") && argc == 4) {
		int s = sock(argv[2]);
		ssize_t n = get(s, buf, sizeof(buf) - 1, atoi(argv[3]) * 1000, &from);
		if (n < 0) {
			printf("udp-timeout\n");
			return 1;
		}
		buf[n] = 0;
		printf("udp-got: %s from %s\n", buf, inet_ntoa(from.sin_addr));
		return 0;
	}
	if (!strcmp(cmd, "echo") && argc == 4) {
		int s = sock(argv[2]);
		ssize_t n;
		while ((n = get(s, buf, sizeof(buf), atoi(argv[3]) * 1000, &from)) >= 0)
			sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, sizeof(from));
		return 0;
	}
	if (!strcmp(cmd, "ask") && argc == 6) {
		struct sockaddr_in d = addr(argv[2], argv[3]);
		int s = sock(NULL);
		for (int i = 0; i < atoi(argv[5]); i++) {
			sendto(s, argv[4], strlen(argv[4]), 0, (struct sockaddr *)&d, sizeof(d));
			ssize_t n = get(s, buf, sizeof(buf) - 1, 1000, &from);
			if (n >= 0) {
				buf[n] = 0;
				printf("udp-answer: %s from %s\n", buf, inet_ntoa(from.sin_addr));
				return 0;
			}
		}
		printf("udp-no-answer\n");
		return 1;
	}
	if (!strcmp(cmd, "blast") && argc == 6) {
		struct sockaddr_in d = addr(argv[2], argv[3]);
		int s = sock(NULL);
		size_t size = (size_t)atoi(argv[5]);
		if (size > sizeof(buf))
			usage();
		memset(buf, 'u', size);
		double end = now() + atof(argv[4]);
		long sent = 0;
		while (now() < end)
			if (sendto(s, buf, size, 0, (struct sockaddr *)&d, sizeof(d)) >= 0)
				sent++;
		printf("sent=%ld\n", sent);
		return 0;
	}
	if (!strcmp(cmd, "count") && argc == 4) {
		int s = sock(argv[2]);
		if (get(s, buf, sizeof(buf), 30000, &from) < 0) {
			printf("received=0 pps=0\n");
			return 1;
		}
		double t0 = now(), end = t0 + atof(argv[3]);
		long got = 1;
		while (now() < end) {
			int ms = (int)((end - now()) * 1000) + 1;
			if (get(s, buf, sizeof(buf), ms, &from) >= 0)
				got++;
		}
		printf("received=%ld pps=%.0f\n", got, (double)got / (now() - t0));
		return 0;
	}
	usage();
	return 2;
}
