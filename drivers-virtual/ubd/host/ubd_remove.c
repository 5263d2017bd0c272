/* Hot-unplug, host side: a removed device's I/O thread is joined and its
 * files closed (which drops their locks, so another instance may take
 * the image at once); the slot is free for a later config ubdN=. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ubd_host.h"

void ubd_host_describe(int n, char *buf, size_t len)
{
	const struct ubd_slot *s = &ubd_slots[n];
	if (s->cow)
		snprintf(buf, len, "%s,%s", s->file, s->backing);
	else
		snprintf(buf, len, "%s", s->file);
}

void ubd_host_remove(int n)
{
	struct ubd_slot *s = &ubd_slots[n];
	if (!s->present)
		return;
	ubd_host_thread_stop(n);
	if (s->cow) {
		if (s->cow->backing_fd >= 0)
			close(s->cow->backing_fd);
		cow_close(s->cow);
		free(s->cow);
	}
	close(s->fd);
	free((char *)s->file);	/* the option's copy; backing points into it */
	free(s->backing_alloc);
	memset(s, 0, sizeof(*s));
}
