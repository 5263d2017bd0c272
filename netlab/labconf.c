/* lab.conf parsing: see labconf.h. One pass over the lines; everything a
 * line names is checked where it is read, so the first bad line is the
 * error reported. */
#include "labconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	const char *file;
	int line;
	char *err;
	size_t errlen;
	lab_warn_fn warn;
	void *warn_ctx;
	struct lab *lab;
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct ctx *c, const char *fmt, ...)
{
	int n = snprintf(c->err, c->errlen, "%s:%d: ", c->file, c->line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void warn(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct ctx *c, const char *fmt, ...)
{
	if (!c->warn)
		return;
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s:%d: ", c->file, c->line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	c->warn(c->warn_ctx, msg);
}

/* device and domain names: letters, digits, '_' and '-' (no spaces,
 * commas or dots, which Kathará refuses in domain names) */
static bool good_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n >= LAB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d) {
		perror("umk-lab");
		exit(1);
	}
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		perror("umk-lab");
		exit(1);
	}
	return q;
}

static void strv_add(struct lab_strv *v, const char *s)
{
	v->v = xrealloc(v->v, (v->n + 1) * sizeof(*v->v));
	v->v[v->n++] = xstrdup(s);
}

struct lab_dev *lab_find_dev(struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->ndevs; i++)
		if (!strcmp(lab->devs[i].name, name))
			return &lab->devs[i];
	return NULL;
}

struct lab_cd *lab_find_cd(struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->ncds; i++)
		if (!strcmp(lab->cds[i].name, name))
			return &lab->cds[i];
	return NULL;
}

