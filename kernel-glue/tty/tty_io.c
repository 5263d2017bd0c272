/* tty files: open/close, read and write through the line discipline
 * with the job-control checks, poll; /dev/console (whichever tty a
 * console driver registered) and /dev/tty; the console fds of init. */
#include <umk/fdtable.h>
#include <umk/sched.h>
#include "tty_internal.h"

struct tty *console_tty;

void tty_register_console(struct tty *t)
{
	if (console_tty)
		printk(KERN_WARNING "tty: %s replaces %s as the system console\n", t->name, console_tty->name);
	console_tty = t;
}

static int console_open(struct inode *inode __unused, struct file *f)
{
	if (!console_tty)
		return -ENODEV;
	return tty_open_file(console_tty, f, f->f_flags & O_NOCTTY);
}

static int devtty_open(struct inode *inode __unused, struct file *f)
{
	struct tty *t = current_tty();
	if (!t)
		return -ENXIO;
	return tty_open_file(t, f, true);
}

static const struct file_operations console_fops = { .open = console_open };
static const struct file_operations devtty_fops = { .open = devtty_open };
DEVFS_NODE(console, "console", S_IFCHR | 0600, MKDEV(5, 1), 0, &console_fops);
DEVFS_NODE(tty, "tty", S_IFCHR | 0666, MKDEV(5, 0), 5, &devtty_fops);

void tty_init_struct(struct tty *t, const char *name, uint64_t rdev, const struct tty_driver *drv)
{
	static const cc_t init_cc[NCCS] = "\003\034\177\025\004\0\1\0\021\023\032\0\022\017\027\026\0";
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->rdev = rdev;
	t->drv = drv;
	t->termios.c_iflag = ICRNL | IXON;
	t->termios.c_oflag = OPOST | ONLCR;
	t->termios.c_cflag = B38400 | CS8 | CREAD | HUPCL;
	t->termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(t->termios.c_cc, init_cc, NCCS);
	t->ws_row = 24;
	t->ws_col = 80;
	init_waitqueue_head(&t->rwait);
	init_waitqueue_head(&t->wwait);
}

size_t tty_write_room(struct tty *t)
{
	return t->drv && t->drv->write_room ? t->drv->write_room(t) : (size_t)-1;
}

int tty_open_file(struct tty *t, struct file *f, bool noctty)
{
	f->private_data = t;
	f->f_op = &tty_fops;
	f->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD);
	t->count++;
	if (t->drv && t->drv->open) {
		int err = t->drv->open(t, f);
		if (err) {
			t->count--;
			return err;
		}
	}
	if (!noctty && current && current->signal && tty_is_session_leader() &&
	    !current->signal->tty && !t->session && (f->f_mode & FMODE_READ))
		tty_set_ctty(t);
	return 0;
}

static void tty_release(struct inode *inode __unused, struct file *f)
{
	struct tty *t = f->private_data;
	t->count--;
	if (t->drv && t->drv->close)
		t->drv->close(t, f);	/* may free t */
}

static ssize_t tty_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct tty *t = f->private_data;
	if (t->hung_up)
		return 0;
	int err = tty_check_change(t, SIGTTIN_NR);
	if (err)
		return err;
	return n_tty_read(t, buf, n, f->f_flags & O_NONBLOCK);
}

static ssize_t tty_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct tty *t = f->private_data;
	bool nb = f->f_flags & O_NONBLOCK;
	if (t->hung_up)
		return -EIO;
	if (t->termios.c_lflag & TOSTOP) {
		int err = tty_check_change(t, SIGTTOU_NR);
		if (err)
			return err;
	}
	size_t done = 0;
	while (done < n) {
		long err = 0;
		if (t->hung_up) {
			err = -EIO;
		} else if (!t->stopped) {
			ssize_t r = tty_output(t, (const char *)buf + done, n - done);
			if (r < 0)
				err = r;
			else
				done += r;
			if (done == n)
				break;
		}
		if (!err && nb)
			err = -EAGAIN;
		if (!err)
			err = wait_event_interruptible(t->wwait, t->hung_up || (!t->stopped && tty_write_room(t) >= 2));
		if (err)
			return done ? (ssize_t)done : err;
	}
	return done;
}

static unsigned tty_poll(struct file *f, struct poll_table *pt)
{
	struct tty *t = f->private_data;
	poll_wait(f, &t->rwait, pt);
	poll_wait(f, &t->wwait, pt);
	if (t->hung_up)
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	unsigned mask = 0;
	if (n_tty_avail(t) || t->input_eof)
		mask |= POLLIN | POLLRDNORM;
	if (!t->stopped && tty_write_room(t) > 0)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static long tty_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	return tty_ioctl_common(f->private_data, f, cmd, arg, false);
}

const struct file_operations tty_fops = {
	.read = tty_read, .write = tty_write, .poll = tty_poll, .ioctl = tty_ioctl,
	.release = tty_release, .llseek = NULL,
};

/* fds 0, 1, 2 of pid 1 on /dev/console; pid 1 becomes its session's
 * controlling-tty owner the way Linux init does by opening it. */
int console_open_for_init(struct files_struct *fs)
{
	for (int i = 0; i < 3; i++) {
		struct file *f = do_filp_open(AT_FDCWD, "/dev/console", O_RDWR | O_LARGEFILE, 0);
		if (IS_ERR(f))
			return PTR_ERR(f);
		int fd = fd_install_from(fs, f, i, false);
		if (fd < 0) {
			fput(f);
			return fd;
		}
	}
	return 0;
}
