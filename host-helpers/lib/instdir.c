/* Instance directories (include/wire/instdir.h): is one alive, stale or
 * something else, and removing a stale one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <wire/instdir.h>

static bool known_name(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, INSTDIR_PID) || !strcmp(n, INSTDIR_MCONSOLE);
}

/* Does the directory hold only what an instance makes? */
static bool only_known(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool ok = true;
	while (ok && (e = readdir(d)))
		ok = known_name(e->d_name);
	closedir(d);
	return ok;
}

static pid_t read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *end;
	long v = strtol(buf, &end, 10);
	return v > 0 && v < (1L << 30) && (*end == '\n' || !*end) ? (pid_t)v : 0;
}

/* Someone bound the socket at path and still has it open: a connect of
 * a datagram socket succeeds. A dead owner leaves ECONNREFUSED. */
static int socket_answers(const char *dir)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if ((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, INSTDIR_MCONSOLE) >= sizeof(a.sun_path))
		return -1;
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(s);
	if (r == 0)
		return 1;
	return e == ECONNREFUSED || e == ENOENT ? 0 : -1;
}

enum instdir_state instdir_probe(const char *path, pid_t *pidp)
{
	struct stat st;
	if (pidp)
		*pidp = 0;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? INSTDIR_NONE : INSTDIR_FOREIGN;
	if (!S_ISDIR(st.st_mode))
		return INSTDIR_FOREIGN;
	char pf[4096];
	if ((size_t)snprintf(pf, sizeof(pf), "%s/%s", path, INSTDIR_PID) >= sizeof(pf))
		return INSTDIR_FOREIGN;
	int fd = open(pf, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return only_known(path) ? INSTDIR_STALE : INSTDIR_FOREIGN;
	pid_t pid = read_pid(fd);
	if (pidp)
		*pidp = pid;
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	bool locked = fcntl(fd, F_OFD_GETLK, &l) == 0 && l.l_type != F_UNLCK;
	close(fd);
	if (locked)
		return INSTDIR_ALIVE;
	if (!only_known(path))
		return INSTDIR_FOREIGN;
	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return INSTDIR_STALE;
	/* the pid exists: a UML (no lock), or a reused pid */
	return socket_answers(path) == 0 ? INSTDIR_STALE : INSTDIR_ALIVE;
}

int instdir_remove(const char *path)
{
	static const char *const names[] = { INSTDIR_MCONSOLE, INSTDIR_PID };
	char f[4096];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((size_t)snprintf(f, sizeof(f), "%s/%s", path, names[i]) < sizeof(f))
			unlink(f);
	if (rmdir(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
