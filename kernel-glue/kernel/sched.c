/* The scheduler: one virtual CPU and Linux's CFS in small. Each task's
 * virtual runtime grows with the time it runs; the runnable task with the
 * least runs next, for its share of a 20 ms period (at most 10 ms, at
 * least 1 ms: with a thousand runnable tasks one round takes a second,
 * not ten). A task that slept comes back with at most 3 ms of credit
 * below the least runnable one (half of CFS's latency) and preempts the
 * running task if that leaves it 1 ms ahead; a new task starts a slice
 * behind the least. So a shell that mostly sleeps answers at once even
 * when a thousand tasks spin (a fork bomb), and those share the rest
 * evenly. No timer at all when there is nothing to preempt (tickless).
 * Nice values weigh the runtime as CFS's table does (nice 0: 1024;
 * SCHED_IDLE: 3); SCHED_BATCH and SCHED_IDLE tasks do not preempt on
 * wakeup. Real-time tasks (SCHED_FIFO, SCHED_RR) run before all others,
 * the highest priority first, FIFO until it blocks or yields, RR in
 * 100 ms turns among its priority; together they get at most 950 ms of
 * each second while others wait (sched_rt_runtime_us), as Linux, so a
 * runaway real-time loop cannot lock a root shell out.
 * The boot context is the idle task. */
#include <umk/sched.h>
#include <umk/arch.h>
#include <umk/timer.h>
#include <umk/internal.h>

#define SLICE_NS (10 * 1000000LL)
#define PERIOD_NS (20 * 1000000LL)
#define MIN_SLICE_NS (1 * 1000000LL)
#define SLEEPER_CREDIT_NS (3 * 1000000LL)
#define WAKEUP_GRAN_NS (1 * 1000000LL)
#define RR_SLICE_NS (100 * 1000000LL)		/* sched_rr_timeslice_ms */
#define RT_PERIOD_NS (1000 * 1000000LL)		/* sched_rt_period_us */
#define RT_RUNTIME_NS (950 * 1000000LL)		/* sched_rt_runtime_us */

/* CFS's sched_prio_to_weight, nice -20..19 */
static const int prio_to_weight[40] = {
	88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
	9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
	1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
	110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
};
#define WEIGHT_IDLEPRIO 3

static bool rt_task(const struct task *t)
{
	return RT_POLICY(t->policy);
}

static uint64_t weighted(int64_t delta, const struct task *t)
{
	int w = t->policy == SCHED_IDLE_POLICY ? WEIGHT_IDLEPRIO : prio_to_weight[t->nice + 20];
	return (uint64_t)delta * 1024 / (uint64_t)w;
}

static int64_t rt_period_end = -1;	/* the current throttling period */
static int64_t rt_used;			/* real-time runtime in it */

struct task *current;
static struct task idle_task;
static LIST_HEAD(runqueue);
static LIST_HEAD(timers);
static struct task *dead_task;		/* stack to free after the switch */
static bool resched;
static int64_t slice_end = -1;
static int64_t programmed = -2;
static uint64_t min_vruntime;	/* never decreases, as CFS's */
static int64_t run_start;	/* when current began to run */
static struct task *yielding;	/* sched_yield: pick another if there is one */

bool need_resched(void)
{
	return resched;
}

void set_need_resched(void)
{
	resched = true;
}

/* handle_irqs is running handlers and timer callbacks. */
static int irq_depth;

bool can_sleep(void)
{
	return current != &idle_task && !irq_depth && !arch_halting();
}

static bool on_runqueue(struct task *t)
{
	return !list_empty(&t->runq);
}

static uint64_t vfloor(int64_t below)
{
	return min_vruntime > (uint64_t)below ? min_vruntime - below : 0;
}

static void wake(struct task *t)
{
	t->state = TASK_RUNNING;
	if (t != current && !on_runqueue(t) && t != &idle_task) {
		t->vruntime = MAX(t->vruntime, vfloor(SLEEPER_CREDIT_NS));
		list_add_tail(&t->runq, &runqueue);
		if (current == &idle_task)
			;
		else if (rt_task(t))
			resched |= !rt_task(current) || t->rt_priority > current->rt_priority;
		else if (rt_task(current) || t->policy != SCHED_NORMAL_POLICY)
			;	/* only SCHED_NORMAL wakeups preempt, and never real-time */
		else if (current->policy == SCHED_IDLE_POLICY ||
			 t->vruntime + WAKEUP_GRAN_NS < current->vruntime + weighted(ktime_mono_ns() - run_start, current))
			resched = true;
	}
	if (current == &idle_task)
		resched = true;
}

void wake_up_task(struct task *t)
{
	if (t->state == TASK_INTERRUPTIBLE || t->state == TASK_UNINTERRUPTIBLE)
		wake(t);
}

