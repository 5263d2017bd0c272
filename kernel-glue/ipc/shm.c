/* SysV shared memory: shmget, shmat, shmdt, shmctl (Linux's ipc/shm.c).
 * A segment is an unnamed file on a kernel tmpfs of its own; shmat maps
 * it MAP_SHARED through a file made for that attach, so the mm code
 * does the sharing, fork copies the mapping, and exec and exit drop it.
 * Every VMA of an attach holds a reference on the attach's file: the sum
 * of those references is shm_nattch (Linux counts VMA opens the same
 * way), and the last one gone ends a segment marked SHM_DEST. */
#include <umk/kernel.h>
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/filemap.h>
#include <umk/vma.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <asm/shmbuf.h>
#include <linux/mman.h>
#include <linux/resource.h>
#include "../fs/tmpfs.h"
#include "ipc.h"

/* <linux/shm.h> includes libc's unistd.h: its constants here */
#define SHMMIN		1
#define SHM_HUGETLB	04000
#define SHM_RDONLY	010000
#define SHM_RND		020000
#define SHM_REMAP	040000
#define SHM_EXEC	0100000
#define SHM_LOCK	11
#define SHM_UNLOCK	12
#define SHM_STAT	13
#define SHM_INFO	14
#define SHM_STAT_ANY	15
struct shm_info {
	int used_ids;
	unsigned long shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
#define SHM_DEST	01000	/* removed, ends with the last detach */
#define SHM_LOCKED	02000	/* SHM_LOCK'd */
#define SHMLBA		PAGE_SIZE

struct shmid_kernel {
	struct kern_ipc_perm perm;	/* first: the tables hold &perm */
	struct inode *inode;
	struct dentry *dentry;		/* "SYSV<key>" on shm_mnt: the attaches' path */
	struct file *base;		/* the segment's own: the page cache writes back through it */
	size_t segsz;
	long atime, dtime, ctime;
	pid_t cpid, lpid;
	uid_t lock_uid;			/* SHM_LOCK'd against this user's limit */
	int nfiles;
	struct file **files;		/* the live attach files */
};

unsigned long shm_ctlmax = UINT64_MAX - (1UL << 24), shm_ctlall = UINT64_MAX - (1UL << 24);
int shm_ctlmni = 4096;
static unsigned long shm_tot;		/* pages of all segments */
static struct vfsmount *shm_mnt;
static struct file_operations shm_fops;	/* tmpfs's, with our release */
static void (*tmpfs_release)(struct inode *inode, struct file *f);

static struct shmid_kernel *shp_of(struct kern_ipc_perm *p) { return (struct shmid_kernel *)p; }

static unsigned long seg_pages(struct shmid_kernel *shp) { return (shp->segsz + PAGE_SIZE - 1) >> PAGE_SHIFT; }

static unsigned long nattch(struct shmid_kernel *shp)
{
	unsigned long n = 0;
	for (int i = 0; i < shp->nfiles; i++)
		n += (unsigned long)shp->files[i]->f_count;
	return n;
}

static void shp_free(struct kern_ipc_perm *p)
{
	struct shmid_kernel *shp = shp_of(p);
	kfree(shp->files);
	kfree(shp);
}

static void shm_destroy(struct shmid_kernel *shp)
{
	shm_tot -= seg_pages(shp);
	/* nothing maps it any more: drop the cache (and its reference on
	 * base), then the file and the name, and the inode goes with them */
	if (shp->inode->i_pages)
		filemap_evict(shp->inode->i_pages);
	fput(shp->base);
	dput(shp->dentry);
	shp->dentry = NULL;
	ipc_rmid(&shm_ids, &shp->perm);
}

/* The last VMA of an attach is gone (shmdt, munmap, exec, exit). */
static void shm_release(struct inode *inode, struct file *f)
{
	struct shmid_kernel *shp = f->private_data;
	for (int i = 0; i < shp->nfiles; i++)
		if (shp->files[i] == f) {
			shp->files[i] = shp->files[--shp->nfiles];
			break;
		}
	shp->lpid = current->tgid;
	shp->dtime = ipc_now();
	if (tmpfs_release)
		tmpfs_release(inode, f);
	if (!shp->perm.deleted && !shp->nfiles && (shp->perm.mode & SHM_DEST))
		shm_destroy(shp);
	ipc_put(&shp->perm);
}

static int shm_create(int key, int flg, long arg)
{
	size_t size = (size_t)arg;
	size_t numpages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (size < SHMMIN || size > shm_ctlmax)
		return -EINVAL;
	if (numpages << PAGE_SHIFT < size)
		return -ENOSPC;
	if (shm_tot + numpages < shm_tot || shm_tot + numpages > shm_ctlall)
		return -ENOSPC;
	if (flg & SHM_HUGETLB) {
		printk_once_key("shm_hugetlb", KERN_DEBUG "shmget: SHM_HUGETLB: no hugetlbfs (ENOSYS)\n");
		return -ENOSYS;
	}
	if (!shm_mnt) {
		struct vfsmount *m = kern_mount_writable("tmpfs");
		if (IS_ERR(m))
			return PTR_ERR(m);
		shm_mnt = m;
	}
	struct inode *inode = tmpfs_new_file(shm_mnt->mnt_sb, (umode_t)(flg & 0777));
	if (!inode)
		return -ENOSPC;
	if (!shm_fops.release) {
		tmpfs_release = inode->i_fop->release;
		shm_fops = *inode->i_fop;
		shm_fops.release = shm_release;
	}
	struct iattr ia = { .valid = ATTR_SIZE, .size = (loff_t)size };
	int err = inode->i_op->setattr(inode, &ia);
	if (err) {
		iput(inode);
		return err;
	}
	char name[16];
	snprintf(name, sizeof(name), "SYSV%08x", (unsigned)key);
	struct shmid_kernel *shp = kzalloc(sizeof(*shp));
	shp->perm.free = shp_free;
	shp->inode = inode;
	shp->dentry = d_alloc(shm_mnt->mnt_root, name, inode);
	struct path path = { shm_mnt, shp->dentry };
	shp->base = alloc_file(&path, inode, O_RDWR | O_LARGEFILE, inode->i_fop);
	filemap_set_wb_file(shp->base);
	shp->segsz = size;
	shp->cpid = current->tgid;
	shp->ctime = ipc_now();
	int id = ipc_addid(&shm_ids, &shp->perm, key, flg, shm_ctlmni);
	if (id < 0) {
		filemap_evict(inode->i_pages);
		fput(shp->base);
		dput(shp->dentry);
		kfree(shp);
		return id;
	}
	shm_tot += numpages;
	return id;
}

static int shm_more_checks(struct kern_ipc_perm *p, long size)
{
	return shp_of(p)->segsz < (size_t)size ? -EINVAL : 0;
}

static const struct ipc_ops shm_ops = { .create = shm_create, .more_checks = shm_more_checks };

SYSCALL_DEFINE3(shmget, int, key, size_t, size, int, shmflg)
{
	return ipcget(&shm_ids, &shm_ops, key, shmflg, (long)size);
}

SYSCALL_DEFINE3(shmat, int, shmid, uaddr_t, addr, int, shmflg)
{
	unsigned long flags = MAP_SHARED;
	if (shmid < 0)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(shmflg & SHM_RND))
				return -EINVAL;
			addr &= ~(uaddr_t)(SHMLBA - 1);
			if (!addr && (shmflg & SHM_REMAP))
				return -EINVAL;
		}
		flags |= MAP_FIXED;
	} else if (shmflg & SHM_REMAP) {
		return -EINVAL;
	}
	unsigned long prot = PROT_READ;
	int acc = 0444;
	unsigned fflags = O_RDONLY;
	if (!(shmflg & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= 0222;
		fflags = O_RDWR;
	}
	if (shmflg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= 0111;
	}
	struct kern_ipc_perm *p = ipc_lookup(&shm_ids, shmid);
	if (!p)
		return -EINVAL;
	if (ipcperms(p, acc))
		return -EACCES;
	struct shmid_kernel *shp = shp_of(p);
	size_t size = shp->segsz;
	if (addr && !(shmflg & SHM_REMAP)) {
		if (addr + size < addr || !range_is_free(current->mm, addr, PAGE_ALIGN(addr + size)))
			return -EINVAL;
	}
	struct path path = { shm_mnt, shp->dentry };
	struct file *f = alloc_file(&path, shp->inode, fflags, &shm_fops);
	f->private_data = shp;
	ipc_get(p);
	shp->files = krealloc(shp->files, (size_t)(shp->nfiles + 1) * sizeof(*shp->files));
	shp->files[shp->nfiles++] = f;
	long r = do_mmap(current->mm, addr, size, prot, flags, f, 0);
	if (r >= 0) {
		shp->atime = ipc_now();
		shp->lpid = current->tgid;
	}
	fput(f);	/* the VMA holds it now, or it goes (and may end a SHM_DEST segment) */
	return r;
}

