/* Consoles and serial lines, kernel half: one tty per configured line,
 * as UML's line driver. con0 is the system console (/dev/console), conN
 * the virtual consoles /dev/ttyN and sslN the serial lines /dev/ttySN
 * (major 4, minors N and 64+N, as Linux). Input arrives as an interrupt
 * on the channel's host fd and goes to the line discipline; output goes
 * to the host half, which may take less than all of it: what it leaves
 * waits in a small buffer, and writers wait for room, as on a serial
 * line with flow control. fd: and file: channels wait for the host
 * instead, so nothing written to a pipe or a log is ever lost.
 *
 * A port: line has no channel until a telnet client connects: opening
 * it waits for one (a getty waits for its user, even with O_NONBLOCK),
 * and the client leaving hangs the line up.
 *
 * When the host side is not a terminal (a test harness capturing
 * output, a script piped in), the line starts without ECHO (input side)
 * and without ONLCR (output side), so guest output is byte-for-byte what
 * the same program writes natively to a pipe or file. */
#include <umk/tty.h>
#include <umk/hostio.h>
#include <umk/arch.h>
#include <umk/init.h>
#include <umk/sched.h>
#include <umk/timer.h>
#include <umk/uevent.h>
#include <umk/devconf.h>
#include "console_host.h"

#define LINE_OBUF 4096

struct line {
	struct tty tty;
	int id;
	char name[16];			/* "console", "tty1", "ttyS0" */
	struct line_info li;
	bool up;			/* a channel is there (a port: a client) */
	bool in_irq;			/* li.in is registered */
	struct wait_queue_head connect_wq;	/* port: openers waiting for a client */
	char obuf[LINE_OBUF];		/* output the host did not take yet */
	size_t ohead, olen;
	struct ktimer retry;		/* tries the host again while obuf is not empty */
	int64_t retry_ns;
};

static struct line *lines[LINES_MAX];

static void line_input(void *data);

/* ---- output ---- */

static size_t line_room(struct tty *t)
{
	struct line *l = t->driver_data;
	return l->up ? LINE_OBUF - l->olen : LINE_OBUF;
}

static size_t line_pending(struct tty *t)
{
	return ((struct line *)t->driver_data)->olen;
}

/* fd: and file: channels: the host gets everything, now. */
static void write_blocking(struct line *l, const char *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = line_host_write(l->id, buf + done, n - done);
		if (r == -EAGAIN) {
			hostio_wait(l->li.out, true, -1);
			continue;
		}
		if (r <= 0)
			break;	/* host output gone: the guest's writes still succeed */
		done += (size_t)r;
	}
}

/* Send what the buffer holds; true when it is empty. */
static bool flush_obuf(struct line *l)
{
	while (l->olen) {
		size_t chunk = MIN(l->olen, LINE_OBUF - l->ohead);
		ssize_t r = line_host_write(l->id, l->obuf + l->ohead, chunk);
		if (r == -EAGAIN || r == 0)
			return false;
		if (r < 0) {
			l->olen = 0;	/* the far end is gone: its input handler hangs up */
			break;
		}
		l->ohead = (l->ohead + (size_t)r) % LINE_OBUF;
		l->olen -= (size_t)r;
	}
	l->ohead = 0;
	return true;
}

/* The host was full: try again soon, then less and less often (a pts
 * nobody reads must not cost the host much). */
static void retry_later(struct line *l)
{
	l->retry_ns = l->retry_ns ? MIN(l->retry_ns * 2, 1000000000LL) : 10000000LL;
	ktimer_arm(&l->retry, ktime_mono_ns() + l->retry_ns);
}

static void line_retry(struct ktimer *tm)
{
	struct line *l = tm->data;
	if (flush_obuf(l)) {
		l->retry_ns = 0;
		wake_up(&l->tty.wwait);
	} else {
		retry_later(l);
	}
}

static ssize_t line_write(struct tty *t, const char *buf, size_t n)
{
	struct line *l = t->driver_data;
	if (!l->up)
		return n;	/* no cable: gone, as on a serial line */
	if (l->li.blocking) {
		write_blocking(l, buf, n);
		return n;
	}
	size_t done = 0;
	if (!l->olen) {
		ssize_t r = line_host_write(l->id, buf, n);
		if (r > 0)
			done = (size_t)r;
		else if (r == -EPIPE)
			return n;
	}
	size_t take = MIN(n - done, LINE_OBUF - l->olen);
	for (size_t i = 0; i < take; i++)
		l->obuf[(l->ohead + l->olen + i) % LINE_OBUF] = buf[done + i];
	l->olen += take;
	if (l->olen && !l->retry_ns)
		retry_later(l);
	return (ssize_t)(done + take);
}

/* ---- the channel coming and going ---- */

