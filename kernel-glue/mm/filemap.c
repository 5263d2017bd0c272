/* The page cache behind MAP_SHARED file mappings: one frame per cached
 * file page, shared by every mapping of the inode. Writes through
 * mappings reach the file on munmap, msync, exit, and before any read()
 * of the file; write() and truncate() update the cached copies. */
#include <umk/filemap.h>
#include <umk/arch.h>
#include <umk/fs.h>

#define PC_BUCKETS 64

struct pc_page {
	struct pc_page *next;
	uint64_t pgoff, pfn;
};

struct page_cache {
	struct list_head all;		/* every page cache, for reclaim */
	struct inode *inode;
	struct file *wb_file;		/* a writable file for write-back */
	struct pc_page *bucket[PC_BUCKETS];
};

static LIST_HEAD(all_caches);

static struct pc_page **slot(struct page_cache *pc, uint64_t pgoff)
{
	return &pc->bucket[pgoff % PC_BUCKETS];
}

static struct pc_page *pc_find(struct page_cache *pc, uint64_t pgoff)
{
	for (struct pc_page *p = *slot(pc, pgoff); p; p = p->next)
		if (p->pgoff == pgoff)
			return p;
	return NULL;
}

static struct page_cache *pc_of(struct inode *inode)
{
	struct page_cache *pc = inode->i_pages;
	if (!pc) {
		pc = kzalloc(sizeof(*pc));
		pc->inode = inode;
		list_add(&pc->all, &all_caches);
		inode->i_pages = pc;
	}
	return pc;
}

void filemap_set_wb_file(struct file *file)
{
	struct page_cache *pc = pc_of(file_inode(file));
	if (pc->wb_file)
		fput(pc->wb_file);
	pc->wb_file = get_file(file);
}

int filemap_get_page(struct file *file, uint64_t pgoff, uint64_t *pfn, bool shared, unsigned gfp)
{
	struct inode *inode = file_inode(file);
	struct page_cache *pc = pc_of(inode);
	if (shared && file_writable(file) && !pc->wb_file)
		pc->wb_file = get_file(file);
	struct pc_page *p = pc_find(pc, pgoff);
	if (!p) {
		loff_t off = (loff_t)pgoff << PAGE_SHIFT;
		if (off >= file_size(file))
			return -EFAULT;
		uint64_t f = alloc_frame(gfp | GFP_ZERO);
		if (!f)
			return -ENOMEM;
		ssize_t n = kernel_read(file, pfn_to_virt(f), PAGE_SIZE, off);
		(void)n;	/* a short read leaves zeroes, like the tail of the last page */
		p = kzalloc(sizeof(*p));
		p->pgoff = pgoff;
		p->pfn = f;
		p->next = *slot(pc, pgoff);
		*slot(pc, pgoff) = p;
	}
	page_get(p->pfn);
	*pfn = p->pfn;
	return 0;
}

static void write_page(struct page_cache *pc, struct file *f, struct pc_page *p)
{
	loff_t off = (loff_t)p->pgoff << PAGE_SHIFT;
	loff_t size = file_size(f);
	if (off >= size)
		return;
	size_t n = MIN((loff_t)PAGE_SIZE, size - off);
	struct page_cache *saved = pc->inode->i_pages;
	pc->inode->i_pages = NULL;	/* don't notify ourselves */
	kernel_write(f, pfn_to_virt(p->pfn), n, off);
	pc->inode->i_pages = saved;
}

int filemap_writeback(struct file *file, uint64_t pgoff, uint64_t n)
{
	struct page_cache *pc = file_inode(file)->i_pages;
	if (!pc)
		return 0;
	for (unsigned b = 0; b < PC_BUCKETS; b++)
		for (struct pc_page *p = pc->bucket[b]; p; p = p->next)
			if (p->pgoff >= pgoff && p->pgoff < pgoff + n)
				write_page(pc, file, p);
	return 0;
}

/* Before a read(): pages mapped somewhere (refcount > 1) may be newer
 * than the file. */
int filemap_flush(struct page_cache *pc)
{
	if (!pc || !pc->wb_file)
		return 0;
	for (unsigned b = 0; b < PC_BUCKETS; b++)
		for (struct pc_page *p = pc->bucket[b]; p; p = p->next)
			if (page_refcount(p->pfn) > 1)
				write_page(pc, pc->wb_file, p);
	return 0;
}

void filemap_write_notify(struct inode *inode, struct page_cache *pc, loff_t off, const void *buf, size_t len)
{
	(void)inode;
	if (!pc)
		return;
	const char *src = buf;
	while (len) {
		uint64_t pgoff = (uint64_t)off >> PAGE_SHIFT;
		size_t in = off & (PAGE_SIZE - 1);
		size_t c = MIN(len, PAGE_SIZE - in);
		struct pc_page *p = pc_find(pc, pgoff);
		if (p)
			memcpy((char *)pfn_to_virt(p->pfn) + in, src, c);
		src += c;
		off += c;
		len -= c;
	}
}

void filemap_truncate(struct page_cache *pc, loff_t size)
{
	if (!pc)
		return;
	for (unsigned b = 0; b < PC_BUCKETS; b++) {
		for (struct pc_page *p = pc->bucket[b]; p; p = p->next) {
			loff_t off = (loff_t)p->pgoff << PAGE_SHIFT;
			if (off + (loff_t)PAGE_SIZE <= size)
				continue;
			size_t keep = off >= size ? 0 : (size_t)(size - off);
			memset((char *)pfn_to_virt(p->pfn) + keep, 0, PAGE_SIZE - keep);
		}
	}
}

void filemap_evict(struct page_cache *pc)
{
	if (!pc)
		return;
	for (unsigned b = 0; b < PC_BUCKETS; b++) {
		while (pc->bucket[b]) {
			struct pc_page *p = pc->bucket[b];
			pc->bucket[b] = p->next;
			page_put(p->pfn);
			kfree(p);
		}
	}
	if (pc->wb_file)
		fput(pc->wb_file);
	pc->inode->i_pages = NULL;
	list_del(&pc->all);
	kfree(pc);
}

uint64_t filemap_shrink(void)
{
	uint64_t freed = 0;
	struct page_cache *pc;
	list_for_each_entry(pc, &all_caches, all) {
		for (unsigned b = 0; b < PC_BUCKETS; b++) {
			struct pc_page **pp = &pc->bucket[b];
			while (*pp) {
				struct pc_page *p = *pp;
				if (page_refcount(p->pfn) == 1) {
					*pp = p->next;
					page_put(p->pfn);
					kfree(p);
					freed++;
				} else
					pp = &p->next;
			}
		}
	}
	return freed;
}
