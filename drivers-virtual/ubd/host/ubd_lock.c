/* Image locking: OFD locks (per open file, so the I/O threads share
 * them), write locks on writable images and read locks on read-only ones
 * and on COW backing files, and who holds a lock we could not take. OFD
 * locks do not report their owner (l_pid is -1), so it is found the way
 * lslocks does: the "lock:" lines of /proc/PID/fdinfo/FD name the locked
 * file (major:minor:inode) for the process holding it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "ubd_host.h"

int ubd_lock(int fd, bool write)
{
	struct flock fl = { .l_type = write ? F_WRLCK : F_RDLCK, .l_whence = SEEK_SET };
	return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* Does /proc/PID/fdinfo/FD hold a lock on key ("MAJ:MIN:INO", hex, hex,
 * decimal as /proc/locks prints it)? */
static bool fd_locks(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char line[256];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "lock:", 5) && strstr(line, key);
	fclose(f);
	return found;
}

pid_t ubd_lock_holder(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0;
	char key[64];
	snprintf(key, sizeof(key), " %02x:%02x:%llu ", major(st.st_dev), minor(st.st_dev),
		 (unsigned long long)st.st_ino);
	DIR *proc = opendir("/proc");
	if (!proc)
		return 0;
	pid_t holder = 0, self = getpid();
	struct dirent *p;
	while (!holder && (p = readdir(proc))) {
		pid_t pid = (pid_t)atoi(p->d_name);
		if (pid <= 0 || pid == self)
			continue;
		char dir[64];
		snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
		DIR *fds = opendir(dir);
		if (!fds)
			continue;	/* gone, or another user's */
		struct dirent *d;
		while (!holder && (d = readdir(fds))) {
			char path[384];
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
			if (fd_locks(path, key))
				holder = pid;
		}
		closedir(fds);
	}
	closedir(proc);
	return holder;
}
