/* mlock, mlock2, munlock, mlockall, munlockall. umk never pages guest
 * memory out, so a lock is bookkeeping and a populate: VM_LOCKED on the
 * mappings (VmLck in /proc/PID/status), their pages faulted in now
 * (MLOCK_ONFAULT: as touched), RLIMIT_MEMLOCK enforced for all but root
 * (CAP_IPC_LOCK), and errno in Linux's order. Locks are not inherited
 * across fork and end at exec (a new mm). */
#include <umk/capability.h>
#include <umk/pgtable.h>
#include <umk/vma.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <linux/mman.h>
#include <linux/resource.h>

static bool can_ipc_lock(void)
{
	return capable(CAP_IPC_LOCK);
}

static uint64_t memlock_limit_pages(void)
{
	uint64_t lim = current->signal->rlim[RLIMIT_MEMLOCK].cur;
	return lim >> PAGE_SHIFT;	/* RLIM_INFINITY stays huge */
}

/* Pages of [start, end) already in locked mappings. */
static uint64_t locked_in(struct mm *mm, uaddr_t start, uaddr_t end)
{
	uint64_t n = 0;
	for (struct vma *v = mm->vmas; v; v = v->next)
		if ((v->flags & VM_LOCKED) && v->end > start && v->start < end)
			n += (MIN(v->end, end) - MAX(v->start, start)) >> PAGE_SHIFT;
	return n;
}

/* Set the lock flags of the mappings in [start, end). As Linux, they
 * change up to the first hole, and a hole makes it ENOMEM. */
static long set_lock_flags(struct mm *mm, uaddr_t start, uaddr_t end, uint32_t flags)
{
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	uaddr_t a = start;
	while (a < end) {
		struct vma *v = find_vma(mm, a);
		if (!v)
			break;
		a = v->end;
	}
	uaddr_t done = MIN(a, end);
	if (done > start) {
		int err = vma_set_flags(mm, start, done, flags, VM_LOCKED_MASK);
		if (err)
			return err;
	}
	return done < end ? -ENOMEM : 0;
}

static long do_mlock(uaddr_t start, uint64_t len, uint32_t flags)
{
	struct mm *mm = current->mm;
	if (!can_ipc_lock() && !current->signal->rlim[RLIMIT_MEMLOCK].cur)
		return -EPERM;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	uint64_t locked = (len >> PAGE_SHIFT) + mm_locked_pages(mm);
	uint64_t limit = memlock_limit_pages();
	if (locked > limit && !can_ipc_lock())
		locked -= locked_in(mm, start, start + len);
	if (locked > limit && !can_ipc_lock())
		return -ENOMEM;
	long r = set_lock_flags(mm, start, start + len, flags);
	if (!r && !(flags & VM_LOCKONFAULT))
		mm_populate(mm, start, start + len);
	return r;
}

SYSCALL_DEFINE2(mlock, uaddr_t, start, uint64_t, len)
{
	return do_mlock(start, len, VM_LOCKED);
}

SYSCALL_DEFINE3(mlock2, uaddr_t, start, uint64_t, len, int, flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(start, len, VM_LOCKED | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0));
}

SYSCALL_DEFINE2(munlock, uaddr_t, start, uint64_t, len)
{
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	return set_lock_flags(current->mm, start, start + len, 0);
}

static void lock_all(struct mm *mm, int flags)
{
	uint32_t to_add = VM_LOCKED | ((flags & MCL_ONFAULT) ? VM_LOCKONFAULT : 0);
	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE)
		mm->def_flags |= to_add;
	if (!(flags & MCL_CURRENT))
		return;
	for (struct vma *v = mm->vmas; v; v = v->next)
		v->flags = (v->flags & ~VM_LOCKED_MASK) | to_add;
	vma_merge_adjacent(mm);
}

SYSCALL_DEFINE1(mlockall, int, flags)
{
	struct mm *mm = current->mm;
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_ipc_lock() && !current->signal->rlim[RLIMIT_MEMLOCK].cur)
		return -EPERM;
	if ((flags & MCL_CURRENT) && mm_total_pages(mm) > memlock_limit_pages() && !can_ipc_lock())
		return -ENOMEM;
	lock_all(mm, flags);
	if ((flags & MCL_CURRENT) && !(flags & MCL_ONFAULT))
		for (struct vma *v = mm->vmas; v; v = v->next)
			mm_populate(mm, v->start, v->end);
	return 0;
}

SYSCALL_DEFINE0(munlockall)
{
	struct mm *mm = current->mm;
	mm->def_flags &= ~VM_LOCKED_MASK;
	for (struct vma *v = mm->vmas; v; v = v->next)
		v->flags &= ~VM_LOCKED_MASK;
	vma_merge_adjacent(mm);
	return 0;
}
