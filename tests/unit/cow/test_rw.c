/* COW create / open / read / write semantics on real temporary files. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wire/cow.h"
#include "../common/check.h"

#define SS 512

static char dir[] = "/tmp/cow-rw.XXXXXX";
static char bpath[64], cpath[64];

static void pattern(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7 + i / 512);
}

int main(void)
{
	struct cow_info info;
	struct cow_file cf;
	struct cow_err e;
	struct stat st;
	/* 100 sectors + 100 bytes: a partial last sector */
	const size_t bsize = 100 * SS + 100;
	uint8_t *base = malloc(bsize), *buf = malloc(8 * SS), *want = malloc(8 * SS);
	uint8_t word[16];
	int bfd, cfd;

	if (!mkdtemp(dir))
		return 1;
	snprintf(bpath, sizeof(bpath), "%s/base.img", dir);
	snprintf(cpath, sizeof(cpath), "%s/c.cow", dir);
	pattern(base, bsize, 1);
	bfd = open(bpath, O_RDWR | O_CREAT, 0644);
	CHECK(write(bfd, base, bsize) == (ssize_t)bsize);

	/* create: v3, sizes, sparse length, header parsed back */
	cfd = open(cpath, O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(cow_create(cfd, cpath, bpath, 0, 0, &info, &e) == 0);
	CHECK(info.version == 3 && info.sectorsize == 512 && info.alignment == 4096);
	CHECK(info.size == bsize && info.sectors == 101);
	CHECK(info.bitmap_offset == 8192 && info.bitmap_len == 13 && info.data_offset == 12288);
	CHECK(!strcmp(info.backing_file, bpath)); /* already absolute */
	CHECK(fstat(cfd, &st) == 0 && (uint64_t)st.st_size == info.data_offset + bsize);

	/* create with a missing backing file writes nothing */
	{
		char p2[80];
		snprintf(p2, sizeof(p2), "%s/x.cow", dir);
		int fd2 = open(p2, O_RDWR | O_CREAT, 0644);
		CHECK(cow_create(fd2, p2, "/nonexistent/base.img", 0, 0, NULL, &e) == -ENOENT);
		CHECK(strstr(e.msg, "missing backing file") != NULL);
		CHECK(fstat(fd2, &st) == 0 && st.st_size == 0);
		close(fd2);
	}

	CHECK(cow_open(&cf, cfd, cpath, bfd, bpath, &e) == 0);
	CHECK(cow_bits_count(cf.bitmap, cf.info.sectors) == 0);

	/* fresh COW reads the backing file */
	CHECK(cow_read(&cf, buf, 3, 4, &e) == 0);
	CHECK(!memcmp(buf, base + 3 * SS, 4 * SS));

	/* write sectors 10..12: data in the COW area, bits set, backing intact */
	pattern(want, 3 * SS, 77);
	CHECK(cow_write(&cf, want, 10, 3, &e) == 0);
	CHECK(cow_bit_test(cf.bitmap, 10) && cow_bit_test(cf.bitmap, 12));
	CHECK(!cow_bit_test(cf.bitmap, 9) && !cow_bit_test(cf.bitmap, 13));
	CHECK(pread(cfd, buf, 3 * SS, (off_t)(info.data_offset + 10 * SS)) == 3 * SS);
	CHECK(!memcmp(buf, want, 3 * SS));
	CHECK(pread(bfd, buf, 3 * SS, 10 * SS) == 3 * SS && !memcmp(buf, base + 10 * SS, 3 * SS));
	/* on-disk bitmap agrees: byte 1 has bits 2,3,4 */
	CHECK(pread(cfd, word, 2, (off_t)info.bitmap_offset) == 2);
	CHECK(word[0] == 0 && word[1] == 0x1c);

	/* a read across the boundary mixes both sides */
	CHECK(cow_read(&cf, buf, 8, 6, &e) == 0);
	CHECK(!memcmp(buf, base + 8 * SS, 2 * SS));
	CHECK(!memcmp(buf + 2 * SS, want, 3 * SS));
	CHECK(!memcmp(buf + 5 * SS, base + 13 * SS, SS));
	/* the same with RWF_NOWAIT: what was just written and read is in the
	 * host's page cache; if a filesystem still refuses, it says EAGAIN
	 * and leaves no error message */
	{
		uint8_t nw[6 * SS];
		struct cow_err e2 = { 0 };
		int rc = cow_read_flags(&cf, nw, 8, 6, RWF_NOWAIT, &e2);
		CHECK(rc == 0 || (rc == -EAGAIN && !e2.msg[0]));
		CHECK(rc != 0 || !memcmp(nw, buf, 6 * SS));
	}

	/* the partial last sector: only the 100 in-size bytes are written */
	memset(want, 0xab, SS);
	CHECK(cow_write(&cf, want, 100, 1, &e) == 0);
	CHECK(fstat(cfd, &st) == 0 && (uint64_t)st.st_size == info.data_offset + bsize);
	memset(buf, 0x55, SS);
	CHECK(cow_read(&cf, buf, 100, 1, &e) == 0);
	CHECK(buf[0] == 0xab && buf[99] == 0xab && buf[100] == 0 && buf[511] == 0);
	CHECK(cow_bit_test(cf.bitmap, 100));
	/* sector 100 is bit 4 of byte 12, the last bitmap byte (words clamped) */
	CHECK(pread(cfd, word, 1, (off_t)(info.bitmap_offset + 12)) == 1 && word[0] == 0x10);

	/* out of range */
	CHECK(cow_write(&cf, want, 100, 2, &e) == -EINVAL);
	CHECK(cow_read(&cf, buf, 101, 1, &e) == -EINVAL);
	CHECK(cow_flush(&cf, &e) == 0);
	cow_close(&cf);

	/* reopen: the bitmap comes back from disk */
	CHECK(cow_open(&cf, cfd, cpath, bfd, bpath, &e) == 0);
	CHECK(cow_bits_count(cf.bitmap, cf.info.sectors) == 4);
	CHECK(cow_read(&cf, buf, 10, 1, &e) == 0);
	pattern(want, SS, 77);
	CHECK(!memcmp(buf, want, SS));
	cow_close(&cf);

	/* older versions on disk: v1, v2 and broken v3 files read through
	 * their own offsets (bitmap and data where UML puts them) */
	{
		static const struct { uint32_t v; int broken; } vs[] = { { 1, 0 }, { 2, 0 }, { 3, 1 } };
		uint8_t hdr[COW_HEADER_MAX], bit = 0x02; /* sector 1 */
		for (unsigned k = 0; k < 3; k++) {
			struct cow_info oi;
			memset(&oi, 0, sizeof(oi));
			oi.version = vs[k].v;
			oi.broken_v3 = vs[k].broken;
			strcpy(oi.backing_file, bpath);
			oi.size = bsize;
			oi.sectorsize = SS;
			oi.alignment = 4096;
			CHECK(fstat(bfd, &st) == 0);
			oi.mtime = (uint32_t)st.st_mtime;
			CHECK(cow_sizes(&oi) == 0);
			int n = cow_encode_header(&oi, hdr, sizeof(hdr), &e);
			int ofd = open(cpath, O_RDWR | O_TRUNC);
			CHECK(pwrite(ofd, hdr, (size_t)n, 0) == n);
			CHECK(pwrite(ofd, &bit, 1, (off_t)oi.bitmap_offset) == 1);
			pattern(want, SS, (uint8_t)(200 + k));
			CHECK(pwrite(ofd, want, SS, (off_t)(oi.data_offset + SS)) == SS);
			CHECK(ftruncate(ofd, (off_t)(oi.data_offset + bsize)) == 0);
			CHECK(cow_open(&cf, ofd, cpath, bfd, bpath, &e) == 0);
			CHECK(cf.info.version == vs[k].v && cf.info.broken_v3 == vs[k].broken);
			CHECK(cf.info.bitmap_offset == (k == 0 ? 280 : k == 1 ? 4120 : 8192));
			CHECK(cow_read(&cf, buf, 0, 3, &e) == 0);
			CHECK(!memcmp(buf, base, SS));
			CHECK(!memcmp(buf + SS, want, SS));
			CHECK(!memcmp(buf + 2 * SS, base + 2 * SS, SS));
			cow_close(&cf);
			close(ofd);
		}
	}

	/* backing size changed -> -ESTALE with a message */
	CHECK(ftruncate(bfd, (off_t)bsize + 512) == 0);
	CHECK(cow_open(&cf, cfd, cpath, bfd, bpath, &e) == -ESTALE);
	CHECK(strstr(e.msg, "size changed") != NULL);
	CHECK(ftruncate(bfd, (off_t)bsize) == 0);
	/* mtime changed */
	{
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };
		CHECK(futimens(bfd, ts) == 0);
		CHECK(cow_open(&cf, cfd, cpath, bfd, bpath, &e) == -ESTALE);
		CHECK(strstr(e.msg, "mtime changed") != NULL);
	}
	/* COW file smaller than its bitmap */
	CHECK(ftruncate(cfd, 8192 + 5) == 0);
	CHECK(cow_open(&cf, cfd, cpath, -1, NULL, &e) == -EINVAL);
	CHECK(strstr(e.msg, "smaller than its bitmap") != NULL);

	close(cfd);
	close(bfd);
	unlink(cpath);
	snprintf(cpath, sizeof(cpath), "%s/x.cow", dir);
	unlink(cpath);
	unlink(bpath);
	rmdir(dir);
	free(base);
	free(buf);
	free(want);
	return check_done("cow-rw");
}
