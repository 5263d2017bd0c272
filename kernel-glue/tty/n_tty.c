/* The line discipline: input translation (ICRNL...), signal characters,
 * canonical line editing with echo, and output post-processing (ONLCR).
 * Canonical input is queued as whole lines; ^D on an empty line queues a
 * zero-length line, which a reader sees as end of file. */
#include <umk/tty.h>
#include <umk/sched.h>

#define SIGINT_NR 2
#define SIGQUIT_NR 3
#define SIGTSTP_NR 20
#define L(t, f) ((t)->termios.c_lflag & (f))
#define I(t, f) ((t)->termios.c_iflag & (f))
#define O(t, f) ((t)->termios.c_oflag & (f))

/* Output with OPOST/ONLCR/OCRNL applied, straight to the driver. */
ssize_t tty_output(struct tty *t, const char *buf, size_t n)
{
	if (!t->drv || !t->drv->write)
		return n;
	if (!O(t, OPOST) || !(O(t, ONLCR) || O(t, OCRNL)))
		return t->drv->write(t, buf, n);
	char tmp[512];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (k + 2 > sizeof(tmp)) {
			ssize_t r = t->drv->write(t, tmp, k);
			if (r < 0)
				return i ? (ssize_t)i : r;
			k = 0;
		}
		if (c == '\n' && O(t, ONLCR))
			tmp[k++] = '\r';
		else if (c == '\r' && O(t, OCRNL))
			c = '\n';
		tmp[k++] = c;
	}
	if (k) {
		ssize_t r = t->drv->write(t, tmp, k);
		if (r < 0)
			return r;
	}
	return n;
}

static void echo_str(struct tty *t, const char *s, size_t n)
{
	tty_output(t, s, n);
}

static void echo_char(struct tty *t, unsigned char c)
{
	if (!L(t, ECHO))
		return;
	if (L(t, ECHOCTL) && (c < 32 || c == 127) && c != '\n' && c != '\t') {
		char b[2] = { '^', c == 127 ? '?' : c + '@' };
		echo_str(t, b, 2);
	} else {
		echo_str(t, (char *)&c, 1);
	}
}

static void rbuf_put(struct tty *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n && t->rlen < TTY_BUF; i++) {
		t->rbuf[(t->rhead + t->rlen) % TTY_BUF] = s[i];
		t->rlen++;
	}
}

static void push_line(struct tty *t)
{
	if (t->nlines >= TTY_MAX_LINES || t->rlen + t->line_len > TTY_BUF)
		return;	/* queue full: drop, like a full n_tty buffer */
	rbuf_put(t, t->line, t->line_len);
	t->lines[(t->lhead + t->nlines) % TTY_MAX_LINES] = t->line_len;
	t->nlines++;
	t->line_len = 0;
}

static void flush_input(struct tty *t)
{
	t->rlen = t->rhead = 0;
	t->nlines = t->lhead = 0;
	t->line_len = 0;
}

static void erase_one(struct tty *t)
{
	if (!t->line_len)
		return;
	unsigned char c = t->line[--t->line_len];
	if (L(t, ECHO) && L(t, ECHOE)) {
		echo_str(t, "\b \b", 3);
		if (L(t, ECHOCTL) && (c < 32 || c == 127) && c != '\t')
			echo_str(t, "\b \b", 3);	/* the ^X took two columns */
	}
}

static bool is_sig_char(struct tty *t, unsigned char c, int *sig)
{
	cc_t *cc = t->termios.c_cc;
	if (c == cc[VINTR] && cc[VINTR])
		*sig = SIGINT_NR;
	else if (c == cc[VQUIT] && cc[VQUIT])
		*sig = SIGQUIT_NR;
	else if (c == cc[VSUSP] && cc[VSUSP])
		*sig = SIGTSTP_NR;
	else
		return false;
	return true;
}

