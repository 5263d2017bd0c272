/* Unix98 pseudo-terminal pairs, shared by pty.c and devpts.c. */
#ifndef UMK_PTY_H
#define UMK_PTY_H
#include <umk/tty.h>

#define PTY_OBUF 8192

struct pty {
	struct tty slave;		/* with the line discipline */
	struct termios mtermios;	/* the master's own (unused) termios */
	int index;
	int master_count;		/* open master files */
	bool locked;			/* TIOCSPTLCK: slave may not be opened */
	bool master_closed;
	bool slave_closed;		/* slave was open and all its files closed */
	bool packet;			/* TIOCPKT */
	/* slave output, read from the master */
	char obuf[PTY_OBUF];
	size_t ohead, olen;
	struct wait_queue_head mrwait, mwwait;
	struct inode *node;		/* /dev/pts/N, NULL once removed */
	char name[16];			/* "pts/N" */
};

/* pty.c */
extern const struct file_operations pts_fops;	/* /dev/pts/N */

/* devpts.c */
int devpts_new_index(void);		/* lowest free index or -ENOSPC */
void devpts_kill_index(int index);
struct inode *devpts_pty_new(struct pty *p);	/* the node /dev/pts/N */
void devpts_pty_kill(struct pty *p);
/* A new open file for the slave of p, as TIOCGPTPEER does (the devpts
 * mount found from the master's own path). */
struct file *devpts_open_peer(struct file *master, struct pty *p, unsigned flags);
#endif
