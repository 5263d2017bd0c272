/* Anonymous-inode files: one inode per file on a private pseudo
 * filesystem, like Linux's anon_inodefs (st_mode 0600, no type bits). */
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include "anon_inode.h"

static struct super_block anon_sb = { .s_type = "anon_inodefs", .s_dev = 0x0d, .s_magic = 0x09041934 };
static uint64_t next_ino = 1;

int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv, unsigned flags, bool cloexec)
{
	struct inode *inode = new_inode(&anon_sb);
	inode->i_ino = next_ino++;
	inode->i_mode = 0600;
	inode->i_uid = current->cred.fsuid;
	inode->i_gid = current->cred.fsgid;
	char buf[48];
	snprintf(buf, sizeof(buf), "anon_inode:[%s]", name);
	struct path path = { NULL, d_alloc(NULL, buf, inode) };	/* takes our inode ref */
	struct file *f = alloc_file(&path, inode, O_RDWR | (flags & O_NONBLOCK), fops);
	path_put(&path);
	f->f_mode &= ~FMODE_PREAD;
	f->private_data = priv;
	int fd = fd_install(f, cloexec);
	if (fd < 0) {
		f->f_op = NULL;		/* the caller keeps priv: no release */
		fput(f);
	}
	return fd;
}
