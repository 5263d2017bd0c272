/* The line discipline (N_TTY): input translation (ICRNL...), flow control
 * (IXON/IXOFF), signal characters, canonical line editing with the echo
 * variants, raw reads with VMIN/VTIME, and output post-processing (ONLCR).
 * Canonical input is queued as whole lines; VEOF on an empty line queues
 * a zero-length line, which a reader sees as end of file. */
#include <umk/tty.h>
#include <umk/sched.h>
#include "tty_internal.h"

#define L(t, f) ((t)->termios.c_lflag & (f))
#define I(t, f) ((t)->termios.c_iflag & (f))
#define O(t, f) ((t)->termios.c_oflag & (f))
#define CC(t, i) ((t)->termios.c_cc[i])
#define IS_CC(t, c, i) (CC(t, i) != _POSIX_VDISABLE && (c) == CC(t, i))
#ifndef _POSIX_VDISABLE
#define _POSIX_VDISABLE 0
#endif

static bool is_cntrl(unsigned char c) { return c < 32 || c == 127; }

static size_t room(struct tty *t)
{
	return t->drv && t->drv->write_room ? t->drv->write_room(t) : (size_t)-1;
}

/* Output with OPOST processing. Returns how many of buf's bytes went
 * out (fewer if the driver ran out of room), or -errno. */
ssize_t tty_output(struct tty *t, const char *buf, size_t n)
{
	if (!t->drv || !t->drv->write)
		return n;
	char tmp[512];
	size_t k = 0, i;
	size_t avail = room(t);
	for (i = 0; i < n; i++) {
		char c = buf[i];
		char out[2];
		size_t m = 0;
		if (O(t, OPOST)) {
			if (c == '\n' && O(t, ONLCR)) {
				out[m++] = '\r';
				t->column = 0;
			} else if (c == '\n' && O(t, ONLRET)) {
				t->column = 0;
			} else if (c == '\r' && O(t, ONOCR) && t->column == 0) {
				continue;
			} else if (c == '\r' && O(t, OCRNL)) {
				c = '\n';
				if (O(t, ONLRET))
					t->column = 0;
			}
		}
		out[m++] = c;
		if (c == '\r')
			t->column = 0;
		else if (c == '\t')
			t->column = (t->column | 7) + 1;
		else if (c == '\b')
			t->column -= t->column > 0;
		else if (!is_cntrl(c) && c != '\n')
			t->column++;
		if (m > avail)
			break;
		avail -= m;
		if (k + m > sizeof(tmp)) {
			ssize_t r = t->drv->write(t, tmp, k);
			if (r < 0)
				return i ? (ssize_t)i : r;
			k = 0;
		}
		memcpy(tmp + k, out, m);
		k += m;
	}
	if (k) {
		ssize_t r = t->drv->write(t, tmp, k);
		if (r < 0)
			return r;
	}
	return i;
}

static void echo_raw(struct tty *t, const char *s, size_t n)
{
	tty_output(t, s, n);
}

/* Echo one input character: control characters as ^X with ECHOCTL. */
static void echo_char(struct tty *t, unsigned char c)
{
	if (L(t, ECHOCTL) && is_cntrl(c) && c != '\t') {
		char b[2] = { '^', c ^ 0100 };
		echo_raw(t, b, 2);
	} else {
		echo_raw(t, (char *)&c, 1);
	}
}

