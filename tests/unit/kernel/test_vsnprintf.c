/* kernel-glue/lib/vsnprintf.c against the host's snprintf: the same
 * format and arguments must give the same text and return value, at every
 * buffer size (truncation), without writing past the buffer. Then the
 * kernel-only parts: NULL %s, and struct sbuf growing past its 256-byte
 * staging buffer. */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include "ktest.h"
#include "doubles.h"
#include "rename.h"
#include <umk/kernel.h>
#include "unrename.h"

#define GUARD 16
#define GUARD_BYTE 0xa5

/* One check line: "fmt" with the arguments, kernel vs host, at buffer
 * sizes 0, 1, 2, ..., len + 1 (kernel and host must agree on the bytes
 * and the return value at each, and bytes past the size stay untouched),
 * plus a NULL buffer of size 0. Not format-checked by the compiler on
 * purpose: the table has combinations gcc warns about (e.g. "-" with
 * "0") whose meaning C still defines. */
static void cmp_fmt(int line, const char *fmt, ...)
{
	va_list ap, aq;
	char want[4096], got[4096 + GUARD];
	va_start(ap, fmt);

	va_copy(aq, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, aq);
	va_end(aq);
	if (wn < 0 || wn >= (int)sizeof(want)) {
		t_ok(0, __FILE__, line, "host vsnprintf", "format %s: host output unusable (%d)", fmt, wn);
		va_end(ap);
		return;
	}

	const char *why = NULL;
	char hbuf[4096];
	int bad_cap = -1, gn = 0;
	/* the whole output first (the most telling failure), then every size */
	for (int k = 0; k <= wn + 2 && !why; k++) {
		int cap = k == 0 ? wn + 1 : k - 1;
		memset(got, GUARD_BYTE, sizeof(got));
		va_copy(aq, ap);
		gn = k_vsnprintf(got, (size_t)cap, fmt, aq);
		va_end(aq);
		va_copy(aq, ap);
		int hn = vsnprintf(hbuf, (size_t)cap, fmt, aq);
		va_end(aq);
		bad_cap = cap;
		if (gn != hn)
			why = "return value differs";
		else if (cap && memcmp(got, hbuf, (size_t)(cap <= wn ? cap : wn + 1)))
			why = "text differs";
		for (int i = cap; i < cap + GUARD && !why; i++)
			if ((unsigned char)got[i] != GUARD_BYTE)
				why = "wrote past the end of the buffer";
	}
	if (!why) {
		va_copy(aq, ap);
		gn = k_vsnprintf(NULL, 0, fmt, aq);
		va_end(aq);
		if (gn != wn)
			why = "return value with (NULL, 0) differs", bad_cap = 0;
	}
	va_end(ap);

	printf("%s %d - vsnprintf(", why ? "not ok" : "ok", ++t_num);
	t_print_str(fmt, -1);
	fputs(") = ", stdout);
	t_print_str(want, wn);
	printf(" (%d)\n", wn);
	if (why) {
		t_fail++;
		printf("#   %s:%d: %s at buffer size %d: kernel ", __FILE__, line, why, bad_cap);
		t_print_str(got, gn >= 0 && gn < bad_cap ? gn : bad_cap > 0 ? bad_cap - 1 : 0);
		printf(" (%d), host ", gn);
		t_print_str(hbuf, wn < bad_cap ? wn : bad_cap > 0 ? bad_cap - 1 : 0);
		printf(" (%d)\n", wn);
	}
	fflush(stdout);
}
#define CMP(...) cmp_fmt(__LINE__, __VA_ARGS__)

/* Kernel output of a format, for the cases the host does differently. */
static int kfmt_n(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = k_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

static const char *kfmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	k_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return buf;
}