static bool is_attach_of(struct vma *v, uaddr_t addr, struct file *file)
{
	if (!v->file || v->file->f_op != &shm_fops || v->start < addr)
		return false;
	if ((v->start - addr) / PAGE_SIZE != v->pgoff)
		return false;
	return !file || v->file == file;
}

/* Unmap the attach that starts at addr, its fragments (mprotect,
 * munmap) too, as Linux's shmdt. */
SYSCALL_DEFINE1(shmdt, uaddr_t, addr)
{
	struct mm *mm = current->mm;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	struct vma *v;
	struct file *file = NULL;
	uaddr_t end = 0;
	for (v = find_vma_above(mm, addr); v; v = v->next)
		if (is_attach_of(v, addr, NULL))
			break;
	if (!v)
		return -EINVAL;
	file = get_file(v->file);
	struct shmid_kernel *shp = file->private_data;
	end = addr + PAGE_ALIGN(shp->segsz);
	do_munmap_range(mm, v->start, v->end);
	for (v = find_vma_above(mm, addr); v && v->end <= end;) {
		if (is_attach_of(v, addr, file)) {
			uaddr_t s = v->start;
			do_munmap_range(mm, v->start, v->end);
			v = find_vma_above(mm, s);
		} else {
			v = v->next;
		}
	}
	shp->lpid = current->tgid;
	shp->dtime = ipc_now();
	fput(file);
	return 0;
}

