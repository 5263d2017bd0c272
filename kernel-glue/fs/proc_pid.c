/* /proc/PID: stat, status, cmdline, environ, comm, maps, mem, mounts,
 * the exe/cwd/root links, the fd/ directory and task/ (a directory per
 * thread, as /proc/TID). Formats follow proc(5). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/mm.h>
#include <umk/tty.h>
#include <umk/uaccess.h>
#include "internal.h"
#include "proc_internal.h"

static const struct { const char *name; enum proc_kind kind; } pid_ents[] = {
	{ "cmdline", P_PID_CMDLINE }, { "comm", P_PID_COMM }, { "cwd", P_PID_CWD },
	{ "environ", P_PID_ENVIRON }, { "exe", P_PID_EXE }, { "fd", P_PID_FD_DIR }, { "fdinfo", P_PID_FDINFO_DIR },
	{ "limits", P_PID_LIMITS }, { "maps", P_PID_MAPS }, { "mem", P_PID_MEM }, { "mountinfo", P_PID_MOUNTINFO },
	{ "mounts", P_PID_MOUNTS }, { "root", P_PID_ROOT }, { "stat", P_PID_STAT },
	{ "statm", P_PID_STATM }, { "status", P_PID_STATUS }, { "task", P_PID_TASK_DIR },
};

umode_t proc_pid_mode(enum proc_kind k)
{
	switch (k) {
	case P_PID_DIR: return S_IFDIR | 0555;
	case P_PID_FD_DIR: return S_IFDIR | 0500;
	case P_PID_FDINFO_DIR: return S_IFDIR | 0555;
	case P_PID_TASK_DIR: return S_IFDIR | 0555;
	case P_PID_MEM: return S_IFREG | 0600;
	case P_PID_EXE: case P_PID_CWD: case P_PID_ROOT: return S_IFLNK | 0777;
	case P_PID_FD_LINK: return S_IFLNK | 0700;
	case P_PID_ENVIRON: return S_IFREG | 0400;
	default: return S_IFREG | 0444;
	}
}

struct inode *proc_pid_lookup(struct inode *dir, const char *name)
{
	struct proc_ino *pi = PI(dir);
	struct task *t = proc_task(dir);
	if (!t)
		return ERR_PTR(-ENOENT);
	if (pi->kind == P_PID_DIR) {
		for (size_t i = 0; i < ARRAY_SIZE(pid_ents); i++)
			if (!strcmp(pid_ents[i].name, name))
				return proc_iget(pid_ents[i].kind, pi->pid, 0);
		return ERR_PTR(-ENOENT);
	}
	if (pi->kind == P_PID_TASK_DIR) {
		long long tid;
		if (kstrtoll(name, 10, &tid) || tid <= 0 || tid > 0x7fffffff)
			return ERR_PTR(-ENOENT);
		struct task *th = find_task_by_pid(tid);
		if (!th || th->tgid != t->tgid || th->state == TASK_DEAD)
			return ERR_PTR(-ENOENT);
		return proc_iget(P_PID_DIR, tid, 0);
	}
	if (pi->kind == P_PID_FD_DIR || pi->kind == P_PID_FDINFO_DIR) {
		long long fd;
		if (kstrtoll(name, 10, &fd) || fd < 0 || fd > 0x7fffffff || !t->files || !fd_lookup(t->files, fd))
			return ERR_PTR(-ENOENT);
		return proc_iget(pi->kind == P_PID_FD_DIR ? P_PID_FD_LINK : P_PID_FDINFO, pi->pid, fd);
	}
	return ERR_PTR(-ENOTDIR);
}

static bool dots(struct file *f, struct dir_context *ctx)
{
	while (ctx->pos < 2) {
		if (!ctx->actor(ctx, ctx->pos ? ".." : ".", ctx->pos + 1, f->f_inode->i_ino, IFTODT(S_IFDIR)))
			return false;
		ctx->pos++;
	}
	return true;
}

int proc_pid_iterate(struct file *f, struct dir_context *ctx)
{
	struct proc_ino *pi = PI(f->f_inode);
	struct task *t = proc_task(f->f_inode);
	if (!t)
		return -ENOENT;
	if (!dots(f, ctx))
		return 0;
	if (pi->kind == P_PID_DIR) {
		for (size_t i = ctx->pos - 2; i < ARRAY_SIZE(pid_ents); i++) {
			struct inode *in = proc_iget(pid_ents[i].kind, pi->pid, 0);
			bool ok = ctx->actor(ctx, pid_ents[i].name, strlen(pid_ents[i].name), in->i_ino, IFTODT(in->i_mode));
			iput(in);
			if (!ok)
				return 0;
			ctx->pos++;
		}
		return 0;
	}
	/* task/: the threads, by tid (position = tid + 2) */
	if (pi->kind == P_PID_TASK_DIR) {
		for (;;) {
			struct task *th, *next = NULL;
			for_each_task(th)
				if (th->tgid == t->tgid && th->state != TASK_DEAD && th->pid >= ctx->pos - 2 &&
				    (!next || th->pid < next->pid))
					next = th;
			if (!next)
				return 0;
			char name[16];
			int len = snprintf(name, sizeof(name), "%d", next->pid);
			uint64_t ino = ((uint64_t)next->pid << 32) | ((uint64_t)P_PID_DIR << 24) | 1;
			if (!ctx->actor(ctx, name, len, ino, IFTODT(S_IFDIR)))
				return 0;
			ctx->pos = next->pid + 3;
		}
	}
	/* fd/ and fdinfo/: position = fd + 2 */
	enum proc_kind entry = pi->kind == P_PID_FD_DIR ? P_PID_FD_LINK : P_PID_FDINFO;
	struct files_struct *fs = t->files;
	for (unsigned fd = ctx->pos - 2; fs && fd < fs->max; fd++) {
		if (fs->fd[fd]) {
			char name[16];
			int len = snprintf(name, sizeof(name), "%u", fd);
			uint64_t ino = ((uint64_t)pi->pid << 32) | ((uint64_t)entry << 24) | (fd + 1);
			if (!ctx->actor(ctx, name, len, ino, IFTODT(entry == P_PID_FD_LINK ? S_IFLNK : S_IFREG)))
				return 0;
		}
		ctx->pos = fd + 3;
	}
	return 0;
}

