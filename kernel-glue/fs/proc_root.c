/* procfs: the top of /proc and the files about the whole machine. Text
 * files are generated whole at open time into the file's private buffer,
 * so one open sees one consistent snapshot. */
#include <umk/fs.h>
#include <umk/mm.h>
#include <umk/arch.h>
#include "internal.h"
#include "proc_internal.h"

static struct super_block proc_sb = { .s_type = "proc", .s_dev = MKDEV(0, 20), .s_magic = 0x9fa0 };

static const struct { const char *name; enum proc_kind kind; } root_ents[] = {
	{ "cmdline", P_CMDLINE }, { "cpuinfo", P_CPUINFO }, { "filesystems", P_FILESYSTEMS },
	{ "loadavg", P_LOADAVG }, { "meminfo", P_MEMINFO }, { "mounts", P_MOUNTS },
	{ "self", P_SELF }, { "stat", P_STAT }, { "uptime", P_UPTIME }, { "version", P_VERSION },
};

static const struct inode_operations proc_dir_iops, proc_link_iops, proc_file_iops;
static const struct file_operations proc_dir_fops, proc_file_fops;

struct task *proc_task(struct inode *i)
{
	struct task *t = find_task_by_pid(PI(i)->pid);
	return t && t->state != TASK_DEAD ? t : NULL;
}

static void proc_evict(struct inode *i)
{
	kfree(i->i_private);
}

static const struct super_operations proc_sops = { .evict_inode = proc_evict };

/* (kind, pid, fd) names one object: the inode number encodes all three. */
struct inode *proc_iget(enum proc_kind kind, pid_t pid, int fd)
{
	bool is_new;
	uint64_t ino = ((uint64_t)pid << 32) | ((uint64_t)kind << 24) | (uint32_t)(fd + 1);
	struct inode *i = iget(&proc_sb, ino, &is_new);
	if (!is_new)
		return i;
	struct proc_ino *pi = kzalloc(sizeof(*pi));
	*pi = (struct proc_ino){ kind, pid, fd };
	i->i_private = pi;
	umode_t mode;
	if (kind == P_ROOT)
		mode = S_IFDIR | 0555;
	else if (kind == P_SELF)
		mode = S_IFLNK | 0777;
	else if (kind >= P_PID_DIR)
		mode = proc_pid_mode(kind);
	else if (kind == P_GENERIC)
		mode = proc_generic_mode(fd);
	else
		mode = S_IFREG | 0444;
	i->i_mode = mode;
	i->i_nlink = S_ISDIR(mode) ? 2 : 1;
	i->i_op = S_ISDIR(mode) ? &proc_dir_iops : S_ISLNK(mode) ? &proc_link_iops : &proc_file_iops;
	i->i_fop = S_ISDIR(mode) ? &proc_dir_fops : S_ISLNK(mode) ? NULL : kind == P_PID_MEM ? &proc_mem_fops : &proc_file_fops;
	if (pid) {
		struct task *t = proc_task(i);
		if (t) {
			i->i_uid = t->cred.euid;
			i->i_gid = t->cred.egid;
		}
	}
	return i;
}

static struct inode *proc_lookup(struct inode *dir, const char *name)
{
	if (PI(dir)->kind == P_GENERIC)
		return proc_generic_lookup(PI(dir)->fd, name);
	if (PI(dir)->kind != P_ROOT)
		return proc_pid_lookup(dir, name);
	for (size_t i = 0; i < ARRAY_SIZE(root_ents); i++)
		if (!strcmp(root_ents[i].name, name))
			return proc_iget(root_ents[i].kind, 0, 0);
	struct inode *reg = proc_generic_lookup(0, name);
	if (!IS_ERR(reg))
		return reg;
	long long pid;
	if (kstrtoll(name, 10, &pid) || pid <= 0 || pid > 0x7fffffff)
		return ERR_PTR(-ENOENT);
	struct task *t = find_task_by_pid(pid);
	if (!t || t->state == TASK_DEAD)
		return ERR_PTR(-ENOENT);
	return proc_iget(P_PID_DIR, pid, 0);
}

#define PID_POS_BASE 0x1000

#define GENERIC_POS_BASE 0x100	/* registered entries at the top of /proc */

static bool dot_entries(struct file *f, struct dir_context *ctx)
{
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, f->f_inode->i_ino, IFTODT(S_IFDIR)))
			return false;
		ctx->pos++;
	}
	return true;
}

