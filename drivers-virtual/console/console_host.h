/* The console, between its halves: the host half (host/) takes the
 * con0=/con= options (checking the host fds exist) and turns host
 * terminal resizes into readiness of a pipe; the kernel half
 * (console.c) is the tty. No host types here. */
#ifndef UMK_CONSOLE_HOST_H
#define UMK_CONSOLE_HOST_H
/* The system console's channel: host fds for input and output, -1 for
 * none ("null"). Default fd:0,fd:1. */
void console_host_channel(int *in, int *out);
/* Install the SIGWINCH handler; returns the pipe's read end or -errno. */
int console_winch_host_init(void);
/* Empty the pipe (after an interrupt). */
void console_winch_host_drain(int fd);
#endif
