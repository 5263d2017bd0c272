/* Where the control socket lives, and taking it over safely: a socket file
 * left by a crashed switch is replaced; one with a live switch is not. */
#include "switch.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int sw_default_ctl_path(char *out, size_t outlen)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;
	if (rt && *rt && stat(rt, &st) == 0 && S_ISDIR(st.st_mode))
		n = snprintf(out, outlen, "%s/umk-switch.ctl", rt);
	else
		n = snprintf(out, outlen, "/tmp/umk-switch-%u.ctl", (unsigned)getuid());
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* 1 = something accepts connections there, 0 = nobody (stale). */
static int socket_is_live(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1; /* cannot tell: be safe, do not remove it */
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	int r = connect(fd, (struct sockaddr *)&a, sizeof a);
	int e = errno;
	close(fd);
	if (r == 0)
		return 1;
	return !(e == ECONNREFUSED || e == ENOENT);
}

int sw_listen_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path) {
		sw_log("%s: socket path too long (max %zu bytes)", path, sizeof a.sun_path - 1);
		return -1;
	}
	strcpy(a.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			sw_log("%s: exists and is not a socket; refusing to replace it", path);
			return -1;
		}
		if (socket_is_live(path)) {
			sw_log("%s: another switch is listening there; refusing to start", path);
			return -1;
		}
		sw_log("%s: removing stale socket (nobody listening)", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			sw_log("%s: cannot remove stale socket: %s", path, strerror(errno));
			return -1;
		}
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sw_log("socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		sw_log("%s: bind: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, 128) < 0) {
		sw_log("%s: listen: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}
