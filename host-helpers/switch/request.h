/* Parsing of the uml_switch control request (v1 and v3, plus libvdeplug's
 * packed v3 with a description). Pure: bytes in, verdict out, so unit tests
 * can feed it every kind of garbage. */
#ifndef UMK_SWITCH_REQUEST_H
#define UMK_SWITCH_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "wire/uml_switch.h"

/* Largest request we ever wait for: packed v3 + full description. */
#define SW_REQ_MAX (UML_SWITCH_REQ_V3_PACKED_LEN + UML_SWITCH_DESCR_MAX)

enum sw_req_status {
	SW_REQ_OK,
	SW_REQ_NEED_MORE, /* a valid prefix; wait for more bytes */
	SW_REQ_BAD,       /* reject, reason in why */
};

struct sw_request {
	int version;          /* 1 or 3 */
	unsigned port;        /* port asked for (VDE), 0 = any */
	struct sockaddr_un addr; /* client data socket, zero padded */
	uint8_t mac[6];       /* v1 only */
	int has_mac;
	char descr[UML_SWITCH_DESCR_MAX + 1]; /* VDE description, printable */
};

enum sw_req_status sw_request_parse(const void *buf, size_t len,
				    struct sw_request *out, const char **why);

/* Printable form of a client data address ("@name" for abstract ones with
 * non-printables shown as '.'). */
void sw_addr_str(const struct sockaddr_un *a, char *out, size_t outlen);

#endif