static struct lab_dev *get_dev(struct lab *lab, const char *name)
{
	struct lab_dev *d = lab_find_dev(lab, name);
	if (d)
		return d;
	lab->devs = xrealloc(lab->devs, (lab->ndevs + 1) * sizeof(*lab->devs));
	d = &lab->devs[lab->ndevs++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->ipv6 = -1;
	d->num_terms = -1;
	return d;
}

static struct lab_cd *get_cd(struct lab *lab, const char *name)
{
	struct lab_cd *cd = lab_find_cd(lab, name);
	if (cd)
		return cd;
	lab->cds = xrealloc(lab->cds, (lab->ncds + 1) * sizeof(*lab->cds));
	cd = &lab->cds[lab->ncds++];
	memset(cd, 0, sizeof(*cd));
	snprintf(cd->name, sizeof(cd->name), "%s", name);
	cd->mode = LAB_CD_HUB;
	return cd;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return false;
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	if (!*s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_bool(struct ctx *c, const char *opt, const char *v, bool *out)
{
	if (!strcasecmp(v, "true"))
		*out = true;
	else if (!strcasecmp(v, "false"))
		*out = false;
	else
		return fail(c, "%s=%s: expected true or false", opt, v);
	return 0;
}

/* mem: an integer with an optional b, k, m or g (Kathará's form), at
 * least 4m as Kathará asks */
static int parse_mem(struct ctx *c, const char *v, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	uint64_t mult = 1;
	if (end == v || errno)
		return fail(c, "mem=%s: expected a size such as 256m", v);
	if (*end) {
		switch (tolower((unsigned char)*end)) {
		case 'b': mult = 1; break;
		case 'k': mult = 1ull << 10; break;
		case 'm': mult = 1ull << 20; break;
		case 'g': mult = 1ull << 30; break;
		default: return fail(c, "mem=%s: expected a size such as 256m (suffix b, k, m or g)", v);
		}
		if (end[1])
			return fail(c, "mem=%s: expected a size such as 256m", v);
	}
	if (n > UINT64_MAX / mult || n * mult < (4ull << 20))
		return fail(c, "mem=%s: expected at least 4m", v);
	*out = n * mult;
	return 0;
}

/* port: [HOST:]GUEST[/PROTO] */
static int parse_port(struct ctx *c, const char *v, struct lab_port *p)
{
	char buf[64];
	if (strlen(v) >= sizeof(buf))
		return fail(c, "port=%s: expected [HOST:]GUEST[/tcp|udp]", v);
	strcpy(buf, v);
	p->udp = false;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		if (!strcasecmp(slash + 1, "udp"))
			p->udp = true;
		else if (strcasecmp(slash + 1, "tcp"))
			return fail(c, "port=%s: protocol %s: expected tcp or udp", v, slash + 1);
	}
	char *colon = strchr(buf, ':');
	unsigned long host = 0, guest;
	if (colon) {
		*colon = 0;
		if (!parse_uint(buf, 65535, &host) || !host)
			return fail(c, "port=%s: host port: expected 1 to 65535", v);
	}
	if (!parse_uint(colon ? colon + 1 : buf, 65535, &guest) || !guest)
		return fail(c, "port=%s: guest port: expected 1 to 65535", v);
	p->host = (unsigned)host;
	p->guest = (unsigned)guest;
	return 0;
}

static int set_str(struct ctx *c, const char *opt, char **slot, const char *v)
{
	if (*slot)
		return fail(c, "%s is given twice for this device", opt);
	if (!*v)
		return fail(c, "%s=: expected a value", opt);
	*slot = xstrdup(v);
	return 0;
}

static int device_option(struct ctx *c, struct lab_dev *d, const char *opt, const char *v)
{
	if (!strcmp(opt, "mem")) {
		if (d->mem)
			return fail(c, "mem is given twice for %s", d->name);
		return parse_mem(c, v, &d->mem);
	}
	if (!strcmp(opt, "image"))
		return set_str(c, "image", &d->image, v);
	if (!strcmp(opt, "shell"))
		return set_str(c, "shell", &d->shell, v);
	if (!strcmp(opt, "bridged"))
		return parse_bool(c, opt, v, &d->bridged);
	if (!strcmp(opt, "ipv6")) {
		bool b = false;
		if (parse_bool(c, opt, v, &b))
			return -1;
		d->ipv6 = b;
		return 0;
	}
	if (!strcmp(opt, "num_terms")) {
		unsigned long n;
		if (!parse_uint(v, 64, &n))
			return fail(c, "num_terms=%s: expected a number from 0 to 64", v);
		d->num_terms = (int)n;
		return 0;
	}
	if (!strcmp(opt, "port")) {
		struct lab_port p;
		if (parse_port(c, v, &p))
			return -1;
		d->ports = xrealloc(d->ports, (d->nports + 1) * sizeof(*d->ports));
		d->ports[d->nports++] = p;
		return 0;
	}
	if (!strcmp(opt, "exec")) {
		if (!*v)
			return fail(c, "exec=: expected a command");
		strv_add(&d->exec, v);
		return 0;
	}
	if (!strcmp(opt, "sysctl")) {
		const char *eq = strchr(v, '=');
		if (strncmp(v, "net.", 4) || !eq || eq == v + 4 || !eq[1])
			return fail(c, "sysctl=%s: expected net.NAME=VALUE (only net.* sysctls, as Kathará)", v);
		strv_add(&d->sysctl, v);
		return 0;
	}
	if (!strcmp(opt, "env")) {
		const char *eq = strchr(v, '=');
		bool ok = eq && eq != v && (isalpha((unsigned char)v[0]) || v[0] == '_');
		for (const char *p = v; ok && p < eq; p++)
			ok = isalnum((unsigned char)*p) || *p == '_';
		if (!ok)
			return fail(c, "env=%s: expected NAME=VALUE", v);
		strv_add(&d->env, v);
		return 0;
	}
	static const char *const docker_only[] = { "cpus", "ulimit", "privileged", "entrypoint", "args" };
	for (size_t i = 0; i < sizeof(docker_only) / sizeof(docker_only[0]); i++)
		if (!strcmp(opt, docker_only[i])) {
			warn(c, "%s[%s]: a Docker option of Kathará's that umk machines do not have: ignored", d->name, opt);
			return 0;
		}
	return fail(c, "%s[%s]: unknown option (expected an interface number or one of mem, image, bridged, port, "
		    "exec, sysctl, env, shell, num_terms, ipv6)", d->name, opt);
}

static int interface(struct ctx *c, struct lab_dev *d, unsigned long idx, const char *v)
{
	struct lab_if *f = &d->ifs[idx];
	if (f->used)
		return fail(c, "%s[%lu] is given twice", d->name, idx);
	char cd[LAB_NAME_MAX * 2];
	if (strlen(v) >= sizeof(cd))
		return fail(c, "%s[%lu]=%s: expected DOMAIN or DOMAIN/MAC", d->name, idx, v);
	strcpy(cd, v);
	char *slash = strchr(cd, '/');
	if (slash) {
		*slash = 0;
		if (!strncmp(slash + 1, "vlan=", 5) || !strncmp(slash + 1, "trunk=", 6))
			return fail(c, "%s[%lu]=%s: VLANs need a managed domain, which umk-lab does not have", d->name, idx,
				    v);
		if (!parse_mac(slash + 1, f->mac))
			return fail(c, "%s[%lu]=%s: expected DOMAIN/MAC with a MAC like 02:42:ac:11:00:02", d->name, idx,
				    v);
		if (f->mac[0] & 1)
			return fail(c, "%s[%lu]=%s: %s is a multicast address", d->name, idx, v, slash + 1);
		f->has_mac = true;
	}
	if (!strcmp(cd, "tap") || !strncmp(cd, "tap,", 4))
		return fail(c, "%s[%lu]=%s: Netkit's tap domain is not supported (bridged=true gives a device the "
			    "host's network)", d->name, idx, v);
	if (!good_name(cd))
		return fail(c, "%s[%lu]=%s: a collision domain name is letters, digits, '_' and '-'", d->name, idx, v);
	f->used = true;
	snprintf(f->cd, sizeof(f->cd), "%s", cd);
	get_cd(c->lab, cd);
	return 0;
}

/* one line: "key[arg]=value" or "LAB_X=value" */
static int parse_line(struct ctx *c, char *s)
{
	char *eq = strchr(s, '=');
	if (!eq)
		return fail(c, "expected device[arg]=value, CD_MODE[domain]=hub|switch or LAB_NAME=... (no '=')");
	*eq = 0;
	char *key = s, *val = eq + 1;
	/* trim around '=' */
	for (char *e = eq - 1; e >= key && isspace((unsigned char)*e); e--)
		*e = 0;
	while (isspace((unsigned char)*val))
		val++;
	size_t vl = strlen(val);
	if (vl && (val[0] == '"' || val[0] == '\'')) {
		if (vl < 2 || val[vl - 1] != val[0])
			return fail(c, "the value's closing %c is missing", val[0]);
		val[vl - 1] = 0;
		val++;
	} else {
		for (char *p = val; *p; p++)
			if (isspace((unsigned char)*p))
				return fail(c, "a value with spaces must be quoted: %s", val);
	}
	char *lb = strchr(key, '[');
	if (!lb) {
		static const struct { const char *k; size_t off; } meta[] = {
			{ "LAB_NAME", offsetof(struct lab, meta_name) },
			{ "LAB_DESCRIPTION", offsetof(struct lab, meta_description) },
			{ "LAB_VERSION", offsetof(struct lab, meta_version) },
			{ "LAB_AUTHOR", offsetof(struct lab, meta_author) },
			{ "LAB_EMAIL", offsetof(struct lab, meta_email) },
			{ "LAB_WEB", offsetof(struct lab, meta_web) },
		};
		for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
			if (!strcmp(key, meta[i].k)) {
				char **slot = (char **)((char *)c->lab + meta[i].off);
				free(*slot);
				*slot = xstrdup(val);
				return 0;
			}
		return fail(c, "%s: expected device[arg]=value, CD_MODE[domain]=hub|switch or one of LAB_NAME, "
			    "LAB_DESCRIPTION, LAB_VERSION, LAB_AUTHOR, LAB_EMAIL, LAB_WEB", key);
	}
	size_t kl = strlen(key);
	if (key[kl - 1] != ']')
		return fail(c, "%s: expected device[arg] before '='", key);
	key[kl - 1] = 0;
	*lb = 0;
	char *arg = lb + 1;
	if (!good_name(key))
		return fail(c, "%s: a device name is letters, digits, '_' and '-'", key);
	if (!*arg)
		return fail(c, "%s[]: expected an interface number or an option inside [ ]", key);
	if (!strcmp(key, "CD_MODE")) {
		if (!good_name(arg))
			return fail(c, "CD_MODE[%s]: a collision domain name is letters, digits, '_' and '-'", arg);
		struct lab_cd *cd = get_cd(c->lab, arg);
		if (!strcmp(val, "hub"))
			cd->mode = LAB_CD_HUB;
		else if (!strcmp(val, "switch"))
			cd->mode = LAB_CD_SWITCH;
		else if (!strcmp(val, "managed"))
			return fail(c, "CD_MODE[%s]=managed: not supported (hub or switch)", arg);
		else
			return fail(c, "CD_MODE[%s]=%s: expected hub or switch", arg, val);
		return 0;
	}
	struct lab_dev *d = get_dev(c->lab, key);
	if (isdigit((unsigned char)arg[0])) {
		unsigned long idx;
		if (!parse_uint(arg, LAB_MAX_IFS - 1, &idx))
			return fail(c, "%s[%s]: an interface number is 0 to %d", key, arg, LAB_MAX_IFS - 1);
		return interface(c, d, idx, val);
	}
	return device_option(c, d, arg, val);
}

int labconf_parse(const char *file, const char *text, struct lab *lab, lab_warn_fn warnfn, void *wctx, char *err,
		  size_t errlen)
{
	memset(lab, 0, sizeof(*lab));
	struct ctx c = { file, 0, err, errlen, warnfn, wctx, lab };
	const char *p = text;
	while (*p) {
		c.line++;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = malloc(n + 1);
		if (!line) {
			perror("umk-lab");
			exit(1);
		}
		memcpy(line, p, n);
		line[n] = 0;
		p += n + (nl ? 1 : 0);
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		for (char *e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
			e[-1] = 0;
		int r = (*s && *s != '#') ? parse_line(&c, s) : 0;
		free(line);
		if (r) {
			lab_free(lab);
			return -1;
		}
	}
	/* a mode for a domain no interface is on: say so */
	for (size_t i = 0; i < lab->ncds; i++) {
		bool used = false;
		for (size_t d = 0; d < lab->ndevs && !used; d++)
			for (int f = 0; f < LAB_MAX_IFS && !used; f++)
				used = lab->devs[d].ifs[f].used && !strcmp(lab->devs[d].ifs[f].cd, lab->cds[i].name);
		if (!used) {
			c.line = 0;
			warn(&c, "CD_MODE[%s]: no interface is on that collision domain", lab->cds[i].name);
		}
	}
	return 0;
}

static void strv_free(struct lab_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
}

void lab_free(struct lab *lab)
{
	for (size_t i = 0; i < lab->ndevs; i++) {
		struct lab_dev *d = &lab->devs[i];
		free(d->image);
		free(d->shell);
		free(d->ports);
		strv_free(&d->exec);
		strv_free(&d->sysctl);
		strv_free(&d->env);
	}
	free(lab->devs);
	free(lab->cds);
	free(lab->meta_name);
	free(lab->meta_description);
	free(lab->meta_version);
	free(lab->meta_author);
	free(lab->meta_email);
	free(lab->meta_web);
	memset(lab, 0, sizeof(*lab));
}