static int proc_root_iterate(struct file *f, struct dir_context *ctx)
{
	if (PI(f->f_inode)->kind == P_GENERIC) {
		if (dot_entries(f, ctx))
			proc_generic_iterate(PI(f->f_inode)->fd, ctx, 2);
		return 0;
	}
	if (PI(f->f_inode)->kind != P_ROOT)
		return proc_pid_iterate(f, ctx);
	if (!dot_entries(f, ctx))
		return 0;
	while (ctx->pos - 2 < (loff_t)ARRAY_SIZE(root_ents)) {
		size_t i = ctx->pos - 2;
		struct inode *in = proc_iget(root_ents[i].kind, 0, 0);
		bool ok = ctx->actor(ctx, root_ents[i].name, strlen(root_ents[i].name), in->i_ino, IFTODT(in->i_mode));
		iput(in);
		if (!ok)
			return 0;
		ctx->pos++;
	}
	if (ctx->pos < GENERIC_POS_BASE)
		ctx->pos = GENERIC_POS_BASE;
	if (ctx->pos < PID_POS_BASE && !proc_generic_iterate(0, ctx, GENERIC_POS_BASE))
		return 0;
	if (ctx->pos < PID_POS_BASE)
		ctx->pos = PID_POS_BASE;
	for (;;) {
		/* processes in pid order: the smallest tgid not yet listed */
		pid_t from = ctx->pos - PID_POS_BASE, best = 0;
		struct task *t;
		for_each_task(t)
			if (t->pid == t->tgid && t->state != TASK_DEAD && t->pid >= from && (!best || t->pid < best))
				best = t->pid;
		if (!best)
			return 0;
		char name[16];
		int len = snprintf(name, sizeof(name), "%d", best);
		ctx->pos = PID_POS_BASE + best;
		if (!ctx->actor(ctx, name, len, ((uint64_t)best << 32) | ((uint64_t)P_PID_DIR << 24) | 1, IFTODT(S_IFDIR)))
			return 0;
		ctx->pos = PID_POS_BASE + best + 1;
	}
}

static ssize_t proc_readlink(struct inode *inode, char *buf, size_t n)
{
	if (PI(inode)->kind == P_SELF) {
		if (!current)
			return -ENOENT;
		return snprintf(buf, n, "%d", current->tgid);
	}
	return proc_pid_readlink(inode, buf, n);
}

/* ---- machine-wide files ---- */

static void show_meminfo(struct sbuf *o)
{
	uint64_t total, free, slab, large, table;
	mem_get_stats(&total, &free);
	slab_get_stats(&slab, &large, &table);
	uint64_t kb = PAGE_SIZE / 1024, heap = slab + large + table;	/* the kernel heap */
#define KB(name, v) sbuf_printf(o, "%-16s%8llu kB\n", name, (unsigned long long)(v))
	KB("MemTotal:", total * kb);
	KB("MemFree:", free * kb);
	KB("MemAvailable:", free * kb);
	KB("Buffers:", 0);
	KB("Cached:", 0);
	KB("SwapCached:", 0);
	KB("Active:", 0);
	KB("Inactive:", 0);
	KB("SwapTotal:", 0);
	KB("SwapFree:", 0);
	KB("Dirty:", 0);
	KB("Writeback:", 0);
	KB("AnonPages:", (total - free - MIN(heap, total - free)) * kb);
	KB("Mapped:", 0);
	KB("Shmem:", 0);
	KB("Slab:", heap * kb);
	KB("SReclaimable:", 0);
	KB("SUnreclaim:", heap * kb);
	KB("CommitLimit:", total * kb);
	KB("Committed_AS:", (total - free) * kb);
#undef KB
}

static void show_uptime(struct sbuf *o)
{
	int64_t up = ktime_boot_ns();
	int64_t idle = up - arch_host_total_cpu_ns();
	if (idle < 0)
		idle = 0;
	sbuf_printf(o, "%lld.%02lld %lld.%02lld\n", (long long)(up / 1000000000), (long long)(up / 10000000 % 100),
		    (long long)(idle / 1000000000), (long long)(idle / 10000000 % 100));
}

static void show_cpuinfo(struct sbuf *o)
{
	sbuf_printf(o, "processor\t: 0\nvendor_id\t: umk\ncpu family\t: 6\nmodel\t\t: 0\n"
		       "model name\t: umk virtual CPU\nstepping\t: 0\ncpu MHz\t\t: 1000.000\n"
		       "cache size\t: 0 KB\nphysical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\n"
		       "cpu cores\t: 1\napicid\t\t: 0\nfpu\t\t: yes\nfpu_exception\t: yes\n"
		       "cpuid level\t: 13\nwp\t\t: yes\nflags\t\t: fpu tsc cx8 cmov mmx fxsr sse sse2 syscall nx lm\n"
		       "bogomips\t: 2000.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
		       "address sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n");
}

static void show_loadavg(struct sbuf *o)
{
	int running = 0, total = 0;
	pid_t last = 0;
	struct task *t;
	for_each_task(t) {
		if (t->state == TASK_DEAD)
			continue;
		total++;
		if (t->state == TASK_RUNNING)
			running++;
		if (t->pid > last)
			last = t->pid;
	}
	sbuf_printf(o, "0.00 0.00 0.00 %d/%d %d\n", running, total, last);
}

