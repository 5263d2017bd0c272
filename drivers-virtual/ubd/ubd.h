/* ubd block devices, the interface between the driver's two halves: the
 * host half (host/) opens and locks the image files named by ubdN=
 * options and does the I/O, one host thread per device; the kernel half
 * (ubd.c, ubd_req.c) registers /dev/ubda.. with the block layer and
 * turns its requests into host requests. Host-agnostic types only.
 * Errors are -errno. */
#ifndef UBD_H
#define UBD_H
#include <umk/types.h>

#define UBD_MAX 16
#define UBD_MAJOR 98

/* ---- host half ---- */
/* ubdN[rsdct]=... (the option, or mconsole's config at run time): open
 * and lock the image; NULL with *n the device, or why not. */
const char *ubd_host_config(const char *word, int *n);
/* What device n is on: "FILE" or "COW,BACKING", into buf. */
void ubd_host_describe(int n, char *buf, size_t len);
/* Device n goes (hot-unplug, nothing in flight): its thread is joined,
 * its files closed. */
void ubd_host_remove(int n);
void ubd_host_thread_stop(int n);
bool ubd_host_present(int n);
bool ubd_host_readonly(int n);
uint64_t ubd_host_size(int n);		/* bytes */

/* One request, between the kernel half and a device's host I/O thread
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
/* Run a request here and now (the synchronous host I/O). Positional I/O
 * within [0, size), short at the end; a flush fdatasyncs the image (and
 * COW file). */
ssize_t ubd_host_do(struct ubd_req *r);
/* A read served on the calling thread from the host's page cache, when
 * the device's I/O thread has nothing in hand (so the COW bitmap is not
 * being written): its result, or -EAGAIN (not all cached, or busy: queue
 * it). The data of most reads of a warm image is in the host's page
 * cache, and a hand-off to the thread costs two context switches. */
ssize_t ubd_host_try_cached(struct ubd_req *r);
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

/* ---- kernel half (ubd_req.c) ----
 * Blocking I/O on device n: the calling task sleeps while the device's
 * host thread works (other tasks run); where no task can sleep (boot, an
 * interrupt handler, halt) it is done at once, after the requests queued
 * before it. Requests on one device complete in order, so a flush covers
 * every write before it. */
ssize_t ubd_read(int n, void *buf, size_t len, uint64_t off);
ssize_t ubd_write(int n, const void *buf, size_t len, uint64_t off);
int ubd_flush(int n);
void ubd_req_init(int n);	/* device n's host thread and interrupt */
void ubd_req_exit(int n);	/* and their end (hot-unplug) */
/* ubd.c: device n (its host side open) becomes /dev/ubdX, or goes
 * (-EBUSY while open or mounted). */
int ubd_add(int n);
int ubd_del(int n);
#endif
