/* arch-um/cmdline.c: parse_size (mem=) accepting and rejecting sizes,
 * and parse_cmdline's split of the command line into machine options,
 * init's environment and init's arguments. The error exits of bad options
 * are covered through the real binary by tests/bats/boot.bats. */
#include <stdlib.h>
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

static void reset(void)
{
	memset(&boot_cfg, 0, sizeof(boot_cfg));
	memset(saved_command_line, 0, sizeof(saved_command_line));
	um_mode = MODE_SKAS;
	um_pin = true;
	console_loglevel = 7;
}

static void test_full_cmdline(void)
{
	char hostfs[] = "hostfs=/,append";
	char *argv[] = { "umk", "mem=128M", "root=/dev/root", "rootfstype=hostfs", hostfs, "init=/bin/sh",
			 "mode=tt", "pin=off", "umid=a-b_c.1", "con0=fd:0,fd:1", "con=null", "loglevel=3", "rw", "quiet",
			 "console=tty0", "FOO=bar", "word", "x.y=1", "BAR=", "--", "mem=1G", "-x", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	reset();
	parse_cmdline(argc, argv);
	EQ_U(boot_cfg.mem_bytes, 128ULL << 20, "mem=128M");
	EQ_S(boot_cfg.root, "/dev/root", "root=");
	EQ_S(boot_cfg.rootfstype, "hostfs", "rootfstype=");
	EQ_S(boot_cfg.hostfs, "/", "hostfs=DIR,append: the directory without ,append");
	EQ_S(boot_cfg.init, "/bin/sh", "init=");
	EQ_S(boot_cfg.mode_name, "tt", "mode=tt: name");
	OK(um_mode == MODE_TT, "mode=tt: um_mode");
	OK(!um_pin, "pin=off");
	EQ_S(boot_cfg.umid, "a-b_c.1", "umid=");
	EQ_S(boot_cfg.con[0], "fd:0,fd:1", "con0=");
	EQ_S(boot_cfg.con[1], "null", "con=");
	EQ_I(console_loglevel, 3, "loglevel=3");
	OK(boot_cfg.rw && boot_cfg.quiet, "rw and quiet");

	EQ_I(boot_cfg.envc, 4, "init environment: 4 words");
	if (boot_cfg.envc == 4) {
		EQ_S(boot_cfg.envp[0], "HOME=/", "envp[0] HOME=/");
		EQ_S(boot_cfg.envp[1], "TERM=linux", "envp[1] TERM=linux");
		EQ_S(boot_cfg.envp[2], "FOO=bar", "envp[2] FOO=bar (unknown key=value)");
		EQ_S(boot_cfg.envp[3], "BAR=", "envp[3] BAR= (empty value)");
		OK(boot_cfg.envp[4] == NULL, "envp NULL-terminated");
	}
	EQ_I(boot_cfg.argc, 4, "init arguments: 4 words (argv[0] included)");
	if (boot_cfg.argc == 4) {
		OK(boot_cfg.argv[0] == NULL, "argv[0] left for the kernel (init path)");
		EQ_S(boot_cfg.argv[1], "word", "argv[1]: a plain word");
		EQ_S(boot_cfg.argv[2], "mem=1G", "argv[2]: after --, options are init's");
		EQ_S(boot_cfg.argv[3], "-x", "argv[3]");
		OK(boot_cfg.argv[4] == NULL, "argv NULL-terminated");
	}
	EQ_S(saved_command_line,
	     "mem=128M root=/dev/root rootfstype=hostfs hostfs=/,append init=/bin/sh mode=tt pin=off umid=a-b_c.1 "
	     "con0=fd:0,fd:1 con=null loglevel=3 rw quiet console=tty0 FOO=bar word x.y=1 BAR= -- mem=1G -x",
	     "saved_command_line is the command line as given");
}

extern const char *ubd_last_option;
extern int ubd_option_calls;

static void test_ubd_option(void)
{
	char *argv[] = { "umk", "hostfs=/", "ubd0=disk.img", "ubd1rc=cow,base", NULL };
	reset();
	ubd_option_calls = 0;
	parse_cmdline(4, argv);
	EQ_I(ubd_option_calls, 2, "ubdN= options go to the ubd driver");
	EQ_S(ubd_last_option, "ubd1rc=cow,base", "the whole option word, flags included");
	EQ_I(boot_cfg.envc, 2, "ubd options are not init's environment");
}

extern bool ubd_present[16];

/* The root: hostfs when asked for, else an image on ubdN (default ubd0,
 * as UML's root=98:0); every spelling of the device. */
static void test_root_choice(void)
{
	char *a1[] = { "umk", "hostfs=/", "ubd0=disk.img", NULL };
	reset();
	ubd_present[0] = false;
	parse_cmdline(3, a1);
	EQ_I(boot_cfg.root_ubd, -1, "hostfs= and no ubd0: hostfs root");
	reset();
	ubd_present[0] = true;
	parse_cmdline(3, a1);
	EQ_I(boot_cfg.root_ubd, 0, "ubd0 and no root=: root on ubda");
	char *a2[] = { "umk", "hostfs=/", "ubd0=disk.img", "root=/dev/root", "rootfstype=hostfs", NULL };
	reset();
	parse_cmdline(5, a2);
	EQ_I(boot_cfg.root_ubd, -1, "root=/dev/root rootfstype=hostfs: hostfs even with ubd0");
	ubd_present[1] = true;
	const char *spell[] = { "root=/dev/ubdb", "root=/dev/ubd1", "root=98:16" };
	for (int i = 0; i < 3; i++) {
		char *a3[] = { "umk", (char *)spell[i], "rootfstype=ext4", NULL };
		reset();
		parse_cmdline(3, a3);
		EQ_I(boot_cfg.root_ubd, 1, spell[i]);
		EQ_S(boot_cfg.rootfstype, "ext4", "rootfstype=ext4");
	}
	ubd_present[0] = ubd_present[1] = false;
}

static void test_defaults(void)
{
	char *argv[] = { "umk", "hostfs=/", "ro", NULL };
	reset();
	boot_cfg.rw = true;
	parse_cmdline(3, argv);
	EQ_U(boot_cfg.mem_bytes, 64ULL << 20, "default mem is 64M");
	EQ_S(boot_cfg.mode_name, "skas", "default mode is skas");
	OK(um_mode == MODE_SKAS && um_pin, "default um_mode skas, pin on");
	OK(!boot_cfg.rw, "ro after rw");
	OK(boot_cfg.init == NULL && boot_cfg.root == NULL && boot_cfg.umid == NULL, "no init/root/umid unless given");
	OK(boot_cfg.argc == 1 && boot_cfg.envc == 2, "init gets only argv[0] and HOME, TERM");
	EQ_S(saved_command_line, "hostfs=/ ro", "saved_command_line");

	char *argv2[] = { "umk", "hostfs=/", "mode=skas0", "mem=8M", NULL };
	reset();
	parse_cmdline(4, argv2);
	EQ_S(boot_cfg.mode_name, "skas0", "mode=skas0 (UML's name) is accepted");
	OK(um_mode == MODE_SKAS, "mode=skas0 means skas");
	EQ_U(boot_cfg.mem_bytes, 8ULL << 20, "mem=8M (the minimum)");
}

/* A command line longer than saved_command_line: cut, terminated. Dotted
 * module options are ignored by the parser, so there can be many. */
static void test_long_cmdline(void)
{
	enum { NA = 100 };
	static char words[NA][64];
	char *argv[NA + 3];
	char joined[NA * 64 + 16] = "hostfs=/";
	argv[0] = "umk";
	argv[1] = "hostfs=/";
	for (int i = 0; i < NA; i++) {
		snprintf(words[i], sizeof(words[i]), "mod%03d.param=%050d", i, i);
		argv[i + 2] = words[i];
		strcat(joined, " ");
		strcat(joined, words[i]);
	}
	argv[NA + 2] = NULL;
	reset();
	parse_cmdline(NA + 2, argv);
	size_t n = strnlen(saved_command_line, sizeof(saved_command_line));
	OK(n < sizeof(saved_command_line), "a %zu-byte command line is saved NUL-terminated (%zu bytes)", strlen(joined), n);
	OK(n >= sizeof(saved_command_line) - 64 && !strncmp(saved_command_line, joined, n),
	   "and is its first %zu bytes", n);
	OK(boot_cfg.argc == 1 && boot_cfg.envc == 2, "dotted options go neither to argv nor to envp");
}

int main(void)
{
	test_parse_size();
	test_full_cmdline();
	test_defaults();
	test_ubd_option();
	test_root_choice();
	test_long_cmdline();
	return t_done();
}
