/* Helpers shared inside kernel-glue/fs only. */
#ifndef UMK_FS_INTERNAL_H
#define UMK_FS_INTERNAL_H
#include <umk/fs.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif
#ifndef NAME_MAX
#define NAME_MAX 255
#endif

struct nameidata {
	struct path path;	/* where the walk is */
	struct path root;	/* the process root: ".." stops here */
	int links;		/* symlinks followed so far */
};
int nd_init(struct nameidata *nd, int dfd, const char *name);
void nd_release(struct nameidata *nd);
int walk_parent(struct nameidata *nd, const char *s, char *last, int *type, bool *trailing);
int nd_walk_last(struct nameidata *nd, const char *last, int type, bool follow, bool trailing);
int nd_read_link(struct nameidata *nd, struct inode *link, char **body);
int lookup_one(const struct path *dir, const char *name, struct path *out);
void follow_mounts(struct path *p);
int last_type(const char *name);

/* open flags that only make sense at open time */
#define OPEN_ONLY_FLAGS (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC)
/* dentry_open without the permission check (exec, kernel opens) */
struct file *dentry_open_noperm(const struct path *p, unsigned flags);

int create_pipe_files(struct file **res, int flags);
long pipe_fcntl(struct file *f, unsigned cmd, unsigned long arg);	/* F_[GS]ETPIPE_SZ */
/* The pipe ring for splice/tee/vmsplice (pipe.c says what each does). */
bool file_is_pipe(struct file *f);
bool pipe_same(struct file *a, struct file *b);
long pipe_wait_data(struct file *f, bool nonblock);
long pipe_wait_space(struct file *f, bool nonblock);
size_t pipe_peek(struct file *f, void *buf, size_t n, size_t skip);
void pipe_consume(struct file *f, size_t n);
size_t pipe_push(struct file *f, const void *buf, size_t n);
size_t pipe_queued(struct file *f);
ssize_t rw_user(struct file *f, uaddr_t ubuf, size_t n, loff_t *pos, bool write);

long fcntl_lock(struct file *f, unsigned cmd, uaddr_t arg);	/* locks.c */

/* Syscall helpers */
int user_path_at(int dfd, uaddr_t upath, unsigned flags, struct path *out);
struct file *fget_raw(int fd);		/* O_PATH files too */
#endif
