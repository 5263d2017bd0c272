/* uml_switch "daemon" transport: the request a client sends on the switch's
 * control stream and the reply it gets back. Shared by umk-switch (host side)
 * and the in-kernel daemon network driver, so both agree byte for byte with
 * Debian's uml_switch, vde_switch and real UML guests.
 * Everything is in host byte order (see shared/reference/protocols.md §a). */
#ifndef UMK_WIRE_UML_SWITCH_H
#define UMK_WIRE_UML_SWITCH_H

#include <stdint.h>

#define UML_SWITCH_MAGIC 0xFEEDFACEu

/* Request types. vde_switch encodes a wanted port number in the bits above
 * the low byte: type = UML_SWITCH_REQ_NEW_CONTROL + (port << 8). */
enum {
	UML_SWITCH_REQ_NEW_CONTROL = 0,
	UML_SWITCH_REQ_NEW_PORT0 = 1, /* VDE: management port 0 */
};

#define UML_SWITCH_VERSION 3

/* The sockaddr_un as it travels: u16 family (AF_UNIX = 1) + 108 path bytes.
 * Spelled out here so the kernel side needs no libc header. An abstract
 * address has path[0] == 0. Size 110, alignment 2, like struct sockaddr_un. */
#define UML_SWITCH_PATH_MAX 108
struct uml_switch_addr {
	uint16_t family;
	char path[UML_SWITCH_PATH_MAX];
};

/* Version 3 request, as UML sends it: 124 bytes (2 bytes tail padding). */
struct uml_switch_req_v3 {
	uint32_t magic;   /* UML_SWITCH_MAGIC */
	uint32_t version; /* 3 */
	uint32_t type;    /* UML_SWITCH_REQ_NEW_CONTROL (+ port << 8 for VDE) */
	struct uml_switch_addr sock; /* the client's data socket */
};

/* libvdeplug sends the v3 request packed, followed by a free-text
 * description; the bytes on the wire are 122 + strlen(description). */
#define UML_SWITCH_REQ_V3_PACKED_LEN 122
#define UML_SWITCH_DESCR_MAX 128

/* Version 1 request (older UML): no version word; the word after the magic
 * is the type, then the client's MAC, then its data socket. 124 bytes. */
struct uml_switch_req_v1 {
	uint32_t magic;
	uint32_t type;
	uint8_t mac[6];
	struct uml_switch_addr sock;
};

/* The reply is one struct uml_switch_addr (110 bytes): the address to which
 * the client sends its frames. After that every datagram in either direction
 * is one raw Ethernet frame (no FCS, no header). */
#define UML_SWITCH_REPLY_LEN ((int)sizeof(struct uml_switch_addr))

/* uml_switch accepts 14 + 1500 bytes; we accept up to this much. */
#define UML_SWITCH_FRAME_MAX 65536

_Static_assert(sizeof(struct uml_switch_addr) == 110, "sockaddr_un is 110 bytes");
_Static_assert(sizeof(struct uml_switch_req_v3) == 124, "v3 request is 124 bytes");
_Static_assert(sizeof(struct uml_switch_req_v1) == 124, "v1 request is 124 bytes");

#endif
