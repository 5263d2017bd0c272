/* Filesystem benchmarks run by tests/bench/run.sh in a directory of the
 * filesystem under test (natively: the host's; in umk: the ext4 root).
 * usage: diskbench DIR
 * Prints "seqwrite MB/s", "seqread MB/s" (a 64 MiB file, 64 KiB requests;
 * the write includes the closing fsync) and "smallfile us" (create with
 * 100 bytes + close + stat + unlink, per file), or "disk failed: why". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MB 64
#define CHUNK (64 * 1024)
#define SMALL_FILES 2000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	printf("disk failed: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	static char buf[CHUNK];
	if (argc != 2) {
		fprintf(stderr, "usage: diskbench DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	char path[4096];
	snprintf(path, sizeof(path), "%s/diskbench.%d", argv[1], (int)getpid());
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + 7);

	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("create");
	double t0 = now();
	for (int i = 0; i < FILE_MB * 1024 * 1024 / CHUNK; i++)
		if (write(fd, buf, CHUNK) != CHUNK)
			return fail("write");
	if (fsync(fd))
		return fail("fsync");
	double t1 = now();
	close(fd);
	printf("seqwrite %.1f MB/s\n", FILE_MB / (t1 - t0));

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return fail("open");
	t0 = now();
	ssize_t r;
	long long got = 0;
	while ((r = read(fd, buf, CHUNK)) > 0)
		got += r;
	t1 = now();
	close(fd);
	if (r < 0 || got != (long long)FILE_MB * 1024 * 1024)
		return fail("read");
	printf("seqread %.1f MB/s\n", FILE_MB / (t1 - t0));
	unlink(path);

	t0 = now();
	for (int i = 0; i < SMALL_FILES; i++) {
		char p[4200];
		struct stat st;
		snprintf(p, sizeof(p), "%s.%d", path, i);
		int f = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (f < 0 || write(f, buf, 100) != 100 || close(f))
			return fail("small file create");
		if (stat(p, &st) || st.st_size != 100)
			return fail("small file stat");
		if (unlink(p))
			return fail("small file unlink");
	}
	t1 = now();
	printf("smallfile %.1f us\n", (t1 - t0) / SMALL_FILES * 1e6);
	return 0;
}
