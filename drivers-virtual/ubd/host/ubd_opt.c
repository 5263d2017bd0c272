/* ubdN[rsdct]=[cowfile,]file[,serial] as User-Mode Linux parses it
 * (':' is accepted as the separator too). N is 0-15 or a-p. The image is
 * opened and locked at once, so a bad option, a missing or unusable file
 * or an image in use by another instance stops the boot with one line. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <umk/init.h>
#include "ubd_host.h"

struct ubd_slot ubd_slots[UBD_MAX];
static char msg[512];

static const char *fail(const char *fmt, const char *a, const char *b)
{
	snprintf(msg, sizeof(msg), fmt, a, b);
	return msg;
}

/* Does the file start with the UML COW magic (either byte order)? */
static bool has_cow_magic(int fd)
{
	unsigned char b[4];
	if (pread(fd, b, 4, 0) != 4)
		return false;
	uint32_t be = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	uint32_t le = (uint32_t)b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0];
	return be == COW_MAGIC || le == COW_MAGIC;
}

/* A disk is a regular file or a block device; anything else (a FIFO, a
 * socket, a terminal) is refused before it is opened, since opening it
 * could block or consume someone else's data. */
static const char *check_kind(const char *what, const char *path, bool may_be_missing)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT && may_be_missing)
			return NULL;
		return fail("%s: %s", path, strerror(errno));
	}
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
		return NULL;
	snprintf(msg, sizeof(msg), "%s%s is %s; expected a regular file or block device", what, path,
		 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
		 S_ISSOCK(st.st_mode) ? "a socket" : S_ISCHR(st.st_mode) ? "a character device" : "not a disk image");
	return msg;
}

/* Another process holds a lock on fd's file: say who. */
static const char *locked(const char *path, int fd, const char *how)
{
	pid_t pid = ubd_lock_holder(fd);
	if (pid > 0)
		snprintf(msg, sizeof(msg), "%s is %s by another process (pid %d)", path, how, (int)pid);
	else
		snprintf(msg, sizeof(msg), "%s is %s by another process", path, how);
	return msg;
}

/* fd is the COW file: open its backing file read-only (read lock) and
 * load the header and bitmap; the backing file must match the header. */
static const char *open_cow(struct ubd_slot *s, int fd)
{
	static struct cow_err cerr;
	struct cow_info info;
	if (cow_read_header(fd, s->file, &info, &cerr))
		return cerr.msg;
	const char *backing = s->backing ? s->backing : strdup(info.backing_file);
	const char *err = check_kind("backing file ", backing, false);
	if (err)
		return err;
	int bfd = open(backing, O_RDONLY | O_CLOEXEC);
	if (bfd < 0)
		return fail("backing file %s: %s", backing, strerror(errno));
	if (!s->shared && ubd_lock(bfd, false) < 0) {
		err = locked(backing, bfd, "being written (locked)");
		close(bfd);
		return err;
	}
	struct cow_file *cf = calloc(1, sizeof(*cf));
	if (cow_open(cf, fd, s->file, bfd, backing, &cerr)) {
		close(bfd);
		free(cf);
		return cerr.msg;
	}
	if (!s->backing)
		s->backing_alloc = (char *)backing;
	s->backing = backing;
	s->cow = cf;
	return NULL;
}

