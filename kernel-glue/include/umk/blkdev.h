/* Block devices: a driver (ubd, later loop) registers each disk it has;
 * the block layer gives it a /dev node with the generic block file
 * operations (read, write, lseek, fsync, BLK* ioctls) and lets
 * filesystems find it by device number, /dev path or name. */
#ifndef UMK_BLKDEV_H
#define UMK_BLKDEV_H
#include <umk/kernel.h>

#define SECTOR_SIZE 512

struct block_device;
/* Positional I/O within [0, size): short at the end of the device,
 * -errno on failure. They may sleep (the task waits for the host). */
struct block_device_operations {
	ssize_t (*read)(struct block_device *b, void *buf, size_t len, uint64_t off);
	ssize_t (*write)(struct block_device *b, const void *buf, size_t len, uint64_t off);
	int (*flush)(struct block_device *b);	/* to stable storage */
};

struct block_device {
	char name[16];			/* "ubda": /dev/ubda */
	char alias[16];			/* a second name for root=, or "" ("ubd0", as UML) */
	uint64_t rdev;			/* MKDEV(major, minor) */
	uint64_t size;			/* bytes */
	bool readonly;			/* write-protected */
	const struct block_device_operations *ops;
	void *private;			/* the driver's */
	struct list_head list;
	int openers;			/* open files on its node */
	int holders;			/* filesystems on it (blkdev_get) */
};

/* Add b (filled in by the driver, kept by it), its /dev node and
 * /sys/block/NAME; after boot, a uevent tells user space. */
int blkdev_register(struct block_device *b);
/* Take b away (hot-unplug): -EBUSY while it is open or mounted, else
 * its node and sysfs entry go, a uevent says so, and the driver may
 * free it. */
int blkdev_unregister(struct block_device *b);
/* A filesystem holds b while mounted on it. */
void blkdev_get(struct block_device *b);
void blkdev_put(struct block_device *b);
struct block_device *blkdev_by_rdev(uint64_t rdev);	/* NULL: none */
/* "/dev/ubda", "ubda", an alias or "MAJOR:MINOR" (root=); NULL: none. Used at
 * boot, before any path can be walked. */
struct block_device *blkdev_by_name(const char *name);
/* The block device a path names (mount's source): -ENOTBLK if it is not
 * a block device node, -ENXIO if no such device, or a lookup error. */
int blkdev_lookup_path(const char *path, struct block_device **out);

static inline ssize_t blkdev_read(struct block_device *b, void *buf, size_t len, uint64_t off)
{
	return b->ops->read(b, buf, len, off);
}
static inline ssize_t blkdev_write(struct block_device *b, const void *buf, size_t len, uint64_t off)
{
	return b->readonly ? -EROFS : b->ops->write(b, buf, len, off);
}
static inline int blkdev_flush(struct block_device *b)
{
	return b->ops->flush ? b->ops->flush(b) : 0;
}

/* Opens a block device node anywhere (devtmpfs, tmpfs, ext4) by rdev. */
extern const struct file_operations def_blk_fops;
#endif