static ssize_t put_link(struct sbuf *b, char *buf, size_t n)
{
	ssize_t r = b->len;
	if (b->len >= n)
		r = -ENAMETOOLONG;
	else {
		memcpy(buf, b->buf, b->len);
		buf[b->len] = 0;
	}
	sbuf_free(b);
	return r;
}

ssize_t proc_pid_readlink(struct inode *inode, char *buf, size_t n)
{
	struct proc_ino *pi = PI(inode);
	struct task *t = proc_task(inode);
	if (!t)
		return -ENOENT;
	struct sbuf b;
	sbuf_init(&b);
	switch (pi->kind) {
	case P_PID_EXE:
		if (!t->mm || !t->mm->exe_file)
			return -ENOENT;
		file_path(t->mm->exe_file, &b);
		break;
	case P_PID_CWD:
	case P_PID_ROOT:
		if (!t->fs)
			return -ENOENT;
		path_to_sbuf(pi->kind == P_PID_CWD ? &t->fs->pwd : &t->fs->root, &b);
		break;
	case P_PID_FD_LINK: {
		struct file *f = fd_lookup(t->files, pi->fd);
		if (!f)
			return -ENOENT;
		file_path(f, &b);
		break;
	}
	default:
		return -EINVAL;
	}
	return put_link(&b, buf, n);
}

/* fdinfo/N: position, open flags (octal, with O_CLOEXEC), mount id, inode */
static int show_fdinfo(struct task *t, int fd, struct sbuf *o)
{
	struct file *f = t->files ? fd_lookup(t->files, fd) : NULL;
	if (!f)
		return -ENOENT;
	unsigned flags = f->f_flags | (fd_get_cloexec(t->files, fd) ? O_CLOEXEC : 0);
	sbuf_printf(o, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", (long long)f->f_pos, flags,
		    f->f_path.mnt ? f->f_path.mnt->mnt_id : 0, (unsigned long long)f->f_inode->i_ino);
	if (f->f_op && f->f_op->show_fdinfo)
		f->f_op->show_fdinfo(f, o);
	return 0;
}

/* init's parent is itself inside the kernel; the guest sees 0, as Linux */
static pid_t ppid_of(struct task *t)
{
	struct task *p = t->parent;
	return p && p != t ? p->tgid : 0;
}

static char state_char(struct task *t)
{
	switch (t->state) {
	case TASK_RUNNING: return 'R';
	case TASK_INTERRUPTIBLE: return 'S';
	case TASK_UNINTERRUPTIBLE: return 'D';
	case TASK_STOPPED: return 'T';
	case TASK_TRACED: return 't';
	case TASK_ZOMBIE: return 'Z';
	default: return 'X';
	}
}

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk sleep";
	case 'T': return "stopped";
	case 't': return "tracing stop";
	case 'Z': return "zombie";
	default: return "dead";
	}
}

