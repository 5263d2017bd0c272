/* The console driver's host half, inside: what each line's option asked
 * for (con_opt.c), the channels as opened (chan_open.c), ports and
 * telnet (chan_port.c). */
#ifndef CHAN_H
#define CHAN_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "../console_host.h"

enum chan_type {
	CH_NULL,	/* nothing in, output dropped */
	CH_FD,		/* fd:N, a host fd umk was given */
	CH_FILE,	/* file:PATH, output only */
	CH_PTS,		/* pts (and UML's pty): a new pseudo-terminal */
	CH_TTY,		/* tty:PATH, a host terminal device */
	CH_XTERM,	/* a new xterm on a pseudo-terminal */
	CH_PORT,	/* port:[HOST:]PORT, telnet */
};

struct chan {
	enum chan_type type;
	int fd;			/* CH_FD: the fd; CH_FILE: the file, opened while parsing */
	const char *path;	/* CH_FILE, CH_TTY */
	int port;		/* CH_PORT: index in the port table */
};

/* One line's configuration: an input and an output channel (the same
 * one for the bidirectional kinds). */
struct line_cfg {
	bool present;
	bool specific;		/* set by conN=/sslN= (con=/ssl= do not override it) */
	struct chan in, out;
	char spec[128];		/* as given, for messages */
};

/* The running state of a line's channel. */
struct line_run {
	bool open;
	int in, out;		/* fds as handed to the kernel half (-1: none) */
	int keep;		/* a fd held only to keep the channel alive (pts slave) */
	char pts[64];		/* the pseudo-terminal's path (pts, xterm) */
	int conn;		/* port: the client's socket, -1: none */
	int telnet_state;	/* port: the input filter's state */
	bool telnet_cr;		/* port: the last input byte was CR */
	unsigned char pend;	/* port: half of an escaped IAC still to send (0xff), or 0 */
	bool pending;
};

extern struct line_cfg line_cfgs[LINES_MAX];
extern struct line_run line_runs[LINES_MAX];

/* "con1", "ssl0": for messages. */
const char *line_name(int id, char *buf, size_t n);
/* Parse one line's SPEC into cfg: NULL, or why not (a static buffer). */
const char *chan_parse(const char *spec, struct line_cfg *cfg);

/* chan_port.c */
/* The listening socket for port:[HOST:]PORT, made (and bound) at first
 * use, shared by every line on that port: its index, or -1 with why. */
int port_get(const char *spec, const char **why);
int port_listen_fd(int port);
int port_number(int port);
/* Telnet input: take the commands out of buf in place; returns the data
 * bytes left. */
size_t telnet_filter(struct line_run *r, unsigned char *buf, size_t n);
ssize_t telnet_write(struct line_run *r, const unsigned char *buf, size_t n);
#endif
