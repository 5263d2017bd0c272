/* The UML-style command line. Each option is registered by the file that
 * implements it (__setup in umk/init.h, kernel and host code alike); this
 * parser walks that section, and hands the words no option claims to init
 * the way Linux does (key=value -> environment, words -> arguments,
 * everything after "--" -> arguments). `umk --help` is made from the same
 * section, so it lists exactly the options there are. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/init.h>
#include "um.h"

struct boot_config boot_cfg;
char saved_command_line[4096];

umk_section_declare(const struct setup_entry, umk_setup);

static const char usage_head[] =
"Usage: umk [options] [-- init arguments]\n"
"Runs a Linux machine as an unprivileged user-mode kernel.\n"
"\n";
static const char usage_tail[] =
"  --help, --version     this text / the version\n"
"  -- ARGS               everything after -- is passed to init\n"
"Other key=value words go to init's environment, other words to its\n"
"arguments, as on Linux. Power off the guest with `poweroff -f`.\n";

static void bad(const char *opt, const char *expect)
{
	fprintf(stderr, "umk: %s: %s\n", opt, expect);
	exit(2);
}

/* The registered options with a usage line, sorted by it. */
static void print_usage(FILE *out)
{
	const struct setup_entry *list[256];
	size_t n = 0;
	umk_section_foreach(const struct setup_entry, umk_setup, e) {
		if (!e->usage || n == sizeof(list) / sizeof(list[0]))
			continue;
		size_t j = n++;
		for (; j > 0 && strcasecmp(list[j - 1]->usage, e->usage) > 0; j--)
			list[j] = list[j - 1];
		list[j] = e;
	}
	fputs(usage_head, out);
	for (size_t i = 0; i < n; i++) {
		const char *h = list[i]->describe ? list[i]->describe() : list[i]->help ? list[i]->help : "";
		if (strlen(list[i]->usage) < 22)
			fprintf(out, "  %-22s", list[i]->usage);
		else
			fprintf(out, "  %s\n%24s", list[i]->usage, "");
		for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(out, "%.*s\n%24s", (int)(nl - h), h, "");
		fprintf(out, "%s\n", h);
	}
	fputs(usage_tail, out);
}

/* Two entries for one word would make one of them dead: refuse to boot. */
static void check_registry(void)
{
	umk_section_foreach(const struct setup_entry, umk_setup, a)
		umk_section_foreach(const struct setup_entry, umk_setup, b)
			if (a < b && a->kind == b->kind && !strcmp(a->key, b->key)) {
				fprintf(stderr, "umk: the option %s is registered twice (a build error)\n", a->key);
				exit(1);
			}
}

/* The entry that takes word a (key of klen bytes, value after '=' when
 * has_value), or NULL: an exact key first, else the longest prefix
 * (con0= before con*=, whatever the link order). */
static const struct setup_entry *find_option(const char *a, size_t klen, bool has_value)
{
	const struct setup_entry *best = NULL;
	umk_section_foreach(const struct setup_entry, umk_setup, e) {
		size_t n = strlen(e->key);
		if (strncmp(a, e->key, n > klen ? klen : n))
			continue;
		if (n == klen && e->kind == (has_value ? SETUP_VALUE : SETUP_FLAG))
			return e;
		if (has_value && e->kind == SETUP_PREFIX && klen >= n && (!best || n > strlen(best->key)))
			best = e;
	}
	return best;
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
	check_registry();
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
			print_usage(stdout);
			exit(0);
		}
		if (!strcmp(a, "--version")) {
			printf("umk %s\n", UMK_VERSION);
			exit(0);
		}
		char *eq = strchr(a, '=');
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
		const struct setup_entry *e = find_option(a, klen, eq != NULL);
		if (e) {
			const char *err = e->fn(e->kind == SETUP_PREFIX ? a : eq ? eq + 1 : NULL);
			if (err)
				bad(a, err);
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
	}
	boot_cfg.argv[boot_cfg.argc] = NULL;
	boot_cfg.envp[boot_cfg.envc] = NULL;
}
