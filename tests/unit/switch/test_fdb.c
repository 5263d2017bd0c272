#include "../common/check.h"
#include "fdb.h"

#include <string.h>

static int visits;
static void count_visit(void *ctx, const uint8_t mac[6], int port, uint64_t age)
{
	(void)ctx; (void)mac; (void)port; (void)age;
	visits++;
}

int main(void)
{
	const uint8_t a[6] = { 2, 0, 0, 0, 0, 1 }, b[6] = { 2, 0, 0, 0, 0, 2 };
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	struct fdb *f = fdb_new(4, 1000);
	CHECK(f != NULL);
	CHECK(fdb_lookup(f, a, 0) == -1);
	CHECK(fdb_learn(f, a, 3, 100) == 1);
	CHECK(fdb_lookup(f, a, 100) == 3);
	CHECK(fdb_learn(f, a, 3, 200) == 0);  /* refresh */
	CHECK(fdb_learn(f, a, 5, 300) == 1);  /* moved */
	CHECK(fdb_lookup(f, a, 300) == 5);
	CHECK(fdb_lookup(f, a, 1299) == 5);   /* just before aging */
	CHECK(fdb_lookup(f, a, 1300) == -1);  /* aged out */
	CHECK(fdb_count(f) == 1);
	CHECK(fdb_age(f, 1300) == 1);
	CHECK(fdb_count(f) == 0);

	/* Flush one port's entries, keep others. */
	fdb_learn(f, a, 1, 0);
	fdb_learn(f, b, 2, 0);
	CHECK(fdb_flush_port(f, 1) == 1);
	CHECK(fdb_lookup(f, a, 1) == -1 && fdb_lookup(f, b, 1) == 2);

	/* Bounded: the fifth MAC is refused, not grown into. */
	struct fdb *g = fdb_new(4, 1000);
	uint8_t m[6] = { 2, 0, 0, 0, 1, 0 };
	for (int i = 0; i < 4; i++) {
		m[5] = (uint8_t)i;
		CHECK(fdb_learn(g, m, 1, 0) == 1);
	}
	m[5] = 99;
	CHECK(fdb_learn(g, m, 1, 0) == -1);
	CHECK(fdb_count(g) == 4);
	visits = 0;
	fdb_foreach(g, 10, count_visit, NULL);
	CHECK(visits == 4);
	fdb_free(g);

	/* Many MACs in a big table: all found again. */
	struct fdb *h = fdb_new(70000, 100000);
	int ok = 1;
	for (int i = 0; i < 65536; i++) {
		uint8_t x[6] = { 2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
		ok &= fdb_learn(h, x, 1 + i % 300, 0) == 1;
	}
	for (int i = 0; i < 65536; i++) {
		uint8_t x[6] = { 2, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
		ok &= fdb_lookup(h, x, 1) == 1 + i % 300;
	}
	CHECK(ok);
	fdb_free(h);

	CHECK(mac_is_group(bcast) && mac_is_group(mcast) && !mac_is_group(a));
	fdb_free(f);
	return check_done("fdb");
}
