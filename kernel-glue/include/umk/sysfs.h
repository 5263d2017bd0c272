/* sysfs attribute files: small text files whose contents the kernel
 * makes when they are read (show) and takes when they are written
 * (store), as Linux's /sys. Objects put their attributes in directories
 * they create (e.g. /sys/class/net/eth0, kernel-glue/net/core/net-sysfs.c).
 * Paths are relative to the sysfs root, without a leading '/'. */
#ifndef UMK_SYSFS_H
#define UMK_SYSFS_H
#include <umk/kernel.h>

struct sysfs_attr {
	const char *name;
	umode_t mode;		/* 0444, or 0644 with store */
	/* The text a read returns, made once per open at the first read;
	 * 0 or -errno (the read fails with it, as Linux's EINVAL for the
	 * carrier of a device that is down). */
	int (*show)(void *obj, struct sbuf *out);
	/* One write(2), whole: 0 or -errno. */
	int (*store)(void *obj, const char *buf, size_t len);
};

/* Make the directory path and any missing parents: 0 or -errno. */
int sysfs_mkdir(const char *path);
/* Attribute attr of obj in directory dir (made first if missing). */
int sysfs_create_file(const char *dir, const struct sysfs_attr *attr, void *obj);
/* Remove path (a directory with everything in it, or one attribute) when
 * its object goes: 0 or -ENOENT. Files still open read as ENODEV. */
int sysfs_remove(const char *path);
#endif
