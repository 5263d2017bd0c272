/* Capture of every frame through the switch as a pcap stream, produced by
 * libpcap's dumper. The bytes go through a bounded in-memory buffer to a
 * non-blocking fd, so a slow or vanished reader (`-pcap - | tcpdump -r -`,
 * a fifo) costs capture records, never switching. */
#ifndef UMK_SWITCH_PCAPW_H
#define UMK_SWITCH_PCAPW_H

#include <stddef.h>
#include <stdint.h>

struct pcapw;

#define PCAPW_DEFAULT_BUFFER (8u << 20)

/* path "-" means stdout. A fifo blocks here until a reader opens it. */
struct pcapw *pcapw_open(const char *path, size_t buffer_max, char *err, size_t errlen);
/* Record one frame (timestamped now). */
void pcapw_frame(struct pcapw *w, const void *frame, size_t len);
int pcapw_fd(const struct pcapw *w);
/* Whether the fd can wait in epoll (pipe, fifo, socket, tty; not a file). */
int pcapw_pollable(const struct pcapw *w);
/* Bytes accepted from libpcap but not yet written to the fd. */
size_t pcapw_pending(const struct pcapw *w);
/* Write what the fd takes now. 0 = fine, -1 = the reader is gone or the
 * file failed: the caller should stop capturing (pcapw_close). */
int pcapw_flush_io(struct pcapw *w);
uint64_t pcapw_frames(const struct pcapw *w);
uint64_t pcapw_dropped(const struct pcapw *w);
/* Flush what can be flushed (blocking) and close. */
void pcapw_close(struct pcapw *w);

#endif
