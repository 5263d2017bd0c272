/* arch-um/cmdline.c: parse_size (mem=) accepting and rejecting sizes;
 * parse_cmdline's dispatch of words to the options registered with
 * __setup (value, prefix and flag options, here registered by this test),
 * the split of the rest into init's environment and arguments, errors
 * (status 2, one line), duplicate registrations (refused) and --help made
 * from the registry. The real options are exercised through the binary
 * by tests/bats/boot.bats. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <umk/init.h>
#include "ktest.h"
#include "um.h"

extern char saved_command_line[4096];

struct size_case { const char *s; int ret; uint64_t v; };
static const struct size_case sizes[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "4096", 0, 4096 },
	{ "1k", 0, 1024 },
	{ "1K", 0, 1024 },
	{ "64m", 0, 64ULL << 20 },
	{ "64M", 0, 64ULL << 20 },
	{ "2g", 0, 2ULL << 30 },
	{ "2G", 0, 2ULL << 30 },
	{ "007M", 0, 7ULL << 20 },
	{ "18446744073709551615", 0, UINT64_MAX },
	{ "18014398509481983K", 0, ((1ULL << 54) - 1) << 10 },
	{ "17592186044415M", 0, ((1ULL << 44) - 1) << 20 },
	{ "17179869183G", 0, ((1ULL << 34) - 1) << 30 },
	{ "18446744073709551616", -1, 0 },
	{ "18014398509481984K", -1, 0 },
	{ "17592186044416M", -1, 0 },
	{ "17179869184G", -1, 0 },
	{ "", -1, 0 },
	{ "M", -1, 0 },
	{ "-1", -1, 0 },
	{ "-1M", -1, 0 },
	{ "+1", -1, 0 },
	{ " 1", -1, 0 },
	{ "1 ", -1, 0 },
	{ "1MB", -1, 0 },
	{ "1Mk", -1, 0 },
	{ "1T", -1, 0 },
	{ "1b", -1, 0 },
	{ "1.5G", -1, 0 },
	{ "0x10", -1, 0 },
	{ "12Q", -1, 0 },
};

static void test_parse_size(void)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const struct size_case *c = &sizes[i];
		uint64_t v = 0x5a5a5a5a;
		int r = parse_size(c->s, &v);
		if (c->ret == 0)
			OK(r == 0 && v == c->v, "parse_size(\"%s\") = %" PRIu64 " (got %d, %" PRIu64 ")", c->s, c->v, r, v);
		else
			OK(r == -1 && v == 0x5a5a5a5a, "parse_size(\"%s\") rejected, value untouched (got %d, %" PRIu64 ")",
			   c->s, r, v);
	}
}

/* Options registered by this test, recording what they get. */
static const char *got_mem, *got_disk, *got_word;
static int n_disk, n_flag;

static const char *mem_opt(const char *v)
{
	got_mem = v;
	return NULL;
}
static const char *disk_opt(const char *w)
{
	got_disk = w;
	n_disk++;
	return w[4] == 'x' ? "expected diskN=FILE" : NULL;
}
static const char *flag_opt(const char *v)
{
	got_word = v;
	n_flag++;
	return NULL;
}
__setup(mem, mem_opt, "mem=SIZE", "memory\nsecond line");
__setup_prefix(disk, disk_opt, "diskN[flags]=FILE", "a disk");
__setup_flag(fast, flag_opt, "fast", "a flag");
__setup_named(dotted, "a.b", mem_opt, NULL, NULL);

static void reset(void)
{
	memset(&boot_cfg, 0, sizeof(boot_cfg));
	memset(saved_command_line, 0, sizeof(saved_command_line));
	got_mem = got_disk = got_word = NULL;
	n_disk = n_flag = 0;
}