/* The image file exists: open it, lock it, read a COW header if any. */
static const char *open_existing(struct ubd_slot *s)
{
	struct stat st;
	int flags = (s->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | (s->sync ? O_SYNC : 0);
	int fd = open(s->file, flags);
	if (fd < 0)
		return fail("cannot open %s: %s", s->file, strerror(errno));
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		close(fd);
		return fail("%s is %s; expected a regular file or block device", s->file,
			    S_ISDIR(st.st_mode) ? "a directory" : "not a disk image");
	}
	uint64_t size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &size) < 0) {
		close(fd);
		return fail("%s: cannot get the device size: %s", s->file, strerror(errno));
	}
	int e = s->shared ? 0 : ubd_lock(fd, !s->ro);
	if (e == -EAGAIN || e == -EACCES) {
		/* never "share it with c": two writers would corrupt it */
		const char *err = locked(s->file, fd, s->ro ? "being written (locked)" : "in use (locked)");
		close(fd);
		return err;
	}
	if (e) {
		close(fd);
		return fail("cannot lock %s: %s", s->file, strerror(-e));
	}
	if (s->backing || (!s->data_only && has_cow_magic(fd))) {
		const char *err = open_cow(s, fd);
		if (err) {
			close(fd);
			return err;
		}
		size = s->cow->info.size;
	}
	s->fd = fd;
	s->size = size;
	return NULL;
}


/* Open (and lock) the image of slot s; on the first boot of a COW pair,
 * create the COW file, and remove it again if anything else fails. */
static const char *open_image(struct ubd_slot *s)
{
	const char *err = check_kind("", s->file, s->backing != NULL);
	if (!err && s->backing)
		err = check_kind("backing file ", s->backing, false);
	if (err)
		return err;
	bool created = false;
	if (s->backing && access(s->file, F_OK) && errno == ENOENT) {
		/* first boot: create the COW file on the backing file */
		int cfd = open(s->file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (cfd < 0)
			return fail("cannot create %s: %s", s->file, strerror(errno));
		static struct cow_err cerr;
		int r = cow_create(cfd, s->file, s->backing, 0, 0, NULL, &cerr);
		close(cfd);
		if (r) {
			unlink(s->file);
			return cerr.msg;
		}
		created = true;
	}
	err = open_existing(s);
	if (err && created)
		unlink(s->file);
	return err;
}

const char *ubd_host_config(const char *opt, int *np)
{
	const char *p = opt + 3;
	int n;
	if (*p >= 'a' && *p <= 'p') {
		n = *p++ - 'a';
	} else if (*p >= '0' && *p <= '9') {
		n = *p++ - '0';
		if (*p >= '0' && *p <= '9')
			n = n * 10 + (*p++ - '0');
		if (n >= UBD_MAX)
			return "expected ubdN=FILE with N from 0 to 15 or a to p";
	} else {
		return "expected ubdN=FILE with N from 0 to 15 or a to p";
	}
	struct ubd_slot s = { 0 };
	for (; *p && *p != '='; p++) {
		switch (*p) {
		case 'r': s.ro = true; break;
		case 's': s.sync = true; break;
		case 'd': s.data_only = true; break;
		case 'c': s.shared = true; break;
		case 't': break;	/* no discard support yet: nothing to turn off */
		default: return "expected flags r, s, d, c or t before '='";
		}
	}
	if (*p != '=' || !p[1])
		return "expected ubdN[rsdct]=[COWFILE,]FILE";
	if (ubd_slots[n].present)
		return "this ubd device is already given";
	*np = n;
	char *val = strdup(p + 1);
	char *second = strpbrk(val, ",:");
	if (second) {
		*second++ = 0;
		char *third = strpbrk(second, ",:");
		if (third)
			*third = 0;	/* serial: accepted, not shown to the guest yet */
		if (!*second) {
			second = NULL;
		}
	}
	if (!*val) {
		free(val);
		return "expected ubdN[rsdct]=[COWFILE,]FILE";
	}
	s.file = val;
	s.backing = second;
	const char *err = open_image(&s);
	if (err) {
		free(val);
		return err;
	}
	s.present = true;
	ubd_slots[n] = s;
	return NULL;
}

static const char *ubd_setup(const char *opt)
{
	int n;
	return ubd_host_config(opt, &n);
}
__setup_prefix(ubd, ubd_setup, "ubdN[rsdct]=[COW,]FILE",
	       "block device /dev/ubdX (N 0-15 or a-p) on a host\n"
	       "image: r read-only, s O_SYNC writes, d no COW\n"
	       "header detection, c no file locking (shared),\n"
	       "t no discard");
