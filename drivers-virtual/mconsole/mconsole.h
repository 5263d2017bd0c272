/* The management console between its halves. The host half (host/)
 * owns the unix datagram socket UML_DIR/UMID/mconsole: it takes each
 * datagram, checks who sent it and that it is a well-formed version 2
 * request (answering anything else itself), and sends replies; it also
 * owns the notify socket (mconsole=notify:PATH). The kernel half
 * (mconsole.c and mc_*.c) runs the commands in a kernel thread. No host
 * types here; the wire format is include/wire/mconsole.h. */
#ifndef MCONSOLE_H
#define MCONSOLE_H
#include <umk/types.h>

#define MC_TEXT_MAX 512

/* One request: its command line, NUL-terminated, printable ASCII only,
 * without trailing blanks; and the sender's address for the replies. */
struct mc_req {
	char text[MC_TEXT_MAX];
	uint8_t peer[112];
	uint32_t peer_len;
};

/* ---- host half ---- */
/* Bind the socket in the instance directory: the fd (non-blocking), or
 * -errno (-ENOENT: this instance has no directory). *path: its path. */
int mc_host_open(const char **path);
/* The next request waiting on fd: 1 (r filled), 0 when none is left.
 * Malformed, oversized, old-version and foreign-user datagrams are
 * answered (when they can be) and skipped here. */
int mc_host_recv(int fd, struct mc_req *r);
/* Answer r: text (len bytes) in as many datagrams as it takes, err on
 * the first. Never blocks: a client that does not read loses replies. */
void mc_host_reply(int fd, const struct mc_req *r, bool err, const char *text, size_t len);
/* Block the whole host process until fd is readable (or a signal
 * arrives): the machine is stopped (mconsole stop). */
void mc_host_wait(int fd);
/* Tell the mconsole=notify: listener, if any: 0, -ENOENT with no
 * listener configured, or the send's -errno. type: wire/mconsole.h. */
int mc_host_notify(int type, const char *text);
/* The notify socket's path, or NULL. */
const char *mc_host_notify_path(void);
#endif
