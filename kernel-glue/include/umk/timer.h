/* One-shot kernel timers on CLOCK_MONOTONIC, driving the single host timer. */
#ifndef UMK_TIMER_H
#define UMK_TIMER_H
#include <umk/list.h>

struct ktimer {
	struct list_head link;
	int64_t deadline;
	void (*fn)(struct ktimer *t);
	void *data;
	bool armed;
};

void ktimer_init(struct ktimer *t, void (*fn)(struct ktimer *), void *data);
void ktimer_arm(struct ktimer *t, int64_t deadline_ns);
void ktimer_cancel(struct ktimer *t);
#endif
