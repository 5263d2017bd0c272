/* A small printf engine: %d %i %u %x %X %o %s %c %p %% with flags
 * '-', '0', ' ', '+', '#', width, precision and l/ll/z/h length. */
#include <umk/kernel.h>

struct out { char *buf; size_t cap, len; };

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, unsigned long long v, int base, bool upper, bool neg,
		    int width, int prec, bool left, bool zero, char sign, bool alt)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	if (v == 0 && prec != 0)
		tmp[n++] = '0';
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	int ndig = n < prec ? prec : n;
	char pfx[3];
	int np = 0;
	if (neg)
		pfx[np++] = '-';
	else if (sign)
		pfx[np++] = sign;
	if (alt && base == 16)
		pfx[np++] = '0', pfx[np++] = upper ? 'X' : 'x';
	else if (alt && base == 8 && ndig == n && (n == 0 || tmp[n - 1] != '0'))
		ndig++;
	int pad = width - ndig - np;
	if (!left && !(zero && prec < 0))
		while (pad-- > 0)
			put(o, ' ');
	for (int i = 0; i < np; i++)
		put(o, pfx[i]);
	if (!left && zero && prec < 0)
		while (pad-- > 0)
			put(o, '0');
	for (int i = ndig; i > n; i--)
		put(o, '0');
	while (n)
		put(o, tmp[--n]);
	while (left && pad-- > 0)
		put(o, ' ');
}

int vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct out o = { buf, cap, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		bool left = false, zero = false, alt = false;
		char sign = 0;
		int width = 0, prec = -1, lng = 0;
		for (;; fmt++) {
			char c = fmt[1];
			if (c == '-') left = true;
			else if (c == '0') zero = true;
			else if (c == '+') sign = '+';
			else if (c == ' ') { if (!sign) sign = ' '; }
			else if (c == '#') alt = true;
			else break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0)
				left = true, width = -width;
			fmt++;
		} else
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
		}
		for (;; fmt++) {
			if (*fmt == 'l') lng++;
			else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') lng = 2;
			else if (*fmt == 'h') ;
			else break;
		}
		switch (*fmt) {
		case 'd': case 'i': {
			long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
			unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
			put_num(&o, u, 10, false, v < 0, width, prec, left, zero, sign, false);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			put_num(&o, v, base, *fmt == 'X', false, width, prec, left, zero, 0, alt);
			break;
		}
		case 'p':
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, width, prec, left, zero, 0, true);
			break;
		case 'c': {
			int pad = width - 1;
			while (!left && pad-- > 0) put(&o, ' ');
			put(&o, (char)va_arg(ap, int));
			while (left && pad-- > 0) put(&o, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = prec >= 0 ? (int)strnlen(s, prec) : (int)strlen(s);
			int pad = width - n;
			while (!left && pad-- > 0) put(&o, ' ');
			for (int i = 0; i < n; i++) put(&o, s[i]);
			while (left && pad-- > 0) put(&o, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
		}
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

void sbuf_init(struct sbuf *b)
{
	b->buf = NULL;
	b->len = b->cap = 0;
}

static void sbuf_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->buf = krealloc(b->buf, cap);
	b->cap = cap;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	sbuf_reserve(b, n);
	if ((size_t)n < sizeof(tmp)) {
		memcpy(b->buf + b->len, tmp, n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(b->buf + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

void sbuf_putmem(struct sbuf *b, const void *p, size_t n)
{
	sbuf_reserve(b, n);
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = 0;
}

void sbuf_free(struct sbuf *b)
{
	kfree(b->buf);
	sbuf_init(b);
}