static void finish_erasing(struct tty *t)
{
	if (t->erasing) {
		echo_raw(t, "/", 1);
		t->erasing = false;
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
	wake_up(&t->rwait);
}

void n_tty_flush_input(struct tty *t)
{
	t->rlen = t->rhead = 0;
	t->nlines = t->lhead = 0;
	t->line_len = 0;
	if (t->drv && t->drv->input_room)
		t->drv->input_room(t);
}

/* ERASE, WERASE and KILL on the line being edited. */
static void eraser(struct tty *t, unsigned char c)
{
	enum { ERASE, WERASE, KILL } kind;
	if (!t->line_len)
		return;
	if (IS_CC(t, c, VERASE)) {
		kind = ERASE;
	} else if (IS_CC(t, c, VWERASE)) {
		kind = WERASE;
	} else {
		if (!L(t, ECHO)) {
			t->line_len = 0;
			return;
		}
		if (!L(t, ECHOK) || !L(t, ECHOKE) || !L(t, ECHOE)) {
			t->line_len = 0;
			finish_erasing(t);
			echo_char(t, c);
			if (L(t, ECHOK))
				echo_raw(t, "\n", 1);
			return;
		}
		kind = KILL;
	}
	bool seen_alnum = false;
	while (t->line_len) {
		unsigned char e = t->line[t->line_len - 1];
		if (kind == WERASE) {
			bool alnum = (e >= '0' && e <= '9') || ((e | 32) >= 'a' && (e | 32) <= 'z') || e == '_';
			if (alnum)
				seen_alnum = true;
			else if (seen_alnum)
				break;
		}
		t->line_len--;
		if (L(t, ECHO)) {
			if (L(t, ECHOPRT)) {
				if (!t->erasing) {
					echo_raw(t, "\\", 1);
					t->erasing = true;
				}
				echo_char(t, e);
			} else if (kind == ERASE && !L(t, ECHOE)) {
				echo_char(t, c);
			} else if (e == '\t') {
				/* back to the column the tab started from */
				size_t col = 0;
				for (size_t i = 0; i < t->line_len; i++) {
					unsigned char p = t->line[i];
					if (p == '\t')
						col = (col | 7) + 1;
					else if (is_cntrl(p))
						col += L(t, ECHOCTL) ? 2 : 0;
					else
						col++;
				}
				size_t back = t->column > col ? t->column - col : 0;
				while (back--)
					echo_raw(t, "\b", 1);
			} else {
				if (is_cntrl(e) && L(t, ECHOCTL))
					echo_raw(t, "\b \b", 3);
				if (!is_cntrl(e) || L(t, ECHOCTL))
					echo_raw(t, "\b \b", 3);
			}
		}
		if (kind == ERASE)
			break;
	}
	if (!t->line_len && L(t, ECHO))
		finish_erasing(t);
}

static void start_output(struct tty *t)
{
	if (t->stopped) {
		t->stopped = false;
		wake_up(&t->wwait);
	}
}

static void isig(struct tty *t, int sig, unsigned char c)
{
	if (t->pgrp > 0)
		kill_pgrp(t->pgrp, sig);
	if (!L(t, NOFLSH)) {
		n_tty_flush_input(t);
		if (t->drv && t->drv->flush_output)
			t->drv->flush_output(t);
	}
	if (I(t, IXON))
		start_output(t);
	if (L(t, ECHO))
		echo_char(t, c);
	wake_up(&t->rwait);
}

/* One input character; false if raw input found the queue full. */
static bool receive_char(struct tty *t, unsigned char c)
{
	static const struct { int cc, sig; } sigs[] = { { VINTR, 2 }, { VQUIT, 3 }, { VSUSP, 20 } };
	if (I(t, ISTRIP))
		c &= 0x7f;
	if (I(t, IXON)) {
		if (IS_CC(t, c, VSTOP) && !(IS_CC(t, c, VSTART) && t->stopped)) {
			t->stopped = true;
			return true;
		}
		if (IS_CC(t, c, VSTART)) {
			start_output(t);
			return true;
		}
		if (t->stopped && I(t, IXANY))
			start_output(t);
	}
	if (L(t, ISIG)) {
		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
			if (IS_CC(t, c, sigs[i].cc)) {
				isig(t, sigs[i].sig, c);
				return true;
			}
		}
	}
	if (c == '\r') {
		if (I(t, IGNCR))
			return true;
		if (I(t, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(t, INLCR)) {
		c = '\r';
	}
	if (!L(t, ICANON)) {
		if (t->rlen >= TTY_BUF)
			return false;
		if (L(t, ECHO)) {
			finish_erasing(t);
			echo_char(t, c);
		}
		rbuf_put(t, (char *)&c, 1);
		wake_up(&t->rwait);
		return true;
	}
	if (IS_CC(t, c, VERASE) || IS_CC(t, c, VKILL) || (IS_CC(t, c, VWERASE) && L(t, IEXTEN))) {
		eraser(t, c);
		return true;
	}
	if (IS_CC(t, c, VREPRINT) && L(t, ECHO) && L(t, IEXTEN)) {
		finish_erasing(t);
		echo_char(t, c);
		echo_raw(t, "\n", 1);
		for (size_t i = 0; i < t->line_len; i++)
			echo_char(t, t->line[i]);
		return true;
	}
	if (c == '\n') {
		if (L(t, ECHO) || L(t, ECHONL)) {
			finish_erasing(t);
			echo_raw(t, "\n", 1);
		}
		t->line[t->line_len++] = c;
		push_line(t);
		return true;
	}
	if (IS_CC(t, c, VEOF)) {
		push_line(t);
		return true;
	}
	bool eol = IS_CC(t, c, VEOL) || (IS_CC(t, c, VEOL2) && L(t, IEXTEN));
	if (L(t, ECHO)) {
		finish_erasing(t);
		echo_char(t, c);
	}
	if (t->line_len < TTY_BUF - 1)
		t->line[t->line_len++] = c;
	if (eol)
		push_line(t);
	return true;
}

/* IXOFF: ask the sender to pause when the queue is nearly full. */
static void check_throttle(struct tty *t)
{
	if (I(t, IXOFF) && !t->throttled && t->rlen > TTY_BUF - 512 && CC(t, VSTOP)) {
		char c = CC(t, VSTOP);
		t->throttled = true;
		if (t->drv && t->drv->write)
			t->drv->write(t, &c, 1);
	}
}

static void check_unthrottle(struct tty *t)
{
	if (t->throttled && t->rlen < 128) {
		char c = CC(t, VSTART);
		t->throttled = false;
		if (c && t->drv && t->drv->write)
			t->drv->write(t, &c, 1);
	}
	if (t->drv && t->drv->input_room)
		t->drv->input_room(t);
}

size_t tty_receive(struct tty *t, const char *buf, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!receive_char(t, buf[i]))
			break;
	check_throttle(t);
	return i;
}

size_t tty_receive_room(struct tty *t)
{
	return L(t, ICANON) ? TTY_BUF : TTY_BUF - t->rlen;
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

static ssize_t canon_read(struct tty *t, char *buf, size_t n, bool nb)
{
	long err;
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
	check_unthrottle(t);
	return cnt;
}

/* Read for a file with O_NONBLOCK state nb: Linux's n_tty_read rules
 * for VMIN/VTIME (VMIN=0: VTIME is a total timeout, at least one byte
 * wanted; VMIN>0, VTIME>0: an inter-byte timer after the first byte). */
ssize_t n_tty_read(struct tty *t, char *buf, size_t n, bool nb)
{
	if (L(t, ICANON))
		return canon_read(t, buf, n, nb);
	size_t vmin = CC(t, VMIN), vtime = CC(t, VTIME);
	int64_t tick = (int64_t)vtime * 100000000;
	int64_t deadline = -1;		/* none: wait without limit */
	bool may_wait = true;
	if (!vmin) {
		vmin = 1;
		may_wait = vtime != 0;
		deadline = ktime_mono_ns() + tick;
	}
	size_t got = 0;
	long err = 0;
	while (got < n) {
		if (!t->rlen) {
			if (t->hung_up || t->input_eof || !may_wait)
				break;
			if (nb) {
				err = -EAGAIN;
				break;
			}
			err = wait_event_interruptible_deadline(t->rwait, t->rlen || t->hung_up || t->input_eof, deadline);
			if (err == -ETIMEDOUT) {
				err = 0;
				break;
			}
			if (err)
				break;
			continue;
		}
		got += take(t, buf + got, n - got);
		check_unthrottle(t);
		if (got >= vmin)
			break;
		if (vtime)
			deadline = ktime_mono_ns() + tick;
	}
	return got ? (ssize_t)got : err;
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
