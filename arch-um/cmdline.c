/* The UML-style command line: known options configure the machine, the
 * rest is handed to init the way Linux does (key=value -> environment,
 * words -> arguments, everything after "--" -> arguments). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <umk/ubd.h>
#include "um.h"

struct boot_config boot_cfg;
char saved_command_line[4096];
enum trap_mode um_mode = MODE_SKAS;
bool um_pin = true;

static const struct { const char *name; enum trap_mode mode; } modes[] = {
	{ "tt", MODE_TT }, { "skas", MODE_SKAS }, { "skas0", MODE_SKAS },
};

static const char usage[] =
"Usage: umk [options] [-- init arguments]\n"
"Runs a Linux machine as an unprivileged user-mode kernel.\n"
"\n"
"  mem=SIZE              guest memory, suffix k/K/m/M/g/G (default 64M)\n"
"  root=DEV              root device; /dev/root with rootfstype=hostfs\n"
"  rootfstype=TYPE       root filesystem type (hostfs)\n"
"  hostfs=DIR            host directory that is the root filesystem; the\n"
"                        guest never sees anything outside it\n"
"  rootflags=DIR         same as hostfs= when rootfstype=hostfs (UML syntax)\n"
"  ubdN[rsdct]=[COW,]FILE  block device /dev/ubdX (N 0-15 or a-p) on a host\n"
"                        image: r read-only, s O_SYNC writes, d no COW\n"
"                        header detection, c no file locking (shared),\n"
"                        t no discard\n"
"  rw | ro               mount root read-write / read-only (default ro)\n"
"  init=PATH             first program (default: /sbin/init, /etc/init,\n"
"                        /bin/init, /bin/sh)\n"
"  mode=tt|skas          trap mode: tt = PTRACE_SYSCALL trace thread,\n"
"                        skas = PTRACE_SYSEMU with batched stub (default)\n"
"  pin=on|off            keep the kernel and its guest processes on one\n"
"                        host CPU (default on: traps are much cheaper)\n"
"  umid=NAME             instance name (letters, digits, '-', '_', '.')\n"
"  con0=fd:N,fd:M|null   system console channel (default fd:0,fd:1)\n"
"  con=SPEC              channel for all consoles\n"
"  quiet                 only errors from the kernel log on stderr\n"
"  loglevel=N            console log level (0-8)\n"
"  --help, --version     this text / the version\n"
"  -- ARGS               everything after -- is passed to init\n"
"Other key=value words go to init's environment, other words to its\n"
"arguments, as on Linux. Power off the guest with `poweroff -f`.\n";

static void bad(const char *opt, const char *expect)
{
	fprintf(stderr, "umk: %s: %s\n", opt, expect);
	exit(2);
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 0: break;
	default: return -1;
	}
	if (*end || v > (~0ULL >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static void add_arg(const char *s)
{
	if (boot_cfg.argc >= BOOT_MAX_ARGS - 2)
		bad(s, "too many arguments for init");
	boot_cfg.argv[boot_cfg.argc++] = s;
}

static void add_env(const char *s)
{
	if (boot_cfg.envc >= BOOT_MAX_ARGS - 2)
		bad(s, "too many environment words for init");
	boot_cfg.envp[boot_cfg.envc++] = s;
}

static bool valid_umid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

static void save_cmdline(int argc, char **argv)
{
	size_t off = 0;
	for (int i = 1; i < argc && off < sizeof(saved_command_line) - 2; i++) {
		int n = snprintf(saved_command_line + off, sizeof(saved_command_line) - off, "%s%s",
				 i > 1 ? " " : "", argv[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (off >= sizeof(saved_command_line))
		saved_command_line[sizeof(saved_command_line) - 1] = 0;
}

void parse_cmdline(int argc, char **argv)
{
	boot_cfg.mem_bytes = 64ULL << 20;
	boot_cfg.mode_name = "skas";
	save_cmdline(argc, argv);
	add_arg(NULL);		/* argv[0] = init path, filled in by the kernel */
	add_env("HOME=/");
	add_env("TERM=linux");
	bool after_dashes = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (after_dashes) {
			add_arg(a);
			continue;
		}
		if (!strcmp(a, "--")) {
			after_dashes = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		}
		if (!strcmp(a, "--version")) {
			printf("umk %s\n", UMK_VERSION);
			exit(0);
		}
		char *eq = strchr(a, '=');
		const char *val = eq ? eq + 1 : NULL;
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
#define KEY(k) (klen == strlen(k) && !strncmp(a, k, klen))
		if (eq && KEY("mem")) {
			if (parse_size(val, &boot_cfg.mem_bytes) || boot_cfg.mem_bytes < (8ULL << 20) ||
			    boot_cfg.mem_bytes > (64ULL << 30))
				bad(a, "expected a size from 8M to 64G with an optional k/K/m/M/g/G suffix");
		} else if (eq && KEY("root")) {
			boot_cfg.root = val;
		} else if (eq && KEY("rootfstype")) {
			if (strcmp(val, "hostfs"))
				bad(a, "only rootfstype=hostfs is supported");
			boot_cfg.rootfstype = val;
		} else if (eq && (KEY("hostfs") || KEY("rootflags"))) {
			struct stat st;
			char *comma = strchr(val, ',');
			if (comma && !strcmp(comma, ",append"))
				*comma = 0;
			if (!*val || stat(val, &st) || !S_ISDIR(st.st_mode))
				bad(a, "expected an existing host directory");
			boot_cfg.hostfs = val;
		} else if (eq && klen > 3 && !strncmp(a, "ubd", 3)) {
			const char *err = ubd_host_option(a);
			if (err)
				bad(a, err);
		} else if (eq && KEY("init")) {
			if (val[0] != '/')
				bad(a, "expected an absolute path");
			boot_cfg.init = val;
		} else if (eq && KEY("mode")) {
			size_t m;
			for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
				if (!strcmp(val, modes[m].name))
					break;
			if (m == sizeof(modes) / sizeof(modes[0]))
				bad(a, "expected mode=tt or mode=skas");
			um_mode = modes[m].mode;
			boot_cfg.mode_name = modes[m].name;
		} else if (eq && KEY("pin")) {
			if (strcmp(val, "on") && strcmp(val, "off"))
				bad(a, "expected pin=on or pin=off");
			um_pin = !strcmp(val, "on");
		} else if (eq && KEY("umid")) {
			if (!valid_umid(val))
				bad(a, "expected 1-64 letters, digits, '-', '_' or '.'");
			boot_cfg.umid = val;
		} else if (eq && KEY("con0")) {
			boot_cfg.con[0] = val;
		} else if (eq && KEY("con")) {
			boot_cfg.con[1] = val;
		} else if (eq && KEY("loglevel")) {
			if (!isdigit((unsigned char)val[0]) || val[1] || val[0] > '8')
				bad(a, "expected a number from 0 to 8");
			console_loglevel = val[0] - '0';
		} else if (!eq && !strcmp(a, "rw")) {
			boot_cfg.rw = true;
		} else if (!eq && !strcmp(a, "ro")) {
			boot_cfg.rw = false;
		} else if (!eq && !strcmp(a, "quiet")) {
			boot_cfg.quiet = true;
		} else if (eq && KEY("console")) {
			/* accepted for UML compatibility */
		} else if (eq) {
			if (klen == 0)
				bad(a, "expected key=value");
			/* kernel-style dotted module options are not for init */
			if (memchr(a, '.', klen))
				continue;
			add_env(a);
		} else {
			add_arg(a);
		}
#undef KEY
	}
	if (boot_cfg.rootfstype && !boot_cfg.hostfs)
		bad("rootfstype=hostfs", "needs hostfs=DIR (the host directory to boot from)");
	if (!boot_cfg.hostfs)
		bad("root", "no root filesystem: give root=/dev/root rootfstype=hostfs hostfs=DIR");
	boot_cfg.argv[boot_cfg.argc] = NULL;
	boot_cfg.envp[boot_cfg.envc] = NULL;
}
