/* gdb's remote serial protocol on the stub's connection: packets are
 * $DATA#CS (CS the sum of DATA's bytes, two hex digits), answered with +
 * or - until gdb turns acknowledgements off (QStartNoAckMode); '}' escapes
 * a byte (XOR 0x20) in binary data; a lone 0x03 is gdb's interrupt. The
 * connection is a host socket, read and written with hostio. */
#include <umk/kernel.h>
#include <umk/hostio.h>
#include <umk/arch.h>
#include "gdbstub.h"

static const char hexdig[] = "0123456789abcdef";

void hex_encode(char *out, const void *in, size_t n)
{
	const uint8_t *b = in;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[b[i] >> 4];
		out[2 * i + 1] = hexdig[b[i] & 15];
	}
	out[2 * n] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(void *out, const char *in, size_t n)
{
	uint8_t *b = out;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(in[2 * i]), lo = hi < 0 ? -1 : hexval(in[2 * i + 1]);
		if (lo < 0)
			return -1;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}

uint64_t hex_number(const char **s)
{
	uint64_t v = 0;
	int d;
	while ((d = hexval(**s)) >= 0) {
		v = v << 4 | (uint64_t)d;
		(*s)++;
	}
	return v;
}

size_t rsp_escape(char *out, const void *in, size_t n)
{
	const uint8_t *b = in;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '$' || b[i] == '#' || b[i] == '}' || b[i] == '*') {
			out[o++] = '}';
			out[o++] = (char)(b[i] ^ 0x20);
		} else {
			out[o++] = (char)b[i];
		}
	}
	return o;
}

/* Write all of buf: the socket takes replies at once (they are small), a
 * full one is waited on. */
static int put(struct rsp *r, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = hostio_write(r->fd, buf, n);
		if (w == -EAGAIN || w == -EINTR) {
			if (hostio_wait(r->fd, true, 5000) <= 0)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

void rsp_send(struct rsp *r, const char *data, size_t len)
{
	if (r->fd < 0)
		return;
	char *p = kmalloc(len + 4);
	uint8_t sum = 0;
	p[0] = '$';
	for (size_t i = 0; i < len; i++) {
		p[1 + i] = data[i];
		sum += (uint8_t)data[i];
	}
	p[1 + len] = '#';
	p[2 + len] = hexdig[sum >> 4];
	p[3 + len] = hexdig[sum & 15];
	kfree(r->last);
	r->last = p;
	r->last_len = len + 4;
	if (put(r, p, len + 4))
		rsp_close(r);
}

void rsp_send_str(struct rsp *r, const char *s)
{
	rsp_send(r, s, strlen(s));
}

void rsp_close(struct rsp *r)
{
	if (r->fd >= 0) {
		arch_irq_unregister_fd(r->fd);
		hostio_close(r->fd);
	}
	r->fd = -1;
	r->in_len = 0;
	r->noack = false;
	kfree(r->last);
	r->last = NULL;
}

int rsp_fill(struct rsp *r)
{
	while (r->fd >= 0 && r->in_len < sizeof(r->in)) {
		ssize_t n = hostio_read(r->fd, r->in + r->in_len, sizeof(r->in) - r->in_len);
		if (n == -EAGAIN)
			return 0;
		if (n == -EINTR)
			continue;
		if (n <= 0) {
			rsp_close(r);
			return -1;
		}
		r->in_len += (size_t)n;
	}
	return r->fd >= 0 ? 0 : -1;
}

static void consume(struct rsp *r, size_t n)
{
	memmove(r->in, r->in + n, r->in_len - n);
	r->in_len -= n;
}

enum rsp_event rsp_next(struct rsp *r)
{
	for (;;) {
		if (r->fd < 0)
			return RSP_CLOSED;
		if (!r->in_len)
			return RSP_NONE;
		char c = r->in[0];
		if (c == 0x03) {
			consume(r, 1);
			return RSP_BREAK;
		}
		if (c == '-' && r->last) {	/* gdb asks for the last reply again */
			consume(r, 1);
			if (put(r, r->last, r->last_len))
				rsp_close(r);
			continue;
		}
		if (c != '$') {			/* acks and noise */
			consume(r, 1);
			continue;
		}
		char *hash = NULL;
		for (size_t i = 1; i < r->in_len && !hash; i++)
			if (r->in[i] == '#')
				hash = r->in + i;
		if (!hash || (size_t)(hash - r->in) + 3 > r->in_len) {
			if (r->in_len == sizeof(r->in))	/* too long to be a packet */
				r->in_len = 0;
			return RSP_NONE;
		}
		size_t len = (size_t)(hash - r->in) - 1;
		uint8_t sum = 0, want;
		for (size_t i = 0; i < len; i++)
			sum += (uint8_t)r->in[1 + i];
		bool ok = hex_decode(&want, hash + 1, 1) == 1 && want == sum;
		if (!r->noack && put(r, ok ? "+" : "-", 1)) {
			rsp_close(r);
			return RSP_CLOSED;
		}
		if (!ok) {
			consume(r, len + 4);
			continue;
		}
		/* unescape into pkt */
		size_t o = 0;
		for (size_t i = 0; i < len && o < RSP_MAX; i++) {
			char b = r->in[1 + i];
			if (b == '}' && i + 1 < len)
				b = (char)(r->in[1 + ++i] ^ 0x20);
			r->pkt[o++] = b;
		}
		r->pkt[o] = 0;
		r->pkt_len = o;
		consume(r, len + 4);
		return RSP_PACKET;
	}
}
