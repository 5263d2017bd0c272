/* Per-process descriptor tables and the root/cwd/umask state. */
#ifndef UMK_FDTABLE_H
#define UMK_FDTABLE_H
#include <umk/fs.h>

struct files_struct {
	int refs;			/* tasks sharing it (CLONE_FILES) */
	unsigned max;			/* slots allocated in fd[] */
	struct file **fd;
	uint64_t *cloexec;		/* bitmap, max bits */
};

struct fs_struct {
	int refs;			/* tasks sharing it (CLONE_FS) */
	struct path root, pwd;
	umode_t umask;
};

/* Install f at the lowest free fd >= start (takes the caller's ref on
 * success); -EMFILE past RLIMIT_NOFILE. */
int fd_install_from(struct files_struct *fs, struct file *f, int start, bool cloexec);
int fd_install(struct file *f, bool cloexec);	/* current->files, from 0 */
/* Replace fd (dup2): closes what was there. */
int fd_replace(struct files_struct *fs, int fd, struct file *f, bool cloexec);
int fd_close(struct files_struct *fs, int fd);
struct file *fd_lookup(struct files_struct *fs, int fd);	/* no ref */
bool fd_get_cloexec(struct files_struct *fs, int fd);
void fd_set_cloexec(struct files_struct *fs, int fd, bool on);
unsigned fd_limit(void);
#endif
