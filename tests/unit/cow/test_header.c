/* COW header encode/parse round trips for v1 (both byte orders), v2, v3
 * and broken v3; byte layouts; UML's offsets; bad headers. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "wire/cow.h"
#include "../common/check.h"

static uint8_t buf[COW_HEADER_MAX];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void fill(struct cow_info *in, uint32_t version, int broken, int foreign)
{
	memset(in, 0, sizeof(*in));
	in->version = version;
	in->broken_v3 = broken;
	in->foreign_order = foreign;
	strcpy(in->backing_file, "/srv/images/base.ext4");
	in->mtime = 0x6b0153cdU;
	in->size = 1073741824ULL + 3 * 512;
	in->sectorsize = 512;
	in->alignment = version == 3 ? 4096 : 512;
	in->cow_format = 0;
}

static void round_trip(uint32_t version, int broken, int foreign, int expect_len)
{
	struct cow_info in, out;
	struct cow_err e;
	int n;

	fill(&in, version, broken, foreign);
	n = cow_encode_header(&in, buf, sizeof(buf), &e);
	CHECK(n == expect_len);
	CHECK(cow_parse_header(buf, (size_t)n, "t", &out, &e) == 0);
	CHECK(out.version == version);
	CHECK(out.broken_v3 == broken);
	CHECK(out.foreign_order == foreign);
	CHECK(!strcmp(out.backing_file, in.backing_file));
	CHECK(out.mtime == in.mtime);
	CHECK(out.size == in.size);
	CHECK(out.sectorsize == 512);
	CHECK(out.alignment == in.alignment);
	CHECK(out.header_len == (uint64_t)expect_len);
	/* one byte short: truncated */
	CHECK(cow_parse_header(buf, (size_t)n - 1, "t", &out, &e) == -EINVAL);
	CHECK(strstr(e.msg, "truncated") != NULL);
}

