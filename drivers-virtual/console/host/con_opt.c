/* The console and serial-line options, UML's syntax:
 *   conN=CHANNEL, sslN=CHANNEL     one line (con0 is the system console)
 *   con=CHANNEL, ssl=CHANNEL       every line of that kind
 *   CHANNEL = IN,OUT | ONE: fd:N, null, file:PATH (output), tty:PATH,
 *             pts, pty, xterm, port:[HOST:]PORT; none: no such line.
 * A specific conN= wins over con= whatever the order; con0 defaults to
 * fd:0,fd:1 and is the only line that exists without an option. What
 * can be checked is checked here, so a bad channel is one line at boot:
 * an fd that is not open, a port in use, no display for an xterm. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <umk/init.h>
#include "chan.h"

struct line_cfg line_cfgs[LINES_MAX] = {
	[0] = { .present = true, .in = { CH_FD, 0, NULL, 0 }, .out = { CH_FD, 1, NULL, 0 }, .spec = "fd:0,fd:1" },
};

static char msg[256];

const char *line_name(int id, char *buf, size_t n)
{
	snprintf(buf, n, id < CON_LINES ? "con%d" : "ssl%d", id < CON_LINES ? id : id - CON_LINES);
	return buf;
}

/* "fd:N" for the given direction: the fd must be open that way. */
static const char *parse_fd(const char *s, bool out, struct chan *c)
{
	char *end;
	long v = strtol(s + 3, &end, 10);
	if (!s[3] || *end || v < 0 || v > 100000 || s[3] == '-' || s[3] == '+')
		return "expected fd:N with N a host file descriptor";
	int fl = fcntl((int)v, F_GETFL);
	if (fl < 0) {
		snprintf(msg, sizeof(msg), "host fd %ld is not open", v);
		return msg;
	}
	int acc = fl & O_ACCMODE;
	if (out ? acc == O_RDONLY : acc == O_WRONLY) {
		snprintf(msg, sizeof(msg), "host fd %ld is not open for %s", v, out ? "writing" : "reading");
		return msg;
	}
	*c = (struct chan){ .type = CH_FD, .fd = (int)v };
	return NULL;
}

/* file:PATH: made (not truncated) now so a bad path is a boot error;
 * emptied when the line opens. */
static const char *parse_file(const char *path, struct chan *c)
{
	if (!*path)
		return "expected file:PATH";
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		return msg;
	}
	*c = (struct chan){ .type = CH_FILE, .fd = fd, .path = strdup(path) };
	return NULL;
}

static const char *parse_tty(const char *path, struct chan *c)
{
	if (path[0] != '/')
		return "expected tty:/dev/NAME (a host terminal device)";
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		return msg;
	}
	bool tty = isatty(fd);
	close(fd);
	if (!tty) {
		snprintf(msg, sizeof(msg), "%s is not a terminal", path);
		return msg;
	}
	*c = (struct chan){ .type = CH_TTY, .fd = -1, .path = strdup(path) };
	return NULL;
}

/* An executable xterm in $PATH, and a display for it. */
static const char *check_xterm(void)
{
	const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	if ((!d || !*d) && (!w || !*w))
		return "an xterm channel needs a display, and DISPLAY is not set";
	const char *path = getenv("PATH");
	char buf[4096];
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/xterm", (int)n, p);
		if (n && access(buf, X_OK) == 0)
			return NULL;
		p += n + (p[n] == ':');
	}
	return "an xterm channel needs xterm, which is not installed (in $PATH)";
}

/* One direction's channel, or both (single). */
static const char *parse_one(const char *s, bool out, bool single, struct chan *c)
{
	if (!strcmp(s, "null")) {
		*c = (struct chan){ .type = CH_NULL, .fd = -1 };
		return NULL;
	}
	if (!strncmp(s, "fd:", 3))
		return parse_fd(s, out, c);
	if (!strncmp(s, "file:", 5)) {
		if (!out && !single)
			return "file: is an output channel (null,file:PATH reads nothing)";
		return parse_file(s + 5, c);
	}
	if (!strncmp(s, "tty:", 4))
		return parse_tty(s + 4, c);
	bool bidi = !strcmp(s, "pts") || !strcmp(s, "pty") || !strcmp(s, "xterm") || !strncmp(s, "port:", 5);
	if (bidi && !single)
		return "pts, pty, xterm and port: take a line whole (not IN,OUT)";
	if (!strcmp(s, "pts") || !strcmp(s, "pty")) {
		/* BSD ptys (UML's pty) are gone from Linux hosts: a Unix98 one */
		*c = (struct chan){ .type = CH_PTS, .fd = -1 };
		return NULL;
	}
	if (!strcmp(s, "xterm")) {
		const char *why = check_xterm();
		if (why)
			return why;
		*c = (struct chan){ .type = CH_XTERM, .fd = -1 };
		return NULL;
	}
	if (!strncmp(s, "port:", 5)) {
		const char *why;
		int p = port_get(s + 5, &why);
		if (p < 0)
			return why;
		*c = (struct chan){ .type = CH_PORT, .fd = -1, .port = p };
		return NULL;
	}
	return "expected fd:N[,fd:M], null, file:PATH, tty:PATH, pts, pty, xterm, port:PORT or none";
}

