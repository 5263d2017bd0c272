/* The gdbstub between its halves: the host half (host/) takes the
 * gdbstub= option and owns the listening socket (a TCP port on the
 * host's loopback, or a unix socket); the kernel half (gdbstub.c) speaks
 * the gdb remote protocol on the connections, reading and writing them
 * with hostio. No host types here. */
#ifndef UMK_GDBSTUB_HOST_H
#define UMK_GDBSTUB_HOST_H
/* The listening socket (non-blocking), or -1 without gdbstub=. */
int gdbstub_host_listen_fd(void);
/* Where gdb connects, for messages: "tcp:127.0.0.1:1234", "unix:PATH". */
const char *gdbstub_host_endpoint(void);
/* A waiting connection (non-blocking, close-on-exec): its fd, -EAGAIN if
 * none, or -errno. */
int gdbstub_host_accept(int listen_fd);
#endif
