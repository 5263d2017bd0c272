/* /proc/PID/mem: the process's memory as its debugger sees it (gdb reads
 * and writes it instead of PEEK/POKE). Opening takes the right to trace
 * the process (Linux's PTRACE_MODE_ATTACH); the file then stays with that
 * address space: after an exec or an exit it reads as empty. Unmapped
 * addresses are EIO; PROT_NONE and read-only private pages are read and
 * written as ptrace does (copy-on-write for the latter). */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/ptrace.h>
#include <umk/uaccess.h>
#include "proc_internal.h"

/* f->private_data: the id of the mm it was opened on */
static int mem_open(struct inode *inode, struct file *f)
{
	struct task *t = proc_task(inode);
	if (!t || !t->mm)
		return -ESRCH;
	int r = ptrace_may_access(t);
	if (r)
		return -EACCES;
	f->private_data = (void *)(uintptr_t)t->mm->id;
	return 0;
}

static struct mm *mem_mm(struct file *f)
{
	struct task *t = proc_task(f->f_inode);
	if (!t || !t->mm || t->mm->id != (uint64_t)(uintptr_t)f->private_data)
		return NULL;
	return t->mm;
}

/* Linux's mem_rw: whole pages at a time; EIO only if nothing moved. */
static ssize_t mem_rw(struct file *f, void *buf, size_t n, loff_t *pos, bool write)
{
	struct mm *mm = mem_mm(f);
	if (!mm)
		return 0;
	size_t done = 0;
	while (done < n) {
		uaddr_t a = (uaddr_t)*pos + done;
		size_t c = MIN(n - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
		long r = access_remote_vm_force(mm, a, (char *)buf + done, c, write);
		if (r <= 0)
			break;
		done += (size_t)r;
		if ((size_t)r < c)
			break;
	}
	if (!done)
		return -EIO;
	*pos += done;
	return (ssize_t)done;
}

static ssize_t mem_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	return mem_rw(f, buf, n, pos, false);
}

static ssize_t mem_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	return mem_rw(f, (void *)buf, n, pos, true);
}

/* Addresses, not a size: any offset from the start or the current one. */
static loff_t mem_lseek(struct file *f, loff_t off, int whence)
{
	switch (whence) {
	case 0:
		f->f_pos = off;
		return off;
	case 1:
		f->f_pos += off;
		return f->f_pos;
	default:
		return -EINVAL;
	}
}

const struct file_operations proc_mem_fops = {
	.open = mem_open, .read = mem_read, .write = mem_write, .llseek = mem_lseek,
};
