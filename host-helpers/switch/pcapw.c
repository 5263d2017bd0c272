#include "pcapw.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

struct pcapw {
	int fd;
	int own_fd;
	pcap_t *dead;
	pcap_dumper_t *dumper;
	FILE *f;
	char *buf;        /* bytes waiting for the fd: buf[head .. len) */
	size_t head, len, cap, max;
	uint64_t frames, dropped;
	int failed;
};

/* fopencookie write hook: libpcap's bytes land here. Flushing after each
 * record makes every call one whole record (or the file header), so when
 * the buffer is full we drop whole records and the stream stays valid. */
static ssize_t cookie_write(void *c, const char *data, size_t size)
{
	struct pcapw *w = c;
	if (w->failed)
		return (ssize_t)size;
	if (w->len - w->head + size > w->max) {
		w->dropped++;
		return (ssize_t)size;
	}
	if (w->head && w->len + size > w->cap) { /* compact */
		memmove(w->buf, w->buf + w->head, w->len - w->head);
		w->len -= w->head;
		w->head = 0;
	}
	if (w->len + size > w->cap) {
		size_t nc = w->cap ? w->cap : 65536;
		while (nc < w->len + size)
			nc *= 2;
		char *nb = realloc(w->buf, nc);
		if (!nb) {
			w->dropped++;
			return (ssize_t)size;
		}
		w->buf = nb;
		w->cap = nc;
	}
	memcpy(w->buf + w->len, data, size);
	w->len += size;
	return (ssize_t)size;
}

static int cookie_close(void *c)
{
	(void)c;
	return 0;
}

struct pcapw *pcapw_open(const char *path, size_t buffer_max, char *err, size_t errlen)
{
	struct pcapw *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->max = buffer_max ? buffer_max : PCAPW_DEFAULT_BUFFER;
	if (strcmp(path, "-") == 0) {
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		w->own_fd = 1;
		if (w->fd < 0) {
			snprintf(err, errlen, "pcap %s: %s", path, strerror(errno));
			free(w);
			return NULL;
		}
	}
	struct stat st;
	if (fstat(w->fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
	cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };
	w->f = fopencookie(w, "w", io);
	w->dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!w->f || !w->dead) {
		snprintf(err, errlen, "pcap %s: cannot set up dumper", path);
		goto fail;
	}
	setvbuf(w->f, NULL, _IOFBF, 256 * 1024);
	w->dumper = pcap_dump_fopen(w->dead, w->f);
	if (!w->dumper) {
		snprintf(err, errlen, "pcap %s: %s", path, pcap_geterr(w->dead));
		goto fail;
	}
	w->f = NULL; /* owned by the dumper now */
	pcap_dump_flush(w->dumper);
	if (pcapw_flush_io(w) < 0) {
		snprintf(err, errlen, "pcap %s: %s", path, strerror(errno));
		goto fail;
	}
	return w;
fail:
	if (w->dumper)
		pcap_dump_close(w->dumper);
	else if (w->f)
		fclose(w->f);
	if (w->dead)
		pcap_close(w->dead);
	if (w->own_fd)
		close(w->fd);
	free(w->buf);
	free(w);
	return NULL;
}

void pcapw_frame(struct pcapw *w, const void *frame, size_t len)
{
	struct pcap_pkthdr h;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	h.ts = tv;
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(len > 65535 ? 65535 : len);
	uint64_t before = w->dropped;
	pcap_dump((u_char *)w->dumper, &h, frame);
	pcap_dump_flush(w->dumper);
	if (w->dropped == before)
		w->frames++;
}

int pcapw_pollable(const struct pcapw *w)
{
	struct stat st;
	return fstat(w->fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode));
}

int pcapw_fd(const struct pcapw *w)
{
	return w->fd;
}

size_t pcapw_pending(const struct pcapw *w)
{
	return w->len - w->head;
}

int pcapw_flush_io(struct pcapw *w)
{
	while (w->head < w->len) {
		ssize_t n = write(w->fd, w->buf + w->head, w->len - w->head);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			w->failed = 1;
			return -1;
		}
		w->head += (size_t)n;
	}
	w->head = w->len = 0;
	return 0;
}

uint64_t pcapw_frames(const struct pcapw *w)
{
	return w->frames;
}

uint64_t pcapw_dropped(const struct pcapw *w)
{
	return w->dropped;
}

void pcapw_close(struct pcapw *w)
{
	if (!w)
		return;
	pcap_dump_flush(w->dumper);
	/* Last chance for a slow pipe reader: wait up to a second, never
	 * forever, so exit stays prompt. */
	for (int i = 0; i < 10 && !w->failed && pcapw_pending(w); i++) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLOUT };
		poll(&pfd, 1, 100);
		if (pcapw_flush_io(w) < 0)
			break;
	}
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
	if (w->own_fd)
		close(w->fd);
	free(w->buf);
	free(w);
}