static int nr_threads(struct task *t)
{
	int n = 0;
	struct task *p;
	for_each_task(p)
		if (p->tgid == t->tgid && p->state != TASK_DEAD)
			n++;
	return n;
}

#define TICKS(ns) ((unsigned long long)(ns) / 10000000ull)	/* USER_HZ = 100 */

static void show_stat(struct task *t, struct sbuf *o)
{
	struct signal_struct *sig = t->signal;
	struct tty *tty = sig ? sig->tty : NULL;
	struct mm *mm = t->mm;
	uint64_t sigign = 0, sigcgt = 0;
	for (int i = 0; t->sighand && i < 64; i++) {
		if (t->sighand->action[i].handler == 1)
			sigign |= 1ull << i;
		else if (t->sighand->action[i].handler > 1)
			sigcgt |= 1ull << i;
	}
	sbuf_printf(o, "%d (%s) %c %d %d %d %d %d %u %llu %llu %llu %llu %llu %llu %llu %llu %d %d %d %d %llu ",
		    t->pid, t->comm, state_char(t), ppid_of(t),
		    sig ? sig->pgrp : 0, sig ? sig->session : 0,
		    tty ? (int)tty->rdev : 0, tty && tty->pgrp ? tty->pgrp : -1,
		    0x400040u, (unsigned long long)t->min_flt, 0ull, (unsigned long long)t->maj_flt, 0ull,
		    TICKS(t->utime_ns), TICKS(t->stime_ns),
		    TICKS(sig ? sig->cutime : 0), TICKS(sig ? sig->cstime : 0),
		    RT_POLICY(t->policy) ? -1 - t->rt_priority : 20 + t->nice, t->nice,
		    nr_threads(t), 0, TICKS(t->start_time_ns));
	sbuf_printf(o, "%llu %llu %llu %llu %llu %llu 0 0 ",
		    (unsigned long long)(mm ? mm_total_pages(mm) * PAGE_SIZE : 0),
		    (unsigned long long)(mm ? mm->rss_pages : 0), 18446744073709551615ull,
		    (unsigned long long)(mm ? mm->start_code : 0), (unsigned long long)(mm ? mm->end_code : 0),
		    (unsigned long long)(mm ? mm->start_stack : 0));
	sbuf_printf(o, "%llu %llu %llu %llu 0 0 0 %d 0 %d %d 0 0 0 ",
		    (unsigned long long)t->pending.sig, (unsigned long long)t->blocked.sig,
		    (unsigned long long)sigign, (unsigned long long)sigcgt, t->exit_signal,
		    t->rt_priority, t->policy);
	sbuf_printf(o, "%llu %llu %llu %llu %llu %llu %llu %d\n",
		    (unsigned long long)(mm ? mm->start_data : 0), (unsigned long long)(mm ? mm->end_data : 0),
		    (unsigned long long)(mm ? mm->start_brk : 0),
		    (unsigned long long)(mm ? mm->arg_start : 0), (unsigned long long)(mm ? mm->arg_end : 0),
		    (unsigned long long)(mm ? mm->env_start : 0), (unsigned long long)(mm ? mm->env_end : 0),
		    t->state == TASK_ZOMBIE ? t->exit_code : 0);
}

static void show_status(struct task *t, struct sbuf *o)
{
	char st = state_char(t);
	struct cred *c = &t->cred;
	struct mm *mm = t->mm;
	sbuf_printf(o, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t%d\n",
		    t->comm, t->fs ? t->fs->umask : 022, st, state_name(st), t->tgid, t->pid,
		    ppid_of(t), t->ptracer ? t->ptracer->tgid : 0);
	sbuf_printf(o, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%u\nGroups:\t",
		    c->uid, c->euid, c->suid, c->fsuid, c->gid, c->egid, c->sgid, c->fsgid,
		    t->files ? t->files->max : 0);
	for (int i = 0; i < c->ngroups && i < 32; i++)
		sbuf_printf(o, "%u ", c->groups[i]);
	sbuf_printf(o, "\n");
	if (mm) {
		unsigned long long vm = mm_total_pages(mm) * 4, rss = mm->rss_pages * 4;
		unsigned long long lck = mm_locked_pages(mm) * 4;
		sbuf_printf(o, "VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\nVmPin:\t%8llu kB\n"
			       "VmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n", vm, vm, lck, 0ull, rss, rss);
	}
	uint64_t sigign = 0, sigcgt = 0;
	for (int i = 0; t->sighand && i < 64; i++) {
		if (t->sighand->action[i].handler == 1)
			sigign |= 1ull << i;
		else if (t->sighand->action[i].handler > 1)
			sigcgt |= 1ull << i;
	}
	sbuf_printf(o, "Threads:\t%d\nSigQ:\t0/0\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
		    nr_threads(t), (unsigned long long)t->pending.sig,
		    (unsigned long long)(t->signal ? t->signal->shared_pending.sig : 0),
		    (unsigned long long)t->blocked.sig, (unsigned long long)sigign, (unsigned long long)sigcgt);
	sbuf_printf(o, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\nCapAmb:\t%016llx\n",
		    (unsigned long long)c->cap_inheritable, (unsigned long long)c->cap_permitted,
		    (unsigned long long)c->cap_effective, (unsigned long long)c->cap_bset,
		    (unsigned long long)c->cap_ambient);
	sbuf_printf(o, "NoNewPrivs:\t%d\n", t->no_new_privs);
	sbuf_printf(o, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
		    (unsigned long long)t->nvcsw, (unsigned long long)t->nivcsw);
}

