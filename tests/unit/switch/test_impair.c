#include "../common/check.h"
#include "impair.h"

#include <math.h>
#include <string.h>

static int parses(const char *spec, struct impair_params *p)
{
	char err[160];
	return impair_parse(spec, p, err, sizeof err) == 0;
}

int main(void)
{
	struct impair_params p = { 0 };
	char err[160];

	/* Parsing: units, defaults, errors. */
	CHECK(parses("delay=50,jitter=10ms,loss=5%,dup=0.5,rate=2mbit,limit=10", &p));
	CHECK(p.delay_ns == 50000000u && p.jitter_ns == 10000000u);
	CHECK(p.loss_ppm == 50000 && p.dup_ppm == 5000);
	CHECK(p.rate_bps == 2000000 && p.limit == 10);
	CHECK(impair_active(&p));
	CHECK(parses("delay=1.5s", &p) && p.delay_ns == 1500000000u && p.loss_ppm == 50000);
	CHECK(parses("delay=250us,rate=64", &p) && p.delay_ns == 250000 && p.rate_bps == 64000);
	CHECK(parses("none", &p) && !impair_active(&p));
	CHECK(!parses("loss=101", &p));
	CHECK(!parses("loss=-1", &p));
	CHECK(!parses("delay=5parsecs", &p));
	CHECK(!parses("colour=blue", &p));
	CHECK(!parses("delay", &p));
	CHECK(!parses("rate=1bit", &p));
	CHECK(!parses("limit=0", &p));
	CHECK(impair_parse("loss=x", &p, err, sizeof err) < 0 && strstr(err, "loss") != NULL);
	/* A failed parse leaves the old setting intact. */
	CHECK(parses("loss=1", &p) && !parses("loss=2,bogus=1", &p) && p.loss_ppm == 10000);
	char out[200];
	struct impair_params q = { 0 };
	CHECK(parses("delay=20,loss=3%", &q));
	impair_format(&q, out, sizeof out);
	struct impair_params r = { 0 };
	CHECK(parses(out, &r) && r.delay_ns == q.delay_ns && r.loss_ppm == q.loss_ppm);

	/* Determinism: same seed and stream, same fates; other stream differs. */
	struct impair_params lp = { .loss_ppm = 300000 };
	struct impair_state s1, s2, s3;
	impair_seed(&s1, 42, 1);
	impair_seed(&s2, 42, 1);
	impair_seed(&s3, 42, 2);
	int same = 1, diff = 0;
	for (int i = 0; i < 1000; i++) {
		int a = impair_frame(&lp, &s1, 0, 100, 0).fate;
		int b = impair_frame(&lp, &s2, 0, 100, 0).fate;
		int c = impair_frame(&lp, &s3, 0, 100, 0).fate;
		same &= a == b;
		diff |= a != c;
	}
	CHECK(same);
	CHECK(diff);

	/* Loss and duplication rates within 4 sigma of the setting. */
	const int N = 200000;
	struct impair_params ld = { .loss_ppm = 100000, .dup_ppm = 50000 };
	impair_seed(&s1, 7, 0);
	int lost = 0, dups = 0;
	for (int i = 0; i < N; i++) {
		struct impair_verdict v = impair_frame(&ld, &s1, 0, 100, 0);
		lost += v.fate == IMPAIR_LOSS;
		dups += v.copies == 2;
	}
	double pl = 0.1, sl = sqrt(N * pl * (1 - pl));
	CHECK(fabs(lost - N * pl) < 4 * sl);
	double pd = 0.05 * 0.9, sd = sqrt(N * pd * (1 - pd));
	CHECK(fabs(dups - N * pd) < 4 * sd);

	/* Delay with jitter: every departure within [d-j, d+j], mean near d. */
	struct impair_params dj = { .delay_ns = 50000000, .jitter_ns = 10000000 };
	impair_seed(&s1, 9, 0);
	double sum = 0;
	int inside = 1;
	for (int i = 0; i < N; i++) {
		struct impair_verdict v = impair_frame(&dj, &s1, 1000, 100, 0);
		uint64_t d = v.when[0] - 1000;
		inside &= d >= 40000000 && d <= 60000000;
		sum += (double)d;
	}
	CHECK(inside);
	CHECK(fabs(sum / N - 50e6) < 0.1e6);
	/* Jitter larger than the delay never yields a time in the past. */
	struct impair_params big = { .delay_ns = 1000, .jitter_ns = 1000000 };
	int future = 1;
	for (int i = 0; i < 1000; i++)
		future &= impair_frame(&big, &s1, 5000, 100, 0).when[0] >= 5000;
	CHECK(future);

	/* Rate: 1 Mbit/s, 1250-byte frames = 10 ms each, queued back to back. */
	struct impair_params rp = { .rate_bps = 1000000 };
	impair_seed(&s1, 1, 0);
	uint64_t t[5];
	for (int i = 0; i < 5; i++)
		t[i] = impair_frame(&rp, &s1, 0, 1250, 0).when[0];
	CHECK(t[0] == 10000000 && t[4] == 50000000);
	/* After the link idles, a frame only waits for its own serialisation. */
	CHECK(impair_frame(&rp, &s1, 1000000000, 1250, 0).when[0] == 1010000000);

	/* Queue limit: tail drop once limit frames wait. */
	struct impair_params lim = { .delay_ns = 1, .limit = 3 };
	CHECK(impair_frame(&lim, &s1, 0, 60, 2).fate == IMPAIR_SEND);
	CHECK(impair_frame(&lim, &s1, 0, 60, 3).fate == IMPAIR_OVERLIMIT);
	return check_done("impair");
}
