/* UML's management console protocol, version 2 (reference:
 * protocols.md §b, Linux arch/um/include/shared/mconsole.h): datagrams
 * on a unix socket, host byte order. Shared by the mconsole driver's
 * host half (drivers-virtual/mconsole/host) and umk-mconsole. */
#ifndef UMK_WIRE_MCONSOLE_H
#define UMK_WIRE_MCONSOLE_H
#include <stdint.h>

#define MCONSOLE_MAGIC 0xcafebabeU
#define MCONSOLE_VERSION 2
#define MCONSOLE_MAX_DATA 512

/* Client -> kernel. len: bytes of data, without a NUL, < MAX_DATA. */
struct mconsole_request {
	uint32_t magic;
	uint32_t version;
	uint32_t len;
	char data[MCONSOLE_MAX_DATA];
};
#define MCONSOLE_REQUEST_HDR 12

/* Kernel -> client, one or more per request: more is 1 on all but the
 * last; err only on the first; len counts data with its NUL (<= 512). */
struct mconsole_reply {
	uint32_t err;
	uint32_t more;
	uint32_t len;
	char data[MCONSOLE_MAX_DATA];
};
#define MCONSOLE_REPLY_HDR 12

/* Kernel -> the mconsole=notify:PATH listener. */
enum mconsole_notify_type {
	MCONSOLE_SOCKET,	/* booted: data is the mconsole socket's path */
	MCONSOLE_PANIC,		/* data: the panic message */
	MCONSOLE_HANG,		/* (uml_watchdog's) */
	MCONSOLE_USER_NOTIFY,	/* data: text (umk: "stop STATUS" when it exits) */
};
struct mconsole_notify {
	uint32_t magic;
	uint32_t version;
	uint32_t type;
	uint32_t len;
	char data[MCONSOLE_MAX_DATA];
};
#define MCONSOLE_NOTIFY_HDR 16
#endif