static void show_range(struct mm *mm, uaddr_t start, uaddr_t end, struct sbuf *o)
{
	if (!mm || end <= start)
		return;
	size_t n = MIN(end - start, (uaddr_t)(256 * 1024));
	char *buf = kmalloc(n);
	long r = access_remote_vm(mm, start, buf, n, false);
	if (r > 0)
		sbuf_putmem(o, buf, r);
	kfree(buf);
}

/* statm (proc(5)): size resident shared text lib data dt, in pages */
static void show_statm(struct task *t, struct sbuf *o)
{
	struct mm *mm = t->mm;
	if (!mm) {
		sbuf_printf(o, "0 0 0 0 0 0 0\n");
		return;
	}
	unsigned long long size = mm_total_pages(mm), text = (mm->end_code - mm->start_code) / PAGE_SIZE;
	sbuf_printf(o, "%llu %llu 0 %llu 0 %llu 0\n", size, (unsigned long long)mm->rss_pages, text,
		    size > text ? size - text : 0);
}

/* limits: Linux's fs/proc/base.c proc_pid_limits layout */
static void show_limits(struct task *t, struct sbuf *o)
{
	static const struct { const char *name, *unit; } ln[16] = {
		{ "Max cpu time", "seconds" }, { "Max file size", "bytes" }, { "Max data size", "bytes" },
		{ "Max stack size", "bytes" }, { "Max core file size", "bytes" }, { "Max resident set", "bytes" },
		{ "Max processes", "processes" }, { "Max open files", "files" }, { "Max locked memory", "bytes" },
		{ "Max address space", "bytes" }, { "Max file locks", "locks" }, { "Max pending signals", "signals" },
		{ "Max msgqueue size", "bytes" }, { "Max nice priority", NULL }, { "Max realtime priority", NULL },
		{ "Max realtime timeout", "us" },
	};
	sbuf_printf(o, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (int i = 0; i < 16; i++) {
		struct krlim r = t->signal ? t->signal->rlim[i] : (struct krlim){ ~0ull, ~0ull };
		if (r.cur == ~0ull)
			sbuf_printf(o, "%-25s %-20s ", ln[i].name, "unlimited");
		else
			sbuf_printf(o, "%-25s %-20llu ", ln[i].name, (unsigned long long)r.cur);
		if (r.max == ~0ull)
			sbuf_printf(o, "%-20s ", "unlimited");
		else
			sbuf_printf(o, "%-20llu ", (unsigned long long)r.max);
		if (ln[i].unit)
			sbuf_printf(o, "%-10s\n", ln[i].unit);
		else
			sbuf_printf(o, "\n");
	}
}

int proc_pid_show(struct inode *inode, struct sbuf *o)
{
	struct task *t = proc_task(inode);
	if (!t)
		return -ESRCH;
	switch (PI(inode)->kind) {
	case P_PID_STAT: show_stat(t, o); break;
	case P_PID_STATUS: show_status(t, o); break;
	case P_PID_COMM: sbuf_printf(o, "%s\n", t->comm); break;
	case P_PID_CMDLINE: if (t->mm) show_range(t->mm, t->mm->arg_start, t->mm->arg_end, o); break;
	case P_PID_ENVIRON: if (t->mm) show_range(t->mm, t->mm->env_start, t->mm->env_end, o); break;
	case P_PID_MAPS: if (t->mm) mm_show_maps(t->mm, o); break;
	case P_PID_MOUNTS: mounts_show(o); break;
	case P_PID_MOUNTINFO: mountinfo_show(o); break;
	case P_PID_STATM: show_statm(t, o); break;
	case P_PID_LIMITS: show_limits(t, o); break;
	case P_PID_FDINFO: return show_fdinfo(t, PI(inode)->fd, o);
	default: return -EINVAL;
	}
	return 0;
}
