/* /proc/sys: the sysctls the kernel has, one directory level deep
 * (/proc/sys/DIR/NAME). Reading gives the value and a newline; root may
 * write a new one, parsed whole at offset 0 as Linux's
 * sysctl_writes_strict (EINVAL if it is not a number in range). */
#include <umk/fs.h>
#include <umk/internal.h>
#include <umk/uevent.h>
#include "proc_internal.h"

struct sysctl {
	const char *dir, *name;
	umode_t mode;
	long long (*get)(void);
	int (*set)(long long v);	/* 0 or -EINVAL; NULL: read-only */
	char *str;			/* a string sysctl instead: its buffer */
	size_t str_size;
};

static long long get_threads_max(void) { return threads_max(); }
static int set_threads_max_ll(long long v) { return set_threads_max(v); }

static const struct sysctl sysctls[] = {
	{ "kernel", "threads-max", 0644, get_threads_max, set_threads_max_ll, NULL, 0 },
	/* the uevent helper (Linux's CONFIG_UEVENT_HELPER): umk/uevent.h */
	{ "kernel", "hotplug", 0644, NULL, NULL, uevent_helper, sizeof(uevent_helper) },
};
static const char *const dirs[] = { "kernel" };

struct inode *proc_sys_lookup(struct inode *dir, const char *name)
{
	struct proc_ino *pi = PI(dir);
	if (pi->kind == P_SYS) {
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
			if (!strcmp(dirs[i], name))
				return proc_iget(P_SYS_DIR, 0, i);
		return ERR_PTR(-ENOENT);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sysctls); i++)
		if (!strcmp(sysctls[i].dir, dirs[pi->fd]) && !strcmp(sysctls[i].name, name))
			return proc_iget(P_SYSCTL, 0, i);
	return ERR_PTR(-ENOENT);
}

int proc_sys_iterate(struct file *f, struct dir_context *ctx)
{
	struct proc_ino *pi = PI(f->f_inode);
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, f->f_inode->i_ino, IFTODT(S_IFDIR)))
			return 0;
		ctx->pos++;
	}
	bool top = pi->kind == P_SYS;
	size_t n = top ? ARRAY_SIZE(dirs) : ARRAY_SIZE(sysctls);
	for (size_t i = ctx->pos - 2; i < n; i++, ctx->pos++) {
		if (!top && strcmp(sysctls[i].dir, dirs[pi->fd]))
			continue;
		const char *name = top ? dirs[i] : sysctls[i].name;
		struct inode *in = proc_iget(top ? P_SYS_DIR : P_SYSCTL, 0, i);
		bool ok = ctx->actor(ctx, name, strlen(name), in->i_ino, IFTODT(in->i_mode));
		iput(in);
		if (!ok)
			return 0;
	}
	return 0;
}

umode_t proc_sys_mode(enum proc_kind kind, int idx)
{
	return kind == P_SYSCTL ? S_IFREG | sysctls[idx].mode : S_IFDIR | 0555;
}

void proc_sys_show(struct inode *inode, struct sbuf *out)
{
	const struct sysctl *s = &sysctls[PI(inode)->fd];
	if (s->str)
		sbuf_printf(out, "%s\n", s->str);
	else
		sbuf_printf(out, "%lld\n", s->get());
}

/* A string sysctl takes the write whole, without its newline (Linux's
 * proc_dostring); longer than the buffer: EINVAL. */
static ssize_t write_string(const struct sysctl *s, const void *buf, size_t n, loff_t *pos)
{
	if (*pos)
		return n;
	size_t len = n;
	if (len && ((const char *)buf)[len - 1] == '\n')
		len--;
	if (len >= s->str_size || strnlen(buf, len) != len)
		return -EINVAL;
	memcpy(s->str, buf, len);
	s->str[len] = 0;
	*pos += n;
	return n;
}

/* O_TRUNC on a sysctl is harmless (echo N > file); ownership and mode
 * are fixed, as Linux's proc_sys_setattr. Other /proc files: EPERM. */
int proc_sys_setattr(struct inode *inode, const struct iattr *ia)
{
	if ((PI(inode)->kind != P_SYSCTL && PI(inode)->kind != P_SYSRQ) || (ia->valid & ~(unsigned)ATTR_SIZE))
		return -EPERM;
	return 0;
}

ssize_t proc_sys_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	const struct sysctl *s = &sysctls[PI(f->f_inode)->fd];
	char text[32];
	if (s->str)
		return write_string(s, buf, n, pos);
	if (!s->set)
		return -EPERM;
	if (*pos)
		return n;	/* strict: only a write at offset 0 counts */
	if (!n || n >= sizeof(text))
		return -EINVAL;
	memcpy(text, buf, n);
	text[n] = 0;
	if (text[n - 1] == '\n')
		text[n - 1] = 0;
	long long v;
	if (kstrtoll(text, 10, &v))
		return -EINVAL;
	int err = s->set(v);
	if (err)
		return err;
	*pos += n;
	return n;
}