static void show_stat(struct sbuf *o)
{
	int64_t user, sys;
	int procs = 0, running = 0;
	struct task *t;
	cputime_totals(&user, &sys);
	for_each_task(t) {
		procs++;
		if (t->state == TASK_RUNNING)
			running++;
	}
	int64_t up = ktime_boot_ns();
	int64_t idle = up - (user + sys);
	if (idle < 0)
		idle = 0;
	unsigned long long u = user / 10000000, s = sys / 10000000, id = idle / 10000000;
	sbuf_printf(o, "cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", u, s, id);
	sbuf_printf(o, "cpu0 %llu 0 %llu %llu 0 0 0 0 0 0\n", u, s, id);
	sbuf_printf(o, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
		    (long long)((ktime_real_ns() - up) / 1000000000), procs, running);
}

/* "Linux version R (builder) (compiler) V": the strings uname(2) gives
 * (kernel/sys.c; keep the two in step) */
static void proc_show_version(struct sbuf *o)
{
	sbuf_printf(o, "Linux version 6.1.0-umk (umk@umk) (gcc) #1 umk " __DATE__ "\n");
}

static int proc_show(struct inode *inode, struct sbuf *o)
{
	switch (PI(inode)->kind) {
	case P_CMDLINE: sbuf_printf(o, "%s\n", saved_command_line); return 0;
	case P_CPUINFO: show_cpuinfo(o); return 0;
	case P_MEMINFO: show_meminfo(o); return 0;
	case P_MOUNTS: mounts_show(o); return 0;
	case P_UPTIME: show_uptime(o); return 0;
	case P_LOADAVG: show_loadavg(o); return 0;
	case P_STAT: show_stat(o); return 0;
	case P_FILESYSTEMS:
		filesystems_show(o);
		return 0;
	case P_VERSION:
		proc_show_version(o);
		return 0;
	case P_GENERIC:
		return proc_generic_show(PI(inode)->fd, o);
	default: return proc_pid_show(inode, o);
	}
}

static int proc_file_open(struct inode *inode, struct file *f)
{
	struct sbuf *b = kzalloc(sizeof(*b));
	sbuf_init(b);
	int err = proc_show(inode, b);
	if (err) {
		sbuf_free(b);
		kfree(b);
		return err;
	}
	f->private_data = b;
	return 0;
}

static ssize_t proc_file_read(struct file *f, void *buf, size_t n, loff_t *pos)
{
	struct sbuf *b = f->private_data;
	if (*pos >= (loff_t)b->len)
		return 0;
	size_t cnt = MIN(n, b->len - *pos);
	memcpy(buf, b->buf + *pos, cnt);
	*pos += cnt;
	return cnt;
}

static ssize_t proc_file_write(struct file *f, const void *buf, size_t n, loff_t *pos)
{
	if (PI(f->f_inode)->kind != P_GENERIC)
		return -EINVAL;
	return proc_generic_write(PI(f->f_inode)->fd, buf, n, pos);
}

/* O_TRUNC on a writable registered file (echo 1 > /proc/sys/...) is
 * accepted and changes nothing, as Linux's proc_notify_change. */
static int proc_file_setattr(struct inode *inode, const struct iattr *ia)
{
	if (PI(inode)->kind == P_GENERIC && ia->valid == ATTR_SIZE && proc_generic_writable(PI(inode)->fd))
		return 0;
	return -EPERM;
}

static loff_t proc_file_llseek(struct file *f, loff_t off, int whence)
{
	struct sbuf *b = f->private_data;
	loff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->f_pos : whence == SEEK_END ? (loff_t)b->len : -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	return f->f_pos = base + off;
}

static void proc_file_release(struct inode *inode __unused, struct file *f)
{
	struct sbuf *b = f->private_data;
	if (b) {
		sbuf_free(b);
		kfree(b);
	}
}

static const struct inode_operations proc_dir_iops = { .lookup = proc_lookup };
static const struct inode_operations proc_link_iops = { .readlink = proc_readlink };
static const struct inode_operations proc_file_iops = { .setattr = proc_file_setattr };
static const struct file_operations proc_dir_fops = { .iterate = proc_root_iterate };
static const struct file_operations proc_file_fops = {
	.open = proc_file_open, .read = proc_file_read, .write = proc_file_write, .llseek = proc_file_llseek, .release = proc_file_release,
};

static int procfs_init(void)
{
	proc_sb.s_op = &proc_sops;
	struct inode *root = proc_iget(P_ROOT, 0, 0);
	proc_sb.s_root = d_make_root(root);
	return 0;
}
fs_initcall(procfs_init);

static struct super_block *proc_mount(const struct file_system_type *type __unused, struct fs_mount *m __unused)
{
	return &proc_sb;
}

static const struct file_system_type proc_type = { .name = "proc", .mount = proc_mount };
DEFINE_FILESYSTEM(proc_type);
