/* getdents64 / getdents: the filesystem's iterate op feeds an actor that
 * packs records into a kernel buffer, which is then copied out. Each
 * record's d_off is the position after it (the next entry's start). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/fsnotify.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>

struct fill_ctx {
	struct dir_context ctx;
	char *buf;
	size_t size, used;
	int64_t *prev_off;	/* d_off of the previous record, set lazily */
	bool old_format;
	int err;
};

struct dirent64 { uint64_t d_ino; int64_t d_off; uint16_t d_reclen; uint8_t d_type; char d_name[]; };
struct dirent_old { uint64_t d_ino; int64_t d_off; uint16_t d_reclen; char d_name[]; };

static bool fill(struct dir_context *dc, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct fill_ctx *c = container_of(dc, struct fill_ctx, ctx);
	size_t base = c->old_format ? offsetof(struct dirent_old, d_name) + 2 : offsetof(struct dirent64, d_name) + 1;
	size_t reclen = (base + len + 7) & ~(size_t)7;
	if (c->used + reclen > c->size) {
		if (!c->used)
			c->err = -EINVAL;
		return false;
	}
	if (c->prev_off)
		*c->prev_off = dc->pos;
	char *rec = c->buf + c->used;
	memset(rec, 0, reclen);
	if (c->old_format) {
		struct dirent_old *d = (void *)rec;
		d->d_ino = ino;
		d->d_reclen = reclen;
		memcpy(d->d_name, name, len);
		rec[reclen - 1] = type;
		c->prev_off = &d->d_off;
	} else {
		struct dirent64 *d = (void *)rec;
		d->d_ino = ino;
		d->d_reclen = reclen;
		d->d_type = type;
		memcpy(d->d_name, name, len);
		c->prev_off = &d->d_off;
	}
	c->used += reclen;
	return true;
}

static long do_getdents(int fd, uaddr_t ubuf, unsigned count, bool old)
{
	struct file *f = fget(fd);
	if (!f)
		return -EBADF;
	long r;
	if (!f->f_op || !f->f_op->iterate) {
		r = -ENOTDIR;
		goto out;
	}
	struct fill_ctx c = { .ctx = { fill, f->f_pos }, .size = MIN(count, 256u * 1024), .old_format = old };
	c.buf = kmalloc(MAX(c.size, 1));
	r = f->f_op->iterate(f, &c.ctx);
	fsnotify_access(f);
	if (c.prev_off)
		*c.prev_off = c.ctx.pos;
	f->f_pos = c.ctx.pos;
	if (!r)
		r = c.err;
	if (c.used) {
		r = copy_to_user(ubuf, c.buf, c.used) ? -EFAULT : (long)c.used;
	}
	kfree(c.buf);
out:
	fput(f);
	return r;
}

SYSCALL_DEFINE3(getdents64, int, fd, uaddr_t, buf, unsigned, count) { return do_getdents(fd, buf, count, false); }
SYSCALL_DEFINE3(getdents, int, fd, uaddr_t, buf, unsigned, count) { return do_getdents(fd, buf, count, true); }
