/* File change notification: the one layer the VFS reports to (open,
 * read, write, close, attribute changes, names made, removed and moved,
 * unmount), and that listeners (inotify) hang marks on. Event bits are
 * inotify's IN_* values, as Linux's FS_* are.
 *
 * The hooks are inline and cost one pointer test per inode involved when
 * nothing is watched: an inode with marks has i_fsnotify set. Events on a
 * child are also reported to its parent directory's marks with the
 * child's name (the parent is the dentry's parent: the path the object
 * was reached by), as Linux does for FS_EVENTS_POSS_ON_CHILD. */
#ifndef UMK_FSNOTIFY_H
#define UMK_FSNOTIFY_H
#include <umk/fs.h>
#include <linux/inotify.h>

/* events a parent hears about its children */
#define FSN_ON_CHILD (IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN)

/* A listener's mark on one inode (holds a reference to it). */
struct fsnotify_mark;
struct fsnotify_mark_ops {
	/* an event the mark's mask selected: mask includes IN_ISDIR for
	 * directories; name is NULL for events on the inode itself */
	void (*event)(struct fsnotify_mark *m, uint32_t mask, const char *name, uint32_t cookie);
	/* the mark is off its inode (removed, or the inode is gone): the
	 * listener frees it (inotify queues IN_IGNORED first) */
	void (*detached)(struct fsnotify_mark *m);
};
struct fsnotify_mark {
	struct list_head i_list;	/* on the inode's marks */
	struct inode *inode;
	const struct fsnotify_mark_ops *ops;
	uint32_t mask;			/* IN_* events plus IN_EXCL_UNLINK/IN_ONESHOT */
};
struct fsnotify_conn { struct list_head marks; };

/* attach m (ops, mask set) to inode: takes an inode reference */
void fsnotify_add_mark(struct fsnotify_mark *m, struct inode *inode);
/* take m off its inode and call its detached op */
void fsnotify_remove_mark(struct fsnotify_mark *m);

/* ---- the slow paths (fs/fsnotify.c) ---- */
void __fsnotify_file(struct file *f, uint32_t mask);
void __fsnotify_close(struct file *f);
/* Per effective uid counts of a notification API's groups and marks
 * (inotify's instances and watches, fanotify's groups and marks), which
 * its sysctls limit; each API keeps its own list of them. */
struct fsnotify_user {
	struct list_head list;
	uid_t uid;
	int groups, marks;
};
struct fsnotify_user *fsnotify_user_get(struct list_head *users, uid_t uid);
void fsnotify_user_put_if_idle(struct fsnotify_user *u);
/* The default per-user mark limit as Linux sizes it: 1 % of memory at
 * cost bytes a mark, between 8192 and 1048576. */
int fsnotify_marks_for_memory(unsigned cost);

void __fsnotify_change(struct dentry *d, unsigned ia_valid);
void __fsnotify_attrib(struct dentry *d);
void __fsnotify_name(struct inode *dir, uint32_t mask, const char *name, struct inode *child, uint32_t cookie);
void __fsnotify_inode(struct inode *inode, uint32_t mask);
void __fsnotify_gone(struct inode *inode);
void fsnotify_sb_delete(struct super_block *sb);

static inline bool fsnotify_watched(const struct inode *i) { return i && i->i_fsnotify; }

/* fanotify marks (on inodes, mounts, filesystems) anywhere: file events
 * then go to fanotify_file_event (fs/fanotify.c) */
extern int fanotify_marks_active;
void fanotify_file_event(struct file *f, uint32_t mask);
void fanotify_sb_delete(struct super_block *sb);
void fanotify_mnt_delete(struct vfsmount *mnt);
bool fanotify_pins_mount(struct vfsmount *mnt);	/* an unread event is on it */
/* permission events (fanotify content classes): 0 or -EPERM / -ERESTARTSYS */
int fanotify_perm(struct file *f, uint32_t mask);
int __fsnotify_open_perm(struct file *f);
/* f_flags bit for a kernel open that must not be reported (the files
 * fanotify hands its reader), as Linux's __FMODE_NONOTIFY */
#define O_FSNOTIFY_NONOTIFY 0x4000000
/* f_flags bit for exec's open: the open event is also FAN_OPEN_EXEC */
#define O_FSNOTIFY_EXEC 0x8000000
#define FSN_OPEN_EXEC 0x1000	/* FAN_OPEN_EXEC; inotify has no such event */

static inline bool fsnotify_dentry_watched(const struct dentry *d)
{
	return d && (fsnotify_watched(d->d_inode) || (d->d_parent != d && fsnotify_watched(d->d_parent->d_inode)));
}

