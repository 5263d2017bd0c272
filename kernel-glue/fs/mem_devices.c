/* The memory devices of /dev, as Linux's drivers/char/mem.c: null, zero,
 * full, random and urandom (major 1). Reads of zero, full and the random
 * devices fill the whole buffer (FOP_WHOLE_READ), as Linux's do; null and
 * zero take writes without reading them (FOP_DISCARD_WRITE). */
#include <umk/fs.h>
#include <umk/sched.h>

static ssize_t null_read(struct file *f __unused, void *b __unused, size_t n __unused, loff_t *p __unused) { return 0; }
static ssize_t null_write(struct file *f __unused, const void *b __unused, size_t n, loff_t *p __unused) { return n; }
static ssize_t zero_read(struct file *f __unused, void *b, size_t n, loff_t *p __unused) { memset(b, 0, n); return n; }
static ssize_t full_write(struct file *f __unused, const void *b __unused, size_t n __unused, loff_t *p __unused) { return -ENOSPC; }
static ssize_t random_read(struct file *f __unused, void *b, size_t n, loff_t *p __unused) { get_random_bytes(b, n); return n; }
static int noop_fsync(struct file *f __unused, bool d __unused) { return 0; }

static const struct file_operations null_fops = { .read = null_read, .write = null_write, .llseek = noop_llseek, .fsync = noop_fsync,
						 .fop_flags = FOP_DISCARD_WRITE };
static const struct file_operations zero_fops = { .read = zero_read, .write = null_write, .llseek = noop_llseek, .fsync = noop_fsync,
						 .fop_flags = FOP_WHOLE_READ | FOP_DISCARD_WRITE };
static const struct file_operations full_fops = { .read = zero_read, .write = full_write, .llseek = noop_llseek,
						 .fop_flags = FOP_WHOLE_READ };
static const struct file_operations random_fops = { .read = random_read, .write = null_write, .llseek = noop_llseek,
						   .fop_flags = FOP_WHOLE_READ };

DEVFS_NODE(null, "null", S_IFCHR | 0666, MKDEV(1, 3), 0, &null_fops);
DEVFS_NODE(zero, "zero", S_IFCHR | 0666, MKDEV(1, 5), 0, &zero_fops);
DEVFS_NODE(full, "full", S_IFCHR | 0666, MKDEV(1, 7), 0, &full_fops);
DEVFS_NODE(random, "random", S_IFCHR | 0666, MKDEV(1, 8), 0, &random_fops);
DEVFS_NODE(urandom, "urandom", S_IFCHR | 0666, MKDEV(1, 9), 0, &random_fops);
