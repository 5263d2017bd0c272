/* The tty layer: a terminal with a line discipline (n_tty), job control
 * (foreground process group, session, controlling tty) and a driver that
 * carries output to the "hardware" (a host channel for the console, the
 * master side for a pty slave). */
#ifndef UMK_TTY_H
#define UMK_TTY_H
#include <umk/fs.h>
#include <asm/termbits.h>

struct tty;
struct task;
struct tty_driver {
	/* Output, already processed (ONLCR...). Returns bytes taken (may be
	 * fewer than n, even 0, if the driver is full) or -errno. */
	ssize_t (*write)(struct tty *t, const char *buf, size_t n);
	size_t (*write_room)(struct tty *t);	/* NULL: unlimited */
	size_t (*chars_in_buffer)(struct tty *t);	/* TIOCOUTQ; NULL: 0 */
	void (*flush_output)(struct tty *t);	/* TCOFLUSH */
	void (*input_room)(struct tty *t);	/* a reader made input room */
	void (*winsize_changed)(struct tty *t);
	/* Open/close of a file on this tty (count already updated). */
	int (*open)(struct tty *t, struct file *f);
	void (*close)(struct tty *t, struct file *f);
};

#define TTY_BUF 4096
#define TTY_MAX_LINES 128

struct tty {
	const char *name;		/* "console", "pts/0" */
	uint64_t rdev;
	const struct tty_driver *drv;
	void *driver_data;
	struct termios termios;
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
	pid_t pgrp, session;		/* foreground group; session it controls */
	int count;			/* open files */
	/* input queue: bytes readable now (raw), or completed lines (canon) */
	char rbuf[TTY_BUF];
	size_t rhead, rlen;
	size_t lines[TTY_MAX_LINES];	/* canonical: length of each queued line */
	size_t lhead, nlines;
	/* the canonical line being edited */
	char line[TTY_BUF];
	size_t line_len;
	size_t column;			/* output column, for tab erase */
	struct wait_queue_head rwait, wwait;
	bool hung_up;
	bool input_eof;			/* host input ended: reads return 0 */
	bool stopped;			/* output stopped by ^S / TCOOFF */
	bool throttled;			/* IXOFF: we sent VSTOP */
	bool erasing;			/* ECHOPRT: inside \...\ */
};

void tty_init_struct(struct tty *t, const char *name, uint64_t rdev, const struct tty_driver *drv);
/* Input from the driver (keyboard, host channel, pty master), in kernel
 * context. Returns the bytes taken: raw mode stops when the input queue
 * is full (the caller may wait on wwait... see pty.c); canonical mode
 * takes everything (an overlong line is truncated as Linux does). */
size_t tty_receive(struct tty *t, const char *buf, size_t n);
/* Bytes the input queue could take now (raw mode). */
size_t tty_receive_room(struct tty *t);
/* Attach an open file to tty t (open of /dev/console, /dev/tty, pts). */
int tty_open_file(struct tty *t, struct file *f, bool noctty);
/* The current task's controlling tty, or NULL. */
struct tty *current_tty(void);
/* Hang up: SIGHUP+SIGCONT to the session leader, the session loses its
 * controlling tty, reads return 0 and writes EIO from now on. */
void tty_hangup(struct tty *t);
void tty_receive_eof(struct tty *t);	/* the input channel reached EOF */
/* Set the window size; SIGWINCH to the foreground group if it changed. */
void tty_set_winsize(struct tty *t, const uint16_t ws[4]);
long tty_winsize_ioctl(struct tty *t, unsigned cmd, unsigned long arg);	/* TIOC[GS]WINSZ */
/* For exit: the session leader t (whole group dead) leaves its session:
 * SIGHUP (+SIGCONT for a non-pty... see tty_jobctrl.c) to the foreground
 * group and every process of the session loses its controlling tty. */
void tty_exit_session_leader(struct task *t);
/* The ioctls every tty file has; real is the slave/console tty. */
long tty_ioctl_common(struct tty *real, struct file *f, unsigned cmd, unsigned long arg, bool from_master);

extern struct tty *console_tty;	/* /dev/console */
void tty_register_console(struct tty *t);	/* a console driver's tty becomes it */
extern const struct file_operations tty_fops;

/* ptys (tty/pty.c) and devpts (tty/devpts.c) */
int ptmx_open(struct inode *inode, struct file *f);
/* Its root: devfs shows it as /dev/pts, so a devtmpfs mounted again on
 * /dev (hiding the boot-time devpts mount) still has working ptys. */
struct inode *devpts_root_inode(void);
#endif
