/* ubd, kernel side: /dev/ubda.. /dev/ubdp (block, major 98, minor 16*N)
 * for the devices given with ubdN= at boot. An open block device is
 * read and written straight through to the host image (no buffer cache
 * yet) by the device's host I/O thread (ubd_req.c); fsync and BLKFLSBUF
 * reach the host disk with fdatasync. */
#include <umk/fs.h>
#include <umk/ubd.h>
#include <umk/uaccess.h>

static int dev_index(struct file *f)
{
	return ubd_index_of_rdev(f->f_inode->i_rdev);
}

int ubd_index_of_rdev(uint64_t rdev)
{
	unsigned major = (rdev >> 8) & 0xfff, minor = (rdev & 0xff) | ((rdev >> 12) & ~0xffu);
	int n = minor / 16;
	if (major != UBD_MAJOR || minor % 16 || n >= UBD_MAX || !ubd_host_present(n))
		return -ENXIO;
	return n;
}

static int ubd_open(struct inode *inode, struct file *f)
{
	int n = ubd_index_of_rdev(inode->i_rdev);
	if (n < 0)
		return n;
	if ((f->f_mode & FMODE_WRITE) && ubd_host_readonly(n))
		return -EROFS;
	f->f_mode |= FMODE_LSEEK | FMODE_PREAD;
	return 0;
}

static ssize_t ubd_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	if (*pos < 0)
		return -EINVAL;
	ssize_t r = ubd_host_pread(dev_index(f), buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

static ssize_t ubd_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	if (*pos < 0)
		return -EINVAL;
	ssize_t r = ubd_host_pwrite(dev_index(f), buf, n, *pos);
	if (r > 0)
		*pos += r;
	return r;
}

static loff_t ubd_llseek(struct file *f, loff_t off, int whence)
{
	loff_t base = 0;
	if (whence == SEEK_CUR)
		base = f->f_pos;
	else if (whence == SEEK_END)
		base = ubd_host_size(dev_index(f));
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (base + off < 0)
		return -EINVAL;
	f->f_pos = base + off;
	return f->f_pos;
}

static int ubd_fsync(struct file *f, bool datasync __unused)
{
	return ubd_host_flush(dev_index(f));
}

static long ubd_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	int n = dev_index(f);
	uint64_t size = ubd_host_size(n);
	switch (cmd) {
	case BLKGETSIZE64:
		return copy_to_user(arg, &size, sizeof(size));
	case BLKGETSIZE: {
		unsigned long sectors = size / UBD_SECTOR;
		return copy_to_user(arg, &sectors, sizeof(sectors));
	}
	case BLKSSZGET:
	case BLKBSZGET: {
		int ss = cmd == BLKSSZGET ? UBD_SECTOR : 4096;
		return copy_to_user(arg, &ss, sizeof(ss));
	}
	case BLKROGET: {
		int ro = ubd_host_readonly(n);
		return copy_to_user(arg, &ro, sizeof(ro));
	}
	case BLKFLSBUF:
		return ubd_host_flush(n);
	}
	return -ENOTTY;
}

static const struct file_operations ubd_fops = {
	.open = ubd_open, .read = ubd_read, .write = ubd_write, .llseek = ubd_llseek,
	.ioctl = ubd_ioctl, .fsync = ubd_fsync,
};

void ubd_init(void)
{
	for (int n = 0; n < UBD_MAX; n++) {
		if (!ubd_host_present(n))
			continue;
		ubd_req_init(n);
		char name[8] = "ubd";
		name[3] = 'a' + n;
		name[4] = 0;
		int err = devfs_add_node(name, S_IFBLK | 0660, MKDEV(UBD_MAJOR, 16 * n), &ubd_fops);
		if (err)
			printk(KERN_ERR "ubd: cannot add /dev/%s: %d\n", name, err);
		else
			printk(KERN_INFO "ubd%c: %llu bytes%s\n", 'a' + n, (unsigned long long)ubd_host_size(n),
			       ubd_host_readonly(n) ? ", read-only" : "");
	}
}
