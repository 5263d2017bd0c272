/* Wait queues. One virtual CPU and no in-kernel preemption: kernel code
 * runs until it calls schedule(), so checking a condition and sleeping
 * need no locks. Interrupts only mark work that runs at safe points. */
#ifndef UMK_WAIT_H
#define UMK_WAIT_H
#include <umk/list.h>

struct task;
/* wakeups counts wake_up calls: edge-triggered epoll reports a new event
 * when a file's queues were woken since it last looked, as Linux does. */
struct wait_queue_head { struct list_head head; uint64_t wakeups; };
struct wait_entry { struct list_head link; struct task *task; };

void init_waitqueue_head(struct wait_queue_head *wq);
void wait_enqueue(struct wait_queue_head *wq, struct wait_entry *e);
void wait_dequeue(struct wait_entry *e);
void wake_up(struct wait_queue_head *wq);	/* wakes every sleeper */

/* Sleep helpers used by the macros below; return 0, -ERESTARTSYS (a signal
 * is pending) or -ETIMEDOUT (deadline passed; deadline < 0 = none). */
long wait_sleep(struct wait_queue_head *wq, struct wait_entry *e, bool interruptible, int64_t deadline_ns);

/* Sleep until cond holds; -ERESTARTSYS if a signal arrives first. */
#define wait_event_interruptible(wq, cond) ({ \
	long __ret = 0; struct wait_entry __we; \
	wait_enqueue(&(wq), &__we); \
	while (!(cond)) { __ret = wait_sleep(&(wq), &__we, true, -1); if (__ret) break; } \
	wait_dequeue(&__we); __ret; })

/* As above with an absolute CLOCK_MONOTONIC deadline in ns (-1 = none):
 * 0, -ERESTARTSYS or -ETIMEDOUT. */
#define wait_event_interruptible_deadline(wq, cond, deadline) ({ \
	long __ret = 0; struct wait_entry __we; \
	wait_enqueue(&(wq), &__we); \
	while (!(cond)) { __ret = wait_sleep(&(wq), &__we, true, (deadline)); if (__ret) break; } \
	wait_dequeue(&__we); __ret; })

#define wait_event(wq, cond) ({ \
	struct wait_entry __we; wait_enqueue(&(wq), &__we); \
	while (!(cond)) wait_sleep(&(wq), &__we, false, -1); \
	wait_dequeue(&__we); })
#endif
