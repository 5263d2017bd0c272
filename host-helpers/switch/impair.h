/* Link impairments ("links with character"): delay with jitter, random
 * loss, duplication and a rate limit, applied to frames leaving a port,
 * in the spirit of Linux netem. Pure and deterministic: the random stream
 * comes from a seeded generator held in the per-port state. */
#ifndef UMK_SWITCH_IMPAIR_H
#define UMK_SWITCH_IMPAIR_H

#include <stddef.h>
#include <stdint.h>

struct impair_params {
	uint64_t delay_ns, jitter_ns; /* one-way delay, +/- uniform jitter */
	uint32_t loss_ppm, dup_ppm;   /* probabilities, parts per million */
	uint64_t rate_bps;            /* 0 = unlimited */
	uint32_t limit;               /* frames waiting per port before tail drop */
};

struct impair_state {
	uint64_t rng;           /* xorshift64* state, never 0 */
	uint64_t busy_until_ns; /* when the rate-limited link is free again */
};

enum impair_fate { IMPAIR_SEND, IMPAIR_LOSS, IMPAIR_OVERLIMIT };

struct impair_verdict {
	enum impair_fate fate;
	int copies;        /* 1, or 2 when duplicated */
	uint64_t when[2];  /* departure times (ns, same clock as now) */
};

#define IMPAIR_DEFAULT_LIMIT 1000

/* "delay=50ms,jitter=10ms,loss=5%,dup=1%,rate=1mbit,limit=500", or "none".
 * Missing keys keep their current value in *p. Returns 0, or -1 with a
 * message in err. */
int impair_parse(const char *spec, struct impair_params *p, char *err, size_t errlen);
int impair_active(const struct impair_params *p);
/* Human-readable form, same syntax as impair_parse accepts. */
void impair_format(const struct impair_params *p, char *out, size_t outlen);

void impair_seed(struct impair_state *s, uint64_t seed, uint64_t stream);
uint64_t impair_rand(struct impair_state *s);

/* Decide the fate of one frame of len bytes offered at now, with queued
 * frames of this port already waiting. */
struct impair_verdict impair_frame(const struct impair_params *p,
				   struct impair_state *s, uint64_t now_ns,
				   size_t len, unsigned queued);

#endif
