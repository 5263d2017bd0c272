/* Guest memory management: frames, address spaces, VMAs, page cache. */
#ifndef UMK_MM_H
#define UMK_MM_H
#include <umk/kernel.h>

struct file;
struct inode;

/* Page frames of physmem. Frame 0 is never handed out. page_alloc and
 * page_alloc_nozero are for user pages and stop above the kernel's
 * reserve; page_alloc_run takes a run of n frames (not zeroed), from the
 * reserve too if gfp has GFP_KERNEL. They just try: 0 when there is no
 * such frame. */
uint64_t page_alloc(void);		/* zeroed frame, or 0 */
uint64_t page_alloc_nozero(void);
uint64_t page_alloc_run(uint64_t n, unsigned gfp);
void page_get(uint64_t pfn);
void page_put(uint64_t pfn);
int page_refcount(uint64_t pfn);
/* Frames the guest can use (MemTotal: physmem less the frame tables) and
 * free ones; the kernel's reserve (min_free_kbytes) in frames. */
void mem_get_stats(uint64_t *total_pages, uint64_t *free_pages);
uint64_t mem_reserve_pages(void);

/* A frame, trying harder than page_alloc (mm/reclaim.c): drops clean page
 * cache, then runs the OOM killer. Never sleeps. 0 = out of memory for
 * this caller. */
#define GFP_USER	0x0	/* user data: above the reserve; 0 while an OOM victim exits */
#define GFP_KERNEL	0x1	/* kernel objects: may use the reserve; 0 only when nothing
				 * is left to kill */
#define GFP_NORETRY	0x4	/* no reclaim, no OOM killer: just try */
#define GFP_ZERO	0x8	/* zero the frame */
uint64_t alloc_frame(unsigned gfp);
/* The OOM killer (mm/oom.c): what reclaim asks when nothing is free. */
enum oom_result { OOM_FREED, OOM_WAIT, OOM_NONE };
enum oom_result out_of_memory(bool must_free);
bool oom_victim_pending(void);
bool pagefault_out_of_memory(void);	/* a guest fault's -ENOMEM: true = retry it */
/* Kernel heap statistics in frames (mm/slab.c): slabs, large objects, and
 * the heap's own frame table. */
void slab_get_stats(uint64_t *slab, uint64_t *large, uint64_t *table);

#define VM_READ		0x1
#define VM_WRITE	0x2
#define VM_EXEC		0x4
#define VM_SHARED	0x8
#define VM_GROWSDOWN	0x100
#define VM_STACK	VM_GROWSDOWN
#define VM_LOCKED	0x200	/* mlock: kept in memory (and populated) */
#define VM_LOCKONFAULT	0x400	/* mlock2(MLOCK_ONFAULT): locked as faulted in */
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_DONTCOPY	0x800	/* MADV_DONTFORK: a child has nothing here */
#define VM_WIPEONFORK	0x1000	/* MADV_WIPEONFORK: a child gets zeros here */

struct vma {
	struct vma *next;	/* sorted by start */
	uaddr_t start, end;
	uint32_t flags;		/* VM_* */
	struct file *file;	/* or NULL for anonymous */
	uint64_t pgoff;		/* file offset in pages */
	char name[16];		/* "[heap]", "[stack]" for /proc/PID/maps */
};

struct pte_table;
struct mm {
	int refs;			/* tasks using this mm */
	struct vma *vmas;
	int map_count;			/* VMAs in vmas: vm.max_map_count limits it */
	struct pte_table *pgd;		/* software page tables */
	uint64_t rss_pages;
	uint64_t pgtables;		/* page-table frames (for the OOM killer) */
	uaddr_t start_code, end_code, start_data, end_data;
	uaddr_t start_brk, brk, start_stack;
	uaddr_t arg_start, arg_end, env_start, env_end;
	uaddr_t mmap_base;
	uint32_t def_flags;		/* VM_* every new mapping gets (mlockall MCL_FUTURE) */
	/* PR_SET_DUMPABLE: 1 from exec (0 for one that changes credentials),
	 * copied by fork, 0 after a change of credentials (Linux's
	 * suid_dumpable 0); only root may ptrace a task whose mm is not */
	int dumpable;
	bool thp_disable;		/* PR_SET_THP_DISABLE: copied by fork, kept across exec */
	uint64_t auxv[48];
	struct file *exe_file;
	uint64_t id;			/* never reused: /proc/PID/mem knows its mm by it */
	/* arch-um: host stub process and pending host mapping operations */
	void *arch;
};

/* vm.max_map_count: mmap fails with ENOMEM once a process has more
 * mappings than this, and a split needs fewer (Linux's 65530). */
extern int sysctl_max_map_count;

/* mmap(2)'s work, for the syscall and the ELF loader: the address or -errno. */
long do_mmap(struct mm *mm, uaddr_t addr, uint64_t len, unsigned long prot, unsigned long flags,
	     struct file *file, uint64_t off);
struct mm *mm_alloc(void);
struct mm *mm_dup(struct mm *old);	/* fork: COW copy */
void mm_put(struct mm *mm);
struct vma *find_vma(struct mm *mm, uaddr_t addr);	/* vma containing addr */
void mm_show_maps(struct mm *mm, struct sbuf *out);	/* /proc/PID/maps text */
uint64_t mm_total_pages(struct mm *mm);
uint64_t mm_locked_pages(struct mm *mm);	/* in VM_LOCKED mappings (VmLck) */
/* Fault in [start, end) of mm as mlock and MAP_POPULATE do. */
void mm_populate(struct mm *mm, uaddr_t start, uaddr_t end);

/* Page cache hooks for filesystems: an inode's cached pages (used by
 * MAP_SHARED mappings) stay coherent with read()/write()/truncate(). */
struct page_cache;
void filemap_write_notify(struct inode *inode, struct page_cache *pc, loff_t off, const void *buf, size_t len);
void filemap_truncate(struct page_cache *pc, loff_t size);
int filemap_flush(struct page_cache *pc);	/* write dirty pages to the file */
void filemap_evict(struct page_cache *pc);


/* Runs of contiguous frames (stub data pages). */
uint64_t page_alloc_contig(uint64_t n);
void page_free_contig(uint64_t pfn, uint64_t n);
#endif
