/* mconsole=notify:PATH: a lab tool's datagram socket that hears, as
 * UML's notifications, when the machine is up (MCONSOLE_SOCKET with the
 * mconsole socket's path), when it panics (MCONSOLE_PANIC), and, umk's
 * own, when umk exits (MCONSOLE_USER_NOTIFY "stop STATUS", STATUS being
 * umk's exit status: sent from on_exit, so every exit path but SIGKILL
 * says it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <umk/init.h>
#include <wire/mconsole.h>
#include "../mconsole.h"

static struct sockaddr_un notify_addr;
static pid_t owner;

const char *mc_host_notify_path(void)
{
	return notify_addr.sun_path[0] ? notify_addr.sun_path : NULL;
}

int mc_host_notify(int type, const char *text)
{
	if (!notify_addr.sun_path[0])
		return -ENOENT;
	struct mconsole_notify m = { .magic = MCONSOLE_MAGIC, .version = MCONSOLE_VERSION, .type = (uint32_t)type };
	size_t n = strlen(text);
	if (n > MCONSOLE_MAX_DATA - 1)
		n = MCONSOLE_MAX_DATA - 1;
	memcpy(m.data, text, n);
	m.data[n] = 0;
	m.len = (uint32_t)n + 1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int r = sendto(fd, &m, MCONSOLE_NOTIFY_HDR + m.len, MSG_DONTWAIT | MSG_NOSIGNAL,
		       (struct sockaddr *)&notify_addr, sizeof(notify_addr));
	int e = errno;
	close(fd);
	return r < 0 ? -e : 0;
}

static void notify_stop(int status, void *arg)
{
	(void)arg;
	if (getpid() != owner)
		return;	/* a forked helper's exit is not the machine's */
	char text[32];
	snprintf(text, sizeof(text), "stop %d", status);
	mc_host_notify(MCONSOLE_USER_NOTIFY, text);
}

static const char *mconsole_setup(const char *v)
{
	if (strncmp(v, "notify:", 7) || !v[7])
		return "expected mconsole=notify:SOCKET (a unix datagram socket's path)";
	if (strlen(v + 7) >= sizeof(notify_addr.sun_path))
		return "the socket path is too long for a unix socket";
	if (notify_addr.sun_path[0])
		return "mconsole=notify: is given twice";
	notify_addr.sun_family = AF_UNIX;
	strcpy(notify_addr.sun_path, v + 7);
	owner = getpid();
	on_exit(notify_stop, NULL);
	return NULL;
}
__setup(mconsole, mconsole_setup, "mconsole=notify:SOCKET",
	"tell the datagram socket SOCKET when the machine is\nup (with its mconsole socket), panics and stops");
