/* The fuzzers' random numbers: xorshift64, seeded by the program (from
 * its command line, so that a failure can be replayed). */
#ifndef UMK_TESTS_XORSHIFT_H
#define UMK_TESTS_XORSHIFT_H
#include <stdint.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
#endif
