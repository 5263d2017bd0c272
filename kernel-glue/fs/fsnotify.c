/* File change notification: marks on inodes and the event dispatch the
 * VFS hooks (umk/fsnotify.h) call when an inode involved is watched.
 * Event order follows Linux's fs/notify: a child's event goes to its
 * parent's marks (with the name) before its own; a rename reports
 * MOVED_FROM, MOVED_TO (one cookie), the replaced target's IN_ATTRIB,
 * then IN_MOVE_SELF; an inode with no name left reports IN_DELETE_SELF
 * when its last opener closes, and its marks go away then. */
#include <umk/fs.h>
#include <umk/fsnotify.h>
#include <umk/mm.h>

/* every inode with marks, for unmount */
struct conn_node {
	struct fsnotify_conn c;
	struct list_head all;
	struct inode *inode;
};
static struct list_head all_conns = LIST_HEAD_INIT(all_conns);
static uint32_t last_cookie;

void fsnotify_add_mark(struct fsnotify_mark *m, struct inode *inode)
{
	if (!inode->i_fsnotify) {
		struct conn_node *n = kzalloc(sizeof(*n));
		INIT_LIST_HEAD(&n->c.marks);
		n->inode = inode;
		list_add_tail(&n->all, &all_conns);
		inode->i_fsnotify = &n->c;
	}
	m->inode = igrab(inode);
	list_add_tail(&m->i_list, &inode->i_fsnotify->marks);
}

void fsnotify_remove_mark(struct fsnotify_mark *m)
{
	struct inode *inode = m->inode;
	list_del(&m->i_list);
	if (list_empty(&inode->i_fsnotify->marks)) {
		struct conn_node *n = container_of(inode->i_fsnotify, struct conn_node, c);
		list_del(&n->all);
		kfree(n);
		inode->i_fsnotify = NULL;
	}
	m->ops->detached(m);	/* may free m */
	iput(inode);
}

/* Deliver to the marks of inode that want mask. The marks are taken as
 * they are first: a listener may drop its own mark (IN_ONESHOT). */
static void notify(struct inode *inode, uint32_t mask, const char *name, uint32_t cookie, bool unlinked)
{
	if (!inode->i_fsnotify)
		return;
	struct fsnotify_mark *stack[16], **v = stack, *m;
	int n = 0;
	list_for_each_entry(m, &inode->i_fsnotify->marks, i_list)
		n++;
	if (n > 16)
		v = kmalloc(n * sizeof(*v));
	n = 0;
	list_for_each_entry(m, &inode->i_fsnotify->marks, i_list)
		v[n++] = m;
	igrab(inode);
	for (int k = 0; k < n; k++) {
		m = v[k];
		if (!(m->mask & mask & (IN_ALL_EVENTS | IN_UNMOUNT)))
			continue;
		if (unlinked && (m->mask & IN_EXCL_UNLINK))
			continue;
		m->ops->event(m, mask, name, cookie);
	}
	iput(inode);
	if (v != stack)
		kfree(v);
}

static uint32_t isdir_bit(struct inode *i) { return S_ISDIR(i->i_mode) ? IN_ISDIR : 0; }

/* An event on the object d names: its parent's marks first, then its own. */
static void dentry_event(struct dentry *d, uint32_t mask)
{
	struct inode *inode = d->d_inode;
	mask |= isdir_bit(inode);
	bool unlinked = inode->i_nlink == 0;
	if (d->d_parent != d && (mask & FSN_ON_CHILD))
		notify(d->d_parent->d_inode, mask, d->d_name, 0, unlinked);
	notify(inode, mask, NULL, 0, unlinked);
}

void __fsnotify_file(struct file *f, uint32_t mask)
{
	if (fsnotify_dentry_watched(f->f_path.dentry))
		dentry_event(f->f_path.dentry, mask);
	if (fanotify_marks_active)
		fanotify_file_event(f, mask);
}

