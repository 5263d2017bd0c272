/* umk-switch: shared state of the daemon. One thread, one epoll set; every
 * fd's epoll data names what it is (EK_*) and which port or slot. */
#ifndef UMK_SWITCH_SWITCH_H
#define UMK_SWITCH_SWITCH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/un.h>

#include "wire/uml_switch.h"

#include "delayq.h"
#include "fdb.h"
#include "impair.h"
#include "pcapw.h"

#define SW_MAX_PENDING 64      /* control connections still sending a request */
#define SW_PENDING_TIMEOUT_MS 5000
#define SW_MAX_UPLINKS 16
#define SW_MAX_PORT_IMPAIR 64
#define SW_RX_BATCH 64         /* frames read per wakeup per port, for fairness */

enum ev_kind {
	EK_CTL_LISTEN = 1,
	EK_STATUS_LISTEN,
	EK_PENDING,   /* index = pending slot */
	EK_PORT_CTL,  /* index = port: control stream of a daemon port */
	EK_PORT_DATA, /* index = port: frames */
	EK_SIGNAL,
	EK_TICK,
	EK_DELAY,
	EK_STDIN,
	EK_PCAP,
};

static inline uint64_t ev_key(enum ev_kind k, unsigned idx)
{
	return (uint64_t)k << 32 | idx;
}

enum port_kind { PK_FREE = 0, PK_DAEMON, PK_TAP, PK_UCAST, PK_VDE };

/* Frames a port could not take right now (its socket buffer was full). */
struct outq {
	uint8_t **frame;
	uint32_t *len;
	unsigned head, n, cap;
};

struct port {
	enum port_kind kind;
	uint32_t gen;       /* bumps on every reuse of this slot */
	int ctl_fd, data_fd;
	void *vde;          /* VDECONN * for PK_VDE */
	int vde_dgram;      /* its data fd is a datagram socket */
	char name[160];     /* peer address, tap name, uplink spec */
	char descr[UML_SWITCH_DESCR_MAX + 1];
	pid_t peer_pid;
	uid_t peer_uid;
	uint64_t since_ms;
	uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	uint64_t drop_qfull, drop_loss, drop_limit, drop_err, rx_bad, dups;
	struct impair_params imp;
	struct impair_state ist;
	unsigned delayed;   /* frames of this port in the delay queue */
	struct outq q;
	int congested;      /* logged "queue full", waiting to log recovery */
	uint64_t cong_drops, last_drop_ms;
	int out_armed;      /* EPOLLOUT registered */
	/* Backpressure: a unicast frame met this port's full queue, so its
	 * source port stops being read (paused) and holds the frame until the
	 * queue drains. A peer that makes no progress for a second is put in
	 * dropping mode instead, so one dead guest never stalls the others. */
	int paused;         /* as a source: EPOLLIN off, frame held */
	uint8_t *held;
	uint32_t held_len, held_gen;
	unsigned held_dst;
	unsigned nwaiters;  /* as a destination: sources paused on it */
	uint64_t full_since_ms;
	int dropping;
	int err_logged;
};

struct port_impair_opt {
	unsigned port;
	struct impair_params p;
};

struct sw_opts {
	const char *ctl_path;
	const char *sock_dir;
	const char *status_path;
	const char *pcap_path;
	const char *taps[SW_MAX_UPLINKS];
	unsigned ntaps;
	const char *ucasts[SW_MAX_UPLINKS];
	unsigned nucasts;
	const char *vdes[SW_MAX_UPLINKS];
	unsigned nvdes;
	const char *pidfile;
	const char *log_path;
	int hub, daemonize, quiet;
	unsigned max_ports, qlen, fdb_max;
	uint64_t age_ms;
	struct impair_params imp;
	struct port_impair_opt port_imp[SW_MAX_PORT_IMPAIR];
	unsigned nport_imp;
	int have_seed;
	uint64_t seed;
	unsigned delay_max; /* frames in the delay queue, all ports */
};

struct pending {
	int fd;
	size_t len;
	uint64_t deadline_ms;
	uint8_t buf[256];
};

struct sw {
	struct sw_opts o;
	char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char status_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int made_dir;
	int epfd, ctl_fd, status_fd, sig_fd, tick_fd, dq_fd;
	struct port *port;  /* [0 .. o.max_ports], slot 0 unused */
	unsigned nactive;
	struct fdb *fdb;
	struct delayq dq;
	uint64_t dq_armed_ns;
	struct pcapw *pcap;
	struct pending pend[SW_MAX_PENDING];
	uint64_t start_ms;
	uint64_t frames, flooded, filtered;
	int running;
	int in_delay_run;   /* sending frames released by the delay queue */
	unsigned cur_src;   /* ingress port of the unicast frame being sent, or 0 */
	uint8_t *rxbuf;
};

/* opts.c */
int sw_parse_args(int argc, char **argv, struct sw_opts *o);
void sw_usage(FILE *f);

/* sockpath.c */
int sw_default_ctl_path(char *out, size_t outlen);
/* Bind+listen a unix stream socket at path; a stale socket there is
 * replaced, a live one (or a non-socket file) refuses. */
int sw_listen_unix(const char *path);

/* ports.c */
int sw_port_alloc(struct sw *s, unsigned want); /* want 0 = lowest free */
void sw_port_close(struct sw *s, unsigned idx, const char *why);
void sw_port_output(struct sw *s, unsigned idx, const uint8_t *f, size_t len);
void sw_port_send(struct sw *s, unsigned idx, const uint8_t *f, size_t len);
void sw_port_flush_q(struct sw *s, unsigned idx);
void sw_port_apply_impair(struct sw *s, unsigned idx);
void sw_delay_run(struct sw *s);
void sw_ports_tick(struct sw *s, uint64_t now_ms);
int sw_ep_add(struct sw *s, int fd, uint32_t events, uint64_t key);
void sw_ep_mod(struct sw *s, int fd, uint32_t events, uint64_t key);

/* forward.c */
void sw_forward(struct sw *s, unsigned src, const uint8_t *f, size_t len);
void sw_port_rx(struct sw *s, unsigned idx);

/* ctl.c */
void sw_ctl_accept(struct sw *s);
void sw_pending_event(struct sw *s, unsigned slot);
void sw_pending_expire(struct sw *s, uint64_t now_ms);
void sw_port_ctl_event(struct sw *s, unsigned idx);

/* hostports.c */
int sw_open_tap(struct sw *s, const char *dev);
int sw_open_ucast(struct sw *s, const char *spec);
int sw_open_vde(struct sw *s, const char *url);
ssize_t sw_host_recv(struct sw *s, struct port *p, uint8_t *buf, size_t len);
ssize_t sw_host_send(struct port *p, const uint8_t *f, size_t len);
void sw_host_close(struct port *p);

/* status.c */
void sw_status_accept(struct sw *s);
int sw_status_client(const char *path, int argc, char **argv);

#endif
