/* Host terminal resizes for the console: the host side (host/winch.c)
 * turns SIGWINCH into readiness of a pipe that the kernel side registers
 * as an I/O interrupt. No host types here. */
#ifndef UMK_CONSOLE_WINCH_H
#define UMK_CONSOLE_WINCH_H
/* Install the SIGWINCH handler; returns the pipe's read end or -errno. */
int console_winch_host_init(void);
/* Empty the pipe (after an interrupt). */
void console_winch_host_drain(int fd);
#endif
