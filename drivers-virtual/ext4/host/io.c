/* A libext2fs io_manager over the kernel's block device: every block the
 * library reads or writes goes through the callbacks of the
 * ext4_host_dev the kernel half opened the filesystem with (so a COW
 * layer under a ubd device applies, and the calling task sleeps while the
 * host does the I/O). The channel name carries the descriptor's address,
 * from ext4_host_dev_name. While a journal runs, I/O goes through its
 * write-back cache instead (wcache.h), and durability is the journal's
 * commit: a flush the library asks for on its own is not a commit point
 * (it may come in the middle of an operation). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ext2fs/ext2fs.h>
#include "internal.h"
#include "wcache.h"

struct bdio {
	const struct ext4_host_dev *dev;
	struct wcache *wc;
};

static const struct ext4_host_dev *dev(io_channel ch) { return ((struct bdio *)ch->private_data)->dev; }
static struct wcache *wc(io_channel ch) { return ((struct bdio *)ch->private_data)->wc; }

void ext4_host_io_cache(io_channel ch, struct wcache *w)
{
	((struct bdio *)ch->private_data)->wc = w;
}

void ext4_host_dev_name(const struct ext4_host_dev *d, char *buf, size_t n)
{
	snprintf(buf, n, "umkdev:%" PRIxPTR, (uintptr_t)d);
}

static errcode_t bdio_open(const char *name, int flags, io_channel *out)
{
	(void)flags;
	char *end;
	if (strncmp(name, "umkdev:", 7))
		return ENXIO;
	uintptr_t addr = (uintptr_t)strtoull(name + 7, &end, 16);
	if (*end || !addr)
		return ENXIO;
	io_channel ch = calloc(1, sizeof(*ch));
	struct bdio *b = calloc(1, sizeof(*b));
	if (!ch || !b) {
		free(ch);
		free(b);
		return ENOMEM;
	}
	b->dev = (const struct ext4_host_dev *)addr;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = ext4_host_io_manager;
	ch->name = strdup(name);
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = b;
	*out = ch;
	return 0;
}

static errcode_t bdio_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t bdio_set_blksize(io_channel ch, int blksize)
{
	ch->block_size = blksize;
	return 0;
}

static size_t span(io_channel ch, int count)
{
	return count < 0 ? (size_t)-count : (size_t)count * ch->block_size;
}

static errcode_t bdio_read64(io_channel ch, unsigned long long block, int count, void *data)
{
	size_t n = span(ch, count);
	if (wc(ch))
		return -wc_read(wc(ch), data, n, block * ch->block_size);
	ssize_t r = dev(ch)->read(dev(ch)->cookie, data, n, block * ch->block_size);
	if (r < 0)
		return -r;
	if ((size_t)r < n) {
		memset((char *)data + r, 0, n - r);
		return EXT2_ET_SHORT_READ;
	}
	return 0;
}

static errcode_t bdio_write64(io_channel ch, unsigned long long block, int count, const void *data)
{
	size_t n = span(ch, count);
	if (wc(ch))
		return -wc_write(wc(ch), data, n, block * ch->block_size);
	ssize_t r = dev(ch)->write(dev(ch)->cookie, data, n, block * ch->block_size);
	if (r < 0)
		return -r;
	return (size_t)r < n ? EXT2_ET_SHORT_WRITE : 0;
}

static errcode_t bdio_read(io_channel ch, unsigned long block, int count, void *data)
{
	return bdio_read64(ch, block, count, data);
}

static errcode_t bdio_write(io_channel ch, unsigned long block, int count, const void *data)
{
	return bdio_write64(ch, block, count, data);
}

static errcode_t bdio_flush(io_channel ch)
{
	if (wc(ch))
		return 0;
	int r = dev(ch)->flush(dev(ch)->cookie);
	return r < 0 ? -r : 0;
}

static struct struct_io_manager bd_io = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER, .name = "umk block device I/O manager",
	.open = bdio_open, .close = bdio_close, .set_blksize = bdio_set_blksize,
	.read_blk = bdio_read, .write_blk = bdio_write, .flush = bdio_flush,
	/* no write_byte: libext2fs then writes the superblock whole, in one
	 * request, instead of its changed fields one by one (a crash between
	 * two would leave it with a bad checksum) */
	.read_blk64 = bdio_read64, .write_blk64 = bdio_write64,
};

io_manager ext4_host_io_manager = &bd_io;
