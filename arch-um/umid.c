/* umid=NAME: the instance's name (UML's machine id). */
#include <ctype.h>
#include <string.h>
#include <umk/init.h>
#include "um.h"

static const char *umid_setup(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 64)
		return "expected 1-64 letters, digits, '-', '_' or '.'";
	for (const char *s = v; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return "expected 1-64 letters, digits, '-', '_' or '.'";
	boot_cfg.umid = v;
	return NULL;
}
__setup(umid, umid_setup, "umid=NAME", "instance name (letters, digits, '-', '_', '.')");
