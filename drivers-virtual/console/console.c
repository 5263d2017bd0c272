/* The system console: a tty whose "hardware" is a host channel given by
 * con0= (or con=; parsed by host/con_opt.c). Input arrives as an I/O
 * interrupt on the host fd and is fed to the line discipline; output is
 * written to the host fd.
 *
 * When the host side is not a terminal (a test harness capturing output,
 * a script piped in), the console starts without ECHO (input side) and
 * without ONLCR (output side), so guest output is byte-for-byte what the
 * same program writes natively to a pipe or file. */
#include <umk/tty.h>
#include <umk/hostio.h>
#include <umk/arch.h>
#include <umk/init.h>
#include "console_host.h"

static struct tty con_tty;
static int con_in, con_out;	/* host fds, -1: null (console_host_channel) */

static ssize_t con_write(struct tty *t __unused, const char *buf, size_t n)
{
	size_t done = 0;
	while (con_out >= 0 && done < n) {
		ssize_t r = hostio_write(con_out, buf + done, n - done);
		if (r == -EAGAIN || r == -EINTR) {
			hostio_wait(con_out, true, -1);
			continue;
		}
		if (r <= 0)
			break;	/* host output gone: the guest's writes still succeed */
		done += r;
	}
	return n;
}

static const struct tty_driver con_driver = { .write = con_write };

/* The host terminal was resized: the guest console follows, with
 * SIGWINCH to its foreground group. */
static int winch_fd = -1, winch_tty_fd = -1;
static void con_winch(void *data)
{
	struct tty *t = data;
	uint16_t rows, cols;
	console_winch_host_drain(winch_fd);
	if (hostio_get_winsize(winch_tty_fd, &rows, &cols) || !rows || !cols)
		return;
	uint16_t ws[4] = { rows, cols, t->ws_xpixel, t->ws_ypixel };
	tty_set_winsize(t, ws);
}

static void con_winch_init(struct tty *t, int hostfd)
{
	winch_tty_fd = hostfd;
	winch_fd = console_winch_host_init();
	if (winch_fd < 0 || arch_irq_register_fd(winch_fd, false, con_winch, t))
		printk(KERN_WARNING "console: host resizes will not reach the guest\n");
}

static void con_input(void *data)
{
	struct tty *t = data;
	char buf[512];
	for (;;) {
		ssize_t r = hostio_read(con_in, buf, sizeof(buf));
		if (r > 0) {
			tty_receive(t, buf, r);
			continue;
		}
		if (r == 0 || (r < 0 && r != -EAGAIN && r != -EINTR)) {
			arch_irq_unregister_fd(con_in);
			tty_receive_eof(t);
		}
		if (r != -EINTR)
			return;
	}
}

static int console_init(void)
{
	struct tty *t = &con_tty;
	console_host_channel(&con_in, &con_out);
	tty_init_struct(t, "console", (5 << 8) | 1, &con_driver);
	if (con_in >= 0 && hostio_isatty(con_in)) {
		hostio_tty_raw(con_in);
		uint16_t rows, cols;
		if (!hostio_get_winsize(con_in, &rows, &cols) && rows && cols) {
			t->ws_row = rows;
			t->ws_col = cols;
		}
		con_winch_init(t, con_in);
	} else {
		t->termios.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL);
	}
	if (con_out < 0 || !hostio_isatty(con_out))
		t->termios.c_oflag &= ~ONLCR;
	tty_register_console(t);
	if (con_in < 0) {
		t->input_eof = true;
		return 0;
	}
	int err = arch_irq_register_fd(con_in, false, con_input, t);
	if (err) {
		printk(KERN_ERR "console: cannot attach host channel: %d\n", err);
		return err;
	}
	con_input(t);	/* anything already waiting */
	return 0;
}
device_initcall(console_init);

/* Linux's console=DEVICE picks among several consoles; umk has one,
 * chosen with con0=/con=. Said once rather than silently taken. */
static const char *console_option(const char *v)
{
	printk(KERN_WARNING "umk: console=%s ignored: the console is chosen with con0= (or con=)\n", v);
	return NULL;
}
__setup(console, console_option, NULL, NULL);
