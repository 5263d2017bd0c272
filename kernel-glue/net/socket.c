/* The socket syscall layer: socket objects and their files (sockfs),
 * family dispatch, addresses, and the connection syscalls. Families
 * register themselves (DEFINE_NET_FAMILY in umk/net.h). Data calls and
 * control messages are in msg.c, SOL_SOCKET options in sockopt.c. */
#include <umk/net.h>
#include <umk/fdtable.h>
#include <umk/sched.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <umk/netdevice.h>
#include <asm/ioctls.h>
#include "sock_internal.h"

umk_section_declare(const struct net_family *const, umk_net_families);

/* The registered family, or NULL; two for one number stop the boot. */
static const struct net_family *find_family(int family)
{
	const struct net_family *found = NULL;
	umk_section_foreach(const struct net_family *const, umk_net_families, f) {
		if ((*f)->family != family)
			continue;
		if (found)
			panic("address family %d is registered twice", family);
		found = *f;
	}
	return found;
}

bool net_family_registered(int family)
{
	return find_family(family) != NULL;
}

static struct super_block sockfs_sb = { .s_type = "sockfs", .s_dev = 0x08, .s_magic = 0x534F434B };
static uint64_t next_ino = 20000;

struct socket *sock_alloc(int family, int type, int protocol)
{
	struct socket *s = kzalloc(sizeof(*s));
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->sndbuf = s->rcvbuf = SOCK_DEFAULT_BUF;
	s->rcvlowat = 1;
	s->peercred = (struct kucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	return s;
}

void sock_free(struct socket *s)
{
	kfree(s->filter);
	kfree(s);
}

static void sock_release_all(struct socket *s)
{
	if (s->ops && s->ops->release)
		s->ops->release(s);
	sock_free(s);
}

static ssize_t sock_read(struct file *f, void *buf, size_t n, loff_t *pos __unused)
{
	struct socket *s = f->private_data;
	struct kmsg m = { .it = { .kbuf = buf, .len = n } };
	ssize_t r = s->ops->recvmsg(s, &m, (f->f_flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
	scm_destroy(&m.scm);	/* read(2) drops any passed files, as Linux */
	sbuf_free(&m.cmsgs);
	return r;
}

static ssize_t sock_write(struct file *f, const void *buf, size_t n, loff_t *pos __unused)
{
	struct socket *s = f->private_data;
	struct kmsg m = { .it = { .kbuf = (char *)buf, .len = n } };
	scm_current_creds(&m.scm.creds);
	m.scm.has_creds = true;
	return s->ops->sendmsg(s, &m, (f->f_flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct socket *s = f->private_data;
	return s->ops->poll ? s->ops->poll(f, s, pt) : DEFAULT_POLLMASK;
}

/* The family's ioctls first; what it does not know (-ENOIOCTLCMD) may
 * be a device ioctl, which any socket takes (SIOCGIFINDEX, ...). */
static long sock_ioctl(struct file *f, unsigned cmd, unsigned long arg)
{
	struct socket *s = f->private_data;
	long r = s->ops->ioctl ? s->ops->ioctl(s, cmd, arg) : -ENOIOCTLCMD;
	return r == -ENOIOCTLCMD ? dev_ioctl(cmd, arg) : r;
}

static int sock_mmap(struct file *f, uint64_t pgoff, uint64_t len)
{
	struct socket *s = f->private_data;
	return s->ops->mmap ? s->ops->mmap(s, pgoff, len) : -ENODEV;
}

static bool sock_map_page(struct file *f, uint64_t pgoff, uint64_t *pfn)
{
	struct socket *s = f->private_data;
	return s->ops->map_page && s->ops->map_page(s, pgoff, pfn);
}

static void sock_file_release(struct inode *inode __unused, struct file *f)
{
	struct socket *s = f->private_data;
	if (s)
		sock_release_all(s);
	f->private_data = NULL;
}

static const struct file_operations socket_fops = {
	.read = sock_read, .write = sock_write, .poll = sock_poll,
	.ioctl = sock_ioctl, .release = sock_file_release, .mmap = sock_mmap, .map_page = sock_map_page,
};

struct file *sock_alloc_file(struct socket *s, unsigned flags)
{
	struct inode *inode = new_inode(&sockfs_sb);
	inode->i_ino = next_ino++;
	inode->i_mode = S_IFSOCK | 0777;
	inode->i_nlink = 1;
	inode->i_uid = current ? current->cred.fsuid : 0;
	inode->i_gid = current ? current->cred.fsgid : 0;
	inode->i_blksize = 4096;
	inode->i_atime = inode->i_mtime = inode->i_ctime = current_time();
	inode->i_fop = &socket_fops;
	inode->i_private = s;
	char name[32];
	snprintf(name, sizeof(name), "socket:[%llu]", (unsigned long long)inode->i_ino);
	struct path path = { NULL, d_alloc(NULL, name, inode) };	/* takes our inode ref */
	struct file *f = alloc_file(&path, inode, O_RDWR | (flags & O_NONBLOCK), &socket_fops);
	f->f_mode &= ~(FMODE_LSEEK | FMODE_PREAD);
	f->private_data = s;
	s->file = f;
	path_put(&path);
	return f;
}

struct socket *sock_from_file(struct file *f)
{
	return f && f->f_op == &socket_fops ? f->private_data : NULL;
}

/* fd -> socket with a file reference in *fp: -EBADF / -ENOTSOCK. */
struct socket *sockfd_lookup(int fd, struct file **fp, int *err)
{
	struct file *f = fget(fd);
	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	struct socket *s = sock_from_file(f);
	if (!s) {
		fput(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return s;
}

int64_t sock_deadline(struct socket *s, bool nonblock, bool rcv)
{
	if (nonblock)
		return 0;
	int64_t t = rcv ? s->rcvtimeo : s->sndtimeo;
	return t ? ktime_mono_ns() + t : -1;
}

long sock_wait_error(struct socket *s, long err, bool rcv)
{
	if (err == -ETIMEDOUT)
		return -EAGAIN;
	if (err == -ERESTARTSYS && (rcv ? s->rcvtimeo : s->sndtimeo))
		return -EINTR;
	return err;
}

static int sock_create(int family, int type, int protocol, struct socket **res)
{
	int stype = type & SOCK_TYPE_MASK;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (stype <= 0 || stype >= SOCK_MAX)
		return -EINVAL;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	const struct net_family *nf = find_family(family);
	if (!nf)
		return -EAFNOSUPPORT;
	struct socket *s = sock_alloc(family, stype, protocol);
	int err = nf->create(s, protocol);
	if (err) {
		sock_free(s);
		return err;
	}
	*res = s;
	return 0;
}

/* Install a new socket's file; on failure everything is released. */
static int sock_install(struct socket *s, int type)
{
	struct file *f = sock_alloc_file(s, type & SOCK_NONBLOCK);
	int fd = fd_install(f, type & SOCK_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

SYSCALL_DEFINE3(socket, int, family, int, type, int, protocol)
{
	struct socket *s;
	int err = sock_create(family, type, protocol, &s);
	return err ? err : sock_install(s, type);
}

SYSCALL_DEFINE4(socketpair, int, family, int, type, int, protocol, uaddr_t, usv)
{
	struct socket *a, *b;
	int err = sock_create(family, type, protocol, &a);
	if (err)
		return err;
	const struct net_family *nf = find_family(family);
	if (!nf->socketpair) {
		sock_release_all(a);
		return -EOPNOTSUPP;
	}
	err = sock_create(family, type, protocol, &b);
	if (err) {
		sock_release_all(a);
		return err;
	}
	err = nf->socketpair(a, b);
	if (err) {
		sock_release_all(a);
		sock_release_all(b);
		return err;
	}
	struct file *fa = sock_alloc_file(a, type & SOCK_NONBLOCK);
	struct file *fb = sock_alloc_file(b, type & SOCK_NONBLOCK);
	int fds[2];
	fds[0] = fd_install(fa, type & SOCK_CLOEXEC);
	if (fds[0] < 0) {
		fput(fa);
		fput(fb);
		return fds[0];
	}
	fds[1] = fd_install(fb, type & SOCK_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(current->files, fds[0]);
		fput(fb);
		return fds[1];
	}
	if (copy_to_user(usv, fds, sizeof(fds))) {
		fd_close(current->files, fds[0]);
		fd_close(current->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

int move_addr_to_kernel(uaddr_t uaddr, int len, struct ksockaddr *k)
{
	if (len < 0 || len > (int)sizeof(*k))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (len && copy_from_user(k, uaddr, len))
		return -EFAULT;
	return 0;
}

/* Copy an address out: at most *ulen bytes, then its real length. */
int move_addr_to_user(const void *k, int klen, uaddr_t uaddr, uaddr_t ulen)
{
	int len;
	int err = get_user_optlen(ulen, &len);
	if (err)
		return err;
	if (len > klen)
		len = klen;
	if (len && copy_to_user(uaddr, k, len))
		return -EFAULT;
	return copy_to_user(ulen, &klen, sizeof(klen));
}

SYSCALL_DEFINE3(bind, int, fd, uaddr_t, uaddr, int, len)
{
	struct ksockaddr a;
	int err = move_addr_to_kernel(uaddr, len, &a);
	if (err)
		return err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	err = s->ops->bind ? s->ops->bind(s, &a, len) : -EOPNOTSUPP;
	fput(f);
	return err;
}

SYSCALL_DEFINE3(connect, int, fd, uaddr_t, uaddr, int, len)
{
	struct ksockaddr a;
	int err = move_addr_to_kernel(uaddr, len, &a);
	if (err)
		return err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	err = s->ops->connect ? s->ops->connect(s, &a, len, f->f_flags & O_NONBLOCK) : -EOPNOTSUPP;
	fput(f);
	return err;
}

SYSCALL_DEFINE2(listen, int, fd, int, backlog)
{
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if ((unsigned)backlog > 4096)	/* net.core.somaxconn */
		backlog = 4096;
	err = s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
	fput(f);
	return err;
}

static long do_accept4(int fd, uaddr_t uaddr, uaddr_t ulen, int flags)
{
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if (!s->ops->accept) {
		fput(f);
		return -EOPNOTSUPP;
	}
	struct socket *ns = s->ops->accept(s, f->f_flags & O_NONBLOCK, &err);
	fput(f);
	if (!ns)
		return err;
	struct file *nf = sock_alloc_file(ns, flags & SOCK_NONBLOCK);
	if (uaddr) {
		struct ksockaddr a;
		int alen = ns->ops->getname(ns, &a, true);
		err = alen < 0 ? alen : move_addr_to_user(&a, alen, uaddr, ulen);
		if (err) {
			fput(nf);
			return err;
		}
	}
	int nfd = fd_install(nf, flags & SOCK_CLOEXEC);
	if (nfd < 0)
		fput(nf);
	return nfd;
}

SYSCALL_DEFINE3(accept, int, fd, uaddr_t, addr, uaddr_t, len) { return do_accept4(fd, addr, len, 0); }
SYSCALL_DEFINE4(accept4, int, fd, uaddr_t, addr, uaddr_t, len, int, flags) { return do_accept4(fd, addr, len, flags); }

static long do_getname(int fd, uaddr_t uaddr, uaddr_t ulen, bool peer)
{
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	struct ksockaddr a;
	memset(&a, 0, sizeof(a));
	int alen = s->ops->getname ? s->ops->getname(s, &a, peer) : -EOPNOTSUPP;
	fput(f);
	return alen < 0 ? alen : move_addr_to_user(&a, alen, uaddr, ulen);
}

SYSCALL_DEFINE3(getsockname, int, fd, uaddr_t, addr, uaddr_t, len) { return do_getname(fd, addr, len, false); }
SYSCALL_DEFINE3(getpeername, int, fd, uaddr_t, addr, uaddr_t, len) { return do_getname(fd, addr, len, true); }

SYSCALL_DEFINE2(shutdown, int, fd, int, how)
{
	int err;
	struct file *f;
	struct socket *s = sockfd_lookup(fd, &f, &err);
	if (!s)
		return err;
	if (how < SHUT_RD || how > SHUT_RDWR)
		err = -EINVAL;
	else
		err = s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
	fput(f);
	return err;
}
