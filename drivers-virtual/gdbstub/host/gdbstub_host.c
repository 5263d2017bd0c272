/* The host half of the gdbstub: gdbstub=ENDPOINT makes the listening
 * socket while the command line is read, so that a port in use or a bad
 * path is a one-line error before the kernel starts. A TCP port listens
 * on the loopback address unless an address is given (the stub gives
 * whoever connects full control of a guest process). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <umk/init.h>
#include "../gdbstub_host.h"

static int listen_fd = -1;
static char endpoint[sizeof(((struct sockaddr_un *)0)->sun_path) + 16];
static char why[160];

int gdbstub_host_listen_fd(void)
{
	return listen_fd;
}

const char *gdbstub_host_endpoint(void)
{
	return endpoint;
}

int gdbstub_host_accept(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static const char *fail(const char *what)
{
	snprintf(why, sizeof(why), "%s: %s", what, strerror(errno));
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
	return why;
}

static const char *listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (!*path || strlen(path) >= sizeof(a.sun_path))
		return "expected a socket path of at most 107 bytes";
	strcpy(a.sun_path, path);
	/* a socket left by an earlier run may go; any other file stays */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(listen_fd, 1))
		return fail(path);
	snprintf(endpoint, sizeof(endpoint), "unix:%s", path);
	return NULL;
}

static const char *listen_tcp(const char *v)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const char *colon = strrchr(v, ':'), *port = colon ? colon + 1 : v;
	if (colon) {
		char host[64];
		if ((size_t)(colon - v) >= sizeof(host))
			return "expected PORT, ADDRESS:PORT or unix:PATH";
		memcpy(host, v, colon - v);
		host[colon - v] = 0;
		if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
			return "expected an IPv4 address before the port";
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 1 || p > 65535)
		return "expected PORT (1-65535), ADDRESS:PORT or unix:PATH";
	a.sin_port = htons((uint16_t)p);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (listen_fd >= 0)
		setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	char name[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &a.sin_addr, name, sizeof(name));
	snprintf(endpoint, sizeof(endpoint), "tcp:%s:%ld", name, p);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&a, sizeof(a)) || listen(listen_fd, 1))
		return fail(endpoint);
	return NULL;
}

static const char *gdbstub_setup(const char *v)
{
	if (listen_fd >= 0)
		return "given twice";
	if (!strncmp(v, "unix:", 5))
		return listen_unix(v + 5);
	if (v[0] == '/')
		return listen_unix(v);
	return listen_tcp(v);
}
__setup(gdbstub, gdbstub_setup, "gdbstub=[ADDR:]PORT|unix:PATH",
	"serve a guest process to host gdb on this TCP port (on 127.0.0.1\n"
	"unless ADDR is given) or unix socket: the first program named by\n"
	"gdbstub_comm=, or a pid written to /sys/kernel/umk/gdbstub");
