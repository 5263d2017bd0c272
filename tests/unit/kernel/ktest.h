/* A tiny TAP-ish harness for the kernel-glue unit tests: every check
 * prints "ok N - what" or "not ok N - what" (plus the place and the values
 * on failure); t_done() prints the plan "1..N" and gives the exit status,
 * non-zero when any check failed. tests/run-all.sh only looks at that exit
 * status; the lines are for the humans reading a failure. */
#ifndef UMK_KTEST_H
#define UMK_KTEST_H
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int t_num, t_fail;

__attribute__((format(printf, 2, 0))) static void t_line(int pass, const char *fmt, va_list ap)
{
	printf("%s %d - ", pass ? "ok" : "not ok", ++t_num);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		t_fail++;
}

__attribute__((format(printf, 5, 6), unused)) static int t_ok(int pass, const char *file, int line, const char *expr,
								const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	t_line(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   %s:%d: failed: %s\n", file, line, expr);
	fflush(stdout);
	return pass;
}

__attribute__((format(printf, 5, 6), unused)) static int t_eq_u(uint64_t got, uint64_t exp, const char *file, int line,
								  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	t_line(got == exp, fmt, ap);
	va_end(ap);
	if (got != exp)
		printf("#   %s:%d: got %" PRIu64 " (%#" PRIx64 "), expected %" PRIu64 " (%#" PRIx64 ")\n", file, line,
		       got, got, exp, exp);
	fflush(stdout);
	return got == exp;
}

__attribute__((format(printf, 5, 6), unused)) static int t_eq_i(int64_t got, int64_t exp, const char *file, int line,
								  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	t_line(got == exp, fmt, ap);
	va_end(ap);
	if (got != exp)
		printf("#   %s:%d: got %" PRId64 ", expected %" PRId64 "\n", file, line, got, exp);
	fflush(stdout);
	return got == exp;
}

/* Prints s (n bytes, or up to its NUL if n < 0) quoted, escaping the rest. */
static void t_print_str(const char *s, long n)
{
	if (!s) {
		fputs("NULL", stdout);
		return;
	}
	putchar('"');
	for (long i = 0; n < 0 ? s[i] != 0 : i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('"');
}

__attribute__((format(printf, 5, 6), unused)) static int t_eq_s(const char *got, const char *exp, const char *file,
								  int line, const char *fmt, ...)
{
	int pass = got && exp ? !strcmp(got, exp) : got == exp;
	va_list ap;
	va_start(ap, fmt);
	t_line(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		printf("#   %s:%d: got ", file, line);
		t_print_str(got, -1);
		fputs(", expected ", stdout);
		t_print_str(exp, -1);
		putchar('\n');
	}
	fflush(stdout);
	return pass;
}

#define OK(cond, ...) t_ok(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define EQ_U(got, exp, ...) t_eq_u((uint64_t)(got), (uint64_t)(exp), __FILE__, __LINE__, __VA_ARGS__)
#define EQ_I(got, exp, ...) t_eq_i((int64_t)(got), (int64_t)(exp), __FILE__, __LINE__, __VA_ARGS__)
#define EQ_S(got, exp, ...) t_eq_s((got), (exp), __FILE__, __LINE__, __VA_ARGS__)
/* A note in the output (TAP diagnostic). */
#define NOTE(...) (printf("# " __VA_ARGS__), putchar('\n'), fflush(stdout))

__attribute__((unused)) static int t_done(void)
{
	printf("1..%d\n", t_num);
	if (t_fail)
		printf("# %d of %d checks failed\n", t_fail, t_num);
	fflush(stdout);
	return t_fail ? 1 : 0;
}
#endif
