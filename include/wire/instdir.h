/* The instance directory of a running machine, as UML lays it out:
 * UML_DIR/UMID/ holding `pid` (the kernel process's pid and a newline)
 * and `mconsole` (the management console's datagram socket, wire format
 * in mconsole.h). umk also holds an OFD write lock on `pid` for as long
 * as it runs, so a directory left by a killed umk is known to be stale
 * even after its pid was reused.
 *
 * The library (host-helpers/lib/instdir.c) is shared by umk (creating,
 * reusing and sweeping directories: arch-um/umid_dir.c) and umk-mconsole
 * (listing the running instances). No global state, no printing. */
#ifndef UMK_WIRE_INSTDIR_H
#define UMK_WIRE_INSTDIR_H
#include <sys/types.h>

#define INSTDIR_PID "pid"
#define INSTDIR_MCONSOLE "mconsole"

enum instdir_state {
	INSTDIR_NONE,		/* no such directory */
	INSTDIR_ALIVE,		/* a running instance owns it */
	INSTDIR_STALE,		/* left behind by one that died */
	INSTDIR_FOREIGN,	/* not an instance directory (other files in it) */
};

/* What path (UML_DIR/UMID) is; *pid (if not NULL) gets the pid its pid
 * file names, or 0. Alive means: the pid file is locked (umk), or its
 * process exists and the mconsole socket answers a connect (UML). */
enum instdir_state instdir_probe(const char *path, pid_t *pid);

/* Remove a stale instance directory: only the files an instance makes,
 * then the directory. 0 or -errno (-ENOTEMPTY: other files). */
int instdir_remove(const char *path);
#endif
