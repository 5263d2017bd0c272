/* proc FILE: a guest /proc file, read from the host. The file is
 * opened on the kernel's own mount of proc (whatever the guest mounted
 * or unmounted), beneath its root: "..", absolute paths and symlinks
 * stay inside /proc. Directories are listed, one name a line. */
#include <umk/fs.h>
#include "mc_internal.h"

#define PROC_REPLY_MAX (4u << 20)	/* a bound on a reply, far above any /proc file */

static struct vfsmount *proc_mnt;

struct lister {
	struct dir_context ctx;	/* first: the actor gets its address */
	struct sbuf *out;
};

static bool list_actor(struct dir_context *ctx, const char *name, size_t len, uint64_t ino __unused,
		       unsigned type __unused)
{
	struct sbuf *out = ((struct lister *)ctx)->out;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	sbuf_printf(out, "%.*s\n", (int)len, name);
	return out->len < PROC_REPLY_MAX;
}

static int read_dir(struct file *f, struct sbuf *out)
{
	if (!f->f_op || !f->f_op->iterate)
		return -ENOTDIR;
	struct lister l = { { list_actor, 0 }, out };
	return f->f_op->iterate(f, &l.ctx);
}

static int read_all(struct file *f, struct sbuf *out)
{
	char buf[1024];
	loff_t pos = 0;
	for (;;) {
		ssize_t n = vfs_read(f, buf, sizeof(buf), &pos);
		if (n < 0)
			return (int)n;
		if (n == 0 || out->len >= PROC_REPLY_MAX)
			return 0;
		sbuf_putmem(out, buf, (size_t)n);
	}
}

void mc_cmd_proc(struct mc_req *r, const char *arg)
{
	if (!*arg) {
		mc_reply(r, true, "proc takes a file name (proc meminfo)");
		return;
	}
	if (!proc_mnt) {
		struct vfsmount *m = kern_mount("proc");
		if (IS_ERR(m)) {
			mc_reply(r, true, "proc: no proc filesystem (error %ld)", -PTR_ERR(m));
			return;
		}
		proc_mnt = m;
	}
	struct file *f = file_open_root(proc_mnt, arg, O_RDONLY | O_LARGEFILE);
	if (IS_ERR(f)) {
		mc_reply(r, true, "proc %s: %s", arg, mc_strerror((int)-PTR_ERR(f)));
		return;
	}
	struct sbuf out;
	sbuf_init(&out);
	int err = S_ISDIR(file_inode(f)->i_mode) ? read_dir(f, &out) : read_all(f, &out);
	fput(f);
	if (err)
		mc_reply(r, true, "proc %s: %s", arg, mc_strerror(-err));
	else
		mc_reply_text(r, false, out.buf ? out.buf : "", out.len);
	sbuf_free(&out);
}
