/* procfs: /proc/self/{stat,cmdline,maps,status,exe}, /proc/meminfo,
 * /proc/uptime. */
#include "t.h"
#include <fcntl.h>
#include <limits.h>

static char buf[65536];

static ssize_t slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t tot = 0, n;
	while ((n = read(fd, buf + tot, sizeof buf - 1 - tot)) > 0)
		tot += n;
	close(fd);
	buf[tot] = 0;
	return tot;
}

int main(int argc, char **argv)
{
	/* /proc/self/stat: "pid (comm) state ppid ..." */
	CHECK("read /proc/self/stat", slurp("/proc/self/stat") > 0);
	long pid = -1, ppid = -1;
	char state = 0;
	char *rp = strrchr(buf, ')');
	pid = strtol(buf, NULL, 10);
	if (rp)
		sscanf(rp + 1, " %c %ld", &state, &ppid);
	CHECK("stat pid == getpid", pid == getpid());
	CHECK("stat ppid == getppid", ppid == getppid());
	CHECK("stat state R", state == 'R');
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char comm[64];
	snprintf(comm, sizeof comm, "(%.15s)", base);
	CHECK("stat comm", strstr(buf, comm) == strchr(buf, '('));

	/* /proc/self/cmdline: NUL-separated argv */
	ssize_t n = slurp("/proc/self/cmdline");
	size_t want = 0;
	for (int i = 0; i < argc; i++)
		want += strlen(argv[i]) + 1;
	int same = n == (ssize_t)want;
	for (size_t off = 0, i = 0; same && i < (size_t)argc; i++) {
		same = strcmp(buf + off, argv[i]) == 0;
		off += strlen(argv[i]) + 1;
	}
	CHECK("cmdline equals argv", same);

	/* /proc/self/maps */
	CHECK("read /proc/self/maps", slurp("/proc/self/maps") > 0);
	CHECK("maps has [stack]", strstr(buf, "[stack]") != NULL);
	unsigned long lo, hi;
	char perms[8];
	CHECK("maps line format", sscanf(buf, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo < hi);
	char *exe_line = strstr(buf, argv[0]);
	CHECK("maps names the executable", exe_line != NULL);
	int local;
	int stack_in = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (sscanf(l, "%lx-%lx", &lo, &hi) == 2 && (unsigned long)&local >= lo && (unsigned long)&local < hi)
			stack_in = strncmp(strchr(l, '\n') ? strchr(l, '\n') - 7 : l, "[stack]", 7) == 0;
	CHECK("a local variable is inside the [stack] line", stack_in);

	/* /proc/self/status */
	CHECK("read /proc/self/status", slurp("/proc/self/status") > 0);
	char *p = strstr(buf, "\nPid:");
	CHECK("status Pid matches", p && strtol(p + 5, NULL, 10) == getpid());

	/* /proc/self/exe */
	char exe[PATH_MAX];
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n >= 0)
		exe[n] = 0;
	CHECK("/proc/self/exe is argv[0]", n > 0 && strcmp(exe, argv[0]) == 0);

	/* /proc/meminfo */
	CHECK("read /proc/meminfo", slurp("/proc/meminfo") > 0);
	unsigned long memtotal = 0;
	p = strstr(buf, "MemTotal:");
	CHECK("meminfo MemTotal", p && sscanf(p, "MemTotal: %lu kB", &memtotal) == 1 && memtotal > 0);
	CHECK("meminfo MemFree", strstr(buf, "\nMemFree:") != NULL);

	/* /proc/uptime */
	CHECK("read /proc/uptime", slurp("/proc/uptime") > 0);
	double up = -1, idle = -1;
	CHECK("uptime parses", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up > 0 && idle >= 0);

	/* /proc/<pid> of ourselves matches /proc/self */
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)getpid());
	CHECK("/proc/<pid>/stat readable", slurp(path) > 0 && strtol(buf, NULL, 10) == getpid());

	/* /proc/self/fdinfo: position and flags of an open file */
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	char tmp[10];
	CHECK("read 10 bytes", read(fd, tmp, 10) == 10);
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	CHECK("read fdinfo", slurp(path) > 0);
	unsigned long long pos = 99;
	unsigned flags = 0;
	char *fl = strstr(buf, "flags:");
	CHECK("fdinfo pos is 10", sscanf(buf, "pos: %llu", &pos) == 1 && pos == 10);
	CHECK("fdinfo flags: O_RDONLY with O_CLOEXEC", fl && sscanf(fl, "flags: %o", &flags) == 1 &&
	      (flags & O_ACCMODE) == O_RDONLY && (flags & O_CLOEXEC));
	CHECK("fdinfo has mnt_id", strstr(buf, "\nmnt_id:") != NULL);
	close(fd);
	return t_done();
}
