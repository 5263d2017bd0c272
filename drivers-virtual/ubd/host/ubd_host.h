/* ubd host side internals: one slot per ubdN= option. */
#ifndef UBD_HOST_H
#define UBD_HOST_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "../ubd.h"
#include <wire/cow.h>

struct ubd_slot {
	bool present;
	bool ro, sync, data_only, shared;
	const char *file;	/* the image (or the COW file) */
	const char *backing;	/* backing file of a COW pair, else NULL */
	int fd;
	uint64_t size;
	struct cow_file *cow;	/* COW layer over the backing file, or NULL */
	char *backing_alloc;	/* backing when read from the COW header (ours to free) */
};

extern struct ubd_slot ubd_slots[UBD_MAX];

/* ubd_io.c: a read with RWF_NOWAIT (-EAGAIN unless all cached). */
ssize_t ubd_host_read_cached(struct ubd_req *r);

/* ubd_lock.c: an OFD read or write lock on fd (0 or -errno), and the
 * pid of another process holding a lock on fd's file (0: unknown). */
int ubd_lock(int fd, bool write);
pid_t ubd_lock_holder(int fd);
#endif
