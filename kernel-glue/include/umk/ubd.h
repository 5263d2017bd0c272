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
/* Positional I/O within [0, size); short at the end of the device.
 * Blocking: the calling task sleeps while the device's host I/O thread
 * does the work (other tasks run); where no task can sleep (boot, an
 * interrupt handler, halt) the I/O is done at once, after the requests
 * queued before it. Requests on one device complete in order, so a flush
 * covers every write before it. (Kernel side: drivers-virtual/ubd/ubd_req.c.) */
ssize_t ubd_host_pread(int n, void *buf, size_t len, uint64_t off);
ssize_t ubd_host_pwrite(int n, const void *buf, size_t len, uint64_t off);
int ubd_host_flush(int n);		/* fdatasync the image (and COW) */

/* One request, between the kernel side and a device's host I/O thread
 * (host/ubd_thread.c). The kernel owns it until submitted, the thread
 * until it posts the completion, the kernel again after reaping it. */
enum ubd_op { UBD_OP_READ, UBD_OP_WRITE, UBD_OP_FLUSH };
struct ubd_req {
	int dev;
	enum ubd_op op;
	void *buf;
	size_t len;
	uint64_t off;
	ssize_t result;		/* bytes or -errno (set by whoever ran it) */
	bool done;		/* kernel side: reaped */
};
/* Run a request here and now (the synchronous host I/O). */
ssize_t ubd_host_do(struct ubd_req *r);
/* Start device n's I/O thread: the read end of its completion pipe (an
 * interrupt source for the kernel), or -errno. */
int ubd_host_thread_start(int n);
/* Queue r to its device's thread and yield the host CPU to it: 0, or
 * -errno if the device has no thread. */
int ubd_host_submit(struct ubd_req *r);
/* The oldest completed request of device n, or NULL: none is queued, or
 * (wait false) none has completed yet. wait true blocks the host until
 * one completes. */
struct ubd_req *ubd_host_reap(int n, bool wait);

/* Kernel side: register /dev/ubdX nodes (called from devfs_init). */
void ubd_init(void);
void ubd_req_init(int n);	/* ubd_req.c: device n's thread and interrupt */
/* The ubd index of a block device number, or -ENXIO. */
int ubd_index_of_rdev(uint64_t rdev);
#endif