/* Only SIGCONT, SIGKILL and the tracer end a stop: nothing that merely
 * wakes sleepers may resume a stopped task. */
void wake_up_stopped(struct task *t)
{
	if (t->state == TASK_STOPPED || t->state == TASK_TRACED)
		wake(t);
}

void task_enqueue_new(struct task *t)
{
	INIT_LIST_HEAD(&t->runq);
	t->state = TASK_RUNNING;
	t->vruntime = MAX(current == &idle_task ? 0 : current->vruntime, min_vruntime + SLICE_NS);
	list_add_tail(&t->runq, &runqueue);
}

/* An OOM victim runs next, so that it exits and frees its memory. */
void sched_boost(struct task *t)
{
	t->vruntime = vfloor(SLEEPER_CREDIT_NS);
	if (on_runqueue(t))
		resched = true;
}

void task_set_dead(struct task *t)
{
	dead_task = t;
}

void schedule(void)
{
	struct task *prev = current, *next = &idle_task, *t;
	int64_t now = ktime_mono_ns();
	resched = false;
	if (prev != &idle_task) {
		if (rt_task(prev))
			rt_used += now - run_start;
		else
			prev->vruntime += weighted(now - run_start, prev);
	}
	run_start = now;
	if (prev->state == TASK_RUNNING && prev != &idle_task && !on_runqueue(prev)) {
		/* a real-time task preempted keeps its place (Linux); an RR
		 * one whose turn ran out goes behind its equals */
		bool turn_over = prev->policy == SCHED_RR_POLICY && now >= prev->rr_slice_end;
		if (rt_task(prev) && !turn_over && prev != yielding)
			list_add(&prev->runq, &runqueue);
		else
			list_add_tail(&prev->runq, &runqueue);
	}
	if (now >= rt_period_end) {
		rt_period_end = now + RT_PERIOD_NS;
		rt_used = 0;
	}
	bool rt_allowed = rt_used < RT_RUNTIME_NS;
	struct task *rt = NULL;
	int64_t nr = 0;
	list_for_each_entry(t, &runqueue, runq) {
		if (rt_task(t)) {
			if (rt_allowed && (!rt || t->rt_priority > rt->rt_priority))
				rt = t;
			continue;
		}
		nr++;
		if (next == &idle_task || next == yielding || (t->vruntime < next->vruntime && t != yielding))
			next = t;
	}
	yielding = NULL;
	if (rt) {
		next = rt;
		list_del(&next->runq);
		int64_t left = RT_RUNTIME_NS - rt_used;
		slice_end = now + (next->policy == SCHED_RR_POLICY ? MIN(left, RR_SLICE_NS) : left);
		next->rr_slice_end = now + RR_SLICE_NS;
	} else {
		if (next != &idle_task) {
			list_del(&next->runq);
			min_vruntime = MAX(min_vruntime, next->vruntime);
		}
		/* the period shared by those waiting, the one chosen among them */
		slice_end = now + (nr ? MAX(MIN(PERIOD_NS / nr, SLICE_NS), MIN_SLICE_NS) : SLICE_NS);
		/* throttled real-time tasks wait for the next period */
		if (!rt_allowed && rt_period_end < slice_end)
			slice_end = rt_period_end;
	}
	if (next == prev)
		return;
	if (prev->state == TASK_RUNNING)
		prev->nivcsw++;
	else
		prev->nvcsw++;
	cputime_switch(prev, next, next == &idle_task);
	current = next;
	arch_switch_to(prev, next);
	/* back on prev's stack */
	if (dead_task && dead_task != current) {
		task_free(dead_task);
		dead_task = NULL;
	}
}

void sched_policy_changed(struct task *t)
{
	if (!rt_task(t))
		t->vruntime = MAX(t->vruntime, min_vruntime);	/* no credit from its time as real-time */
	if (t == current || on_runqueue(t))
		resched = true;
}

void sched_yield_current(void)
{
	if (!list_empty(&runqueue)) {
		yielding = current;
		schedule();
	}
}

/* Timers */
void ktimer_init(struct ktimer *t, void (*fn)(struct ktimer *), void *data)
{
	INIT_LIST_HEAD(&t->link);
	t->fn = fn;
	t->data = data;
	t->armed = false;
}

void ktimer_cancel(struct ktimer *t)
{
	if (t->armed) {
		list_del(&t->link);
		t->armed = false;
	}
}

void ktimer_arm(struct ktimer *t, int64_t deadline)
{
	ktimer_cancel(t);
	t->deadline = deadline;
	struct ktimer *pos;
	list_for_each_entry(pos, &timers, link)
		if (pos->deadline > deadline)
			break;
	list_add_tail(&t->link, &pos->link);
	t->armed = true;
}