static void fill_shmid(struct shmid_kernel *shp, struct shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&shp->perm, &ds->shm_perm);
	ds->shm_segsz = shp->segsz;
	ds->shm_atime = shp->atime;
	ds->shm_dtime = shp->dtime;
	ds->shm_ctime = shp->ctime;
	ds->shm_cpid = shp->cpid;
	ds->shm_lpid = shp->lpid;
	ds->shm_nattch = nattch(shp);
}

/* Resident pages: what the segment's file holds once the pages written
 * through mappings are in it. */
static unsigned long seg_rss(struct shmid_kernel *shp)
{
	if (shp->inode->i_pages)
		filemap_flush(shp->inode->i_pages);
	return shp->inode->i_blocks / (PAGE_SIZE / 512);
}

static long shmctl_info(int cmd, uaddr_t buf)
{
	if (cmd == IPC_INFO) {
		struct shminfo64 si = {
			.shmmax = shm_ctlmax, .shmmin = SHMMIN, .shmmni = (unsigned long)shm_ctlmni,
			.shmseg = (unsigned long)shm_ctlmni, .shmall = shm_ctlall,
		};
		if (copy_to_user(buf, &si, sizeof(si)))
			return -EFAULT;
	} else {
		struct shm_info si = { .used_ids = shm_ids.in_use, .shm_tot = shm_tot };
		for (int i = 0; i <= shm_ids.max_idx; i++)
			if (shm_ids.entries[i])
				si.shm_rss += seg_rss(shp_of(shm_ids.entries[i]));
		if (copy_to_user(buf, &si, sizeof(si)))
			return -EFAULT;
	}
	int max = ipc_get_maxidx(&shm_ids);
	return max < 0 ? 0 : max;
}