void __fsnotify_close(struct file *f)
{
	struct inode *inode = f->f_inode;
	if (!(f->f_flags & O_PATH) && !(f->f_mode & FMODE_NONOTIFY))
		__fsnotify_file(f, (f->f_mode & FMODE_WRITE) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
	fsnotify_gone(inode);
}

/* As Linux's fsnotify_change: what a setattr means to a watcher. */
struct fsnotify_user *fsnotify_user_get(struct list_head *users, uid_t uid)
{
	struct fsnotify_user *u;
	list_for_each_entry(u, users, list)
		if (u->uid == uid)
			return u;
	u = kzalloc(sizeof(*u));
	u->uid = uid;
	list_add(&u->list, users);
	return u;
}

void fsnotify_user_put_if_idle(struct fsnotify_user *u)
{
	if (!u->groups && !u->marks) {
		list_del(&u->list);
		kfree(u);
	}
}

int fsnotify_marks_for_memory(unsigned cost)
{
	uint64_t total, free;
	mem_get_stats(&total, &free);
	uint64_t n = ((total / 100) * PAGE_SIZE) / cost;
	return n < 8192 ? 8192 : n > 1048576 ? 1048576 : (int)n;
}

void __fsnotify_attrib(struct dentry *d)
{
	dentry_event(d, IN_ATTRIB);
}

void __fsnotify_change(struct dentry *d, unsigned valid)
{
	uint32_t mask = 0;
	if (valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if (valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	if ((valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	if (mask)
		dentry_event(d, mask);
}

void __fsnotify_name(struct inode *dir, uint32_t mask, const char *name, struct inode *child __unused, uint32_t cookie)
{
	notify(dir, mask, name, cookie, false);
}

void __fsnotify_inode(struct inode *inode, uint32_t mask)
{
	notify(inode, mask | isdir_bit(inode), NULL, 0, false);
}

static void remove_all_marks(struct inode *inode)
{
	while (inode->i_fsnotify)
		fsnotify_remove_mark(list_first_entry(&inode->i_fsnotify->marks, struct fsnotify_mark, i_list));
}

/* No name and no opener left: the object is gone for its watchers. */
void __fsnotify_gone(struct inode *inode)
{
	if (!inode->i_fsnotify || inode->i_nlink || inode->i_openers > 0)
		return;
	igrab(inode);
	notify(inode, IN_DELETE_SELF, NULL, 0, false);	/* no IN_ISDIR here on Linux */
	remove_all_marks(inode);
	iput(inode);
}

void __fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		     struct inode *moved, struct inode *target)
{
	uint32_t cookie = ++last_cookie;
	if (!cookie)
		cookie = ++last_cookie;
	uint32_t isdir = isdir_bit(moved);
	notify(odir, IN_MOVED_FROM | isdir, oname, cookie, false);
	notify(ndir, IN_MOVED_TO | isdir, nname, cookie, false);
	if (target && target->i_fsnotify)
		__fsnotify_inode(target, IN_ATTRIB);
	if (moved->i_fsnotify)
		__fsnotify_inode(moved, IN_MOVE_SELF);
	if (target)
		fsnotify_gone(target);
}

/* The filesystem is going away: IN_UNMOUNT, then the marks go. Linux
 * walks the superblock's inodes newest first; inode numbers stand in for
 * that age here. */
void fsnotify_sb_delete(struct super_block *sb)
{
	if (fanotify_marks_active)
		fanotify_sb_delete(sb);
	for (;;) {
		struct conn_node *n, *found = NULL;
		list_for_each_entry(n, &all_conns, all)
			if (n->inode->i_sb == sb && (!found || n->inode->i_ino > found->inode->i_ino))
				found = n;
		if (!found)
			return;
		struct inode *inode = igrab(found->inode);
		__fsnotify_inode(inode, IN_UNMOUNT);
		remove_all_marks(inode);
		iput(inode);
	}
}
