/* hostfs=DIR (and UML's rootflags=DIR[,append] with rootfstype=hostfs):
 * the host directory hostfs exports. Checked here, while the command
 * line is parsed, so a wrong path is a one-line error before boot. */
#include <string.h>
#include <sys/stat.h>
#include <umk/init.h>
#include "../hostfs_host.h"

static const char *dir;

const char *hostfs_host_dir(void)
{
	return dir;
}

static const char *hostfs_setup(const char *val)
{
	struct stat st;
	char *comma = strchr(val, ',');
	if (comma && !strcmp(comma, ",append"))
		*comma = 0;
	if (!*val || stat(val, &st) || !S_ISDIR(st.st_mode))
		return "expected an existing host directory";
	dir = val;
	return NULL;
}
__setup(hostfs, hostfs_setup, "hostfs=DIR",
	"host directory that is the root filesystem; the\nguest never sees anything outside it");
__setup(rootflags, hostfs_setup, "rootflags=DIR", "same as hostfs= when rootfstype=hostfs (UML syntax)");
