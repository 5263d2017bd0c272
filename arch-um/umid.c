/* umid=NAME and uml_dir=DIR: the instance's name (UML's machine id) and
 * the directory that holds one subdirectory per running instance,
 * DIR/NAME/ with the pid file and the mconsole socket. Without umid=,
 * a fresh name comes from libuuid, so two instances never collide and
 * the network cards' default MACs (derived from the umid) differ per
 * boot, as UML's random ones do. */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include <umk/init.h>
#include "um.h"
#include "umid.h"

static const char *uml_dir;	/* uml_dir=, else NULL: ~/.uml */
static bool umid_given, dir_given;

static const char *umid_setup(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > UMID_MAX)
		return "expected 1-64 letters, digits, '-', '_' or '.'";
	for (const char *s = v; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return "expected 1-64 letters, digits, '-', '_' or '.'";
	if (v[0] == '.')
		return "expected a name that does not start with '.'";
	boot_cfg.umid = v;
	umid_given = true;
	return NULL;
}
__setup(umid, umid_setup, "umid=NAME",
	"instance name (letters, digits, '-', '_', '.'; default:\na new UUID): its directory is UML_DIR/NAME");

static const char *uml_dir_setup(const char *v)
{
	if (!*v)
		return "expected a directory";
	uml_dir = v;
	dir_given = true;
	return NULL;
}
__setup(uml_dir, uml_dir_setup, "uml_dir=DIR", "where instance directories go (default ~/.uml)");

/* ~/.uml: $HOME, else the password database. */
static const char *default_dir(void)
{
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	char *d;
	if (asprintf(&d, "%s/.uml", home) < 0)
		return NULL;
	return d;
}

void umid_init(void)
{
	if (!boot_cfg.umid) {
		uuid_t u;
		static char name[37];
		uuid_generate(u);
		uuid_unparse_lower(u, name);
		boot_cfg.umid = name;
	}
	const char *dir = uml_dir ? uml_dir : default_dir();
	char why[256];
	if (dir && umid_dir_create(dir, boot_cfg.umid, why, sizeof(why)) == 0)
		return;
	if (!dir)
		snprintf(why, sizeof(why), "no home directory for ~/.uml (give uml_dir=)");
	/* Asked for by name: an instance that cannot have its directory
	 * (clash, unwritable place) must not boot half-reachable. Otherwise
	 * the machine runs without one (no mconsole), and says so. */
	if (umid_given || dir_given) {
		fprintf(stderr, "umk: %s=%s: %s\n", umid_given ? "umid" : "uml_dir",
			umid_given ? boot_cfg.umid : uml_dir, why);
		exit(2);
	}
	fprintf(stderr, "umk: warning: no instance directory (%s): no mconsole\n", why);
}