static void test_integers(void)
{
	CMP("%d", 0);
	CMP("%d", 42);
	CMP("%d", -42);
	CMP("%d", INT_MAX);
	CMP("%d", INT_MIN);
	CMP("%i", -7);
	CMP("[%5d]", 42);
	CMP("[%5d]", -42);
	CMP("[%-5d]", 42);
	CMP("[%-5d]", -42);
	CMP("[%05d]", 42);
	CMP("[%05d]", -42);
	CMP("[%+d]", 42);
	CMP("[%+d]", -42);
	CMP("[%+d]", 0);
	CMP("[% d]", 42);
	CMP("[% d]", -42);
	CMP("[%+ d]", 42);
	CMP("[% +d]", 42);
	CMP("[% 05d]", 42);
	CMP("[%+05d]", -3);
	CMP("[%+5d]", 0);
	CMP("[%-+6d]", 7);
	CMP("[%-05d]", 3);
	CMP("[%.3d]", 7);
	CMP("[%.3d]", -7);
	CMP("[%.0d]", 0);
	CMP("[%.0d]", 5);
	CMP("[%5.0d]", 0);
	CMP("[%+.0d]", 0);
	CMP("[% .0d]", 0);
	CMP("[%8.3d]", -42);
	CMP("[%-8.3d]", -42);
	CMP("[%08.3d]", 5);
	CMP("[%.10d]", INT_MIN);
	CMP("[%*d]", 6, 42);
	CMP("[%*d]", -6, 42);
	CMP("[%-*d]", 6, 42);
	CMP("[%0*d]", 6, -42);
	CMP("[%0*d]", -6, 42);
	CMP("[%.*d]", 4, 42);
	CMP("[%.*d]", 0, 0);
	CMP("[%.*d]", -1, 0);
	CMP("[%0.*d]", -1, 42);
	CMP("[%08.*d]", -3, 42);
	CMP("[%*.*d]", 8, 5, -42);
	CMP("[%-*.*d]", 8, 5, -42);

	CMP("%u", 0u);
	CMP("%u", UINT_MAX);
	CMP("[%+u]", 5u);
	CMP("[% u]", 5u);
	CMP("[%6u]", 123u);
	CMP("[%.0u]", 0u);
	CMP("%x", 255u);
	CMP("%x", UINT_MAX);
	CMP("%X", 0xabcdefu);
	CMP("%o", 8u);
	CMP("%o", UINT_MAX);
	CMP("[%#x]", 255u);
	CMP("[%#X]", 255u);
	CMP("[%#o]", 8u);
	CMP("[%#o]", 0u);
	CMP("[%#.0o]", 0u);
	CMP("[%#.3o]", 8u);
	CMP("[%#.2o]", 8u);
	CMP("[%#5o]", 8u);
	CMP("[%#-5o]", 8u);
	CMP("[%#05o]", 8u);
	CMP("[%#08x]", 255u);
	CMP("[%#-8x]", 255u);
	CMP("[%#8x]", 255u);
	CMP("[%#.4x]", 255u);
	CMP("[%#10.4X]", 255u);
	CMP("[%08x]", 0xbeefu);
	CMP("[%-08x]", 0xbeefu);
	CMP("[%.5x]", 0x1fu);
	CMP("[%8.5x]", 0x1fu);
	CMP("[%08.5x]", 0x1fu);
	CMP("[%.0x]", 0u);
	CMP("[%5.0x]", 0u);
	CMP("[%5.0o]", 0u);

	/* length modifiers */
	CMP("%ld", LONG_MIN);
	CMP("%ld", LONG_MAX);
	CMP("%li", -1L);
	CMP("%lu", ULONG_MAX);
	CMP("%lx", 0xdeadbeefcafeUL);
	CMP("%lX", 0xdeadbeefcafeUL);
	CMP("%lo", ULONG_MAX);
	CMP("%lld", LLONG_MIN);
	CMP("%lld", LLONG_MAX);
	CMP("%lli", -1234567890123LL);
	CMP("%llu", ULLONG_MAX);
	CMP("%llx", ULLONG_MAX);
	CMP("%#llx", 0x8000000000000000ULL);
	CMP("%#llo", ULLONG_MAX);
	CMP("[%+25lld]", LLONG_MIN);
	CMP("[%-30llu]", ULLONG_MAX);
	CMP("[%030llu]", ULLONG_MAX);
	CMP("[%.25llx]", ULLONG_MAX);
	CMP("%zu", SIZE_MAX);
	CMP("%zu", (size_t)0);
	CMP("%zd", (ssize_t)-5);
	CMP("%zx", (size_t)0x1000);
	CMP("%jd", (intmax_t)INTMAX_MIN);
	CMP("%ju", (uintmax_t)UINTMAX_MAX);
	CMP("%td", (ptrdiff_t)-9);
	/* h/hh: in range values (the kernel accepts and ignores h) */
	CMP("%hd", -123);
	CMP("%hu", 65535);
	CMP("%hhu", 200);
	CMP("%hhd", -100);
	CMP("%hx", 0xbeef);
	/* a width and precision wider than the digit buffer */
	CMP("[%300d]", -1);
	CMP("[%-300x]", 0xabcu);
	CMP("[%.300d]", 42);
	CMP("[%0300lld]", LLONG_MIN);
}

