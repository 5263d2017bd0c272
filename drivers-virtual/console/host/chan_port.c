/* port:[HOST:]PORT: lines reached with telnet, as UML's port channel,
 * but without in.telnetd and port-helper: umk listens itself and speaks
 * the little telnet a login needs (RFC 854/857/858): it offers to echo
 * and to suppress go-ahead, so a client sends each key as typed and
 * does not echo it; commands from the client are taken out of the input,
 * 0xff in the output is doubled. Several lines may share a port: each
 * connection goes to a free one. The port listens on 127.0.0.1 unless
 * a HOST is given (port:0.0.0.0:9000 for every interface, as UML). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "chan.h"

#define PORTS_MAX 16
static struct {
	int number;
	struct in_addr addr;
	int fd;
} ports[PORTS_MAX];
static int nports;

enum { IAC = 255, DONT = 254, DO = 253, WONT = 252, WILL = 251, SB = 250, SE = 240 };
enum { TELOPT_ECHO = 1, TELOPT_SGA = 3, TELOPT_LINEMODE = 34 };
enum { T_DATA, T_IAC, T_OPT, T_SB, T_SB_IAC };

int port_get(const char *spec, const char **why)
{
	static char msg[160];
	struct in_addr addr = { htonl(INADDR_LOOPBACK) };
	const char *colon = strrchr(spec, ':');
	const char *num = colon ? colon + 1 : spec;
	if (colon) {
		char host[64];
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		if (inet_pton(AF_INET, host, &addr) != 1) {
			*why = "expected port:PORT or port:ADDRESS:PORT (an IPv4 address)";
			return -1;
		}
	}
	char *end;
	long p = strtol(num, &end, 10);
	if (!*num || *end || p < 1 || p > 65535) {
		*why = "expected port:PORT with PORT from 1 to 65535";
		return -1;
	}
	for (int i = 0; i < nports; i++)
		if (ports[i].number == p && ports[i].addr.s_addr == addr.s_addr)
			return i;
	if (nports == PORTS_MAX) {
		*why = "too many ports";
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int on = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p), .sin_addr = addr };
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		snprintf(msg, sizeof(msg), "cannot listen on port %ld: %s", p, strerror(errno));
		if (fd >= 0)
			close(fd);
		*why = msg;
		return -1;
	}
	ports[nports] = (typeof(ports[0])){ (int)p, addr, fd };
	return nports++;
}

int port_listen_fd(int port) { return ports[port].fd; }
int port_number(int port) { return ports[port].number; }

static int take_client(int listen_fd)
{
	int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (c < 0)
		return -EAGAIN;
	int on = 1;
	setsockopt(c, IPPROTO_TCP, 1 /* TCP_NODELAY */, &on, sizeof(on));
	return c;
}

int line_host_accept(int id, int *fd)
{
	struct line_run *r = &line_runs[id];
	int c = take_client(port_listen_fd(line_cfgs[id].in.port));
	if (c < 0)
		return c;
	static const unsigned char hello[] = { IAC, WILL, TELOPT_ECHO, IAC, WILL, TELOPT_SGA, IAC, DO, TELOPT_SGA,
					       IAC, DONT, TELOPT_LINEMODE };
	if (write(c, hello, sizeof(hello)) < 0) {
		/* the client is gone already: its first read says so */
	}
	r->conn = c;
	r->telnet_state = T_DATA;
	r->telnet_cr = false;
	r->pend = 0;
	*fd = c;
	return 0;
}

void line_host_refuse(int listen_fd)
{
	int c = take_client(listen_fd);
	if (c < 0)
		return;
	static const char busy[] = "umk: every line on this port is in use\r\n";
	if (write(c, busy, sizeof(busy) - 1) < 0) {
		/* nothing to tell then */
	}
	close(c);
}

void line_host_hangup(int id)
{
	struct line_run *r = &line_runs[id];
	if (r->conn >= 0)
		close(r->conn);
	r->conn = -1;
}

/* The client's commands out, its end of line (CR NUL, CR LF) made the CR
 * a terminal sends: the guest's ICRNL does the rest. */
size_t telnet_filter(struct line_run *r, unsigned char *buf, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];
		switch (r->telnet_state) {
		case T_DATA:
			if (c == IAC) {
				r->telnet_state = T_IAC;
				break;
			}
			if (r->telnet_cr && (c == 0 || c == '\n')) {
				r->telnet_cr = false;
				break;
			}
			r->telnet_cr = c == '\r';
			buf[out++] = c;
			break;
		case T_IAC:
			r->telnet_state = T_DATA;
			if (c == IAC)
				buf[out++] = c;	/* an escaped 0xff */
			else if (c >= WILL)
				r->telnet_state = T_OPT;	/* WILL/WONT/DO/DONT and its option */
			else if (c == SB)
				r->telnet_state = T_SB;
			break;
		case T_OPT:
			r->telnet_state = T_DATA;
			break;
		case T_SB:
			if (c == IAC)
				r->telnet_state = T_SB_IAC;
			break;
		case T_SB_IAC:
			r->telnet_state = c == SE ? T_DATA : T_SB;
			break;
		}
	}
	return out;
}

static ssize_t raw_write(int fd, const void *buf, size_t n)
{
	ssize_t k = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (k >= 0)
		return k;
	return errno == EAGAIN || errno == EINTR ? -EAGAIN : -EPIPE;
}

/* Bytes taken from buf: runs without 0xff go as they are, each 0xff as
 * IAC IAC (its second half kept in pend if the socket took only one). */
ssize_t telnet_write(struct line_run *r, const unsigned char *buf, size_t n)
{
	if (r->pend) {
		ssize_t k = raw_write(r->conn, &r->pend, 1);
		if (k <= 0)
			return k ? k : -EAGAIN;
		r->pend = 0;
	}
	size_t done = 0;
	while (done < n) {
		const unsigned char *ff = memchr(buf + done, IAC, n - done);
		size_t run = ff ? (size_t)(ff - (buf + done)) : n - done;
		if (run) {
			ssize_t k = raw_write(r->conn, buf + done, run);
			if (k < 0)
				return done ? (ssize_t)done : k;
			done += (size_t)k;
			if ((size_t)k < run)
				return (ssize_t)done;
			continue;
		}
		static const unsigned char esc[2] = { IAC, IAC };
		ssize_t k = raw_write(r->conn, esc, 2);
		if (k < 0)
			return done ? (ssize_t)done : k;
		if (k == 0)
			return (ssize_t)done;
		if (k == 1)
			r->pend = IAC;
		done++;
	}
	return (ssize_t)done;
}
