/* procfs: the files subsystems register (umk/proc.h), kept in a tree of
 * entries below /proc. Each entry has a number that names its inode, so
 * an entry removed at run time (a device's sysctl directory) turns its
 * inodes stale instead of dangling: lookups and opens through them get
 * ENOENT. Children are kept sorted by name. */
#include <umk/proc.h>
#include "proc_internal.h"

struct proc_entry {
	char *name;
	umode_t mode;
	proc_show_t show;
	proc_write_t write;
	void *data;
	unsigned id;
	struct proc_entry *parent;
	struct list_head children;
	struct list_head sibling;
};

umk_section_declare(const struct proc_file_def, umk_proc_files);

static struct proc_entry root = { .name = "", .mode = S_IFDIR | 0555 };
static struct proc_entry **by_id;	/* id -> entry; NULL once removed */
static unsigned nr_ids;

static struct proc_entry *entry_by_id(unsigned id)
{
	return id < nr_ids ? by_id[id] : NULL;
}

static struct proc_entry *child(struct proc_entry *dir, const char *name, size_t len)
{
	struct proc_entry *e;
	list_for_each_entry(e, &dir->children, sibling)
		if (strlen(e->name) == len && !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static struct proc_entry *new_entry(struct proc_entry *dir, const char *name, size_t len, umode_t mode)
{
	struct proc_entry *e = kzalloc(sizeof(*e));
	e->name = kmalloc(len + 1);
	memcpy(e->name, name, len);
	e->name[len] = 0;
	e->mode = mode;
	e->parent = dir;
	INIT_LIST_HEAD(&e->children);
	e->id = nr_ids++;
	by_id = krealloc(by_id, sizeof(*by_id) * nr_ids);
	by_id[e->id] = e;
	struct list_head *pos = &dir->children;
	struct proc_entry *o;
	list_for_each_entry(o, &dir->children, sibling) {
		if (strcmp(o->name, e->name) > 0) {
			pos = &o->sibling;
			break;
		}
	}
	list_add_tail(&e->sibling, pos);
	return e;
}

struct proc_entry *proc_create(const char *path, umode_t mode, proc_show_t show, proc_write_t write, void *data)
{
	if (!root.children.next) {
		INIT_LIST_HEAD(&root.children);
		by_id = kmalloc(sizeof(*by_id));
		by_id[0] = &root;
		nr_ids = 1;
	}
	struct proc_entry *dir = &root;
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (!len)
			return NULL;
		struct proc_entry *e = child(dir, p, len);
		if (!slash) {
			if (e)
				return NULL;
			e = new_entry(dir, p, len, show ? (S_IFREG | (mode & 07777)) : (S_IFDIR | 0555));
			e->show = show;
			e->write = write;
			e->data = data;
			return e;
		}
		if (!e)
			e = new_entry(dir, p, len, S_IFDIR | 0555);
		else if (!S_ISDIR(e->mode))
			return NULL;
		dir = e;
		p = slash + 1;
	}
}

void proc_remove(struct proc_entry *e)
{
	while (!list_empty(&e->children))
		proc_remove(list_first_entry(&e->children, struct proc_entry, sibling));
	list_del(&e->sibling);
	by_id[e->id] = NULL;
	kfree(e->name);
	kfree(e);
}

static int proc_files_init(void)
{
	umk_section_foreach(const struct proc_file_def, umk_proc_files, d)
		if (!proc_create(d->path, d->mode, d->show, d->write, d->data))
			panic("/proc/%s is registered twice", d->path);
	return 0;
}
core_initcall(proc_files_init);

umode_t proc_generic_mode(unsigned id)
{
	struct proc_entry *e = entry_by_id(id);
	return e ? e->mode : S_IFREG | 0444;
}

struct inode *proc_generic_lookup(unsigned dir_id, const char *name)
{
	struct proc_entry *dir = dir_id ? entry_by_id(dir_id) : &root;
	if (!dir || !root.children.next)
		return ERR_PTR(-ENOENT);
	if (!S_ISDIR(dir->mode))
		return ERR_PTR(-ENOTDIR);
	struct proc_entry *e = child(dir, name, strlen(name));
	return e ? proc_iget(P_GENERIC, 0, e->id) : ERR_PTR(-ENOENT);
}

/* Directory entries from position start of ctx (relative positions
 * 0.. are the children in order); returns false when the caller's
 * buffer filled. */
bool proc_generic_iterate(unsigned dir_id, struct dir_context *ctx, loff_t base)
{
	struct proc_entry *dir = dir_id ? entry_by_id(dir_id) : &root;
	if (!dir || !root.children.next)
		return true;
	loff_t i = 0;
	struct proc_entry *e;
	list_for_each_entry(e, &dir->children, sibling) {
		if (base + i++ < ctx->pos)
			continue;
		uint64_t ino = ((uint64_t)P_GENERIC << 24) | (e->id + 1);
		if (!ctx->actor(ctx, e->name, strlen(e->name), ino, IFTODT(e->mode)))
			return false;
		ctx->pos = base + i;
	}
	return true;
}

int proc_generic_show(unsigned id, struct sbuf *out)
{
	struct proc_entry *e = entry_by_id(id);
	if (!e)
		return -ENOENT;
	return e->show ? e->show(out, e->data) : -EISDIR;
}

ssize_t proc_generic_write(unsigned id, const void *buf, size_t n, loff_t *pos)
{
	struct proc_entry *e = entry_by_id(id);
	if (!e)
		return -ENOENT;
	if (!e->write)
		return -EIO;	/* as Linux's proc files without a write op */
	if (*pos) {
		*pos += n;	/* sysctl_writes_strict: a write past the start is ignored */
		return n;
	}
	char *k = kmalloc(n + 1);
	memcpy(k, buf, n);
	k[n] = 0;
	int err = e->write(k, n, e->data);
	kfree(k);
	if (err)
		return err;
	*pos += n;
	return n;
}

bool proc_generic_writable(unsigned id)
{
	struct proc_entry *e = entry_by_id(id);
	return e && e->write;
}

/* ---- sysctl integers ---- */

int sysctl_parse_ints(const char *buf, size_t len, long long *out, int n)
{
	int got = 0;
	size_t i = 0;
	for (;;) {
		while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'))
			i++;
		if (i >= len || !buf[i] || got == n)
			return got;	/* values past n are ignored, as Linux */
		char num[24];
		size_t j = 0;
		while (i < len && buf[i] && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n') {
			if (j + 1 >= sizeof(num))
				return -EINVAL;
			num[j++] = buf[i++];
		}
		num[j] = 0;
		if (kstrtoll(num, 10, &out[got]))
			return -EINVAL;
		got++;
	}
}

int sysctl_int_show(struct sbuf *out, void *data)
{
	struct sysctl_int *s = data;
	sbuf_printf(out, "%d\n", *s->val);
	return 0;
}

int sysctl_int_write(const char *buf, size_t len, void *data)
{
	struct sysctl_int *s = data;
	long long v;
	int n = sysctl_parse_ints(buf, len, &v, 1);
	if (n <= 0)
		return -EINVAL;
	if (v < s->min || v > s->max)
		return -EINVAL;
	*s->val = (int)v;
	if (s->changed)
		s->changed(s->val);
	return 0;
}
