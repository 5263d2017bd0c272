/* The instance directory UML_DIR/NAME (include/wire/instdir.h). It is
 * built under a temporary name (pid file written and locked) and renamed
 * into place, so DIR/NAME never exists without its pid file and two umks
 * racing for one name cannot both win. A directory left by a dead
 * instance is reused, as UML does; at start every stale directory in
 * UML_DIR is swept, so a kill -9 leaves nothing behind past the next
 * boot. The directory and what is in it go at every exit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wire/instdir.h>
#include "umid.h"

#define TMP_PREFIX ".umk-new-"
static char inst_path[4096];
static pid_t owner;
static int pid_fd = -1;

const char *umid_dir(void)
{
	return inst_path[0] ? inst_path : NULL;
}

/* At exit, in the process that made it (not a forked helper): the
 * directory and everything put in it. */
static void umid_dir_remove(void)
{
	if (!inst_path[0] || getpid() != owner)
		return;
	DIR *d = opendir(inst_path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(inst_path);
	inst_path[0] = 0;
}

/* Leftovers of dead instances, and half-made directories of umks killed
 * while making them (left alone for a minute: one may be starting now). */
static void sweep(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[4096];
	while ((e = readdir(d))) {
		bool tmp = !strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX));
		if ((e->d_name[0] == '.' && !tmp) || (size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= sizeof(p))
			continue;
		struct stat st;
		if (tmp && (lstat(p, &st) < 0 || time(NULL) - st.st_mtime < 60))
			continue;
		if (instdir_probe(p, NULL) == INSTDIR_STALE)
			instdir_remove(p);
	}
	closedir(d);
}

/* The temporary directory with the pid file, locked. */
static int make_tmp(const char *dir, char *tmp, size_t tn, char *why, size_t n)
{
	snprintf(tmp, tn, "%s/" TMP_PREFIX "XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		snprintf(why, n, "cannot make a directory in %s: %s", dir, strerror(errno));
		return -1;
	}
	char pf[4200];
	snprintf(pf, sizeof(pf), "%s/%s", tmp, INSTDIR_PID);
	int fd = open(pf, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char text[24];
	int len = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if (fd < 0 || fcntl(fd, F_OFD_SETLK, &l) < 0 || write(fd, text, len) != len) {
		snprintf(why, n, "cannot write %s: %s", pf, strerror(errno));
		if (fd >= 0)
			close(fd);
		instdir_remove(tmp);
		return -1;
	}
	pid_fd = fd;
	return 0;
}

int umid_dir_create(const char *dir, const char *name, char *why, size_t n)
{
	char path[4096], tmp[4096];
	struct sockaddr_un sa;
	if (strlen(dir) + 1 + strlen(name) + 1 + strlen(INSTDIR_MCONSOLE) >= sizeof(sa.sun_path)) {
		snprintf(why, n, "the socket path %s/%s/%s is longer than %zu bytes (give a shorter uml_dir=)", dir,
			 name, INSTDIR_MCONSOLE, sizeof(sa.sun_path) - 1);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(why, n, "cannot make %s: %s", dir, strerror(errno));
		return -1;
	}
	sweep(dir);
	if (make_tmp(dir, tmp, sizeof(tmp), why, n))
		return -1;
	for (int tries = 0;; tries++) {
		if (rename(tmp, path) == 0)
			break;
		int e = errno;
		pid_t pid;
		enum instdir_state s = e == EEXIST || e == ENOTEMPTY || e == ENOTDIR ? instdir_probe(path, &pid) : INSTDIR_FOREIGN;
		if (s == INSTDIR_STALE && tries < 3 && instdir_remove(path) == 0)
			continue;
		if (s == INSTDIR_NONE && tries < 3)
			continue;
		if (s == INSTDIR_ALIVE)
			snprintf(why, n, "in use by a running instance (pid %d; its directory is %s)", (int)pid, path);
		else if (e == EEXIST || e == ENOTEMPTY || e == ENOTDIR)
			snprintf(why, n, "%s exists and is not an instance directory", path);
		else
			snprintf(why, n, "cannot make %s: %s", path, strerror(e));
		close(pid_fd);
		pid_fd = -1;
		instdir_remove(tmp);
		return -1;
	}
	snprintf(inst_path, sizeof(inst_path), "%s", path);
	owner = getpid();
	atexit(umid_dir_remove);
	return 0;
}
