/* Opening a line's channels, and the bytes through them. A
 * pseudo-terminal (pts, xterm) keeps its far end open in umk, so the
 * line never sees a hang-up when a host program closes it, and is put in
 * raw mode there, so the guest's output reaches the host unchanged. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <wire/instdir.h>
#include "chan.h"
#include "um.h"

struct line_run line_runs[LINES_MAX];

/* A new pseudo-terminal: master (ours, non-blocking), and the slave
 * opened once and kept, in raw mode. */
static int open_pts(struct line_run *r, char *why, size_t n)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, r->pts, sizeof(r->pts))) {
		snprintf(why, n, "cannot make a pseudo-terminal: %s", strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	int s = open(r->pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (s < 0 || tcgetattr(s, &t) < 0) {
		snprintf(why, n, "%s: %s", r->pts, strerror(errno));
		close(m);
		if (s >= 0)
			close(s);
		return -1;
	}
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	r->keep = s;
	return m;
}

/* xterm -S: the terminal uses a pseudo-terminal it is given instead of
 * making one; it talks on the master we hand it, we keep the slave.
 * Double fork: the xterm is not our child to reap. */
static int open_xterm(int id, struct line_run *r, char *why, size_t n)
{
	int m = open_pts(r, why, n);
	if (m < 0)
		return -1;
	/* the roles swap: the xterm gets the master, the line the slave */
	int line_fd = fcntl(r->keep, F_DUPFD_CLOEXEC, 3);
	char title[96], sarg[96], name[16];
	snprintf(title, sizeof(title), "umk %s %s", line_name(id, name, sizeof(name)), boot_cfg.umid ? boot_cfg.umid : "");
	pid_t pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			/* the xterm's: inherited, and blocking as a terminal's */
			fcntl(m, F_SETFD, fcntl(m, F_GETFD) & ~FD_CLOEXEC);
			fcntl(m, F_SETFL, fcntl(m, F_GETFL) & ~O_NONBLOCK);
			setsid();
			snprintf(sarg, sizeof(sarg), "-S%s/%d", strrchr(r->pts, '/') + 1, m);
			execlp("xterm", "xterm", "-T", title, sarg, (char *)NULL);
		}
		_exit(0);	/* never exit(): the atexit hooks are the kernel's */
	}
	close(m);
	if (pid < 0 || line_fd < 0) {
		snprintf(why, n, "cannot start xterm: %s", strerror(errno));
		if (line_fd >= 0)
			close(line_fd);
		return -1;
	}
	waitpid(pid, NULL, __WALL);
	fcntl(line_fd, F_SETFL, O_NONBLOCK | O_RDWR);
	return line_fd;
}

static int open_tty(const char *path, char *why, size_t n)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	struct termios t;
	if (fd < 0 || tcgetattr(fd, &t) < 0) {
		snprintf(why, n, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
	return fd;
}

int line_host_open(int id, struct line_info *li, char *why, size_t n)
{
	struct line_cfg *c = &line_cfgs[id];
	struct line_run *r = &line_runs[id];
	*li = (struct line_info){ .in = -1, .out = -1, .listen_fd = -1 };
	*r = (struct line_run){ .in = -1, .out = -1, .keep = -1, .conn = -1 };
	why[0] = 0;
	int fd = -1;
	switch (c->in.type) {
	case CH_PTS:
		fd = open_pts(r, why, n);
		break;
	case CH_XTERM:
		fd = open_xterm(id, r, why, n);
		break;
	case CH_TTY:
		fd = open_tty(c->in.path, why, n);
		break;
	case CH_PORT:
		li->port = li->terminal = true;
		li->listen_fd = port_listen_fd(c->in.port);
		r->open = true;
		return 0;
	case CH_FD:
		li->in = c->in.fd;
		li->host_tty = isatty(c->in.fd);
		li->terminal = li->host_tty;
		break;
	default:
		break;
	}
	if (why[0])
		return -EIO;
	if (fd >= 0) {
		/* one channel both ways */
		li->in = li->out = fd;
		li->terminal = true;
	} else {
		switch (c->out.type) {
		case CH_FD:
			li->out = c->out.fd;
			li->blocking = true;
			break;
		case CH_FILE:
			if (ftruncate(c->out.fd, 0) < 0) {
				/* a FIFO or device: nothing to empty */
			}
			li->out = c->out.fd;
			li->blocking = true;
			break;
		default:
			break;
		}
	}
	r->in = li->in;
	r->out = li->out;
	r->open = true;
	return 0;
}

ssize_t line_host_read(int id, void *buf, size_t n)
{
	struct line_run *r = &line_runs[id];
	int fd = r->conn >= 0 ? r->conn : r->in;
	if (fd < 0)
		return -EAGAIN;
	ssize_t k = read(fd, buf, n);
	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : 0;	/* EIO: the far end is gone */
	if (k > 0 && r->conn >= 0) {
		k = (ssize_t)telnet_filter(r, buf, (size_t)k);
		if (k == 0)
			return -EAGAIN;	/* only telnet commands */
	}
	return k;
}

ssize_t line_host_write(int id, const void *buf, size_t n)
{
	struct line_run *r = &line_runs[id];
	if (r->conn >= 0)
		return telnet_write(r, buf, n);
	if (r->out < 0)
		return (ssize_t)n;	/* null */
	ssize_t k = write(r->out, buf, n);
	if (k >= 0)
		return k;
	return errno == EAGAIN || errno == EINTR ? -EAGAIN : -EPIPE;
}

void line_host_describe(int id, char *buf, size_t n)
{
	const struct line_cfg *c = &line_cfgs[id];
	const struct line_run *r = &line_runs[id];
	if (!c->present)
		snprintf(buf, n, "none");
	else if (c->in.type == CH_PTS)
		snprintf(buf, n, "pts:%s", r->pts);
	else if (c->in.type == CH_XTERM)
		snprintf(buf, n, "xterm:%s", r->pts);
	else if (c->in.type == CH_PORT)
		snprintf(buf, n, "port:%d", port_number(c->in.port));
	else
		snprintf(buf, n, "%s", c->spec);
}
