/* umk-switch: set up sockets and uplinks, run the epoll loop, clean up. */
#include "switch.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static struct sw S; /* one switch per process */

static int setup_fds(struct sw *s)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN); /* a vanished pcap reader is an error code */
	s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	s->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->dq_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->sig_fd < 0 || s->tick_fd < 0 || s->dq_fd < 0 || s->epfd < 0) {
		sw_log("setup: %s", strerror(errno));
		return -1;
	}
	struct itimerspec tick = { .it_interval = { 0, 250000000 }, .it_value = { 0, 250000000 } };
	timerfd_settime(s->tick_fd, 0, &tick, NULL);
	if (sw_ep_add(s, s->sig_fd, EPOLLIN, ev_key(EK_SIGNAL, 0)) ||
	    sw_ep_add(s, s->tick_fd, EPOLLIN, ev_key(EK_TICK, 0)) ||
	    sw_ep_add(s, s->dq_fd, EPOLLIN, ev_key(EK_DELAY, 0)))
		return -1;
	/* uml_switch exits on EOF from a terminal: a switch started by hand
	 * goes away with ^D. */
	if (!s->o.daemonize && isatty(STDIN_FILENO))
		sw_ep_add(s, STDIN_FILENO, EPOLLIN, ev_key(EK_STDIN, 0));
	return 0;
}