static void attach_input(struct line *l)
{
	if (l->li.in < 0 || l->in_irq)
		return;
	if (arch_irq_register_fd(l->li.in, false, line_input, l)) {
		printk(KERN_ERR "%s: no interrupt for its input\n", l->name);
		return;
	}
	l->in_irq = true;
}

static void detach_input(struct line *l)
{
	if (l->in_irq)
		arch_irq_unregister_fd(l->li.in);
	l->in_irq = false;
}

/* The far end went away: a port's client, an xterm closed. */
static void line_gone(struct line *l)
{
	detach_input(l);
	ktimer_cancel(&l->retry);
	l->retry_ns = 0;
	l->olen = l->ohead = 0;
	l->up = false;
	if (l->li.port) {
		line_host_hangup(l->id);
		l->li.in = l->li.out = -1;
	}
	tty_hangup(&l->tty);
}

static void line_input(void *data)
{
	struct line *l = data;
	struct tty *t = &l->tty;
	char buf[512];
	for (;;) {
		ssize_t r = line_host_read(l->id, buf, sizeof(buf));
		if (r > 0) {
			tty_receive(t, buf, (size_t)r);
			continue;
		}
		if (r == 0) {
			if (l->li.terminal && !l->li.host_tty) {
				line_gone(l);	/* a port's client left, an xterm closed */
			} else {
				detach_input(l);
				tty_receive_eof(t);	/* fd: the host's input ended */
			}
		}
		return;
	}
}

/* A fresh session on a line that was hung up: its old files are closed
 * (line_open waited for that), so it starts clean. */
static void line_reset(struct tty *t)
{
	t->hung_up = t->input_eof = t->stopped = false;
	t->rhead = t->rlen = t->lhead = t->nlines = t->line_len = t->column = 0;
}

/* A port line: a client is waiting; give it to a free line on that port,
 * one that somebody is opening first. */
static void port_irq(void *data)
{
	int lfd = (int)(long)data;
	struct line *best = NULL;
	for (int i = 0; i < LINES_MAX; i++) {
		struct line *l = lines[i];
		if (!l || !l->li.port || l->li.listen_fd != lfd || l->up)
			continue;
		if (!best || (!list_empty(&l->connect_wq.head) && list_empty(&best->connect_wq.head)))
			best = l;
	}
	if (!best) {
		line_host_refuse(lfd);
		return;
	}
	int fd;
	if (line_host_accept(best->id, &fd))
		return;
	best->li.in = best->li.out = fd;
	best->up = true;
	if (best->tty.hung_up && best->tty.count == 0)
		line_reset(&best->tty);
	attach_input(best);
	wake_up(&best->connect_wq);
}

static int line_open(struct tty *t, struct file *f __unused)
{
	struct line *l = t->driver_data;
	if (l->li.port && !l->up) {
		/* even O_NONBLOCK (getty's) waits, as UML's port_open does */
		int err = wait_event_interruptible(l->connect_wq, l->up);
		if (err)
			return err;
	}
	/* the first open after a hang-up starts a new session */
	if (t->hung_up && t->count == 1 && l->up)
		line_reset(t);
	return 0;
}

static const struct tty_driver line_driver = {
	.write = line_write, .write_room = line_room, .chars_in_buffer = line_pending, .open = line_open,
};

/* ---- host terminal resizes (con0 on the host's terminal) ---- */

static int winch_fd = -1;

static void line_winch(void *data __unused)
{
	console_winch_host_drain(winch_fd);
	for (int i = 0; i < LINES_MAX; i++) {
		struct line *l = lines[i];
		uint16_t rows, cols;
		if (!l || !l->li.host_tty || hostio_get_winsize(l->li.in, &rows, &cols) || !rows || !cols)
			continue;
		uint16_t ws[4] = { rows, cols, l->tty.ws_xpixel, l->tty.ws_ypixel };
		tty_set_winsize(&l->tty, ws);
	}
}

static void winch_init(void)
{
	if (winch_fd >= 0)
		return;
	winch_fd = console_winch_host_init();
	if (winch_fd < 0 || arch_irq_register_fd(winch_fd, false, line_winch, NULL))
		printk(KERN_WARNING "console: host resizes will not reach the guest\n");
}

/* ---- the lines ---- */

static int tty_node_open(struct inode *inode, struct file *f)
{
	uint64_t rdev = inode->i_rdev;
	unsigned minor = (unsigned)(rdev & 0xff);
	int id = minor >= 64 ? LINE_SSL((int)minor - 64) : (int)minor;
	if ((rdev >> 8) != 4 || id >= LINES_MAX || !lines[id] || (minor < 64 && minor >= CON_LINES))
		return -ENXIO;
	return tty_open_file(&lines[id]->tty, f, f->f_flags & O_NOCTTY);
}

static const struct file_operations line_fops = { .open = tty_node_open };

