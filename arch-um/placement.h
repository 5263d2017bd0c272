/* Host CPU placement of the whole guest (pin=): the host side in
 * arch-um/placement.c, its decisions in arch-um/placement_policy.c. */
#ifndef UM_PLACEMENT_H
#define UM_PLACEMENT_H

/* Pin umk to its CPU and, with pin=on, start the balancer thread. */
void placement_init(void);

/* Shares of one balancing period (about a second). */
#define PLACEMENT_BUSY_IDLE_MAX 0.3	/* our CPU idle no more than this: crowded */
#define PLACEMENT_WAIT_MIN 0.2		/* and our threads waited at least this */
#define PLACEMENT_TARGET_IDLE_MIN 0.4	/* a CPU idle this much can take us */

/* What the balancer saw over one period. */
struct placement_view {
	int ncpu;		/* entries in idle[] */
	const double *idle;	/* each CPU's idle share; < 0: not allowed */
	int cur;		/* the CPU the guest is on */
	double waited;		/* runnable-but-waiting time of the guest's
				 * threads, as a share of the period */
};

/* The start CPU: the allowed one (count >= 0) with the fewest umk
 * guests already pinned to it; on a tie the one we run on (here). */
int placement_start_cpu(const int *count, int ncpu, int here);
/* The CPU to move the whole guest to, or -1 to stay. */
int placement_choose(const struct placement_view *v);
#endif
