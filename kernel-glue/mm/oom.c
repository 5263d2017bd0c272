/* The guest's OOM killer (Linux's mm/oom_kill.c, in small): when reclaim
 * finds nothing, kill the process whose death frees the most, by Linux's
 * oom_badness (resident pages plus page tables), never init nor a task
 * already dying. Its private memory is freed at once (Linux's OOM reaper)
 * and it runs next, so the rest (kernel stack, page tables, stub) follows
 * within a time slice. While a victim is exiting, user allocations fail
 * rather than kill another (Linux waits instead; here a guest fault waits
 * at the trap path, pagefault_out_of_memory); after a second it no longer
 * counts, so a victim stuck on something cannot block the machine. One
 * log line per kill, rate limited as printk_ratelimit. */
#include <umk/internal.h>
#include <umk/pgtable.h>
#include <umk/vma.h>

#define VICTIM_GRACE_NS 1000000000LL
#define KSTACK_PAGES 8		/* arch-um's kernel stack, counted as Linux counts pgtables */

static pid_t victim_tgid;
static int64_t victim_deadline;
static bool in_oom;
static struct ratelimit_state oom_rs = RATELIMIT_STATE_INIT;

static bool exiting(struct task *t)
{
	return t->state == TASK_ZOMBIE || t->state == TASK_DEAD || (t->flags & PF_EXITING) || !t->mm;
}

bool oom_victim_pending(void)
{
	if (!victim_tgid || ktime_mono_ns() >= victim_deadline)
		return false;
	struct task *t;
	for_each_task(t)
		if (t->tgid == victim_tgid && !exiting(t))
			return true;
	victim_tgid = 0;
	return false;
}

static uint64_t badness(struct task *t)
{
	return t->mm->rss_pages + t->mm->pgtables + KSTACK_PAGES;
}

static struct task *select_victim(void)
{
	struct task *t, *victim = NULL;
	struct mm *init_mm = init_task ? init_task->mm : NULL;
	for_each_task(t) {
		if (exiting(t) || t->tgid == 1 || t->mm == init_mm || fatal_signal_pending(t))
			continue;
		if (!victim || badness(t) >= badness(victim))	/* ties: the newest, as Linux */
			victim = t;
	}
	return victim;
}

/* Kill victim and every process using its memory (vfork children, as
 * Linux). The kernel may be in the middle of using the current task's
 * memory, so only another task's is reaped here (its private mappings,
 * as Linux's OOM reaper): current frees its own as it exits. */
static void kill_victim(struct task *victim)
{
	struct mm *mm = victim->mm;
	if (ratelimit(&oom_rs, "oom_kill_process"))
		printk(KERN_ERR "Out of memory: Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB, UID:%u "
		       "pgtables:%llukB oom_score_adj:0\n", victim->tgid, victim->comm,
		       (unsigned long long)mm_total_pages(mm) * 4, (unsigned long long)mm->rss_pages * 4,
		       victim->cred.uid, (unsigned long long)mm->pgtables * 4);
	struct task *t;
	for_each_task(t)
		if (t->mm == mm && !exiting(t)) {
			send_sig(SIGKILL, t);
			sched_boost(t);
		}
	if (!current || mm != current->mm)
		for (struct vma *v = mm->vmas; v; v = v->next)
			if (!(v->flags & VM_SHARED))
				mm_zap_range(mm, v->start, v->end);
	victim_tgid = victim->tgid;
	victim_deadline = ktime_mono_ns() + VICTIM_GRACE_NS;
}

/* must_free: the kernel heap, which cannot wait for a victim to exit. */
enum oom_result out_of_memory(bool must_free)
{
	if (in_oom)
		return OOM_NONE;
	if (!must_free && current && fatal_signal_pending(current))
		return OOM_NONE;	/* dying anyway: fail, don't kill for it */
	if (!must_free && oom_victim_pending())
		return OOM_WAIT;
	for (;;) {
		struct task *victim = select_victim();
		if (!victim)
			return OOM_NONE;
		uint64_t total, before, after;
		mem_get_stats(&total, &before);
		in_oom = true;
		kill_victim(victim);
		in_oom = false;
		mem_get_stats(&total, &after);
		if (after > before)
			return OOM_FREED;
		if (!must_free)
			return current && victim->mm == current->mm ? OOM_NONE : OOM_WAIT;
		/* nothing freed yet (shared pages, or current's own): the heap cannot wait */
	}
}

/* Let the victim run until it has exited (or stopped counting); false if
 * the caller is dying itself and should give up. */
static bool oom_wait(void)
{
	struct wait_queue_head wq;
	struct wait_entry e;
	init_waitqueue_head(&wq);
	wait_enqueue(&wq, &e);
	while (oom_victim_pending() && !fatal_signal_pending(current))
		wait_sleep(&wq, &e, false, ktime_mono_ns() + 2000000);
	wait_dequeue(&e);
	return !fatal_signal_pending(current);
}

/* A guest fault found no memory (faults never wait themselves): if an OOM
 * victim is on its way out, wait for it and let the guest fault again
 * (true); otherwise the faulting task must die (false). */
bool pagefault_out_of_memory(void)
{
	if (fatal_signal_pending(current))
		return false;
	if (oom_victim_pending())
		return oom_wait();
	switch (out_of_memory(false)) {
	case OOM_FREED:
		return true;
	case OOM_WAIT:
		return oom_wait();
	default:
		return false;
	}
}
