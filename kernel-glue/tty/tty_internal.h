/* Declarations shared by the files of kernel-glue/tty. */
#ifndef UMK_TTY_INTERNAL_H
#define UMK_TTY_INTERNAL_H
#include <umk/tty.h>

#define SIGHUP_NR 1
#define SIGCONT_NR 18
#define SIGTTIN_NR 21
#define SIGTTOU_NR 22
#define SIGWINCH_NR 28

/* n_tty.c */
ssize_t tty_output(struct tty *t, const char *buf, size_t n);
ssize_t n_tty_read(struct tty *t, char *buf, size_t n, bool nb);
size_t n_tty_avail(struct tty *t);
void n_tty_set_canon(struct tty *t, bool was_canon);
void n_tty_flush_input(struct tty *t);

/* tty_jobctrl.c */
bool tty_is_session_leader(void);
void tty_set_ctty(struct tty *t);
/* Background access to the controlling tty: 0 (go on), -EIO, or
 * -ERESTARTSYS after sending sig to the caller's process group. */
int tty_check_change(struct tty *t, int sig);
/* Every process of t's session loses t as controlling tty. */
void tty_clear_session(struct tty *t);
int tty_tiocsctty(struct tty *t, struct file *f, unsigned long arg);
int tty_tiocnotty(struct tty *t);

/* tty_io.c */
size_t tty_write_room(struct tty *t);
#endif
