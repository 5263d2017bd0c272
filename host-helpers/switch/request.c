#include "request.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4); /* host order by protocol definition */
	return v;
}

static int addr_ok(const struct uml_switch_addr *w, const char **why)
{
	if (w->family != AF_UNIX) {
		*why = "data socket family is not AF_UNIX";
		return 0;
	}
	/* A filesystem path must be NUL terminated inside the field;
	 * an empty name would be an unbound socket. */
	if (w->path[0] != 0 && memchr(w->path, 0, sizeof w->path) == NULL) {
		*why = "data socket path is not terminated";
		return 0;
	}
	int any = 0;
	for (size_t i = 0; i < sizeof w->path; i++)
		any |= w->path[i];
	if (!any) {
		*why = "empty data socket address";
		return 0;
	}
	return 1;
}

static void copy_addr(struct sockaddr_un *dst, const struct uml_switch_addr *w)
{
	memset(dst, 0, sizeof *dst);
	dst->sun_family = AF_UNIX;
	memcpy(dst->sun_path, w->path, sizeof w->path);
}

/* Bytes after the packed v3 request: libvdeplug's description. UML sends
 * 2 bytes of struct padding there (possibly uninitialised stack), so keep
 * only a printable prefix. */
static void copy_descr(char *dst, const uint8_t *src, size_t n)
{
	size_t j = 0;
	dst[0] = 0;
	if (n <= 2) /* UML's struct padding, or too short to tell apart */
		return;
	if (n > UML_SWITCH_DESCR_MAX)
		n = UML_SWITCH_DESCR_MAX;
	for (size_t i = 0; i < n && isprint(src[i]); i++)
		dst[j++] = (char)src[i];
	dst[j] = 0;
}

enum sw_req_status sw_request_parse(const void *buf, size_t len,
				    struct sw_request *out, const char **why)
{
	const uint8_t *b = buf;
	*why = NULL;
	memset(out, 0, sizeof *out);
	if (len < 4)
		return SW_REQ_NEED_MORE;
	if (get32(b) != UML_SWITCH_MAGIC) {
		/* v0 (no magic) used named data sockets we do not offer. */
		*why = "bad magic (not a uml_switch request, or protocol v0)";
		return SW_REQ_BAD;
	}
	if (len < 8)
		return SW_REQ_NEED_MORE;
	uint32_t word = get32(b + 4);
	if (word == 0) { /* v1: the word after the magic is the type */
		if (len < sizeof(struct uml_switch_req_v1))
			return SW_REQ_NEED_MORE;
		struct uml_switch_req_v1 r;
		memcpy(&r, b, sizeof r);
		if (!addr_ok(&r.sock, why))
			return SW_REQ_BAD;
		out->version = 1;
		memcpy(out->mac, r.mac, 6);
		out->has_mac = 1;
		copy_addr(&out->addr, &r.sock);
		return SW_REQ_OK;
	}
	if (word != UML_SWITCH_VERSION) {
		*why = word == 2 ? "protocol version 2 is not supported"
				 : "unknown protocol version";
		return SW_REQ_BAD;
	}
	if (len < UML_SWITCH_REQ_V3_PACKED_LEN)
		return SW_REQ_NEED_MORE;
	if (len > SW_REQ_MAX) {
		*why = "request too long";
		return SW_REQ_BAD;
	}
	uint32_t type = get32(b + 8);
	if ((type & 0xff) != UML_SWITCH_REQ_NEW_CONTROL) {
		*why = (type & 0xff) == UML_SWITCH_REQ_NEW_PORT0
			       ? "management port 0 is not offered"
			       : "unknown request type";
		return SW_REQ_BAD;
	}
	struct uml_switch_addr w;
	memcpy(&w, b + 12, sizeof w);
	if (!addr_ok(&w, why))
		return SW_REQ_BAD;
	out->version = 3;
	out->port = type >> 8;
	copy_addr(&out->addr, &w);
	copy_descr(out->descr, b + UML_SWITCH_REQ_V3_PACKED_LEN,
		   len - UML_SWITCH_REQ_V3_PACKED_LEN);
	return SW_REQ_OK;
}

void sw_addr_str(const struct sockaddr_un *a, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	if (a->sun_path[0] != 0) {
		snprintf(out, outlen, "%.*s", (int)sizeof a->sun_path, a->sun_path);
		return;
	}
	/* Abstract: trailing zeros are padding. UML's name is binary
	 * {pid, usecs}, shown in hex; a text name is shown as text. */
	size_t end = sizeof a->sun_path;
	while (end > 1 && a->sun_path[end - 1] == 0)
		end--;
	int text = 1;
	for (size_t i = 1; i < end; i++)
		text &= isprint((unsigned char)a->sun_path[i]) != 0;
	size_t j = (size_t)snprintf(out, outlen, text ? "@" : "@hex:");
	for (size_t i = 1; i < end && j + 3 < outlen; i++)
		j += (size_t)snprintf(out + j, outlen - j, text ? "%c" : "%02x",
				      (unsigned char)a->sun_path[i]);
}
