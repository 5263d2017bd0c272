/* The status socket: a client connects, sends one command line, reads the
 * answer until EOF. Commands: "status" (default), "fdb", and
 * "impair PORT|all SPEC" to change a link's character at run time.
 * `umk-switch --status PATH [command]` is the client. */
#include "switch.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct out {
	char *buf;
	size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		size_t room = o->cap - o->len;
		int n = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		size_t nc = o->cap ? o->cap * 2 : 4096;
		while (nc < o->len + (size_t)n + 1)
			nc *= 2;
		char *nb = realloc(o->buf, nc);
		if (!nb)
			return;
		o->buf = nb;
		o->cap = nc;
	}
}

static const char *kind_name(enum port_kind k)
{
	switch (k) {
	case PK_DAEMON: return "daemon";
	case PK_TAP: return "tap";
	case PK_UCAST: return "ucast";
	case PK_VDE: return "vde";
	default: return "free";
	}
}

static void print_status(struct sw *s, struct out *o)
{
	uint64_t now = sw_now_ms();
	char imp[160];
	impair_format(&s->o.imp, imp, sizeof imp);
	outf(o, "umk-switch pid %d mode %s ctl %s uptime %llus\n", (int)getpid(),
	     s->o.hub ? "hub" : "switch", s->ctl_path,
	     (unsigned long long)((now - s->start_ms) / 1000));
	outf(o, "ports %u/%u fdb %u age %llus frames %llu flooded %llu filtered %llu delayed %zu\n",
	     s->nactive, s->o.max_ports, fdb_count(s->fdb),
	     (unsigned long long)(s->o.age_ms / 1000), (unsigned long long)s->frames,
	     (unsigned long long)s->flooded, (unsigned long long)s->filtered, s->dq.n);
	outf(o, "impair %s seed %llu\n", imp, (unsigned long long)s->o.seed);
	if (s->pcap)
		outf(o, "capture %s frames %llu dropped %llu\n", s->o.pcap_path,
		     (unsigned long long)pcapw_frames(s->pcap), (unsigned long long)pcapw_dropped(s->pcap));
	for (unsigned i = 1; i <= s->o.max_ports; i++) {
		struct port *p = &s->port[i];
		if (p->kind == PK_FREE)
			continue;
		impair_format(&p->imp, imp, sizeof imp);
		outf(o, "port %u %s rx_frames=%llu rx_bytes=%llu tx_frames=%llu tx_bytes=%llu "
			"drop_queue=%llu drop_loss=%llu drop_limit=%llu drop_err=%llu dups=%llu rx_bad=%llu "
			"queued=%u delayed=%u impair=%s peer=%s",
		     i, kind_name(p->kind), (unsigned long long)p->rx_frames,
		     (unsigned long long)p->rx_bytes, (unsigned long long)p->tx_frames,
		     (unsigned long long)p->tx_bytes, (unsigned long long)p->drop_qfull,
		     (unsigned long long)p->drop_loss, (unsigned long long)p->drop_limit,
		     (unsigned long long)p->drop_err, (unsigned long long)p->dups,
		     (unsigned long long)p->rx_bad, p->q.n, p->delayed, imp, p->name);
		if (p->kind == PK_DAEMON)
			outf(o, " pid=%d uid=%u", (int)p->peer_pid, (unsigned)p->peer_uid);
		if (p->descr[0])
			outf(o, " descr=\"%s\"", p->descr);
		outf(o, " up=%llus\n", (unsigned long long)((now - p->since_ms) / 1000));
	}
}

static void fdb_line(void *ctx, const uint8_t m[6], int port, uint64_t age_ms)
{
	outf(ctx, "fdb %02x:%02x:%02x:%02x:%02x:%02x port %d age %llums\n", m[0], m[1], m[2],
	     m[3], m[4], m[5], port, (unsigned long long)age_ms);
}

