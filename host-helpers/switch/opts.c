/* Command line: uml_switch's single-dash options (so scripts written for
 * Debian's uml_switch run unchanged) plus ours; "--x" is accepted as "-x". */
#include "switch.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void sw_usage(FILE *f)
{
	fputs(
"Usage: umk-switch [options]\n"
"       umk-switch --status PATH [status | impair PORT|all SPEC | fdb]\n"
"A learning Ethernet switch for the uml_switch \"daemon\" transport: UML and\n"
"umk guests attach with eth0=daemon,,unix,PATH. libvdeplug clients (vde_plug,\n"
"dpipe) need the vde_switch directory layout: run with -sock DIR, use vde://DIR.\n"
"\n"
"Sockets:\n"
"  -unix PATH          control socket (default $XDG_RUNTIME_DIR/umk-switch.ctl,\n"
"                      else /tmp/umk-switch-UID.ctl). A stale socket there is\n"
"                      replaced; a live switch there makes us refuse to start.\n"
"  -sock DIR           vde_switch layout instead: DIR/ctl and DIR/status, so\n"
"                      libvdeplug clients (vde_plug vde://DIR) find us; UML\n"
"                      guests then use eth0=daemon,,unix,DIR/ctl\n"
"  -status-sock PATH   status/command socket (default: control path + \".status\")\n"
"  -ports N            most ports at once (default 1024)\n"
"  -qlen N             frames queued per port when its peer is slow (default 256)\n"
"Switching:\n"
"  -hub                flood every frame to every port (no learning)\n"
"  -age SECONDS        forget a MAC not seen for this long (default 300)\n"
"  -fdb-max N          most learned MACs (default 65536); beyond, unknown = flood\n"
"Host and uplinks (each becomes a port: taps first, then -ucast, then -vde,\n"
"each kind in the order given, numbered from 1; clients get the next free):\n"
"  -tap DEV            attach an existing host tap device (see umk-net)\n"
"  -ucast [LADDR:]LPORT:RHOST:RPORT\n"
"                      UDP uplink, one raw frame per datagram (UML's ucast\n"
"                      framing): joins another umk-switch or a UML ucast NIC\n"
"  -vde URL            uplink through libvdeplug: a vde_switch (or umk-switch\n"
"                      -sock) directory, vde://DIR, or across hosts e.g.\n"
"                      'cmd://ssh host vde_plug vde:///run/user/1000/umk-sw'\n"
"Capture:\n"
"  -pcap FILE          write every frame entering the switch to FILE (pcap);\n"
"                      FILE \"-\" streams to stdout: umk-switch -pcap - | tcpdump -r -\n"
"Impairments, applied to frames leaving a port (netem-like):\n"
"  -impair SPEC        all ports: delay=MS,jitter=MS,loss=PCT,dup=PCT,\n"
"                      rate=KBIT,limit=FRAMES (units: ms/us/s, %, bit/kbit/mbit/gbit)\n"
"  -port-impair N:SPEC port N only (overrides -impair for that port)\n"
"  -delay MS[:JITTER]  -loss PCT  -dup PCT  -rate KBIT   shorthands for -impair\n"
"  -seed N             random seed: same seed, same losses (default: from time,\n"
"                      printed at start)\n"
"Process:\n"
"  -daemon             detach once the sockets are ready (exit status tells\n"
"                      whether startup worked); logs then go to syslog\n"
"  -log FILE           append log lines to FILE instead of stderr/syslog\n"
"  -pidfile FILE       write the pid there (removed at exit)\n"
"  -quiet              log only errors and faults, not attach/detach\n"
"  -h, --help          this text;  --version\n"
"\n"
"Exits cleanly (removing its sockets) on SIGINT, SIGTERM, SIGHUP, or EOF on\n"
"stdin when stdin is a terminal, like uml_switch.\n", f);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *s == 0 || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int add_impair(struct impair_params *p, const char *key, const char *val)
{
	char spec[128], err[160];
	snprintf(spec, sizeof spec, "%s=%s", key, val);
	if (impair_parse(spec, p, err, sizeof err) < 0) {
		fprintf(stderr, "umk-switch: %s\n", err);
		return -1;
	}
	return 0;
}

/* Returns 0 on success, 1 when help/version was printed, -1 on error. */
int sw_parse_args(int argc, char **argv, struct sw_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_ports = 1024;
	o->qlen = 256;
	o->fdb_max = 65536;
	o->age_ms = 300000;
	o->delay_max = 100000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] == '-' && a[2])
			a++; /* --opt == -opt */
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG()                                                              \
	do {                                                                    \
		if (!v) {                                                       \
			fprintf(stderr, "umk-switch: %s needs an argument\n", a); \
			return -1;                                              \
		}                                                               \
		i++;                                                            \
	} while (0)
		unsigned long n;
		if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
			sw_usage(stdout);
			return 1;
		} else if (!strcmp(a, "-version")) {
			puts("umk-switch 0.1 (uml_switch daemon protocol v1/v3)");
			return 1;
		} else if (!strcmp(a, "-unix")) {
			NEED_ARG();
			o->ctl_path = v;
			/* uml_switch -compat-v0 takes "-unix ctl data": refuse below. */
		} else if (!strcmp(a, "-sock") || !strcmp(a, "-vdesock")) {
			NEED_ARG();
			o->sock_dir = v;
		} else if (!strcmp(a, "-status-sock")) {
			NEED_ARG();
			o->status_path = v;
		} else if (!strcmp(a, "-hub")) {
			o->hub = 1;
		} else if (!strcmp(a, "-tap")) {
			NEED_ARG();
			if (o->ntaps == SW_MAX_UPLINKS)
				goto too_many;
			o->taps[o->ntaps++] = v;
		} else if (!strcmp(a, "-ucast")) {
			NEED_ARG();
			if (o->nucasts == SW_MAX_UPLINKS)
				goto too_many;
			o->ucasts[o->nucasts++] = v;
		} else if (!strcmp(a, "-vde")) {
			NEED_ARG();
			if (o->nvdes == SW_MAX_UPLINKS)
				goto too_many;
			o->vdes[o->nvdes++] = v;
		} else if (!strcmp(a, "-pcap")) {
			NEED_ARG();
			o->pcap_path = v;
		} else if (!strcmp(a, "-impair")) {
			char err[160];
			NEED_ARG();
			if (impair_parse(v, &o->imp, err, sizeof err) < 0) {
				fprintf(stderr, "umk-switch: -impair: %s\n", err);
				return -1;
			}
		} else if (!strcmp(a, "-port-impair")) {
			char err[160], *end;
			NEED_ARG();
			unsigned long pn = strtoul(v, &end, 10);
			if (end == v || *end != ':' || pn == 0 || pn > 65535) {
				fprintf(stderr, "umk-switch: -port-impair wants N:SPEC, got '%s'\n", v);
				return -1;
			}
			if (o->nport_imp == SW_MAX_PORT_IMPAIR)
				goto too_many;
			struct port_impair_opt *pi = &o->port_imp[o->nport_imp++];
			pi->port = (unsigned)pn;
			if (impair_parse(end + 1, &pi->p, err, sizeof err) < 0) {
				fprintf(stderr, "umk-switch: -port-impair: %s\n", err);
				return -1;
			}
		} else if (!strcmp(a, "-delay")) {
			NEED_ARG();
			char d[64];
			snprintf(d, sizeof d, "%s", v);
			char *j = strchr(d, ':');
			if (j)
				*j++ = 0;
			if (add_impair(&o->imp, "delay", d) || (j && add_impair(&o->imp, "jitter", j)))
				return -1;
		} else if (!strcmp(a, "-loss") || !strcmp(a, "-dup") || !strcmp(a, "-rate")) {
			NEED_ARG();
			if (add_impair(&o->imp, a + 1, v))
				return -1;
		} else if (!strcmp(a, "-seed")) {
			NEED_ARG();
			char *end;
			errno = 0;
			o->seed = strtoull(v, &end, 0);
			if (errno || *end || end == v) {
				fprintf(stderr, "umk-switch: -seed wants a number, got '%s'\n", v);
				return -1;
			}
			o->have_seed = 1;
		} else if (!strcmp(a, "-age")) {
			NEED_ARG();
			if (parse_uint(v, 86400 * 365, &n) || n == 0)
				goto bad_num;
			o->age_ms = (uint64_t)n * 1000;
		} else if (!strcmp(a, "-ports")) {
			NEED_ARG();
			if (parse_uint(v, 65535, &n) || n == 0)
				goto bad_num;
			o->max_ports = (unsigned)n;
		} else if (!strcmp(a, "-qlen")) {
			NEED_ARG();
			if (parse_uint(v, 1000000, &n) || n == 0)
				goto bad_num;
			o->qlen = (unsigned)n;
		} else if (!strcmp(a, "-fdb-max")) {
			NEED_ARG();
			if (parse_uint(v, 1u << 24, &n) || n == 0)
				goto bad_num;
			o->fdb_max = (unsigned)n;
		} else if (!strcmp(a, "-daemon")) {
			o->daemonize = 1;
		} else if (!strcmp(a, "-pidfile")) {
			NEED_ARG();
			o->pidfile = v;
		} else if (!strcmp(a, "-log")) {
			NEED_ARG();
			o->log_path = v;
		} else if (!strcmp(a, "-quiet")) {
			o->quiet = 1;
		} else if (!strcmp(a, "-compat-v0")) {
			fprintf(stderr, "umk-switch: -compat-v0 (protocol v0, named data socket) is not supported;"
					" clients since UML 2.4.x speak v3\n");
			return -1;
		} else {
			fprintf(stderr, "umk-switch: unknown option '%s' (try --help)\n", argv[i]);
			return -1;
		}
		continue;
	bad_num:
		fprintf(stderr, "umk-switch: %s: bad number '%s'\n", a, v);
		return -1;
	too_many:
		fprintf(stderr, "umk-switch: too many %s options\n", a);
		return -1;
	}
	if (o->sock_dir && o->ctl_path) {
		fprintf(stderr, "umk-switch: give -unix PATH or -sock DIR, not both\n");
		return -1;
	}
	unsigned fixed = o->ntaps + o->nucasts + o->nvdes;
	if (fixed >= o->max_ports) {
		fprintf(stderr, "umk-switch: -ports %u leaves no room for clients\n", o->max_ports);
		return -1;
	}
	return 0;
}
