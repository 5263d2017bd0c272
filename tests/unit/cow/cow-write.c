/* Test helper for tests/bats/cow.bats: writes sectors into a COW file
 * through the cowfile library (data first, then bitmap), like the ubd
 * driver does.  usage: cow-write COW SECTOR COUNT < DATA (COUNT*512 bytes) */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wire/cow.h"

int main(int argc, char **argv)
{
	struct cow_info info;
	struct cow_file cf;
	struct cow_err e;
	unsigned long long sector, count;
	size_t len, got = 0;
	uint8_t *buf;
	int fd, bfd;

	if (argc != 4) {
		fprintf(stderr, "usage: cow-write COW SECTOR COUNT < DATA\n");
		return 2;
	}
	sector = strtoull(argv[2], NULL, 0);
	count = strtoull(argv[3], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || cow_read_header(fd, argv[1], &info, &e)) {
		fprintf(stderr, "cow-write: %s\n", fd < 0 ? argv[1] : e.msg);
		return 1;
	}
	bfd = open(info.backing_file, O_RDONLY);
	if (bfd < 0 || cow_open(&cf, fd, argv[1], bfd, NULL, &e)) {
		fprintf(stderr, "cow-write: %s\n", bfd < 0 ? info.backing_file : e.msg);
		return 1;
	}
	len = (size_t)(count * cf.info.sectorsize);
	buf = calloc(1, len ? len : 1);
	while (got < len) {
		ssize_t r = read(0, buf + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (cow_write(&cf, buf, sector, count, &e) || cow_flush(&cf, &e)) {
		fprintf(stderr, "cow-write: %s\n", e.msg);
		return 1;
	}
	cow_close(&cf);
	free(buf);
	return 0;
}
