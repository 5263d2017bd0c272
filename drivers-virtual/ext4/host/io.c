/* A libext2fs io_manager over a ubd device: every block the library
 * reads or writes goes through ubd_host_pread/pwrite (so a COW layer
 * under the device applies). Channel names are "ubdN". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ext2fs/ext2fs.h>
#include <umk/ubd.h>
#include "e2h.h"

static int dev(io_channel ch) { return (int)(intptr_t)ch->private_data; }

static errcode_t ubdio_open(const char *name, int flags, io_channel *out)
{
	(void)flags;
	if (strncmp(name, "ubd", 3) || !ubd_host_present(atoi(name + 3)))
		return ENXIO;
	io_channel ch = calloc(1, sizeof(*ch));
	if (!ch)
		return ENOMEM;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = e2h_ubd_io_manager;
	ch->name = strdup(name);
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = (void *)(intptr_t)atoi(name + 3);
	*out = ch;
	return 0;
}

static errcode_t ubdio_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t ubdio_set_blksize(io_channel ch, int blksize)
{
	ch->block_size = blksize;
	return 0;
}

static size_t span(io_channel ch, int count)
{
	return count < 0 ? (size_t)-count : (size_t)count * ch->block_size;
}

static errcode_t ubdio_read64(io_channel ch, unsigned long long block, int count, void *data)
{
	size_t n = span(ch, count);
	ssize_t r = ubd_host_pread(dev(ch), data, n, block * ch->block_size);
	if (r < 0)
		return -r;
	if ((size_t)r < n) {
		memset((char *)data + r, 0, n - r);
		return EXT2_ET_SHORT_READ;
	}
	return 0;
}

static errcode_t ubdio_write64(io_channel ch, unsigned long long block, int count, const void *data)
{
	size_t n = span(ch, count);
	ssize_t r = ubd_host_pwrite(dev(ch), data, n, block * ch->block_size);
	if (r < 0)
		return -r;
	return (size_t)r < n ? EXT2_ET_SHORT_WRITE : 0;
}

static errcode_t ubdio_read(io_channel ch, unsigned long block, int count, void *data)
{
	return ubdio_read64(ch, block, count, data);
}

static errcode_t ubdio_write(io_channel ch, unsigned long block, int count, const void *data)
{
	return ubdio_write64(ch, block, count, data);
}

static errcode_t ubdio_write_byte(io_channel ch, unsigned long off, int count, const void *data)
{
	ssize_t r = ubd_host_pwrite(dev(ch), data, count, off);
	if (r < 0)
		return -r;
	return r < count ? EXT2_ET_SHORT_WRITE : 0;
}

static errcode_t ubdio_flush(io_channel ch)
{
	int r = ubd_host_flush(dev(ch));
	return r < 0 ? -r : 0;
}

static struct struct_io_manager ubd_io = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER, .name = "umk ubd I/O manager",
	.open = ubdio_open, .close = ubdio_close, .set_blksize = ubdio_set_blksize,
	.read_blk = ubdio_read, .write_blk = ubdio_write, .flush = ubdio_flush,
	.write_byte = ubdio_write_byte, .read_blk64 = ubdio_read64, .write_blk64 = ubdio_write64,
};

io_manager e2h_ubd_io_manager = &ubd_io;
