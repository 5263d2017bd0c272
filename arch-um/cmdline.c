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
"  root=DEV              root device: /dev/ubdX (or 98:16*N) for an ext2/3/4\n"
"                        image on ubdN (the default when ubd0= is given),\n"
"                        /dev/root with rootfstype=hostfs for a host directory\n"
"  rootfstype=TYPE       ext2, ext3, ext4, auto (default) or hostfs\n"
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

/* root=/dev/ubda, /dev/ubd0 or 98:0 (Linux's MAJOR:MINOR): the index. */
static int root_device(const char *r)
{
	char *end;
	if (!strncmp(r, "/dev/ubd", 8) && r[8] >= 'a' && r[8] < 'a' + UBD_MAX && !r[9])
		return r[8] - 'a';
	if (!strncmp(r, "/dev/ubd", 8) && isdigit((unsigned char)r[8])) {
		long n = strtol(r + 8, &end, 10);
		return !*end && n < UBD_MAX ? (int)n : -1;
	}
	if (!strncmp(r, "98:", 3) && isdigit((unsigned char)r[3])) {
		long m = strtol(r + 3, &end, 10);
		return !*end && m % 16 == 0 && m / 16 < UBD_MAX ? (int)(m / 16) : -1;
	}
	return -1;
}

/* hostfs when asked for (rootfstype=hostfs, root=/dev/root, or hostfs=
 * without ubd0=), else the ext2/3/4 image on root= (default: ubd0, as
 * UML's root=98:0). */
static void choose_root(void)
{
	const char *r = boot_cfg.root, *t = boot_cfg.rootfstype;
	bool hostfs = (t && !strcmp(t, "hostfs")) || (r && !strcmp(r, "/dev/root")) || (!r && !t && boot_cfg.hostfs && !ubd_host_present(0));
	boot_cfg.root_ubd = -1;
	if (hostfs) {
		if (!boot_cfg.hostfs)
			bad(t ? "rootfstype=hostfs" : "root=/dev/root", "needs hostfs=DIR (the host directory to boot from)");
		return;
	}
	if (!r && !ubd_host_present(0))
		bad("root", "no root filesystem: give ubd0=IMAGE (an ext2/3/4 image) or hostfs=DIR");
	int n = r ? root_device(r) : 0;
	if (n < 0)
		bad(r, "expected root=/dev/ubdX (a-p), root=98:MINOR or root=/dev/root with hostfs=DIR");
	if (!ubd_host_present(n)) {
		fprintf(stderr, "umk: root=/dev/ubd%c: no such device: give ubd%d=IMAGE\n", 'a' + n, n);
		exit(2);
	}
	boot_cfg.root_ubd = n;
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
			if (strcmp(val, "hostfs") && strcmp(val, "ext2") && strcmp(val, "ext3") &&
			    strcmp(val, "ext4") && strcmp(val, "auto"))
				bad(a, "expected ext2, ext3, ext4, auto or hostfs");
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
	choose_root();
	boot_cfg.argv[boot_cfg.argc] = NULL;
	boot_cfg.envp[boot_cfg.envc] = NULL;
}
