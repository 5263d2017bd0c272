/* The fuzzers' random numbers: xorshift64, repeatable from a seed given
 * on the command line (set rng, never to 0). */
#ifndef UMK_TEST_RNG_H
#define UMK_TEST_RNG_H
#include <stdint.h>

static uint64_t rng;

static inline uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
#endif
