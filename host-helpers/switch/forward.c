/* The switching decision for one frame: capture, learn, look up, send. */
#include "switch.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static void capture(struct sw *s, const uint8_t *f, size_t len)
{
	pcapw_frame(s->pcap, f, len);
	if (pcapw_flush_io(s->pcap) < 0) {
		sw_log("capture stopped: writing the pcap stream failed: %s "
		       "(%llu frames written; switching goes on)",
		       strerror(errno), (unsigned long long)pcapw_frames(s->pcap));
		pcapw_close(s->pcap);
		s->pcap = NULL;
		return;
	}
	if (pcapw_pending(s->pcap)) /* the reader is slow: finish on EPOLLOUT */
		sw_ep_mod(s, pcapw_fd(s->pcap), EPOLLOUT, ev_key(EK_PCAP, 0));
}

void sw_forward(struct sw *s, unsigned src, const uint8_t *f, size_t len)
{
	struct port *in = &s->port[src];
	in->rx_frames++;
	in->rx_bytes += len;
	s->frames++;
	if (s->pcap)
		capture(s, f, len);
	const uint8_t *dst = f, *smac = f + 6;
	uint64_t now = sw_now_ms();
	if (!s->o.hub) {
		if (!mac_is_group(smac))
			fdb_learn(s->fdb, smac, (int)src, now);
		if (!mac_is_group(dst)) {
			int out = fdb_lookup(s->fdb, dst, now);
			if (out == (int)src) { /* both ends behind the same port */
				s->filtered++;
				return;
			}
			if (out > 0 && s->port[out].kind != PK_FREE) {
				s->cur_src = src; /* unicast may push back on its source */
				sw_port_output(s, (unsigned)out, f, len);
				s->cur_src = 0;
				return;
			}
		}
	}
	s->flooded++;
	for (unsigned i = 1, seen = 0; i <= s->o.max_ports && seen < s->nactive; i++) {
		if (s->port[i].kind == PK_FREE)
			continue;
		seen++;
		if (i != src)
			sw_port_output(s, i, f, len);
	}
}

void sw_port_rx(struct sw *s, unsigned idx)
{
	for (int n = 0; n < SW_RX_BATCH; n++) {
		struct port *p = &s->port[idx];
		if (p->kind == PK_FREE || p->paused)
			return;
		ssize_t r;
		if (p->kind == PK_DAEMON)
			r = recv(p->data_fd, s->rxbuf, UML_SWITCH_FRAME_MAX, MSG_DONTWAIT | MSG_TRUNC);
		else
			r = sw_host_recv(s, p, s->rxbuf, UML_SWITCH_FRAME_MAX);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED) {
				if (p->kind != PK_DAEMON) { /* device or uplink gone */
					char why[96];
					snprintf(why, sizeof why, "receive failed: %s", strerror(errno));
					sw_port_close(s, idx, why);
					return;
				}
				p->rx_bad++;
				if (!p->err_logged) {
					p->err_logged = 1;
					sw_log("port %u (%s): receive failed: %s", idx, p->name, strerror(errno));
				}
			}
			return;
		}
		if (r < 14 || r > UML_SWITCH_FRAME_MAX) { /* runt or truncated */
			p->rx_bad++;
			continue;
		}
		sw_forward(s, idx, s->rxbuf, (size_t)r);
	}
}