int main(void)
{
	struct cow_info in, out;
	struct cow_err e;

	CHECK(sizeof(struct cow_header_v1) == 280);
	CHECK(sizeof(struct cow_header_v2) == 4120);
	CHECK(sizeof(struct cow_header_v3) == 4128);
	CHECK(sizeof(struct cow_header_v3_broken) == 4136);

	round_trip(1, 0, 0, 280);
	round_trip(1, 0, 1, 280);
	round_trip(2, 0, 0, 4120);
	round_trip(3, 0, 0, 4128);
	round_trip(3, 1, 0, 4136);

	/* v3 byte layout: big-endian, starts 4F 4F 4F 4D 00 00 00 03 */
	fill(&in, 3, 0, 0);
	CHECK(cow_encode_header(&in, buf, sizeof(buf), &e) == 4128);
	CHECK(!memcmp(buf, "\x4f\x4f\x4f\x4d\x00\x00\x00\x03", 8));
	CHECK(be32(buf + 8) == in.mtime);
	CHECK(be64(buf + 12) == in.size);
	CHECK(be32(buf + 20) == 512);
	CHECK(be32(buf + 24) == 4096);
	CHECK(be32(buf + 28) == 0);
	CHECK(!strcmp((char *)buf + 32, in.backing_file));

	/* broken v3: mtime htonl'd into 8 bytes, size at 16, path at 36 */
	fill(&in, 3, 1, 0);
	CHECK(cow_encode_header(&in, buf, sizeof(buf), &e) == 4136);
	CHECK(be32(buf + 8) == in.mtime && be32(buf + 12) == 0);
	CHECK(be64(buf + 16) == in.size);
	CHECK(be32(buf + 24) == 512 && be32(buf + 28) == 4096 && be32(buf + 32) == 0);
	CHECK(!strcmp((char *)buf + 36, in.backing_file));
	CHECK(cow_parse_header(buf, 4136, "t", &out, &e) == 0 && out.broken_v3);
	CHECK(out.bitmap_offset == 8192);

	/* v2 layout */
	fill(&in, 2, 0, 0);
	CHECK(cow_encode_header(&in, buf, sizeof(buf), &e) == 4120);
	CHECK(be32(buf) == COW_MAGIC && be32(buf + 4) == 2);
	CHECK(be32(buf + 4104) == in.mtime && be64(buf + 4108) == in.size);
	CHECK(be32(buf + 4116) == 512);

	/* v1 in little-endian (x86 host order): fields LE at 264/268/276 */
	fill(&in, 1, 0, 0);
	CHECK(cow_encode_header(&in, buf, sizeof(buf), &e) == 280);
	CHECK(!memcmp(buf, "\x4d\x4f\x4f\x4f\x01\x00\x00\x00", 8));
	CHECK(buf[276] == 0x00 && buf[277] == 0x02);
	CHECK(cow_parse_header(buf, 280, "t", &out, &e) == 0);
	CHECK(out.bitmap_offset == 280);

	/* offsets from protocols.md: 1 GiB, 512, 4096 */
	memset(&in, 0, sizeof(in));
	in.version = 3;
	in.size = 1ULL << 30;
	in.sectorsize = 512;
	in.alignment = 4096;
	CHECK(cow_sizes(&in) == 0);
	CHECK(in.sectors == 2097152);
	CHECK(in.bitmap_offset == 8192);
	CHECK(in.bitmap_len == 262144);
	CHECK(in.data_offset == 270336);
	/* v3 rounding fixed: 1000000 bytes -> 1954 sectors -> 245 bytes */
	in.size = 1000000;
	CHECK(cow_sizes(&in) == 0 && in.bitmap_len == 245 && in.data_offset == 12288);
	/* v1/v2 keep UML's rounding bug: (size + ss - 1) / (8 * ss) */
	in.version = 2;
	in.alignment = 512;
	CHECK(cow_sizes(&in) == 0);
	CHECK(in.bitmap_offset == 4120);
	CHECK(in.bitmap_len == 244); /* one byte short of 1954 bits */
	CHECK(in.data_offset == 4608); /* roundup(4120 + 244, 512) */
	CHECK(cow_mappable_sectors(&in) == 1952);
	in.version = 1;
	in.size = 1ULL << 30;
	CHECK(cow_sizes(&in) == 0 && in.bitmap_offset == 280 && in.bitmap_len == 262144 &&
	      in.data_offset == 262656);

	/* bad inputs */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "QFI\xfb", 4);
	CHECK(cow_parse_header(buf, sizeof(buf), "img", &out, &e) == -EMEDIUMTYPE);
	CHECK(strstr(e.msg, "img: bad magic") != NULL);
	CHECK(cow_parse_header(buf, 5, "img", &out, &e) == -EINVAL);
	fill(&in, 3, 0, 0);
	cow_encode_header(&in, buf, sizeof(buf), &e);
	CHECK(cow_parse_header(buf, 100, "c", &out, &e) == -EINVAL);
	buf[7] = 9; /* version 9 */
	CHECK(cow_parse_header(buf, 4128, "c", &out, &e) == -EINVAL);
	CHECK(strstr(e.msg, "version 9") != NULL);
	buf[7] = 3;
	buf[23] = 0; buf[22] = 0; /* sectorsize 0 */
	CHECK(cow_parse_header(buf, 4128, "c", &out, &e) == -EINVAL);
	cow_encode_header(&in, buf, sizeof(buf), &e);
	buf[27] = 0; buf[26] = 0; /* alignment 0 */
	CHECK(cow_parse_header(buf, 4128, "c", &out, &e) == -EINVAL);
	cow_encode_header(&in, buf, sizeof(buf), &e);
	memset(buf + 32, 'a', COW_PATH_LEN_V3); /* unterminated path */
	CHECK(cow_parse_header(buf, sizeof(buf), "c", &out, &e) == -EINVAL);
	/* v3 magic in little-endian order is not accepted */
	cow_encode_header(&in, buf, sizeof(buf), &e);
	memcpy(buf, "\x4d\x4f\x4f\x4f\x03\x00\x00\x00", 8);
	CHECK(cow_parse_header(buf, 4128, "c", &out, &e) == -EINVAL);

	/* bitmap ops */
	uint8_t bm[4] = {0};
	cow_bit_set(bm, 0);
	cow_bit_set(bm, 9);
	cow_bit_set(bm, 31);
	CHECK(bm[0] == 0x01 && bm[1] == 0x02 && bm[3] == 0x80);
	CHECK(cow_bit_test(bm, 9) && !cow_bit_test(bm, 8));
	CHECK(cow_bits_count(bm, 32) == 3);
	CHECK(cow_bits_count(bm, 31) == 2);
	cow_bit_clear(bm, 9);
	CHECK(bm[1] == 0 && cow_bits_count(bm, 32) == 2);

	return check_done("cow-header");
}
