/* The tty layer: a terminal with a line discipline (n_tty), job control
 * (foreground process group, session, controlling tty) and a driver that
 * carries output to the "hardware" (a host channel for the console). */
#ifndef UMK_TTY_H
#define UMK_TTY_H
#include <umk/fs.h>
#include <asm/termbits.h>

struct tty;
struct tty_driver {
	/* Output, already processed (ONLCR...). Returns bytes taken or -errno. */
	ssize_t (*write)(struct tty *t, const char *buf, size_t n);
};

#define TTY_BUF 4096
#define TTY_MAX_LINES 128

struct tty {
	const char *name;		/* "console" */
	uint64_t rdev;
	const struct tty_driver *drv;
	void *driver_data;
	struct termios termios;
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
	pid_t pgrp, session;		/* foreground group; session it controls */
	/* input queue: bytes readable now (raw), or completed lines (canon) */
	char rbuf[TTY_BUF];
	size_t rhead, rlen;
	size_t lines[TTY_MAX_LINES];	/* canonical: length of each queued line */
	size_t lhead, nlines;
	/* the canonical line being edited */
	char line[TTY_BUF];
	size_t line_len;
	struct wait_queue_head rwait, wwait;
	bool hung_up;
	bool input_eof;			/* host input ended: reads return 0 */
};

void tty_init_struct(struct tty *t, const char *name, uint64_t rdev, const struct tty_driver *drv);
/* Input from the driver (keyboard / host channel), in kernel context. */
void tty_receive(struct tty *t, const char *buf, size_t n);
/* Attach an open file to tty t (open of /dev/console, /dev/tty). */
int tty_open_file(struct tty *t, struct file *f, bool noctty);
/* The current task's controlling tty, or NULL. */
struct tty *current_tty(void);
void tty_hangup(struct tty *t);
void tty_receive_eof(struct tty *t);	/* the input channel reached EOF */

extern struct tty *console_tty;	/* set by the console driver */
int console_setup(const char *spec);	/* "fd:N[,fd:M]" or "null"; -EINVAL */
int console_init(void);			/* open the channel chosen by console_setup */
extern const struct file_operations tty_fops;
#endif
