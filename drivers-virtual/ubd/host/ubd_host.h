/* ubd host side internals: one slot per ubdN= option. */
#ifndef UBD_HOST_H
#define UBD_HOST_H
#include <stdbool.h>
#include <stdint.h>
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
};

extern struct ubd_slot ubd_slots[UBD_MAX];
#endif
