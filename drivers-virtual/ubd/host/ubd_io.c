/* ubd host I/O: one request done synchronously on the image (or through
 * the COW layer), clipped to the device size. The device's I/O thread
 * (ubd_thread.c) calls this for queued requests; the kernel side calls it
 * directly where it cannot sleep, after draining the queue. Never both at
 * once, so the COW bitmap has one writer at a time. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
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
static ssize_t cow_io(struct ubd_slot *s, void *buf, size_t len, uint64_t off, bool write, int rwf)
{
	uint32_t ss = s->cow->info.sectorsize;
	uint64_t first = off / ss, last = (off + len + ss - 1) / ss;
	uint8_t *b = malloc((last - first) * ss);
	if (!b)
		return -ENOMEM;
	int r = cow_read_flags(s->cow, b, first, last - first, rwf, NULL);
	if (!r && write) {
		memcpy(b + (off - first * ss), buf, len);
		r = cow_write(s->cow, b, first, last - first, NULL);
	} else if (!r) {
		memcpy(buf, b + (off - first * ss), len);
	}
	free(b);
	return r < 0 ? r : (ssize_t)len;
}

/* rwf: preadv2 flags; with RWF_NOWAIT, -EAGAIN unless the host's page
 * cache holds every byte (then nothing is half done that matters: the
 * caller hands the whole request to the I/O thread). */
static ssize_t do_read(struct ubd_slot *s, void *buf, size_t len, uint64_t off, int rwf)
{
	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = s->size - off;
	if (s->cow)
		return cow_io(s, buf, len, off, false, rwf);
	size_t done = 0;
	while (done < len) {
		struct iovec iov = { (char *)buf + done, len - done };
		ssize_t r = rwf ? preadv2(s->fd, &iov, 1, (off_t)(off + done), rwf)
				: pread(s->fd, iov.iov_base, iov.iov_len, (off_t)(off + done));
		/* not all cached, or a file that cannot say (tmpfs answers
		 * EOPNOTSUPP): the thread reads it the ordinary way */
		if (rwf && (r < 0 ? errno != EINTR : (r > 0 && (size_t)r < len - done)))
			return -EAGAIN;
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
		return cow_io(s, (void *)buf, len, off, true, 0);
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

ssize_t ubd_host_read_cached(struct ubd_req *r)
{
	struct ubd_slot *s = slot(r->dev);
	if (!s || r->op != UBD_OP_READ)
		return -EAGAIN;
	return do_read(s, r->buf, r->len, r->off, RWF_NOWAIT);
}

ssize_t ubd_host_do(struct ubd_req *r)
{
	struct ubd_slot *s = slot(r->dev);
	if (!s)
		return -ENXIO;
	switch (r->op) {
	case UBD_OP_READ:
		return do_read(s, r->buf, r->len, r->off, 0);
	case UBD_OP_WRITE:
		return do_write(s, r->buf, r->len, r->off);
	case UBD_OP_FLUSH:
		return do_flush(s);
	}
	return -EINVAL;
}
