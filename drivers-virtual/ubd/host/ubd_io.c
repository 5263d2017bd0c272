/* ubd host I/O: one request done synchronously on the image (or through
 * the COW layer), clipped to the device size. The device's I/O thread
 * (ubd_thread.c) calls this for queued requests; the kernel side calls it
 * directly where it cannot sleep, after draining the queue. Never both at
 * once, so the COW bitmap has one writer at a time. */
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
	uint32_t ss = s->cow->info.sectorsize;
	uint64_t first = off / ss, last = (off + len + ss - 1) / ss;
	uint8_t *b = malloc((last - first) * ss);
	if (!b)
		return -ENOMEM;
	int r = cow_read(s->cow, b, first, last - first, NULL);
	if (!r && write) {
		memcpy(b + (off - first * ss), buf, len);
		r = cow_write(s->cow, b, first, last - first, NULL);
	} else if (!r) {
		memcpy(buf, b + (off - first * ss), len);
	}
	free(b);
	return r < 0 ? r : (ssize_t)len;
}

static ssize_t do_read(struct ubd_slot *s, void *buf, size_t len, uint64_t off)
{
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

static ssize_t do_write(struct ubd_slot *s, const void *buf, size_t len, uint64_t off)
{
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

static int do_flush(struct ubd_slot *s)
{
	if (s->ro)
		return 0;
	if (s->cow)
		return cow_flush(s->cow, NULL);
	return fdatasync(s->fd) < 0 ? -errno : 0;
}

ssize_t ubd_host_do(struct ubd_req *r)
{
	struct ubd_slot *s = slot(r->dev);
	if (!s)
		return -ENXIO;
	switch (r->op) {
	case UBD_OP_READ:
		return do_read(s, r->buf, r->len, r->off);
	case UBD_OP_WRITE:
		return do_write(s, r->buf, r->len, r->off);
	case UBD_OP_FLUSH:
		return do_flush(s);
	}
	return -EINVAL;
}
