/* Files under /proc that belong to a subsystem (/proc/net/..., the
 * sysctls under /proc/sys/...): the subsystem registers them from its own
 * file, as Linux's proc_create and register_sysctl, and procfs shows them
 * beside its own files. Text is generated whole at open (one open sees
 * one snapshot); a write hands the written bytes to the entry.
 *
 *   DEFINE_PROC_FILE(route, "net/route", 0444, route_show, NULL, NULL);
 *   DEFINE_SYSCTL_INT(ip_forward, "net/ipv4/ip_forward", ipv4_forward, 0, 1, forward_changed);
 *
 * Directories on the way are made as needed (0555). Entries known only
 * at run time (one directory per network device) use proc_create and
 * proc_remove. */
#ifndef UMK_PROC_H
#define UMK_PROC_H
#include <umk/fs.h>

struct proc_entry;
/* show: append the file's text; 0 or -errno (the open fails). */
typedef int (*proc_show_t)(struct sbuf *out, void *data);
/* write: one write(2) of len bytes at offset 0; 0 or -errno. */
typedef int (*proc_write_t)(const char *buf, size_t len, void *data);

struct proc_file_def {
	const char *path;		/* below /proc, e.g. "net/route" */
	umode_t mode;			/* permission bits */
	proc_show_t show;
	proc_write_t write;		/* NULL: read-only */
	void *data;
};
#define DEFINE_PROC_FILE(id, p, m, sh, wr, d) \
	static const struct proc_file_def __proc_file_##id __umk_entry(umk_proc_files) = { p, m, sh, wr, d }

/* Run-time entries: a file (show set) or, with show NULL, a directory.
 * NULL if the path is taken. proc_remove takes away e and everything
 * below it; open files of it keep their text, new opens get ENOENT. */
struct proc_entry *proc_create(const char *path, umode_t mode, proc_show_t show, proc_write_t write, void *data);
void proc_remove(struct proc_entry *e);

/* sysctl integers (proc_dointvec_minmax): the value, its bounds, and a
 * hook run after a successful write (NULL: none). */
struct sysctl_int {
	int *val;
	int min, max;
	void (*changed)(int *val);
};
int sysctl_int_show(struct sbuf *out, void *data);
int sysctl_int_write(const char *buf, size_t len, void *data);
#define DEFINE_SYSCTL_INT(id, path, var, lo, hi, hook) \
	static struct sysctl_int __sysctl_##id = { &(var), lo, hi, hook }; \
	DEFINE_PROC_FILE(id, "sys/" path, 0644, sysctl_int_show, sysctl_int_write, &__sysctl_##id)
/* Parse up to n whitespace-separated integers of buf (as Linux's
 * proc_dointvec); returns how many, or -EINVAL for anything else. */
int sysctl_parse_ints(const char *buf, size_t len, long long *out, int n);
#endif
