/* memfd_create and file seals (F_ADD_SEALS, F_GET_SEALS). A memfd is an
 * unnamed regular file on a tmpfs of the kernel's own (mounted at first
 * use, on no mount table), named "memfd:NAME" in /proc/PID/fd and maps,
 * as Linux. Every tmpfs file carries seals; only a memfd made with
 * MFD_ALLOW_SEALING starts without F_SEAL_SEAL. The seals are enforced
 * where the file changes: tmpfs writes and truncation (tmpfs.c), shared
 * writable mmap and mprotect (mm/mmap.c). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/mm.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/memfd.h>
#include "tmpfs.h"

#define MFD_NAME_PREFIX "memfd:"
#define MFD_NAME_MAX_LEN (255 - (sizeof(MFD_NAME_PREFIX) - 1))
#define MFD_ALL_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB)
#define F_ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)

static struct vfsmount *memfd_mnt;

SYSCALL_DEFINE2(memfd_create, uaddr_t, uname, unsigned, flags)
{
	if (!(flags & MFD_HUGETLB)) {
		if (flags & ~(unsigned)MFD_ALL_FLAGS)
			return -EINVAL;
	} else if (flags & ~(unsigned)(MFD_ALL_FLAGS | (MFD_HUGE_MASK << MFD_HUGE_SHIFT))) {
		return -EINVAL;
	}
	char name[sizeof(MFD_NAME_PREFIX) + MFD_NAME_MAX_LEN + 1];
	memcpy(name, MFD_NAME_PREFIX, sizeof(MFD_NAME_PREFIX) - 1);
	long len = strncpy_from_user(name + sizeof(MFD_NAME_PREFIX) - 1, uname, MFD_NAME_MAX_LEN + 1);
	if (len == -EFAULT)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;		/* longer than MFD_NAME_MAX_LEN */
	/* no hugetlbfs: what Linux built without it answers */
	if (flags & MFD_HUGETLB)
		return -ENOSYS;
	if (!memfd_mnt) {
		struct vfsmount *m = kern_mount_writable("tmpfs");
		if (IS_ERR(m))
			return PTR_ERR(m);
		memfd_mnt = m;
	}
	struct inode *inode = tmpfs_new_file(memfd_mnt->mnt_sb, 0777);
	if (!inode)
		return -ENOSPC;
	if (flags & MFD_ALLOW_SEALING)
		inode->i_seals = 0;
	struct path path = { memfd_mnt, d_alloc(memfd_mnt->mnt_root, name, inode) };
	struct file *f = alloc_file(&path, inode, O_RDWR | O_LARGEFILE, inode->i_fop);
	dput(path.dentry);
	int fd = fd_install(f, flags & MFD_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

/* Is any shared writable mapping of inode left (F_SEAL_WRITE waits for
 * none in Linux; here a mapping is the only way to write later)? */
static bool mapped_writable(struct inode *inode)
{
	struct task *t;
	for_each_task(t) {
		if (!t->mm)
			continue;
		for (struct vma *v = t->mm->vmas; v; v = v->next)
			if (v->file && file_inode(v->file) == inode &&
			    (v->flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE))
				return true;
	}
	return false;
}

long memfd_fcntl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct inode *inode = file_inode(f);
	if (cmd == F_GET_SEALS)
		return inode->i_sealable ? (long)inode->i_seals : -EINVAL;
	if (arg > UINT32_MAX)
		return -EINVAL;
	if (!(f->f_mode & FMODE_WRITE))
		return -EPERM;
	if (arg & ~(unsigned long)F_ALL_SEALS)
		return -EINVAL;
	if (!inode->i_sealable)
		return -EINVAL;
	if (inode->i_seals & F_SEAL_SEAL)
		return -EPERM;
	if ((arg & F_SEAL_WRITE) && !(inode->i_seals & F_SEAL_WRITE) && mapped_writable(inode))
		return -EBUSY;
	inode->i_seals |= (unsigned)arg;
	return 0;
}