static void test_full_cmdline(void)
{
	char *argv[] = { "umk", "mem=128M", "disk0r=cow,base", "fast", "fast=1", "fastx", "FOO=bar", "word",
			 "x.y=1", "BAR=", "--", "mem=1G", "-x", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	reset();
	parse_cmdline(argc, argv);
	EQ_S(got_mem, "128M", "a value option gets the text after '='");
	EQ_S(got_disk, "disk0r=cow,base", "a prefix option gets the whole word");
	EQ_I(n_disk, 1, "the prefix option was called once");
	EQ_I(n_flag, 1, "a flag option takes only the bare word");
	OK(got_word == NULL, "a flag option gets NULL");

	EQ_I(boot_cfg.envc, 5, "init environment: 5 words");
	if (boot_cfg.envc == 5) {
		EQ_S(boot_cfg.envp[0], "HOME=/", "envp[0] HOME=/");
		EQ_S(boot_cfg.envp[1], "TERM=linux", "envp[1] TERM=linux");
		EQ_S(boot_cfg.envp[2], "fast=1", "envp[2] fast=1 (a flag's name with a value is not the flag)");
		EQ_S(boot_cfg.envp[3], "FOO=bar", "envp[3] FOO=bar (unknown key=value)");
		EQ_S(boot_cfg.envp[4], "BAR=", "envp[4] BAR= (empty value)");
		OK(boot_cfg.envp[5] == NULL, "envp NULL-terminated");
	}
	EQ_I(boot_cfg.argc, 5, "init arguments: 5 words (argv[0] included)");
	if (boot_cfg.argc == 5) {
		OK(boot_cfg.argv[0] == NULL, "argv[0] left for the kernel (init path)");
		EQ_S(boot_cfg.argv[1], "fastx", "argv[1]: a word that only starts like a flag");
		EQ_S(boot_cfg.argv[2], "word", "argv[2]: a plain word");
		EQ_S(boot_cfg.argv[3], "mem=1G", "argv[3]: after --, options are init's");
		EQ_S(boot_cfg.argv[4], "-x", "argv[4]");
		OK(boot_cfg.argv[5] == NULL, "argv NULL-terminated");
	}
	EQ_S(saved_command_line,
	     "mem=128M disk0r=cow,base fast fast=1 fastx FOO=bar word x.y=1 BAR= -- mem=1G -x",
	     "saved_command_line is the command line as given");
}

/* Run parse_cmdline in a child; its exit status and first stderr line. */
static int run_child(char **argv, int argc, char *err, size_t errlen)
{
	int p[2];
	if (pipe(p))
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		dup2(p[1], 1);
		reset();
		parse_cmdline(argc, argv);
		_exit(0);
	}
	close(p[1]);
	ssize_t n = read(p[0], err, errlen - 1);
	err[n > 0 ? n : 0] = 0;
	close(p[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_errors_and_help(void)
{
	char out[8192];
	char *a1[] = { "umk", "diskx=f", NULL };
	EQ_I(run_child(a1, 2, out, sizeof(out)), 2, "an option's error: exit status 2");
	EQ_S(out, "umk: diskx=f: expected diskN=FILE\n", "one line naming the word and what was expected");
	char *a2[] = { "umk", "=x", NULL };
	EQ_I(run_child(a2, 2, out, sizeof(out)), 2, "=x (no key): exit status 2");
	char *a3[] = { "umk", "--help", NULL };
	EQ_I(run_child(a3, 2, out, sizeof(out)), 0, "--help: exit status 0");
	OK(strstr(out, "  mem=SIZE              memory\n                        second line\n") != NULL,
	   "--help lists a registered option, its help lines indented");
	OK(strstr(out, "  diskN[flags]=FILE     a disk\n") && strstr(out, "  fast                  a flag\n"),
	   "--help lists every option with a usage text");
	OK(strstr(out, "a.b") == NULL, "an option without a usage text is not listed");
	OK(strstr(out, "  diskN") < strstr(out, "  fast") && strstr(out, "  fast") < strstr(out, "  mem="),
	   "--help lists options sorted by usage");
}

/* A command line longer than saved_command_line: cut, terminated. Dotted
 * module options are ignored by the parser, so there can be many. */
static void test_long_cmdline(void)
{
	enum { NA = 100 };
	static char words[NA][64];
	char *argv[NA + 2];
	char joined[NA * 64 + 16] = "";
	argv[0] = "umk";
	for (int i = 0; i < NA; i++) {
		snprintf(words[i], sizeof(words[i]), "mod%03d.param=%050d", i, i);
		argv[i + 1] = words[i];
		if (i)
			strcat(joined, " ");
		strcat(joined, words[i]);
	}
	argv[NA + 1] = NULL;
	reset();
	parse_cmdline(NA + 1, argv);
	size_t n = strnlen(saved_command_line, sizeof(saved_command_line));
	OK(n < sizeof(saved_command_line), "a %zu-byte command line is saved NUL-terminated (%zu bytes)", strlen(joined), n);
	OK(n >= sizeof(saved_command_line) - 64 && !strncmp(saved_command_line, joined, n),
	   "and is its first %zu bytes", n);
	OK(boot_cfg.argc == 1 && boot_cfg.envc == 2, "dotted options go neither to argv nor to envp");
	char *a2[] = { "umk", "a.b=7", NULL };
	reset();
	parse_cmdline(2, a2);
	EQ_S(got_mem, "7", "a registered option with a dot in its name is taken");
}

int main(void)
{
	test_parse_size();
	test_full_cmdline();
	test_errors_and_help();
	test_long_cmdline();
	return t_done();
}