static void release(struct chan *c)
{
	if (c->type == CH_FILE && c->fd >= 0)
		close(c->fd);
	free((char *)c->path);
	c->path = NULL;
}

const char *chan_parse(const char *spec, struct line_cfg *cfg)
{
	struct line_cfg n = { .present = true };
	if (strlen(spec) >= sizeof(n.spec))
		return "the channel is too long";
	snprintf(n.spec, sizeof(n.spec), "%s", spec);
	if (!strcmp(spec, "none")) {
		n.present = false;
	} else {
		const char *comma = strchr(spec, ',');
		const char *err;
		if (!comma) {
			err = parse_one(spec, true, true, &n.in);
			n.out = n.in;
			if (!err && n.in.type == CH_FILE)
				n.in = (struct chan){ .type = CH_NULL, .fd = -1 };	/* file: alone writes only */
		} else {
			char first[128];
			snprintf(first, sizeof(first), "%.*s", (int)(comma - spec), spec);
			err = parse_one(first, false, false, &n.in);
			if (!err) {
				err = parse_one(comma + 1, true, false, &n.out);
				if (err)
					release(&n.in);
			}
		}
		if (err)
			return err;
	}
	if (cfg->present) {
		release(&cfg->in);
		if (cfg->out.path != cfg->in.path || cfg->out.type == CH_FILE)
			release(&cfg->out);
	}
	n.specific = cfg->specific;
	*cfg = n;
	return NULL;
}

/* con=/ssl=: every line of the kind that no conN=/sslN= set. */
static const char *all_lines(const char *spec, int first, int count)
{
	for (int id = first; id < first + count; id++) {
		if (line_cfgs[id].specific)
			continue;
		const char *err = chan_parse(spec, &line_cfgs[id]);
		if (err)
			return err;
	}
	return NULL;
}

/* conN= / sslN= (the whole word): N in range, then the channel. */
static const char *one_line(const char *word, int base, int count)
{
	const char *p = word + 3;
	char *end;
	long n = strtol(p, &end, 10);
	if (end == p || *end != '=' || n < 0 || n >= count || (p[0] == '0' && end - p > 1)) {
		snprintf(msg, sizeof(msg), "expected %.3s=, or %.3sN= with N from 0 to %d", word, word, count - 1);
		return msg;
	}
	struct line_cfg *cfg = &line_cfgs[base + n];
	const char *err = chan_parse(end + 1, cfg);
	if (!err)
		cfg->specific = true;
	return err;
}

static const char *con_setup(const char *spec) { return all_lines(spec, 0, CON_LINES); }
static const char *ssl_setup(const char *spec) { return all_lines(spec, LINE_SSL(0), SSL_LINES); }
static const char *conN_setup(const char *word) { return one_line(word, 0, CON_LINES); }
static const char *sslN_setup(const char *word) { return one_line(word, LINE_SSL(0), SSL_LINES); }
__setup(con, con_setup, "con=CHANNEL", "channel for every console (conN= wins for its line)");
__setup(ssl, ssl_setup, "ssl=CHANNEL", "channel for every serial line (sslN= wins)");
__setup_entry(conN, "con", SETUP_PREFIX, conN_setup, "conN=CHANNEL",
	      "console N (0-15): con0 is the system console\n"
	      "(default fd:0,fd:1), conN /dev/ttyN. CHANNEL:\n"
	      "fd:N[,fd:M], null, file:PATH, tty:PATH, pts, pty,\n"
	      "xterm, port:[HOST:]PORT (telnet), none");
__setup_entry(sslN, "ssl", SETUP_PREFIX, sslN_setup, "sslN=CHANNEL", "serial line /dev/ttySN (N 0-63), same channels");

bool line_host_present(int id)
{
	return id >= 0 && id < LINES_MAX && line_cfgs[id].present;
}