static void do_impair(struct sw *s, char *args, struct out *o)
{
	char *save = NULL;
	char *which = strtok_r(args, " \t", &save);
	char *spec = strtok_r(NULL, " \t", &save);
	if (!which || !spec) {
		outf(o, "error: usage: impair PORT|all SPEC\n");
		return;
	}
	char err[160];
	if (strcmp(which, "all") == 0) {
		struct impair_params np = s->o.imp;
		if (impair_parse(spec, &np, err, sizeof err) < 0) {
			outf(o, "error: %s\n", err);
			return;
		}
		s->o.imp = np;
		s->o.nport_imp = 0; /* "all" overrides per-port settings */
		for (unsigned i = 1; i <= s->o.max_ports; i++)
			if (s->port[i].kind != PK_FREE)
				s->port[i].imp = np; /* keep the RNG stream going */
		impair_format(&np, err, sizeof err);
		sw_log("impairment of all ports set to %s", err);
		outf(o, "ok all %s\n", err);
		return;
	}
	char *end;
	unsigned long n = strtoul(which, &end, 10);
	if (*end || n == 0 || n > s->o.max_ports || s->port[n].kind == PK_FREE) {
		outf(o, "error: no port '%s'\n", which);
		return;
	}
	struct impair_params np = s->port[n].imp;
	if (impair_parse(spec, &np, err, sizeof err) < 0) {
		outf(o, "error: %s\n", err);
		return;
	}
	s->port[n].imp = np;
	impair_format(&np, err, sizeof err);
	sw_log("impairment of port %lu set to %s", n, err);
	outf(o, "ok port %lu %s\n", n, err);
}

/* Read the command with a short deadline: status clients are local tools,
 * and one that never sends a line costs us at most 200 ms once. */
void sw_status_accept(struct sw *s)
{
	int fd = accept4(s->status_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	char cmd[512];
	size_t len = 0;
	uint64_t deadline = sw_now_ms() + 200;
	while (len < sizeof cmd - 1) {
		uint64_t now = sw_now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (now >= deadline || poll(&pfd, 1, (int)(deadline - now)) <= 0)
			break;
		ssize_t n = read(fd, cmd + len, sizeof cmd - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(cmd, '\n', len))
			break;
	}
	cmd[len] = 0;
	cmd[strcspn(cmd, "\r\n")] = 0;
	struct out o = { 0 };
	char *c = cmd + strspn(cmd, " \t");
	if (*c == 0 || strcmp(c, "status") == 0)
		print_status(s, &o);
	else if (strcmp(c, "fdb") == 0)
		fdb_foreach(s->fdb, sw_now_ms(), fdb_line, &o);
	else if (strncmp(c, "impair ", 7) == 0)
		do_impair(s, c + 7, &o);
	else
		outf(&o, "error: unknown command (status, fdb, impair PORT|all SPEC)\n");
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	for (size_t off = 0; off < o.len;) {
		ssize_t n = send(fd, o.buf + off, o.len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(o.buf);
	close(fd);
}

int sw_status_client(const char *path, int argc, char **argv)
{
	char sp[108], sd[108];
	struct stat st;
	/* Given the control socket, talk to its ".status" sibling; given a
	 * -sock directory, to DIR/status. */
	if (snprintf(sp, sizeof sp, "%s.status", path) < (int)sizeof sp && stat(sp, &st) == 0)
		path = sp;
	else if (snprintf(sd, sizeof sd, "%s/status", path) < (int)sizeof sd && stat(sd, &st) == 0)
		path = sd;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path) {
		fprintf(stderr, "umk-switch: %s: path too long\n", path);
		return 1;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		fprintf(stderr, "umk-switch: %s: cannot reach a switch's status socket: %s\n", path,
			strerror(errno));
		return 1;
	}
	char cmd[512] = "";
	size_t l = 0;
	for (int i = 0; i < argc; i++)
		l += (size_t)snprintf(cmd + l, sizeof cmd - l, "%s%s", i ? " " : "", argv[i]);
	if (l >= sizeof cmd - 1) {
		fprintf(stderr, "umk-switch: command too long\n");
		return 1;
	}
	strcat(cmd, "\n");
	if (write(fd, cmd, strlen(cmd)) < 0)
		return 1;
	shutdown(fd, SHUT_WR);
	char buf[4096];
	ssize_t n;
	int err = 0, first = 1;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if (first && n >= 6 && memcmp(buf, "error:", 6) == 0)
			err = 1;
		first = 0;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	close(fd);
	return err;
}
