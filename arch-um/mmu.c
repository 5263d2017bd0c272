/* Guest address spaces, the mode-neutral part: an mm's stub data pages,
 * and the queue of host mapping changes (mmap of physmem frames, munmap,
 * mprotect) that the trap mode's flush runs in the stub before the guest
 * next runs. Neighbouring operations are merged so a fault-around or a
 * fork's copy costs one host call per run of pages. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include "um.h"
#include "trap_mode.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

_Static_assert(STUB_CODE == TASK_SIZE, "the stub sits just above guest user space");

/* Stubs of ended address spaces, cleaned and kept for the next one: a
 * fork or exec then costs no host process creation (vfork, exec of the
 * stub image, its set-up and seccomp filters) and no teardown. A reused
 * stub must carry nothing of its last guest: its guest mappings go (one
 * munmap of all user space), its FPU state is the host's initial one
 * (saved from the first fresh stub), and the mode forgets what it cached
 * of the host thread (mm_reset). A few suffice: a fork+exit or a
 * fork+exec loop needs one or two. */
#define STUB_POOL_MAX 4
static struct um_mm *stub_pool[STUB_POOL_MAX];
static int stub_pooled;
static void *init_fp;		/* a fresh stub's FPU state (XSAVE layout) */
static size_t init_fp_len;

static void save_init_fp(struct um_mm *m)
{
	size_t sz = arch_fpstate_size(), len;
	void *buf = kmalloc(sz);
	if (buf && sz && um_trap->fpstate_get(m, buf, sz, &len) == 0) {
		init_fp = buf;
		init_fp_len = len;
	} else {
		kfree(buf);
	}
}

static bool stub_recycle(struct um_mm *m)
{
	if (!um_trap->mm_reset || !init_fp || stub_pooled == STUB_POOL_MAX)
		return false;
	m->nops = 0;	/* what was queued for the dead mm is moot */
	m->ops[m->nops++] = (struct stub_op){ SYS_munmap, { 0, TASK_SIZE } };
	um_trap->flush(m, NULL);
	if (um_trap->fpstate_set(m, init_fp, init_fp_len) || um_trap->mm_reset(m))
		return false;
	m->fpu_owner = NULL;
	stub_pool[stub_pooled++] = m;
	return true;
}

int arch_mm_create(struct mm *mm)
{
	if (stub_pooled) {
		mm->arch = stub_pool[--stub_pooled];
		return 0;
	}
	struct um_mm *m = kzalloc(sizeof(*m));
	m->data_pfn = page_alloc_contig(STUB_DATA_SIZE / PAGE_SIZE);
	if (!m->data_pfn) {
		kfree(m);
		return -ENOMEM;
	}
	m->data = pfn_to_virt(m->data_pfn);
	m->ops = (struct stub_op *)((char *)m->data + STUB_OPS);
	int err = um_trap->mm_start(m);
	if (err) {
		printk(KERN_ERR "umk: cannot start a stub process for a new address space (error %d)\n", -err);
		page_free_contig(m->data_pfn, STUB_DATA_SIZE / PAGE_SIZE);
		kfree(m);
		return -ENOMEM;
	}
	if (!init_fp && um_trap->mm_reset)
		save_init_fp(m);
	mm->arch = m;
	return 0;
}

void arch_mm_task_leave(struct mm *mm, struct task *t)
{
	struct um_mm *m = mm->arch;
	if (m && m->fpu_owner == t)
		m->fpu_owner = NULL;
	if (m && m->dr_owner == t)
		m->dr_owner = NULL;
}

void arch_mm_destroy(struct mm *mm)
{
	struct um_mm *m = mm->arch;
	if (!m)
		return;
	mm->arch = NULL;
	if (stub_recycle(m))
		return;
	um_trap->mm_stop(m);
	page_free_contig(m->data_pfn, STUB_DATA_SIZE / PAGE_SIZE);
	kfree(m);
}

static void queue_op(struct mm *mm, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4)
{
	struct um_mm *m = mm->arch;
	if (!m)
		return;
	/* Merge with the previous op when it extends it exactly. */
	if (m->nops) {
		struct stub_op *p = &m->ops[m->nops - 1];
		if (nr == SYS_mmap && p->nr == SYS_mmap && p->a[0] + p->a[1] == a0 && p->a[2] == a2 &&
		    p->a[4] + p->a[1] == a4) {
			p->a[1] += a1;
			return;
		}
		if (nr == SYS_munmap && p->nr == SYS_munmap && p->a[0] + p->a[1] == a0) {
			p->a[1] += a1;
			return;
		}
	}
	if (m->nops == STUB_MAX_OPS)
		um_trap->flush(m, NULL);
	m->ops[m->nops++] = (struct stub_op){ nr, { a0, a1, a2, a3, a4 } };
}

static int host_prot(int prot)
{
	int p = 0;
	if (prot & VM_READ)
		p |= PROT_READ;
	if (prot & VM_WRITE)
		p |= PROT_WRITE;
	if (prot & VM_EXEC)
		p |= PROT_EXEC;
	return p;
}

void arch_mm_map(struct mm *mm, uaddr_t va, uint64_t pfn, uint64_t npages, int prot)
{
	queue_op(mm, SYS_mmap, va, npages << PAGE_SHIFT, host_prot(prot), MAP_SHARED | MAP_FIXED,
		 pfn << PAGE_SHIFT);
}

void arch_mm_unmap(struct mm *mm, uaddr_t va, uint64_t len)
{
	queue_op(mm, SYS_munmap, va, len, 0, 0, 0);
}

void arch_mm_protect(struct mm *mm, uaddr_t va, uint64_t len, int prot)
{
	queue_op(mm, SYS_mprotect, va, len, host_prot(prot), 0, 0);
}
