/* Reads of a file with holes, at every kind of offset and size: aligned
 * and not, shorter and longer than a block, across holes and the end of
 * the file, and one read of the whole file. The checksums must be what
 * was written (and zeros in the holes). On an ext4 root this drives the
 * driver's extent reads (whole blocks straight from the device) and their
 * partial ends. */
#include "t.h"
#include <fcntl.h>
#include <stdint.h>

#define SIZE (3 * 1024 * 1024 + 1234)

static uint8_t model[SIZE], got[SIZE];

static uint8_t byte_at(size_t i)
{
	return (uint8_t)(i * 2654435761u >> 13);
}

static uint32_t sum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

int main(void)
{
	const char *path = "bigread.data";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	/* data, a hole of 300 KiB, data, a hole at a block boundary, an odd tail */
	struct { size_t off, len; } parts[] = {
		{ 0, 200000 }, { 507200, 700001 }, { 1302528, 4096 * 100 }, { 2000000, SIZE - 2000000 },
	};
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
		for (size_t i = parts[k].off; i < parts[k].off + parts[k].len; i++)
			model[i] = byte_at(i);
		if (pwrite(fd, model + parts[k].off, parts[k].len, parts[k].off) != (ssize_t)parts[k].len) {
			perror("pwrite");
			return 1;
		}
	}
	CHECK("fsync", fsync(fd) == 0);
	close(fd);

	fd = open(path, O_RDONLY);
	ssize_t n = read(fd, got, sizeof(got));
	CHECK("one read of the whole file", n == SIZE && !memcmp(got, model, SIZE));
	size_t sizes[] = { 1, 511, 4095, 4096, 4097, 8192, 65536, 65537, 131072 + 17, 1 << 20 };
	size_t offs[] = { 0, 1, 4095, 4096, 199999, 200000, 300000, 507199, 1302528, 2000000 - 3, SIZE - 5000 };
	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		int bad = 0;
		for (size_t b = 0; b < sizeof(offs) / sizeof(offs[0]); b++) {
			size_t off = offs[b], want = sizes[a];
			if (want > SIZE - off)
				want = SIZE - off;
			ssize_t r = pread(fd, got, sizes[a], off);
			if (r != (ssize_t)want || memcmp(got, model + off, want)) {
				printf("pread(%zu at %zu) = %zd, want %zu bytes\n", sizes[a], off, r, want);
				bad = 1;
			}
		}
		char label[64];
		snprintf(label, sizeof(label), "pread of %zu bytes at 11 offsets", sizes[a]);
		CHECK(label, !bad);
	}
	/* sequential reads in odd chunks cover the file exactly */
	lseek(fd, 0, SEEK_SET);
	size_t total = 0;
	while ((n = read(fd, got + total, 12345)) > 0)
		total += (size_t)n;
	CHECK("sequential 12345-byte reads", total == SIZE && !memcmp(got, model, SIZE));
	printf("checksum %08x\n", sum(got, SIZE));
	CHECK("past the end", pread(fd, got, 100, SIZE) == 0 && pread(fd, got, 100, SIZE - 10) == 10);
	close(fd);
	unlink(path);
	return t_failures ? 1 : 0;
}
