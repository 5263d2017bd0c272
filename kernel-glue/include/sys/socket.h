/* The only libc header a uapi header asks for: <linux/if.h> (and through
 * it icmp.h, route.h, if_arp.h) wants struct sockaddr from
 * <sys/socket.h>. The guest ABI's layout, nothing else: kernel-glue
 * still sees no host header. */
#ifndef UMK_SYS_SOCKET_H
#define UMK_SYS_SOCKET_H
typedef unsigned short sa_family_t;
struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};
#endif