static unsigned long locked_pages_of(uid_t uid)
{
	unsigned long n = 0;
	for (int i = 0; i <= shm_ids.max_idx; i++) {
		struct kern_ipc_perm *p = shm_ids.entries[i];
		if (p && (p->mode & SHM_LOCKED) && shp_of(p)->lock_uid == uid)
			n += seg_pages(shp_of(p));
	}
	return n;
}

static long shmctl_lock(struct shmid_kernel *shp, int cmd)
{
	uint64_t limit = current->signal->rlim[RLIMIT_MEMLOCK].cur;
	if (!capable(CAP_IPC_LOCK)) {
		uid_t euid = current->cred.euid;
		if (euid != shp->perm.uid && euid != shp->perm.cuid)
			return -EPERM;
		if (cmd == SHM_LOCK && !limit)
			return -EPERM;
	}
	if (cmd == SHM_LOCK) {
		if (shp->perm.mode & SHM_LOCKED)
			return 0;
		uid_t uid = current->cred.uid;
		if (limit != RLIM_INFINITY && !capable(CAP_IPC_LOCK) &&
		    locked_pages_of(uid) + seg_pages(shp) > (limit >> PAGE_SHIFT))
			return -ENOMEM;
		shp->perm.mode |= SHM_LOCKED;
		shp->lock_uid = uid;
		return 0;
	}
	shp->perm.mode &= ~(unsigned)SHM_LOCKED;
	return 0;
}

SYSCALL_DEFINE3(shmctl, int, shmid, int, cmd, uaddr_t, buf)
{
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	struct shmid64_ds ds;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shmctl_info(cmd, buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY: {
		struct kern_ipc_perm *p = cmd == IPC_STAT ? ipc_lookup(&shm_ids, shmid) : ipc_lookup_idx(&shm_ids, shmid);
		if (!p)
			return -EINVAL;
		if (cmd != SHM_STAT_ANY && ipcperms(p, 0444))
			return -EACCES;
		fill_shmid(shp_of(p), &ds);
		if (copy_to_user(buf, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : p->id;
	}
	case SHM_LOCK:
	case SHM_UNLOCK: {
		struct kern_ipc_perm *p = ipc_lookup(&shm_ids, shmid);
		return p ? shmctl_lock(shp_of(p), cmd) : -EINVAL;
	}
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		/* fallthrough */
	case IPC_RMID: {
		struct kern_ipc_perm *p = ipc_lookup(&shm_ids, shmid);
		if (!p)
			return -EINVAL;
		if (ipc_owner_check(p))
			return -EPERM;
		struct shmid_kernel *shp = shp_of(p);
		if (cmd == IPC_SET) {
			ipc_update_perm(p, &ds.shm_perm);
			shp->ctime = ipc_now();
		} else if (shp->nfiles) {
			/* stays, unfindable by key, until the last detach */
			p->mode |= SHM_DEST;
			p->key = IPC_PRIVATE;
		} else {
			shm_destroy(shp);
		}
		return 0;
	}
	}
	return -EINVAL;
}

void shm_proc_show(struct sbuf *out, struct kern_ipc_perm *p)
{
	struct shmid_kernel *shp = shp_of(p);
	sbuf_printf(out, "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10ld %10ld %10ld %21lu %21lu\n",
		    p->key, p->id, p->mode, (unsigned long)shp->segsz, shp->cpid, shp->lpid, nattch(shp),
		    p->uid, p->gid, p->cuid, p->cgid, shp->atime, shp->dtime, shp->ctime,
		    seg_rss(shp) * PAGE_SIZE, 0UL);
}
