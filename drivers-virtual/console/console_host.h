/* Consoles and serial lines, between the driver's halves. A line is a
 * tty whose "hardware" is a host channel, as UML's: con0 is the system
 * console (/dev/console), conN the virtual consoles /dev/ttyN, sslN the
 * serial lines /dev/ttySN. The host half (host/) takes the options
 * (con=, conN=, ssl=, sslN=), opens the channels (fd:N, null, file:,
 * pty/pts, tty:, xterm, port:) and moves bytes (speaking telnet on a
 * port); the kernel half (console.c, line*.c) is the ttys. No host types
 * here; errors are -errno. */
#ifndef UMK_CONSOLE_HOST_H
#define UMK_CONSOLE_HOST_H
#include <umk/types.h>

#define CON_LINES 16		/* con0..con15, as UML's MAX_TTYS */
#define SSL_LINES 64		/* ssl0..ssl63, as UML's NR_PORTS */
#define LINES_MAX (CON_LINES + SSL_LINES)
/* Line ids: conN is N, sslN is CON_LINES + N. */
#define LINE_SSL(n) (CON_LINES + (n))

/* What the kernel half needs to know of an open channel. */
struct line_info {
	int in, out;		/* host fds to poll for input / that take output; -1: none */
	bool host_tty;		/* in is the host's own terminal: raw mode, resizes */
	bool terminal;		/* a terminal at the other end (pts, xterm, port, tty:): echo, ONLCR */
	bool blocking;		/* output waits for the host (fd:, file:): nothing is lost */
	bool port;		/* a telnet port: a client comes and goes */
	int listen_fd;		/* port: the (shared) listening socket */
};

/* Is line id configured (con0 always is, unless con0=none)? */
bool line_host_present(int id);
/* Open line id's channel (at boot): 0, or -errno with
 * the reason in why (the line then has no channel). */
int line_host_open(int id, struct line_info *li, char *why, size_t n);
/* Input: bytes (telnet commands taken out on a port), 0 when the other
 * end went away, -EAGAIN when there is nothing. */
ssize_t line_host_read(int id, void *buf, size_t n);
/* Output: bytes taken (maybe fewer), -EAGAIN when full, -EPIPE when the
 * other end went away. */
ssize_t line_host_write(int id, const void *buf, size_t n);
/* "pts:/dev/pts/5", "port:9000", "fd:0,fd:1": for mconsole config conN. */
void line_host_describe(int id, char *buf, size_t n);

/* ---- ports ---- */
/* A client is waiting on line id's port: take it for that line (the
 * telnet greeting is sent): 0, or -EAGAIN when there is none. */
int line_host_accept(int id, int *fd);
/* A client for a port none of whose lines is free: told so, closed. */
void line_host_refuse(int listen_fd);
/* Line id's client went away: close its connection. */
void line_host_hangup(int id);

/* ---- host terminal resizes (winch.c) ---- */
/* Install the SIGWINCH handler; returns the pipe's read end or -errno. */
int console_winch_host_init(void);
/* Empty the pipe (after an interrupt). */
void console_winch_host_drain(int fd);
#endif