static void receive_char(struct tty *t, unsigned char c)
{
	cc_t *cc = t->termios.c_cc;
	if (I(t, ISTRIP))
		c &= 0x7f;
	if (c == '\r') {
		if (I(t, IGNCR))
			return;
		if (I(t, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(t, INLCR)) {
		c = '\r';
	}
	int sig;
	if (L(t, ISIG) && is_sig_char(t, c, &sig)) {
		if (!L(t, NOFLSH))
			flush_input(t);
		echo_char(t, c);
		if (t->pgrp > 0)
			kill_pgrp(t->pgrp, sig);
		wake_up(&t->rwait);
		return;
	}
	if (!L(t, ICANON)) {
		rbuf_put(t, (char *)&c, 1);
		echo_char(t, c);
		wake_up(&t->rwait);
		return;
	}
	if ((c == cc[VERASE] && cc[VERASE]) || c == '\b' || c == 127) {
		erase_one(t);
		return;
	}
	if (c == cc[VKILL] && cc[VKILL]) {
		if (L(t, ECHOK) || L(t, ECHOKE))
			while (t->line_len)
				erase_one(t);
		else
			t->line_len = 0;
		return;
	}
	if (c == cc[VWERASE] && cc[VWERASE] && L(t, IEXTEN)) {
		while (t->line_len && t->line[t->line_len - 1] == ' ')
			erase_one(t);
		while (t->line_len && t->line[t->line_len - 1] != ' ')
			erase_one(t);
		return;
	}
	if (c == cc[VEOF] && cc[VEOF]) {
		push_line(t);
		wake_up(&t->rwait);
		return;
	}
	bool eol = c == '\n' || (c == cc[VEOL] && cc[VEOL]) || (c == cc[VEOL2] && cc[VEOL2]);
	if (t->line_len < TTY_BUF - 1 || eol)
		t->line[t->line_len++] = c;
	if (c == '\n' && !L(t, ECHO) && L(t, ECHONL))
		echo_str(t, "\n", 1);
	else
		echo_char(t, c);
	if (eol) {
		push_line(t);
		wake_up(&t->rwait);
	}
}

void tty_receive(struct tty *t, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		receive_char(t, buf[i]);
}

/* Switching ICANON: a pending partial line becomes readable raw bytes;
 * raw bytes become one line for a canonical reader. */
void n_tty_set_canon(struct tty *t, bool was_canon)
{
	bool canon = L(t, ICANON);
	if (was_canon && !canon) {
		rbuf_put(t, t->line, t->line_len);
		t->line_len = 0;
		t->nlines = t->lhead = 0;
	} else if (!was_canon && canon && t->rlen) {
		t->lines[0] = t->rlen;
		t->lhead = 0;
		t->nlines = 1;
	}
	wake_up(&t->rwait);
}

static size_t take(struct tty *t, char *dst, size_t n)
{
	size_t cnt = MIN(n, t->rlen);
	for (size_t i = 0; i < cnt; i++)
		dst[i] = t->rbuf[(t->rhead + i) % TTY_BUF];
	t->rhead = (t->rhead + cnt) % TTY_BUF;
	t->rlen -= cnt;
	return cnt;
}

size_t n_tty_avail(struct tty *t)
{
	if (L(t, ICANON))
		return t->nlines ? (t->lines[t->lhead] ? t->lines[t->lhead] : 1) : 0;
	return t->rlen;
}

/* Read for a file with O_NONBLOCK state nb. */
ssize_t n_tty_read(struct tty *t, char *buf, size_t n, bool nb)
{
	long err;
	if (L(t, ICANON)) {
		while (!t->nlines) {
			if (t->hung_up || t->input_eof)
				return 0;
			if (nb)
				return -EAGAIN;
			if ((err = wait_event_interruptible(t->rwait, t->nlines || t->hung_up || t->input_eof)))
				return err;
		}
		size_t *len = &t->lines[t->lhead];
		size_t cnt = take(t, buf, MIN(n, *len));
		*len -= cnt;
		if (!*len) {
			t->lhead = (t->lhead + 1) % TTY_MAX_LINES;
			t->nlines--;
		}
		return cnt;
	}
	cc_t vmin = t->termios.c_cc[VMIN], vtime = t->termios.c_cc[VTIME];
	size_t want = MIN((size_t)(vmin ? vmin : 0), n);
	if (!t->rlen && (t->input_eof || t->hung_up))
		return 0;
	if (!t->rlen && nb)
		return -EAGAIN;
	if (!t->rlen && !vmin && !vtime)
		return 0;
	if (vtime) {
		int64_t deadline = ktime_mono_ns() + (int64_t)vtime * 100000000;
		if (vmin) {	/* wait for the first byte without limit */
			if ((err = wait_event_interruptible(t->rwait, t->rlen || t->hung_up || t->input_eof)))
				return err;
		}
		err = wait_event_interruptible_deadline(t->rwait, t->rlen >= MAX(want, 1) || t->hung_up || t->input_eof, deadline);
		if (err && err != -ETIMEDOUT)
			return t->rlen ? (ssize_t)take(t, buf, n) : err;
	} else if ((err = wait_event_interruptible(t->rwait, t->rlen >= want || t->hung_up || t->input_eof))) {
		return err;
	}
	return take(t, buf, n);
}

/* End of host input: a partial canonical line is delivered, then every
 * further read returns 0, as reading an exhausted pipe would. */
void tty_receive_eof(struct tty *t)
{
	if (L(t, ICANON) && t->line_len)
		push_line(t);
	t->input_eof = true;
	wake_up(&t->rwait);
}
