/* ubd, kernel half: /dev/ubda.. /dev/ubdp (block, major 98, minor 16*N)
 * for the devices given with ubdN= at boot, registered with the block
 * layer; their I/O goes to the device's host I/O thread (ubd_req.c). */
#include <umk/blkdev.h>
#include <umk/fs.h>
#include <umk/init.h>
#include "ubd.h"

static struct block_device disks[UBD_MAX];

static int index_of(struct block_device *b)
{
	return (int)(b - disks);
}

static ssize_t ubd_bread(struct block_device *b, void *buf, size_t len, uint64_t off)
{
	return ubd_read(index_of(b), buf, len, off);
}

static ssize_t ubd_bwrite(struct block_device *b, const void *buf, size_t len, uint64_t off)
{
	return ubd_write(index_of(b), buf, len, off);
}

static int ubd_bflush(struct block_device *b)
{
	return ubd_flush(index_of(b));
}

static const struct block_device_operations ubd_bdops = {
	.read = ubd_bread, .write = ubd_bwrite, .flush = ubd_bflush,
};

int ubd_add(int n)
{
	struct block_device *b = &disks[n];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "ubd%c", 'a' + n);
	snprintf(b->alias, sizeof(b->alias), "ubd%d", n);	/* root=/dev/ubd0, as UML */
	b->rdev = MKDEV(UBD_MAJOR, 16 * n);
	b->size = ubd_host_size(n);
	b->readonly = ubd_host_readonly(n);
	b->ops = &ubd_bdops;
	ubd_req_init(n);
	int err = blkdev_register(b);
	if (err) {
		printk(KERN_ERR "ubd: cannot add /dev/%s: %d\n", b->name, err);
		ubd_req_exit(n);
		return err;
	}
	printk(KERN_INFO "%s: %llu bytes%s\n", b->name, (unsigned long long)b->size, b->readonly ? ", read-only" : "");
	return 0;
}

int ubd_del(int n)
{
	int err = blkdev_unregister(&disks[n]);
	if (err)
		return err;
	ubd_req_exit(n);
	ubd_host_remove(n);
	printk(KERN_INFO "%s: removed\n", disks[n].name);
	return 0;
}

static int ubd_init(void)
{
	for (int n = 0; n < UBD_MAX; n++)
		if (ubd_host_present(n))
			ubd_add(n);
	return 0;
}
device_initcall(ubd_init);
