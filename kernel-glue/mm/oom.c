/* The guest's OOM killer: when mem= is exhausted, kill the process with
 * the largest resident set (init last), free its pages at once, log it. */
#include <umk/internal.h>
#include <umk/pgtable.h>
#include <umk/vma.h>

int oom_kill_for(struct mm *mm)
{
	(void)mm;
	struct task *t, *victim = NULL;
	for_each_task(t) {
		if (!t->mm || t->state == TASK_ZOMBIE || t->state == TASK_DEAD || (t->flags & PF_EXITING))
			continue;
		if (!victim || (victim == init_task && t != init_task) ||
		    (t != init_task && t->mm->rss_pages > victim->mm->rss_pages))
			victim = t;
	}
	if (!victim)
		return 1;
	printk(KERN_ERR "Out of memory: Killed process %d (%s) total-vm:%llukB, anon-rss:%llukB\n", victim->pid,
	       victim->comm, (unsigned long long)mm_total_pages(victim->mm) * 4,
	       (unsigned long long)victim->mm->rss_pages * 4);
	send_sig(9, victim);
	if (victim == current)
		return 1;
	/* free its memory now; it dies the next time it runs */
	struct mm *vm = victim->mm;
	for (struct vma *v = vm->vmas; v; v = v->next)
		mm_zap_range(vm, v->start, v->end);
	return 0;
}