static inline bool fsnotify_file_watched(const struct file *f)
{
	return !(f->f_mode & FMODE_NONOTIFY) && (fanotify_marks_active || fsnotify_dentry_watched(f->f_path.dentry));
}

/* May f be opened / read? Asked before the filesystem's open and before
 * each read (FAN_OPEN_PERM, FAN_OPEN_EXEC_PERM, FAN_ACCESS_PERM). */
static inline int fsnotify_open_perm(struct file *f)
{
	if (!fanotify_marks_active || (f->f_flags & (O_FSNOTIFY_NONOTIFY | O_PATH)))
		return 0;
	return __fsnotify_open_perm(f);
}
static inline int fsnotify_access_perm(struct file *f)
{
	if (!fanotify_marks_active || (f->f_mode & FMODE_NONOTIFY))
		return 0;
	return fanotify_perm(f, 0x00020000 /* FAN_ACCESS_PERM */);
}

/* A file was opened (O_PATH too: it keeps the inode open; no event). */
static inline void fsnotify_open(struct file *f)
{
	f->f_mode |= FMODE_NOTIFY;
	f->f_inode->i_openers++;
	uint32_t mask = IN_OPEN;
	if (f->f_flags & (O_FSNOTIFY_NONOTIFY | O_FSNOTIFY_EXEC)) {
		if (f->f_flags & O_FSNOTIFY_NONOTIFY)
			f->f_mode |= FMODE_NONOTIFY;
		if (f->f_flags & O_FSNOTIFY_EXEC)
			mask |= FSN_OPEN_EXEC;
		f->f_flags &= ~(O_FSNOTIFY_NONOTIFY | O_FSNOTIFY_EXEC);
	}
	if (!(f->f_flags & O_PATH) && fsnotify_file_watched(f))
		__fsnotify_file(f, mask);
}
static inline void fsnotify_access(struct file *f)
{
	if (fsnotify_file_watched(f))
		__fsnotify_file(f, IN_ACCESS);
}
static inline void fsnotify_modify(struct file *f)
{
	if (fsnotify_file_watched(f))
		__fsnotify_file(f, IN_MODIFY);
}
/* the last reference to an opened file went away */
static inline void fsnotify_close(struct file *f)
{
	if (!(f->f_mode & FMODE_NOTIFY))
		return;
	f->f_inode->i_openers--;
	if (fsnotify_file_watched(f) || fsnotify_watched(f->f_inode))
		__fsnotify_close(f);
}
/* setattr succeeded with these ATTR_* bits */
static inline void fsnotify_change(struct dentry *d, unsigned ia_valid)
{
	if (fsnotify_dentry_watched(d))
		__fsnotify_change(d, ia_valid);
}
/* an extended attribute (or ACL) was set or removed */
static inline void fsnotify_attrib(struct dentry *d)
{
	if (fsnotify_dentry_watched(d))
		__fsnotify_attrib(d);
}
/* a name appeared in dir (create, mkdir, mknod, symlink) */
static inline void fsnotify_create(struct inode *dir, const char *name, bool isdir)
{
	if (fsnotify_watched(dir))
		__fsnotify_name(dir, IN_CREATE | (isdir ? IN_ISDIR : 0), name, NULL, 0);
}
/* a hard link to inode was made in dir */
static inline void fsnotify_link(struct inode *dir, const char *name, struct inode *inode)
{
	if (fsnotify_watched(inode))
		__fsnotify_inode(inode, IN_ATTRIB);
	fsnotify_create(dir, name, false);
}
/* name (inode victim) left dir by unlink/rmdir: IN_ATTRIB on a file
 * whose link count dropped, IN_DELETE_SELF once nothing holds it, then
 * IN_DELETE on dir, in Linux's order */
static inline void fsnotify_remove(struct inode *dir, const char *name, struct inode *victim)
{
	if (!fsnotify_watched(dir) && !fsnotify_watched(victim))
		return;
	bool isdir = S_ISDIR(victim->i_mode);
	if (!isdir && fsnotify_watched(victim))
		__fsnotify_inode(victim, IN_ATTRIB);
	__fsnotify_gone(victim);
	if (fsnotify_watched(dir))
		__fsnotify_name(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), name, NULL, 0);
}
/* oname in odir became nname in ndir; target (or NULL) was replaced */
void __fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		     struct inode *moved, struct inode *target);
static inline void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
				 struct inode *moved, struct inode *target)
{
	if (fsnotify_watched(odir) || fsnotify_watched(ndir) || fsnotify_watched(moved) || fsnotify_watched(target))
		__fsnotify_move(odir, oname, ndir, nname, moved, target);
}
/* the inode may have lost its last name and opener */
static inline void fsnotify_gone(struct inode *inode)
{
	if (fsnotify_watched(inode))
		__fsnotify_gone(inode);
}
#endif
