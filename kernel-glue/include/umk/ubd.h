/* ubd block devices: the host side (drivers-virtual/ubd/host/) opens and
 * locks the image files named by ubdN= options at boot and does the I/O;
 * the kernel side (drivers-virtual/ubd/ubd.c) makes /dev/ubda.. nodes.
 * Host-agnostic types only. Errors are -errno. */
#ifndef UMK_UBD_H
#define UMK_UBD_H
#include <umk/types.h>

#define UBD_MAX 16
#define UBD_MAJOR 98
#define UBD_SECTOR 512

/* Command line: opt is the whole word ("ubd0r=cow,img"); NULL on
 * success, or what was expected (a one-line message for the caller). */
const char *ubd_host_option(const char *opt);

bool ubd_host_present(int n);
bool ubd_host_readonly(int n);
uint64_t ubd_host_size(int n);		/* bytes */
/* Positional I/O within [0, size); short at the end of the device. */
ssize_t ubd_host_pread(int n, void *buf, size_t len, uint64_t off);
ssize_t ubd_host_pwrite(int n, const void *buf, size_t len, uint64_t off);
int ubd_host_flush(int n);		/* fdatasync the image (and COW) */

/* Kernel side: register /dev/ubdX nodes (called from devfs_init). */
void ubd_init(void);
/* The ubd index of a block device number, or -ENXIO. */
int ubd_index_of_rdev(uint64_t rdev);
#endif
