/* umk-switch-peer: a minimal client of the uml_switch daemon protocol, for
 * tests and the benchmark. It attaches like a UML guest does (v3 request,
 * abstract data socket) and sends or counts raw Ethernet frames.
 *
 *   umk-switch-peer -s CTL [-m MAC] [-d DSTMAC] [-n COUNT] [-z SIZE]
 *                   [-r FRAMES_PER_S] [-t IDLE_MS] send|recv|sink|bench
 * send  : COUNT frames of SIZE bytes to DSTMAC (default broadcast)
 * recv  : count frames until COUNT arrived or IDLE_MS passed without one
 * sink  : attach, say hello, then never read (fills our queue in the switch);
 *         with -c N, hold N ports
 * bench : fork a receiver and a sender on two ports, print frames/s, Mbit/s
 * Every mode first sends one broadcast "hello" so the switch learns MAC. */
#include "wire/uml_switch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int ctl, data;
	struct sockaddr_un sw;
};

static const char *ctl_path;
static unsigned char mac[6], dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static long count = 1000, size = 64, rate = 0, idle_ms = 1000, conns = 1;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, unsigned char m[6])
{
	unsigned v[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		m[i] = (unsigned char)v[i];
	return 0;
}

static int attach(struct conn *c)
{
	static int seq;
	struct sockaddr_un me = { .sun_family = AF_UNIX }, ctl = { .sun_family = AF_UNIX };
	snprintf(me.sun_path + 1, sizeof me.sun_path - 1, "umk-switch-peer.%d.%d", (int)getpid(), seq++);
	c->data = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (c->data < 0 || bind(c->data, (struct sockaddr *)&me, sizeof me) < 0) {
		perror("peer: data socket");
		return -1;
	}
	int sz = 4 << 20;
	setsockopt(c->data, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	setsockopt(c->data, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	snprintf(ctl.sun_path, sizeof ctl.sun_path, "%s", ctl_path);
	c->ctl = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->ctl < 0 || connect(c->ctl, (struct sockaddr *)&ctl, sizeof ctl) < 0) {
		fprintf(stderr, "peer: connect %s: %s\n", ctl_path, strerror(errno));
		return -1;
	}
	struct uml_switch_req_v3 rq;
	memset(&rq, 0, sizeof rq);
	rq.magic = UML_SWITCH_MAGIC;
	rq.version = UML_SWITCH_VERSION;
	rq.type = UML_SWITCH_REQ_NEW_CONTROL;
	rq.sock.family = AF_UNIX;
	memcpy(rq.sock.path, me.sun_path, sizeof rq.sock.path);
	if (write(c->ctl, &rq, sizeof rq) != (ssize_t)sizeof rq) {
		perror("peer: request");
		return -1;
	}
	memset(&c->sw, 0, sizeof c->sw);
	size_t got = 0;
	while (got < sizeof c->sw) {
		ssize_t n = read(c->ctl, (char *)&c->sw + got, sizeof c->sw - got);
		if (n <= 0) {
			fprintf(stderr, "peer: switch closed the control connection (refused?)\n");
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int send_frame(struct conn *c, const unsigned char *to, long len, long seq)
{
	unsigned char f[UML_SWITCH_FRAME_MAX];
	if (len < 14)
		len = 14;
	memset(f, 0, (size_t)len);
	memcpy(f, to, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x88; /* local experimental EtherType */
	f[13] = 0xb5;
	if (len >= 22)
		memcpy(f + 14, &seq, sizeof seq);
	if (len >= 30) { /* send time, for one-way delay on the same host */
		double t = now_s();
		memcpy(f + 22, &t, sizeof t);
	}
	for (;;) {
		ssize_t n = sendto(c->data, f, (size_t)len, 0, (struct sockaddr *)&c->sw, sizeof c->sw);
		if (n >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS) {
			usleep(50);
			continue;
		}
		perror("peer: sendto");
		return -1;
	}
}

static int do_send(struct conn *c)
{
	double t0 = now_s();
	for (long i = 0; i < count; i++) {
		if (send_frame(c, dst, size, i) < 0)
			return 1;
		if (rate > 0) { /* pace: frame i is due at t0 + i/rate */
			double due = t0 + (double)(i + 1) / (double)rate, d = due - now_s();
			if (d > 0)
				usleep((useconds_t)(d * 1e6));
		}
	}
	printf("sent=%ld secs=%.3f\n", count, now_s() - t0);
	return 0;
}

static int do_recv(struct conn *c, int quiet_ready)
{
	unsigned char f[UML_SWITCH_FRAME_MAX];
	long frames = 0;
	double bytes = 0, first = 0, last = 0, dsum = 0, dmin = 1e9, dmax = 0;
	if (!quiet_ready) {
		printf("ready\n");
		fflush(stdout);
	}
	/* Blocking recv with a timeout: one syscall per frame, so the
	 * receiver is not the bottleneck of the benchmark. */
	struct timeval tv = { .tv_sec = idle_ms / 1000, .tv_usec = (idle_ms % 1000) * 1000 };
	setsockopt(c->data, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	while (frames < count) {
		ssize_t n = recv(c->data, f, sizeof f, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* idle timeout */
		if (n < 14)
			continue;
		if (memcmp(f + 6, mac, 6) == 0 || f[12] != 0x88 || f[13] != 0xb5)
			continue; /* not test traffic */
		long seq;
		memcpy(&seq, f + 14, sizeof seq);
		if (n >= 22 && seq == -1)
			continue; /* a peer's hello */
		last = now_s();
		if (!frames)
			first = last;
		frames++;
		bytes += (double)n;
		if (n >= 30) {
			double t, d;
			memcpy(&t, f + 22, sizeof t);
			d = (last - t) * 1e3;
			dsum += d;
			dmin = d < dmin ? d : dmin;
			dmax = d > dmax ? d : dmax;
		}
	}
	double secs = frames > 1 ? last - first : 0;
	printf("received=%ld bytes=%.0f secs=%.6f fps=%.0f mbps=%.2f delay_ms_min=%.2f delay_ms_avg=%.2f delay_ms_max=%.2f\n",
	       frames, bytes, secs, secs > 0 ? (double)(frames - 1) / secs : 0,
	       secs > 0 ? bytes * 8 / secs / 1e6 : 0, frames ? dmin : 0, frames ? dsum / frames : 0,
	       frames ? dmax : 0);
	return 0;
}

static int do_bench(void)
{
	/* Receiver first (so its MAC is learned), then the sender. */
	unsigned char rmac[6] = { 0x02, 0x00, 0x00, 0xbe, 0x00, 0x02 };
	unsigned char smac[6] = { 0x02, 0x00, 0x00, 0xbe, 0x00, 0x01 };
	int pfd[2];
	if (pipe(pfd) < 0)
		return 1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct conn r;
		memcpy(mac, rmac, 6);
		if (attach(&r) < 0 || send_frame(&r, dst, 60, -1) < 0)
			_exit(1);
		close(pfd[0]);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		close(pfd[1]);
		memcpy(dst, rmac, 6);
		_exit(do_recv(&r, 1));
	}
	close(pfd[1]);
	char b;
	if (read(pfd[0], &b, 1) != 1) {
		fprintf(stderr, "peer: bench receiver failed to attach\n");
		return 1;
	}
	struct conn sc;
	memcpy(mac, smac, 6);
	if (attach(&sc) < 0)
		return 1;
	usleep(100000); /* let the receiver's hello be learned */
	double t0 = now_s();
	for (long i = 0; i < count; i++)
		if (send_frame(&sc, rmac, size, i) < 0)
			return 1;
	fprintf(stderr, "sent=%ld secs=%.3f\n", count, now_s() - t0);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	int o;
	srand((unsigned)getpid());
	mac[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		mac[i] = (unsigned char)rand();
	while ((o = getopt(argc, argv, "s:m:d:n:z:r:t:c:")) != -1) {
		switch (o) {
		case 's': ctl_path = optarg; break;
		case 'm': if (parse_mac(optarg, mac)) goto usage; break;
		case 'd': if (parse_mac(optarg, dst)) goto usage; break;
		case 'n': count = atol(optarg); break;
		case 'c': conns = atol(optarg); break;
		case 'z': size = atol(optarg); break;
		case 'r': rate = atol(optarg); break;
		case 't': idle_ms = atol(optarg); break;
		default: goto usage;
		}
	}
	if (!ctl_path || optind != argc - 1 || size > UML_SWITCH_FRAME_MAX)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *mode = argv[optind];
	if (!strcmp(mode, "bench"))
		return do_bench();
	struct conn c;
	if (attach(&c) < 0)
		return 1;
	if (send_frame(&c, (const unsigned char *)"\xff\xff\xff\xff\xff\xff", 60, -1) < 0)
		return 1;
	if (!strcmp(mode, "send"))
		return do_send(&c);
	if (!strcmp(mode, "recv"))
		return do_recv(&c, 0);
	if (!strcmp(mode, "sink")) {
		/* -c N: hold N ports at once (many-ports test). */
		for (long i = 1; i < conns; i++) {
			struct conn more;
			if (attach(&more) < 0)
				return 1;
		}
		printf("ready\n");
		pause();
		return 0;
	}
usage:
	fprintf(stderr, "usage: umk-switch-peer -s CTL [-m MAC] [-d DSTMAC] [-n COUNT] [-z SIZE] "
			"[-r FPS] [-t IDLE_MS] [-c CONNS] send|recv|sink|bench\n");
	return 2;
}
