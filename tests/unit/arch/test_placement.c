/* CPU placement decisions (arch-um/placement_policy.c): where a guest
 * starts and when the balancer moves it. */
#include "../common/check.h"
#include "../../../arch-um/placement.h"

static int choose(double cur_idle, double other_idle, double waited)
{
	double idle[2] = { cur_idle, other_idle };
	struct placement_view v = { .ncpu = 2, .idle = idle, .cur = 0, .waited = waited };
	return placement_choose(&v);
}

int main(void)
{
	/* start: fewest guests wins; a tie keeps the CPU we are on */
	int c1[4] = { 3, 1, 2, -1 };
	CHECK(placement_start_cpu(c1, 4, 0) == 1);
	int c2[4] = { 1, 1, 1, 1 };
	CHECK(placement_start_cpu(c2, 4, 2) == 2);
	CHECK(placement_start_cpu(c2, 4, -1) == 0);
	int c3[3] = { -1, -1, 0 };
	CHECK(placement_start_cpu(c3, 3, 0) == 2);	/* here is not allowed */
	int c4[2] = { -1, -1 };
	CHECK(placement_start_cpu(c4, 2, 0) == -1);

	/* two spinners sharing CPU 0, CPU 1 idle: move */
	CHECK(choose(0.0, 0.95, 0.5) == 1);
	/* our CPU had idle time: stay */
	CHECK(choose(0.5, 0.95, 0.5) == -1);
	/* our CPU is busy with us alone (we never waited): stay, or two
	 * guests would chase each other around idle CPUs */
	CHECK(choose(0.0, 0.95, 0.05) == -1);
	/* nowhere better to go: stay */
	CHECK(choose(0.0, 0.1, 0.5) == -1);
	CHECK(choose(0.0, PLACEMENT_TARGET_IDLE_MIN - 0.01, 0.9) == -1);
	/* the most idle of several, never a CPU we may not use */
	double idle[4] = { 0.0, 0.5, -1, 0.8 };
	struct placement_view v = { .ncpu = 4, .idle = idle, .cur = 0, .waited = 0.4 };
	CHECK(placement_choose(&v) == 3);
	idle[3] = -1;
	CHECK(placement_choose(&v) == 1);
	/* a bad current CPU: no move */
	v.cur = 7;
	CHECK(placement_choose(&v) == -1);
	return check_done("placement");
}
