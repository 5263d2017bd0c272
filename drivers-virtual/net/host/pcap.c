/* ethN=pcap,IF[,FILTER[,promisc|nopromisc[,optimize|nooptimize]]]: the
 * card receives what libpcap captures on host interface IF (through the
 * optional filter expression, e.g. "tcp port 80"; promiscuous unless
 * told otherwise), as UML's pcap transport. Like UML's, it only
 * receives: frames the guest sends are refused (counted as tx_errors).
 * Capturing needs CAP_NET_RAW; the interface and the filter are checked
 * at boot, so either being wrong is one line there. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net_host.h"

#define SNAPLEN 65536

struct pcap_port {
	char *ifname, *filter;
	bool promisc, optimize;
	pcap_t *p;
};

struct dispatch {
	struct net_buf *bufs;
	int count, got;
	unsigned *oversize;
};

/* Make and start the capture: NULL, or the error (into err). */
static pcap_t *start(struct pcap_port *c, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(c->ifname, ebuf);
	if (!p) {
		snprintf(err, errlen, "%s", ebuf);
		return NULL;
	}
	pcap_set_snaplen(p, SNAPLEN);
	pcap_set_promisc(p, c->promisc);
	pcap_set_immediate_mode(p, 1);	/* each frame as it comes */
	int r = pcap_activate(p);
	struct bpf_program prog;
	if (r < 0) {
		snprintf(err, errlen, "%s", r == PCAP_ERROR_PERM_DENIED ? "capturing needs CAP_NET_RAW (run umk as root)" :
					       r == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface" : pcap_geterr(p));
	} else if (pcap_setnonblock(p, 1, ebuf) < 0) {
		snprintf(err, errlen, "%s", ebuf);
	} else if (c->filter && (pcap_compile(p, &prog, c->filter, c->optimize, PCAP_NETMASK_UNKNOWN) < 0 ||
				 pcap_setfilter(p, &prog) < 0)) {
		snprintf(err, errlen, "filter '%s': %s", c->filter, pcap_geterr(p));
	} else {
		if (c->filter)
			pcap_freecode(&prog);
		return p;
	}
	pcap_close(p);
	return NULL;
}

static const char *pcap_parse(struct net_if *nif, char **f, int n)
{
	if (n < 1 || !*f[0])
		return "expected pcap,IF[,FILTER[,promisc|nopromisc[,optimize|nooptimize]]]";
	if (n > 4)
		return "too many fields for pcap";
	const char *err = net_check_ifname(f[0]);
	if (err)
		return err;
	struct pcap_port *c = calloc(1, sizeof(*c));
	if (!c)
		return "out of memory";
	c->ifname = strdup(f[0]);
	c->filter = n > 1 && *f[1] ? strdup(f[1]) : NULL;
	c->promisc = c->optimize = true;
	for (int i = 2; i < n; i++) {
		if (!strcmp(f[i], "promisc") || !strcmp(f[i], "nopromisc"))
			c->promisc = f[i][0] == 'p';
		else if (!strcmp(f[i], "optimize") || !strcmp(f[i], "nooptimize"))
			c->optimize = f[i][0] == 'o';
		else if (*f[i])
			return net_err("'%s': expected promisc, nopromisc, optimize or nooptimize", f[i]);
	}
	static char msg[PCAP_ERRBUF_SIZE + 64];
	char e[PCAP_ERRBUF_SIZE + 32];
	pcap_t *p = start(c, e, sizeof(e));
	if (!p) {
		snprintf(msg, sizeof(msg), "%s: %s", c->ifname, e);
		return msg;
	}
	pcap_close(p);
	nif->priv = c;
	snprintf(nif->desc, sizeof(nif->desc), "pcap %s%s%.60s (receive only)", c->ifname, c->filter ? " filter " : "",
		 c->filter ? c->filter : "");
	return NULL;
}

static void pcap_stop(struct net_if *nif)
{
	struct pcap_port *c = nif->priv;
	if (c->p)
		pcap_close(c->p);
	c->p = NULL;
}

static int pcap_start(struct net_if *nif)
{
	struct pcap_port *c = nif->priv;
	char e[PCAP_ERRBUF_SIZE + 32];
	c->p = start(c, e, sizeof(e));
	if (!c->p) {
		net_msg(nif, "%s", e);
		return -EIO;
	}
	return net_open_done(nif, pcap_get_selectable_fd(c->p), 0);
}

static void take(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct dispatch *d = (struct dispatch *)user;
	struct net_buf *b = &d->bufs[d->got++];
	if (h->caplen < h->len || h->caplen > b->len) {
		(*d->oversize)++;
		b->len = 0;
		return;
	}
	memcpy(b->data, bytes, h->caplen);
	b->len = h->caplen;
}

static int pcap_recv(struct net_if *nif, struct net_buf *bufs, int count, unsigned *oversize)
{
	struct pcap_port *c = nif->priv;
	struct dispatch d = { bufs, count, 0, oversize };
	int r = pcap_dispatch(c->p, count, take, (u_char *)&d);
	if (r < 0) {
		net_msg(nif, "capture: %s", pcap_geterr(c->p));
		return d.got ? d.got : -EIO;
	}
	return d.got;
}

static const struct net_transport pcap_transport = {
	.name = "pcap", .parse_eth = pcap_parse, .open = pcap_start, .close = pcap_stop, .recv = pcap_recv,
	/* no send: receive only */
	.max_mtu = SNAPLEN - 14 - 4,
};
NET_TRANSPORT(pcap_transport);
