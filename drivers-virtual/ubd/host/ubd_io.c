/* ubd host I/O: synchronous positional reads and writes on the image,
 * clipped to the device size. (Synchronous for now: a host I/O thread
 * with completions as interrupts is the next step, Documentation/disks.md.) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ubd_host.h"

static struct ubd_slot *slot(int n)
{
	return n >= 0 && n < UBD_MAX && ubd_slots[n].present ? &ubd_slots[n] : NULL;
}

bool ubd_host_present(int n) { return slot(n) != NULL; }
bool ubd_host_readonly(int n) { return slot(n) && slot(n)->ro; }
uint64_t ubd_host_size(int n) { return slot(n) ? slot(n)->size : 0; }

/* Through the COW layer, in whole sectors: the covering sectors are read
 * (COW area or backing file), patched for a write, and written to the COW
 * area (data first, then the bitmap: cow_write). len is already clipped. */
static ssize_t cow_io(struct ubd_slot *s, void *buf, size_t len, uint64_t off, bool write)
{
	static struct cow_err cerr;
	uint32_t ss = s->cow->info.sectorsize;
	uint64_t first = off / ss, last = (off + len + ss - 1) / ss;
	uint8_t *b = malloc((last - first) * ss);
	if (!b)
		return -ENOMEM;
	int r = cow_read(s->cow, b, first, last - first, &cerr);
	if (!r && write) {
		memcpy(b + (off - first * ss), buf, len);
		r = cow_write(s->cow, b, first, last - first, &cerr);
	} else if (!r) {
		memcpy(buf, b + (off - first * ss), len);
	}
	free(b);
	return r < 0 ? r : (ssize_t)len;
}

ssize_t ubd_host_pread(int n, void *buf, size_t len, uint64_t off)
{
	struct ubd_slot *s = slot(n);
	if (!s)
		return -ENXIO;
	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = s->size - off;
	if (s->cow)
		return cow_io(s, buf, len, off, false);
	size_t done = 0;
	while (done < len) {
		ssize_t r = pread(s->fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? (ssize_t)done : -errno;
		if (r == 0) {
			/* a file image shorter than its size: reads as zeros */
			break;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t ubd_host_pwrite(int n, const void *buf, size_t len, uint64_t off)
{
	struct ubd_slot *s = slot(n);
	if (!s)
		return -ENXIO;
	if (s->ro)
		return -EROFS;
	if (off >= s->size)
		return len ? -ENOSPC : 0;
	if (len > s->size - off)
		len = s->size - off;
	if (s->cow)
		return cow_io(s, (void *)buf, len, off, true);
	size_t done = 0;
	while (done < len) {
		ssize_t r = pwrite(s->fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? (ssize_t)done : -errno;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int ubd_host_flush(int n)
{
	struct ubd_slot *s = slot(n);
	if (!s)
		return -ENXIO;
	if (s->ro)
		return 0;
	if (s->cow) {
		static struct cow_err cerr;
		return cow_flush(s->cow, &cerr);
	}
	return fdatasync(s->fd) < 0 ? -errno : 0;
}