static void test_strings_chars(void)
{
	char *exact = malloc(3); /* "abc" with no NUL: precision must stop the read */
	memcpy(exact, "abc", 3);

	CMP("%s", "hello");
	CMP("%s", "");
	CMP("[%10s]", "hello");
	CMP("[%-10s]", "hello");
	CMP("[%2s]", "hello");
	CMP("[%.3s]", "hello");
	CMP("[%.0s]", "hello");
	CMP("[%.10s]", "ab");
	CMP("[%10.3s]", "hello");
	CMP("[%-10.3s]", "hello");
	CMP("[%*s]", 7, "ab");
	CMP("[%*s]", -7, "ab");
	CMP("[%-*s]", 7, "ab");
	CMP("[%.*s]", 2, "abcdef");
	CMP("[%.*s]", -1, "abcdef");
	CMP("[%.3s]", exact);
	CMP("[%5.*s]", 2, exact);
	CMP("%s and %s", "this", "that");
	CMP("%c", 'A');
	CMP("[%5c]", 'x');
	CMP("[%-5c]", 'x');
	CMP("[%c]", 0);
	CMP("[%3c|%c]", 0, 'z');
	CMP("[%c]", 0x1ff);
	CMP("%%");
	CMP("100%%");
	CMP("%%d%%s%%");
	CMP("[%d%%]", 50);
	CMP("no conversions at all");
	CMP("");
	CMP("%p", (void *)0x1234);
	CMP("%p", (void *)0x7fffdeadbeefUL);
	CMP("%p", (void *)UINTPTR_MAX);
	CMP("[%20p]", (void *)0xabcdef);
	CMP("[%-20p]", (void *)0xabcdef);
	CMP("pid %d: %s %c %5.2x %lu%%", 17, "init", 'R', 3u, 99UL);
	CMP("%s=%-8s|%08.3d|%#x|%+lld|%c", "key", "val", -12, 0xffu, 7LL, '!');

	char longs[3000];
	memset(longs, 'q', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = 0;
	CMP("<%s>", longs);
	CMP("<%.1000s>", longs);
	free(exact);
}

static void test_kernel_only(void)
{
	char b[64];
	const char *volatile null_str = NULL;
	/* Not compared with the host: glibc prints "(null)" too but only for
	 * precisions of 6 and more; the kernel always starts from "(null)". */
	EQ_S(kfmt(b, sizeof(b), "%s", null_str), "(null)", "NULL %%s -> \"(null)\"");
	EQ_S(kfmt(b, sizeof(b), "[%8s]", null_str), "[  (null)]", "NULL %%8s pads like a string");
	EQ_S(kfmt(b, sizeof(b), "[%-8s]", null_str), "[(null)  ]", "NULL %%-8s pads like a string");
	EQ_S(kfmt(b, sizeof(b), "[%.3s]", null_str), "[(nu]", "NULL %%.3s is cut like a string");
	EQ_I(k_snprintf(NULL, 0, "%s", null_str), 6, "NULL %%s counts 6 characters");
	/* glibc says 0 for "%#x" of 0; the kernel prints the prefix, as Linux's does. */
	EQ_S(kfmt(b, sizeof(b), "%#x", 0u), "0x0", "%%#x of 0 -> \"0x0\" (as in Linux)");
	/* A lone '%' at the end: printed, and the format not read past its NUL. */
	char *tail = malloc(5);
	memcpy(tail, "abc%", 5);
	memset(b, 'X', sizeof(b));
	EQ_I(kfmt_n(b, sizeof(b), tail), 4, "trailing %% returns 4");
	EQ_S(b, "abc%", "trailing %% is printed");
	free(tail);
	/* snprintf is vsnprintf */
	EQ_I(k_snprintf(b, 4, "%d", 123456), 6, "snprintf returns the full length when truncating");
	EQ_S(b, "123", "snprintf truncates and terminates");
	memset(b, 'X', sizeof(b));
	EQ_I(k_snprintf(b, 1, "%s", "abc"), 3, "snprintf size 1 returns 3");
	EQ_I(b[0], 0, "snprintf size 1 writes only the NUL");
	EQ_I(b[1], 'X', "snprintf size 1 leaves the rest");
}

static void test_sbuf(void)
{
	struct sbuf sb;
	char want[20000];
	size_t wl = 0;

	sbuf_init(&sb);
	OK(sb.buf == NULL && sb.len == 0 && sb.cap == 0, "sbuf_init: empty, no buffer");
	sbuf_printf(&sb, "x=%d", 5);
	EQ_S(sb.buf, "x=5", "sbuf_printf small");
	EQ_U(sb.len, 3, "sbuf len after small printf");
	OK(sb.cap >= 4, "sbuf cap >= len + 1");
	sbuf_free(&sb);
	OK(sb.buf == NULL && sb.len == 0 && sb.cap == 0, "sbuf_free: empty again");

	/* many appends through reallocations */
	sbuf_init(&sb);
	int ok = 1;
	for (int i = 0; i < 500; i++) {
		const char *word = i % 3 ? "abcdefghijklmnopqrstuvwxyz0123456789" : "";
		sbuf_printf(&sb, "%s-%04d|", word, i);
		wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%s-%04d|", word, i);
		if (sb.len != wl || sb.cap < sb.len + 1 || memcmp(sb.buf, want, wl + 1))
			ok = 0;
	}
	OK(ok, "sbuf_printf: 500 appends match the host text at every step (len %zu, cap %zu)", sb.len, sb.cap);
	sbuf_free(&sb);

	/* single outputs around the 256-byte staging buffer, fresh and appended */
	static const int sizes[] = { 254, 255, 256, 257, 511, 512, 1000, 5000 };
	char big[6000];
	memset(big, 'z', sizeof(big));
	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		for (int pre = 0; pre < 2; pre++) {
			int n = sizes[k];
			sbuf_init(&sb);
			wl = 0;
			if (pre) {
				sbuf_printf(&sb, "%s", "prefix:");
				wl = (size_t)snprintf(want, sizeof(want), "prefix:");
			}
			sbuf_printf(&sb, "%.*s%d", n - 1, big, 7);
			wl += (size_t)snprintf(want + wl, sizeof(want) - wl, "%.*s%d", n - 1, big, 7);
			OK(sb.len == wl && sb.buf[sb.len] == 0 && sb.cap >= sb.len + 1 && !memcmp(sb.buf, want, wl + 1),
			   "sbuf_printf of %d chars%s", n, pre ? " after a prefix" : "");
			sbuf_free(&sb);
		}
	}

	/* width-generated output larger than the staging buffer */
	sbuf_init(&sb);
	sbuf_printf(&sb, "[%3000d]", 42);
	snprintf(want, sizeof(want), "[%3000d]", 42);
	OK(sb.len == strlen(want) && !strcmp(sb.buf, want), "sbuf_printf with width 3000");
	sbuf_free(&sb);

	/* putmem: binary data, growth, terminated */
	sbuf_init(&sb);
	char bin[700];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 7);
	for (int i = 0; i < 10; i++)
		sbuf_putmem(&sb, bin, sizeof(bin));
	ok = sb.len == 10 * sizeof(bin) && sb.buf[sb.len] == 0;
	for (int i = 0; ok && i < 10; i++)
		ok = !memcmp(sb.buf + i * sizeof(bin), bin, sizeof(bin));
	OK(ok, "sbuf_putmem: 10 x 700 bytes with NULs, terminated");
	sbuf_printf(&sb, "%s", "tail");
	OK(sb.len == 10 * sizeof(bin) + 4 && !strcmp(sb.buf + 10 * sizeof(bin), "tail"), "sbuf_printf after putmem");
	sbuf_free(&sb);
	sbuf_init(&sb);
	sbuf_putmem(&sb, "", 0);
	OK(sb.buf && sb.len == 0 && sb.buf[0] == 0, "sbuf_putmem of 0 bytes gives an empty string");
	sbuf_free(&sb);
}

int main(void)
{
	test_integers();
	test_strings_chars();
	test_kernel_only();
	test_sbuf();
	return t_done();
}
