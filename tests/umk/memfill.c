/* A guest trying to grow the kernel's memory past mem= (run under umk by
 * tests/bats/limits.bats, which samples umk's host memory meanwhile):
 *   memfill pipes N      N processes each fill as many pipes as they can
 *   memfill sockets N    the same with AF_UNIX socket pairs (data queued)
 *   memfill files DIR    empty files in DIR until an error (kernel heap)
 *   memfill mmap FILE    map FILE and read every page (page cache)
 *   memfill hogs N MB    N processes each touch MB MiB of their own
 *   memfill open FILE    open FILE until an error (RLIMIT_NOFILE raised)
 * The fillers stop at the first error and report it, or die (the OOM
 * killer); the parent says how each ended. Prints "name: value" lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char chunk[65536];

/* Fill one fd until it would block; the error that stopped it, 0 for EAGAIN. */
static int fill(int fd)
{
	for (;;) {
		ssize_t r = write(fd, chunk, sizeof(chunk));
		if (r > 0)
			continue;
		return r < 0 && errno != EAGAIN ? errno : 0;
	}
}

/* One filler: make pipes or socket pairs and fill them; report, then
 * hold on to them until told to go (SIGTERM). */
static void filler(int id, int sockets, int report)
{
	int made = 0, err = 0;
	for (;;) {
		int fds[2];
		int r = sockets ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) : pipe2(fds, O_NONBLOCK);
		if (r) {
			err = errno;
			break;
		}
		made++;
		err = fill(fds[1]);
		if (err)
			break;
	}
	char line[160];
	int n = snprintf(line, sizeof(line), "filler %d: %d %s, stopped by %s\n", id, made,
			 sockets ? "socket pairs" : "pipes", strerror(err));
	if (write(report, line, n) < 0)
		_exit(2);
	close(report);	/* the parent reads until every filler reported or died */
	pause();
	_exit(0);
}

static int run_fillers(int sockets, int n)
{
	memset(chunk, 'm', sizeof(chunk));
	int rep[2];
	if (pipe(rep))
		return 1;
	pid_t kids[64];
	n = n > 64 ? 64 : n;
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			close(rep[0]);
			filler(i, sockets, rep[1]);
		}
	}
	close(rep[1]);
	/* every filler reports or dies (the report pipe then hits EOF) */
	char buf[4096];
	ssize_t r;
	int reported = 0;
	while ((r = read(rep[0], buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, r, stdout);
		for (ssize_t i = 0; i < r; i++)
			reported += buf[i] == '\n';
		fflush(stdout);
	}
	sleep(2);	/* full for a while: the host side is being sampled */
	int killed = 0, exited = 0;
	for (int i = 0; i < n; i++) {
		kill(kids[i], SIGTERM);
		int st;
		waitpid(kids[i], &st, 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		else
			exited++;
	}
	printf("fillers: %d reported, %d ended by SIGKILL (OOM), %d by SIGTERM\n", reported, killed, exited);
	return 0;
}

/* 500 to a directory: tmpfs looks names up in a list */
static int files(const char *dir)
{
	long n = 0;
	int err = 0;
	char path[256];
	for (;; n++) {
		if (n % 500 == 0) {
			snprintf(path, sizeof(path), "%s/d%ld", dir, n / 500);
			if (mkdir(path, 0755)) {
				err = errno;
				break;
			}
		}
		snprintf(path, sizeof(path), "%s/d%ld/f%ld", dir, n / 500, n % 500);
		int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
		if (fd < 0) {
			err = errno;
			break;
		}
		close(fd);
	}
	printf("files: %ld created, stopped by %s\n", n, strerror(err));
	sleep(2);	/* full for a while: the host side is being sampled */
	return 0;
}

/* N processes of MB MiB each, started one after the other: those that
 * do not fit are OOM-killed (the newest, as their sizes tie). */
static int hogs(int n, int mb)
{
	pid_t kids[64];
	n = n > 64 ? 64 : n;
	for (int i = 0; i < n; i++) {
		if ((kids[i] = fork()) == 0) {
			char *p = mmap(NULL, (size_t)mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				_exit(1);
			memset(p, 1, (size_t)mb << 20);
			pause();
			_exit(0);
		}
	}
	sleep(2);
	int killed = 0;
	for (int i = 0; i < n; i++) {
		int st;
		kill(kids[i], SIGTERM);
		if (waitpid(kids[i], &st, 0) > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
	}
	printf("hogs: %d of %d ended by SIGKILL (OOM)\n", killed, n);
	return 0;
}

static int open_many(const char *file)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int n = 0, err = 0;
	for (;; n++)
		if (open(file, O_RDONLY) < 0) {
			err = errno;
			break;
		}
	printf("open: %d descriptors, stopped by %s\n", n, strerror(err));
	return 0;
}

static int map_read(const char *file)
{
	int fd = open(file, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		printf("mmap: cannot open %s: %s\n", file, strerror(errno));
		return 1;
	}
	unsigned char *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 1;
	}
	unsigned long sum = 0;
	for (off_t o = 0; o < st.st_size; o += 4096)
		sum += p[o];
	printf("mmap: read %lld MiB through the mapping, every page %s\n", (long long)(st.st_size >> 20),
	       sum == (unsigned long)(st.st_size / 4096) * 'p' ? "as written" : "WRONG");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "pipes"))
		return run_fillers(0, atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "sockets"))
		return run_fillers(1, atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "files"))
		return files(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "mmap"))
		return map_read(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "open"))
		return open_many(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "hogs"))
		return hogs(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: memfill pipes|sockets N | files DIR | mmap FILE | hogs N MB | open FILE\n");
	return 2;
}