static void run_timers(int64_t now)
{
	while (!list_empty(&timers)) {
		struct ktimer *t = list_first_entry(&timers, struct ktimer, link);
		if (t->deadline > now)
			break;
		list_del(&t->link);
		t->armed = false;
		t->fn(t);
	}
}

/* Is there a task the CPU may run now (not only throttled real-time ones)? */
static bool have_runnable(int64_t now)
{
	struct task *t;
	list_for_each_entry(t, &runqueue, runq)
		if (!rt_task(t) || rt_used < RT_RUNTIME_NS || now >= rt_period_end)
			return true;
	return false;
}

static void program_host_timer(void)
{
	int64_t d = -1;
	if (!list_empty(&timers))
		d = list_first_entry(&timers, struct ktimer, link)->deadline;
	if (!list_empty(&runqueue) && current != &idle_task && (d < 0 || slice_end < d))
		d = slice_end;
	else if (!list_empty(&runqueue) && current == &idle_task && (d < 0 || rt_period_end < d))
		d = rt_period_end;	/* throttled real-time tasks wait for it */
	if (d != programmed) {
		arch_timer_program(d);
		programmed = d;
	}
}

/* Take pending interrupts: fd handlers, expired timers, slice end. */
void handle_irqs(void)
{
	unsigned irqs = arch_irq_take();
	irq_depth++;
	if (irqs & IRQ_IO)
		arch_irq_dispatch_fds();
	if (irqs & IRQ_TIMER)
		programmed = -2;	/* the one-shot fired: must re-arm */
	if (irqs & IRQ_POWER)
		power_button();
	int64_t now = ktime_mono_ns();
	run_timers(now);
	irq_depth--;
	if (!list_empty(&runqueue) && current != &idle_task && now >= slice_end)
		resched = true;
	program_host_timer();
}

/* Wait queues */
void init_waitqueue_head(struct wait_queue_head *wq)
{
	INIT_LIST_HEAD(&wq->head);
	wq->wakeups = 0;
}

void wait_enqueue(struct wait_queue_head *wq, struct wait_entry *e)
{
	e->task = current;
	list_add_tail(&e->link, &wq->head);
}

void wait_dequeue(struct wait_entry *e)
{
	list_del(&e->link);
}

void wake_up(struct wait_queue_head *wq)
{
	wq->wakeups++;
	struct wait_entry *e;
	list_for_each_entry(e, &wq->head, link)
		wake_up_task(e->task);
}

static void sleep_timeout(struct ktimer *t)
{
	struct task *task = t->data;
	task->timed_out = true;
	wake_up_task(task);
}

long wait_sleep(struct wait_queue_head *wq, struct wait_entry *e, bool interruptible, int64_t deadline)
{
	(void)wq;
	(void)e;
	if (interruptible && signal_pending(current))
		return -ERESTARTSYS;
	if (deadline >= 0 && ktime_mono_ns() >= deadline)
		return -ETIMEDOUT;
	struct ktimer tm;
	ktimer_init(&tm, sleep_timeout, current);
	current->timed_out = false;
	if (deadline >= 0)
		ktimer_arm(&tm, deadline);
	current->state = interruptible ? TASK_INTERRUPTIBLE : TASK_UNINTERRUPTIBLE;
	schedule();
	ktimer_cancel(&tm);
	if (interruptible && signal_pending(current))
		return -ERESTARTSYS;
	if (current->timed_out)
		return -ETIMEDOUT;
	return 0;
}

/* Sleep until the deadline or a signal: 0, or -ERESTARTSYS. */
long sleep_until(int64_t deadline)
{
	struct wait_queue_head wq;
	init_waitqueue_head(&wq);
	long r = wait_event_interruptible_deadline(wq, false, deadline);
	return r == -ETIMEDOUT ? 0 : r;
}

void sched_init_idle(void)
{
	memset(&idle_task, 0, sizeof(idle_task));
	strlcpy(idle_task.comm, "swapper", sizeof(idle_task.comm));
	INIT_LIST_HEAD(&idle_task.runq);
	INIT_LIST_HEAD(&idle_task.children);
	INIT_LIST_HEAD(&idle_task.sibling);
	INIT_LIST_HEAD(&idle_task.sigqueue);
	INIT_LIST_HEAD(&idle_task.ptraced);
	INIT_LIST_HEAD(&idle_task.ptrace_entry);
	idle_task.state = TASK_RUNNING;
	idle_task.flags = PF_KTHREAD;
	current = &idle_task;
}

/* The idle loop: run whatever is runnable, otherwise sleep in the host
 * until an interrupt (timer or fd) arrives. */
__attribute__((noreturn)) void cpu_idle(void)
{
	for (;;) {
		handle_irqs();
		if (have_runnable(ktime_mono_ns())) {
			schedule();
			continue;
		}
		program_host_timer();
		arch_idle();
	}
}
