/* Helpers shared by the socket layer files in kernel-glue/net. */
#ifndef UMK_NET_SOCK_INTERNAL_H
#define UMK_NET_SOCK_INTERNAL_H
#include <umk/net.h>

/* fd -> socket, holding a file reference in *fp; NULL with -EBADF/-ENOTSOCK. */
struct socket *sockfd_lookup(int fd, struct file **fp, int *err);
int move_addr_to_kernel(uaddr_t uaddr, int len, struct ksockaddr *k);
int move_addr_to_user(const void *k, int klen, uaddr_t uaddr, uaddr_t ulen);
#endif
