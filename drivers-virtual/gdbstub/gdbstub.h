/* The gdbstub: gdb's remote serial protocol for one guest process, from
 * the host (Documentation/debugging-guest.md). gdbstub_start is the one
 * entry point for other kernel code (mconsole): serve the process pid on
 * the endpoint of gdbstub=. The rest is shared by the stub's files:
 * gdbstub.c (the kernel thread that traces the process), rsp.c (packets),
 * regs.c (the x86-64 registers as gdb numbers them). */
#ifndef UMK_GDBSTUB_H
#define UMK_GDBSTUB_H
#include <umk/sched.h>

/* Stop process pid (all its threads) and serve it to the next gdb that
 * connects: 0, -ENODEV (no gdbstub=), -EBUSY (serving one already),
 * -ESRCH (no such process), -EPERM (traced already, or a kernel thread).
 * Returns at once: the stub attaches from its own thread. */
int gdbstub_start(pid_t pid);
/* Where gdb connects (gdbstub=): "tcp:ADDR:PORT" or "unix:PATH". */
const char *gdbstub_endpoint(void);

/* rsp.c: the connection. Input is read when it is there (rsp_fill), split
 * into packets (rsp_next); replies go out whole (rsp_send). */
#define RSP_MAX 16384			/* PacketSize we announce */
struct rsp {
	int fd;				/* the connection (host fd), -1: none */
	bool noack;			/* QStartNoAckMode */
	size_t in_len;
	char in[RSP_MAX + 8];		/* bytes received, not yet a packet */
	char pkt[RSP_MAX + 1];		/* the last packet, unescaped, NUL-ended */
	size_t pkt_len;
	char *last;			/* the last reply, for a retransmission */
	size_t last_len;
};
enum rsp_event { RSP_NONE, RSP_PACKET, RSP_BREAK, RSP_CLOSED };
int rsp_fill(struct rsp *r);		/* 0, or -1: the connection is gone */
enum rsp_event rsp_next(struct rsp *r);
void rsp_send(struct rsp *r, const char *data, size_t len);
void rsp_send_str(struct rsp *r, const char *s);
void rsp_close(struct rsp *r);
/* hex helpers */
void hex_encode(char *out, const void *in, size_t n);
int hex_decode(void *out, const char *in, size_t n);	/* bytes, or -1 */
uint64_t hex_number(const char **s);			/* advances *s */
/* binary data for qXfer replies: escapes $ # } * into out (2*n room) */
size_t rsp_escape(char *out, const void *in, size_t n);

/* regs.c: the registers of a stopped task in gdb's order (the target
 * description it sends as target.xml) */
extern const char gdbstub_target_xml[];
/* 'g': every register as hex into out; length, or -errno */
long regs_read_all(struct task *t, char *out, size_t size);
/* 'G': from hex */
int regs_write_all(struct task *t, const char *hex);
/* 'p' / 'P': register n */
long regs_read_one(struct task *t, int n, char *out, size_t size);
int regs_write_one(struct task *t, int n, const char *hex);
#endif