static void announce(struct line *l)
{
	char buf[160];
	line_host_describe(l->id, buf, sizeof(buf));
	/* UML names a pseudo-terminal by its path alone */
	const char *desc = !strncmp(buf, "pts:", 4) ? buf + 4 : buf;
	if (l->id == 0)
		printk(KERN_INFO "console [%s] enabled on %s\n", l->name, desc);
	else if (l->id < CON_LINES)
		printk(KERN_INFO "Virtual console %d assigned device '%s'\n", l->id, desc);
	else
		printk(KERN_INFO "Serial line %d assigned device '%s'\n", l->id - CON_LINES, desc);
}

static void line_add(int id)
{
	struct line *l = kzalloc(sizeof(*l));
	if (!l)
		return;
	l->id = id;
	if (id == 0)
		strlcpy(l->name, "console", sizeof(l->name));
	else
		snprintf(l->name, sizeof(l->name), id < CON_LINES ? "tty%d" : "ttyS%d", id < CON_LINES ? id : id - CON_LINES);
	uint64_t rdev = id == 0 ? MKDEV(5, 1) : id < CON_LINES ? MKDEV(4, id) : MKDEV(4, 64 + id - CON_LINES);
	struct tty *t = &l->tty;
	tty_init_struct(t, l->name, rdev, &line_driver);
	t->driver_data = l;
	init_waitqueue_head(&l->connect_wq);
	ktimer_init(&l->retry, line_retry, l);
	char why[160];
	int err = line_host_open(id, &l->li, why, sizeof(why));
	if (err) {
		printk(KERN_ERR "%s: %s; the line reads nothing and discards its output\n", l->name, why);
		l->li = (struct line_info){ .in = -1, .out = -1, .listen_fd = -1 };
	}
	l->up = !l->li.port;
	if (l->li.host_tty) {
		hostio_tty_raw(l->li.in);
		uint16_t rows, cols;
		if (!hostio_get_winsize(l->li.in, &rows, &cols) && rows && cols) {
			t->ws_row = rows;
			t->ws_col = cols;
		}
		winch_init();
	} else if (!l->li.terminal) {
		t->termios.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL);
	}
	if (!l->li.terminal && (l->li.out < 0 || !hostio_isatty(l->li.out)))
		t->termios.c_oflag &= ~ONLCR;
	lines[id] = l;
	if (l->li.port) {
		/* one interrupt per listening socket, shared by its lines */
		bool seen = false;
		for (int i = 0; i < id; i++)
			seen |= lines[i] && lines[i]->li.port && lines[i]->li.listen_fd == l->li.listen_fd;
		if (!seen && arch_irq_register_fd(l->li.listen_fd, false, port_irq, (void *)(long)l->li.listen_fd))
			printk(KERN_ERR "%s: no interrupt for its port\n", l->name);
	}
	if (id == 0)
		tty_register_console(t);
	else
		devfs_add_node(l->name, S_IFCHR | (id < CON_LINES ? 0620u : 0660u), rdev, id < CON_LINES ? 5 : 0, &line_fops);
	announce(l);
	if (l->li.in < 0 && !l->li.port)
		t->input_eof = true;
	attach_input(l);
	if (l->in_irq)
		line_input(l);	/* anything already waiting */
}

static int lines_init(void)
{
	for (int id = 0; id < LINES_MAX; id++)
		if (line_host_present(id))
			line_add(id);
	return 0;
}
device_initcall(lines_init);

/* mconsole config conN / sslN: the channel, with the pts it got. */
static int line_get_config(const char *dev, struct sbuf *out)
{
	bool ssl = dev[0] == 's';
	long long n;
	if (kstrtoll(dev + 3, 10, &n) || n < 0 || n >= (ssl ? SSL_LINES : CON_LINES) || !lines[ssl ? LINE_SSL(n) : n]) {
		sbuf_printf(out, "%s: no such line", dev);
		return -ENODEV;
	}
	char desc[160];
	line_host_describe(ssl ? LINE_SSL(n) : (int)n, desc, sizeof(desc));
	sbuf_printf(out, "%s", desc);
	return 0;
}

static int line_config(const char *word, struct sbuf *err)
{
	sbuf_printf(err, "%s: a line's channel is set at boot (conN=, sslN=); umk cannot change it later", word);
	return -EOPNOTSUPP;
}

static const struct devconf con_devconf = { .name = "con", .config = line_config, .get_config = line_get_config };
static const struct devconf ssl_devconf = { .name = "ssl", .config = line_config, .get_config = line_get_config };
DEFINE_DEVCONF(con_devconf);
DEFINE_DEVCONF(ssl_devconf);

/* Linux's console=DEVICE picks among several consoles; umk's is con0's
 * line. Said once rather than silently taken. */
static const char *console_option(const char *v)
{
	printk(KERN_WARNING "umk: console=%s ignored: the console is chosen with con0= (or con=)\n", v);
	return NULL;
}
__setup(console, console_option, NULL, NULL);
