#include "impair.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int impair_active(const struct impair_params *p)
{
	return p->delay_ns || p->jitter_ns || p->loss_ppm || p->dup_ppm || p->rate_bps;
}

/* splitmix64: turns (seed, stream) into a well-mixed non-zero state so
 * each port gets an independent, reproducible sequence. */
static uint64_t splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

void impair_seed(struct impair_state *s, uint64_t seed, uint64_t stream)
{
	s->rng = splitmix(seed ^ splitmix(stream));
	if (s->rng == 0)
		s->rng = 1;
	s->busy_until_ns = 0;
}

uint64_t impair_rand(struct impair_state *s)
{
	uint64_t x = s->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* True with probability ppm / 1e6. */
static int chance(struct impair_state *s, uint32_t ppm)
{
	return ppm && (impair_rand(s) >> 11) % 1000000u < ppm;
}

struct impair_verdict impair_frame(const struct impair_params *p,
				   struct impair_state *s, uint64_t now_ns,
				   size_t len, unsigned queued)
{
	struct impair_verdict v = { .fate = IMPAIR_SEND, .copies = 1 };
	uint32_t limit = p->limit ? p->limit : IMPAIR_DEFAULT_LIMIT;
	if (queued >= limit) {
		v.fate = IMPAIR_OVERLIMIT;
		v.copies = 0;
		return v;
	}
	if (chance(s, p->loss_ppm)) {
		v.fate = IMPAIR_LOSS;
		v.copies = 0;
		return v;
	}
	if (chance(s, p->dup_ppm))
		v.copies = 2;
	for (int i = 0; i < v.copies; i++) {
		uint64_t t = now_ns;
		/* Rate: frames are serialised one after another, so a burst
		 * queues behind the link like on a real slow line. */
		if (p->rate_bps) {
			uint64_t tx = (uint64_t)len * 8u * 1000000000u / p->rate_bps;
			if (s->busy_until_ns > t)
				t = s->busy_until_ns;
			t += tx;
			s->busy_until_ns = t;
		}
		uint64_t d = p->delay_ns;
		if (p->jitter_ns) {
			uint64_t span = 2 * p->jitter_ns + 1;
			uint64_t r = impair_rand(s) % span; /* 0 .. 2*jitter */
			d = d + r >= p->jitter_ns ? d + r - p->jitter_ns : 0;
		}
		v.when[i] = t + d;
	}
	return v;
}

/* "50", "50ms", "500us", "1.5s" -> ns; bare numbers are milliseconds. */
static int parse_time(const char *s, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 3600e3)
		return -1;
	double mul = 1e6;
	if (*end == 0 || strcasecmp(end, "ms") == 0)
		mul = 1e6;
	else if (strcasecmp(end, "us") == 0)
		mul = 1e3;
	else if (strcasecmp(end, "s") == 0)
		mul = 1e9;
	else
		return -1;
	*ns = (uint64_t)(v * mul + 0.5);
	return 0;
}

/* "5", "5%", "0.5%" -> ppm. */
static int parse_pct(const char *s, uint32_t *ppm)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 100)
		return -1;
	if (*end == '%')
		end++;
	if (*end)
		return -1;
	*ppm = (uint32_t)(v * 10000 + 0.5);
	return 0;
}

/* "1000", "1000kbit", "2mbit", "1gbit", "9600bit" -> bit/s; bare = kbit. */
static int parse_rate(const char *s, uint64_t *bps)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || v > 1e12)
		return -1;
	double mul;
	if (*end == 0 || strcasecmp(end, "kbit") == 0)
		mul = 1e3;
	else if (strcasecmp(end, "mbit") == 0)
		mul = 1e6;
	else if (strcasecmp(end, "gbit") == 0)
		mul = 1e9;
	else if (strcasecmp(end, "bit") == 0)
		mul = 1;
	else
		return -1;
	*bps = (uint64_t)(v * mul + 0.5);
	if (v > 0 && *bps < 8) /* under one byte per second: nonsense */
		return -1;
	return 0;
}

int impair_parse(const char *spec, struct impair_params *p, char *err, size_t errlen)
{
	if (strcmp(spec, "none") == 0 || strcmp(spec, "off") == 0) {
		memset(p, 0, sizeof *p);
		return 0;
	}
	char buf[256];
	if (strlen(spec) >= sizeof buf) {
		snprintf(err, errlen, "impairment spec too long");
		return -1;
	}
	strcpy(buf, spec);
	struct impair_params n = *p;
	char *save = NULL;
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *val = strchr(kv, '=');
		if (!val) {
			snprintf(err, errlen, "'%s': expected key=value", kv);
			return -1;
		}
		*val++ = 0;
		int bad;
		if (strcmp(kv, "delay") == 0)
			bad = parse_time(val, &n.delay_ns);
		else if (strcmp(kv, "jitter") == 0)
			bad = parse_time(val, &n.jitter_ns);
		else if (strcmp(kv, "loss") == 0)
			bad = parse_pct(val, &n.loss_ppm);
		else if (strcmp(kv, "dup") == 0)
			bad = parse_pct(val, &n.dup_ppm);
		else if (strcmp(kv, "rate") == 0)
			bad = parse_rate(val, &n.rate_bps);
		else if (strcmp(kv, "limit") == 0) {
			char *end;
			unsigned long l = strtoul(val, &end, 10);
			bad = *val == 0 || *end || l == 0 || l > 1000000;
			n.limit = (uint32_t)l;
		} else {
			snprintf(err, errlen, "unknown impairment '%s' (delay, jitter, loss, dup, rate, limit)", kv);
			return -1;
		}
		if (bad) {
			snprintf(err, errlen, "bad value '%s' for %s", val, kv);
			return -1;
		}
	}
	*p = n;
	return 0;
}

void impair_format(const struct impair_params *p, char *out, size_t outlen)
{
	if (!impair_active(p)) {
		snprintf(out, outlen, "none");
		return;
	}
	snprintf(out, outlen, "delay=%.3fms,jitter=%.3fms,loss=%.4g%%,dup=%.4g%%,rate=%" PRIu64 "bit,limit=%u",
		 p->delay_ns / 1e6, p->jitter_ns / 1e6, p->loss_ppm / 1e4,
		 p->dup_ppm / 1e4, p->rate_bps, p->limit ? p->limit : IMPAIR_DEFAULT_LIMIT);
}