static void raise_nofile(void)
{
	/* Two fds per port: let hundreds of ports fit. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* -daemon: fork before any epoll/signalfd exists (both are tied to the
 * process that made them); the parent waits until the child reports its
 * sockets ready, so "umk-switch -daemon && start guests" is race free and
 * a startup error still gives the caller a failing exit code. */
static int ready_fd = -1;

static int daemonize_early(void)
{
	int p[2];
	if (pipe(p) < 0) {
		sw_log("pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		sw_log("fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		char c = 0;
		_exit(read(p[0], &c, 1) == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	ready_fd = p[1];
	setsid();
	return 0;
}

static void daemon_ready(struct sw *s)
{
	if (ready_fd < 0)
		return;
	/* Detach from the caller's terminal and pipes; logs go to -log FILE
	 * or syslog from now on. */
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (!s->o.log_path)
			dup2(fd, STDERR_FILENO);
		if (fd > 2)
			close(fd);
	}
	if (!s->o.log_path)
		sw_log_syslog();
	if (write(ready_fd, "R", 1) != 1)
		sw_log("cannot tell the parent we are ready: %s", strerror(errno));
	close(ready_fd);
	ready_fd = -1;
}

static void dispatch(struct sw *s, struct epoll_event *ev)
{
	enum ev_kind k = (enum ev_kind)(ev->data.u64 >> 32);
	unsigned idx = (unsigned)ev->data.u64;
	uint64_t junk;
	switch (k) {
	case EK_CTL_LISTEN:
		sw_ctl_accept(s);
		break;
	case EK_STATUS_LISTEN:
		sw_status_accept(s);
		break;
	case EK_PENDING:
		sw_pending_event(s, idx);
		break;
	case EK_PORT_CTL:
		sw_port_ctl_event(s, idx);
		break;
	case EK_PORT_DATA:
		if (ev->events & EPOLLOUT)
			sw_port_flush_q(s, idx);
		if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			sw_port_rx(s, idx);
		break;
	case EK_SIGNAL: {
		struct signalfd_siginfo si;
		if (read(s->sig_fd, &si, sizeof si) == sizeof si) {
			sw_log("signal %u: shutting down", si.ssi_signo);
			s->running = 0;
		}
		break;
	}
	case EK_TICK:
		if (read(s->tick_fd, &junk, sizeof junk) > 0) {
			uint64_t now = sw_now_ms();
			fdb_age(s->fdb, now);
			sw_pending_expire(s, now);
			sw_ports_tick(s, now);
		}
		break;
	case EK_DELAY:
		if (read(s->dq_fd, &junk, sizeof junk) > 0 || errno == EAGAIN)
			sw_delay_run(s);
		break;
	case EK_STDIN: {
		char b[256];
		ssize_t n = read(STDIN_FILENO, b, sizeof b);
		if (n == 0) {
			sw_log("EOF on stdin: shutting down");
			s->running = 0;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
		}
		break;
	}
	case EK_PCAP:
		if (s->pcap && pcapw_flush_io(s->pcap) < 0) {
			sw_log("capture stopped: the pcap reader went away (%llu frames written)",
			       (unsigned long long)pcapw_frames(s->pcap));
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, pcapw_fd(s->pcap), NULL);
			pcapw_close(s->pcap);
			s->pcap = NULL;
		} else if (s->pcap && !pcapw_pending(s->pcap)) {
			sw_ep_mod(s, pcapw_fd(s->pcap), 0, ev_key(EK_PCAP, 0));
		}
		break;
	}
}

static void cleanup(struct sw *s)
{
	for (unsigned i = 1; i <= s->o.max_ports; i++)
		if (s->port[i].kind != PK_FREE)
			sw_port_close(s, i, s->port[i].kind == PK_DAEMON ? NULL : "switch exiting");
	for (unsigned i = 0; i < SW_MAX_PENDING; i++)
		if (s->pend[i].fd >= 0)
			close(s->pend[i].fd);
	if (s->ctl_fd >= 0) {
		close(s->ctl_fd);
		unlink(s->ctl_path);
	}
	if (s->status_fd >= 0) {
		close(s->status_fd);
		unlink(s->status_path);
	}
	if (s->o.pidfile)
		unlink(s->o.pidfile);
	if (s->made_dir)
		rmdir(s->o.sock_dir); /* only if empty: never remove others' files */
	if (s->pcap) {
		sw_log("capture: %llu frames written, %llu dropped",
		       (unsigned long long)pcapw_frames(s->pcap), (unsigned long long)pcapw_dropped(s->pcap));
		pcapw_close(s->pcap);
	}
	dq_free(&s->dq);
	fdb_free(s->fdb);
	free(s->port);
	free(s->rxbuf);
}

int main(int argc, char **argv)
{
	struct sw *s = &S;
	sw_log_init("umk-switch");
	if (argc >= 2 && (!strcmp(argv[1], "--status") || !strcmp(argv[1], "-status"))) {
		if (argc < 3) {
			fprintf(stderr, "umk-switch: --status needs the switch's socket path\n");
			return 2;
		}
		return sw_status_client(argv[2], argc - 3, argv + 3);
	}
	int r = sw_parse_args(argc, argv, &s->o);
	if (r)
		return r > 0 ? 0 : 2;
	if (s->o.sock_dir) {
		if (mkdir(s->o.sock_dir, 0700) == 0)
			s->made_dir = 1;
		else if (errno != EEXIST) {
			sw_log("%s: %s", s->o.sock_dir, strerror(errno));
			return 1;
		}
		if (snprintf(s->ctl_path, sizeof s->ctl_path, "%s/ctl", s->o.sock_dir) >= (int)sizeof s->ctl_path ||
		    (!s->o.status_path &&
		     snprintf(s->status_path, sizeof s->status_path, "%s/status", s->o.sock_dir) >=
			     (int)sizeof s->status_path)) {
			sw_log("%s: path too long for a unix socket", s->o.sock_dir);
			return 2;
		}
	} else if (s->o.ctl_path)
		snprintf(s->ctl_path, sizeof s->ctl_path, "%s", s->o.ctl_path);
	else if (sw_default_ctl_path(s->ctl_path, sizeof s->ctl_path) < 0) {
		sw_log("cannot build a default control socket path; use -unix PATH");
		return 2;
	}
	if (s->o.status_path)
		snprintf(s->status_path, sizeof s->status_path, "%s", s->o.status_path);
	else if (!s->status_path[0] && snprintf(s->status_path, sizeof s->status_path, "%s.status", s->ctl_path) >=
		 (int)sizeof s->status_path) {
		sw_log("%s: too long to derive the status socket path; use -status-sock", s->ctl_path);
		return 2;
	}
	if (!s->o.have_seed)
		s->o.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	s->ctl_fd = s->status_fd = -1;
	for (unsigned i = 0; i < SW_MAX_PENDING; i++)
		s->pend[i].fd = -1;
	s->port = calloc(s->o.max_ports + 1, sizeof *s->port);
	s->rxbuf = malloc(UML_SWITCH_FRAME_MAX + 1);
	s->fdb = fdb_new(s->o.fdb_max, s->o.age_ms);
	if (!s->port || !s->rxbuf || !s->fdb) {
		sw_log("out of memory");
		return 1;
	}
	dq_init(&s->dq, s->o.delay_max);
	s->start_ms = sw_now_ms();
	s->running = 1;
	raise_nofile();
	int rc = 1;
	if (s->o.log_path) {
		int lfd = open(s->o.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (lfd < 0) {
			sw_log("log %s: %s", s->o.log_path, strerror(errno));
			goto out;
		}
		dup2(lfd, STDERR_FILENO);
		close(lfd);
	}
	if (s->o.daemonize && s->o.pcap_path && !strcmp(s->o.pcap_path, "-")) {
		sw_log("-pcap - writes to stdout, which -daemon closes; give a file or fifo");
		goto out;
	}
	if (s->o.daemonize && daemonize_early() < 0)
		goto out;
	if (setup_fds(s) < 0)
		goto out;
	if (s->o.pcap_path) {
		char err[256];
		s->pcap = pcapw_open(s->o.pcap_path, 0, err, sizeof err);
		if (!s->pcap) {
			sw_log("%s", err);
			goto out;
		}
		if (pcapw_pollable(s->pcap)) /* files never say EAGAIN */
			sw_ep_add(s, pcapw_fd(s->pcap), 0, ev_key(EK_PCAP, 0));
	}
	s->ctl_fd = sw_listen_unix(s->ctl_path);
	if (s->ctl_fd < 0)
		goto out;
	s->status_fd = sw_listen_unix(s->status_path);
	if (s->status_fd < 0)
		goto out;
	if (sw_ep_add(s, s->ctl_fd, EPOLLIN, ev_key(EK_CTL_LISTEN, 0)) ||
	    sw_ep_add(s, s->status_fd, EPOLLIN, ev_key(EK_STATUS_LISTEN, 0)))
		goto out;
	for (unsigned i = 0; i < s->o.ntaps; i++)
		if (sw_open_tap(s, s->o.taps[i]) < 0)
			goto out;
	for (unsigned i = 0; i < s->o.nucasts; i++)
		if (sw_open_ucast(s, s->o.ucasts[i]) < 0)
			goto out;
	for (unsigned i = 0; i < s->o.nvdes; i++)
		if (sw_open_vde(s, s->o.vdes[i]) < 0)
			goto out;
	char imp[160];
	impair_format(&s->o.imp, imp, sizeof imp);
	sw_log("%s on %s (status %s), up to %u ports, impair %s, seed %llu",
	       s->o.hub ? "hub" : "switch", s->ctl_path, s->status_path, s->o.max_ports, imp,
	       (unsigned long long)s->o.seed);
	if (s->o.pidfile) {
		FILE *f = fopen(s->o.pidfile, "w");
		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		} else {
			sw_log("pidfile %s: %s", s->o.pidfile, strerror(errno));
		}
	}
	daemon_ready(s);
	struct epoll_event evs[64];
	while (s->running) {
		int n = epoll_wait(s->epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sw_log("epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && s->running; i++)
			dispatch(s, &evs[i]);
	}
	rc = 0;
out:
	cleanup(s);
	return rc;
}
