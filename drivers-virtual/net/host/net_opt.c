/* The network card options, as UML spells them:
 *   ethN=TRANSPORT,FIELD,...        (the legacy driver: daemon, vde, ...)
 *   vecN:transport=T,key=value,...  (the vector driver: tap, raw, vde)
 * Each makes card ethN / vecN (N 0-15). The transport checks its own
 * fields; anything wrong is one line naming the option, at boot. */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/init.h>
#include "net_host.h"

#define MAX_FIELDS 24
#define CARD_N_MAX 15

struct net_if net_cards[NET_CARDS_MAX];
int net_ncards;

umk_section_declare(const struct net_transport *const, umk_net_transports);

const char *net_err(const char *fmt, const char *arg)
{
	static char msg[320];
	snprintf(msg, sizeof(msg), fmt, arg);
	return msg;
}

int net_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long x = strtoul(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

const char *net_check_ifname(const char *s)
{
	if (!*s)
		return "expected a host interface name";
	if (strlen(s) >= IFNAMSIZ || strchr(s, '/') || strchr(s, ' '))
		return net_err("'%s' is not an interface name (at most 15 characters)", s);
	return NULL;
}

/* The transports an option may name, in the message for one it may not. */
static const char *unknown(const char *name, bool vec)
{
	static char msg[200];
	int len = !name ? snprintf(msg, sizeof(msg), "expected a transport (") :
		  vec ? snprintf(msg, sizeof(msg), "transport=%.40s is not supported by umk (it has ", name) :
			snprintf(msg, sizeof(msg), "unknown transport '%.40s' (expected ", name);
	const char *sep = "";
	umk_section_foreach(const struct net_transport *const, umk_net_transports, t) {
		const char *n = vec ? (*t)->vec_name : (*t)->name;
		if (n && len < (int)sizeof(msg)) {
			len += snprintf(msg + len, sizeof(msg) - (size_t)len, "%s%s", sep, n);
			sep = ", ";
		}
	}
	if (len < (int)sizeof(msg))
		snprintf(msg + len, sizeof(msg) - (size_t)len, ")");
	return msg;
}

static const struct net_transport *find(const char *name, bool vec)
{
	umk_section_foreach(const struct net_transport *const, umk_net_transports, t) {
		const char *n = vec ? (*t)->vec_name : (*t)->name;
		if (n && !strcmp(n, name))
			return *t;
	}
	return NULL;
}

/* "eth3=..." / "vec3:...": the card's number, or -1. */
static int card_number(const char *word, size_t plen, char sep)
{
	const char *p = word + plen;
	int n = 0, digits = 0;
	while (isdigit((unsigned char)p[digits]) && digits < 3)
		n = n * 10 + (p[digits++] - '0');
	if (!digits || p[digits] != sep || n > CARD_N_MAX || (digits > 1 && p[0] == '0'))
		return -1;
	return n;
}

static const char *new_card(const char *word, const char *kind, int n, struct net_if **out)
{
	char name[16];
	snprintf(name, sizeof(name), "%s%d", kind, n);
	int slot = net_ncards;
	for (int i = net_ncards - 1; i >= 0; i--) {
		if (!strcmp(net_cards[i].name, name))
			return net_err("%s is already configured", name);
		if (!net_cards[i].t)
			slot = i;	/* a removed card's: reused */
	}
	if (slot == NET_CARDS_MAX)
		return "too many network cards";
	struct net_if *nif = &net_cards[slot];
	memset(nif, 0, sizeof(*nif));
	snprintf(nif->name, sizeof(nif->name), "%s", name);
	nif->word = word;
	nif->epfd = nif->kick[0] = nif->kick[1] = nif->write_fd = -1;
	*out = nif;
	return NULL;
}

/* The card is complete: MTU within what the transport carries. */
static void finish(struct net_if *nif)
{
	if (!nif->max_mtu)
		nif->max_mtu = nif->t->max_mtu;
	if (!nif->mtu)
		nif->mtu = nif->max_mtu < 1500 ? nif->max_mtu : 1500;
	if (nif == &net_cards[net_ncards])
		net_ncards++;
}

static const char *eth_setup(const char *word)
{
	int n = card_number(word, 3, '=');
	if (n < 0)
		return "expected ethN=TRANSPORT,... with N from 0 to 15";
	char *spec = strdup(strchr(word, '=') + 1);
	if (!spec)
		return "out of memory";
	char *f[MAX_FIELDS];
	int nf = 0;
	char *rest = spec;
	const char *name = strsep(&rest, ",");
	while (rest && nf < MAX_FIELDS)
		f[nf++] = strsep(&rest, ",");
	if (rest)
		return "too many fields";
	const struct net_transport *t = find(name, false);
	if (!t)
		return unknown(*name ? name : NULL, false);
	struct net_if *nif;
	const char *err = new_card(word, "eth", n, &nif);
	if (err)
		return err;
	nif->t = t;
	err = t->parse_eth(nif, f, nf);
	if (err)
		return err;
	finish(nif);
	return NULL;
}
__setup_prefix(eth, eth_setup, "ethN=TRANSPORT,...",
	       "network card ethN, as UML's (networking.md):\n"
	       "daemon,MAC,unix,CTL | vde,SOCKET[,MAC] |\n"
	       "mcast,MAC,ADDR,PORT,TTL | tuntap,TAP[,MAC[,IP]] |\n"
	       "pcap,IF[,FILTER] | slirp[,MAC][,hostfwd=...]");

/* Keys every vector transport takes (UML's vector_kern.c): the card's
 * address and MTU, and the ring tuning, which umk accepts and ignores
 * (it sizes its own batches). */
static const char *vec_common(struct net_if *nif, const struct net_kv *kv, bool *taken)
{
	unsigned long v;
	*taken = true;
	if (!strcmp(kv->key, "mac"))
		return net_parse_mac(kv->val, nif->mac, &nif->have_mac);
	if (!strcmp(kv->key, "mtu")) {
		if (net_parse_uint(kv->val, 68, 65535, &v))
			return net_err("mtu=%s: expected 68 to 65535", kv->val);
		nif->mtu = (unsigned)v;
		return NULL;
	}
	if (!strcmp(kv->key, "depth") || !strcmp(kv->key, "headroom") || !strcmp(kv->key, "gro") ||
	    !strcmp(kv->key, "vec")) {
		if (net_parse_uint(kv->val, 0, 65536, &v))
			return net_err("%s: expected a number", kv->key);
		return NULL;
	}
	*taken = false;
	return NULL;
}

static const char *vec_setup(const char *word)
{
	int n = card_number(word, 3, ':');
	if (n < 0)
		return "expected vecN:transport=NAME,... with N from 0 to 15";
	char *spec = strdup(strchr(word, ':') + 1);
	if (!spec)
		return "out of memory";
	struct net_kv kv[MAX_FIELDS];
	int nkv = 0;
	const char *tname = NULL;
	for (char *rest = spec; rest;) {
		char *item = strsep(&rest, ",");
		char *eq = strchr(item, '=');
		if (!eq || eq == item)
			return net_err("expected key=value, not '%s'", item);
		*eq = 0;
		if (!strcmp(item, "transport"))
			tname = eq + 1;
		else if (nkv == MAX_FIELDS)
			return "too many keys";
		else
			kv[nkv++] = (struct net_kv){ item, eq + 1 };
	}
	if (!tname)
		return "expected transport=NAME";
	const struct net_transport *t = find(tname, true);
	if (!t)
		return unknown(tname, true);
	struct net_if *nif;
	const char *err = new_card(word, "vec", n, &nif);
	if (err)
		return err;
	nif->t = t;
	int left = 0;
	for (int i = 0; i < nkv; i++) {
		bool taken;
		if ((err = vec_common(nif, &kv[i], &taken)))
			return err;
		if (!taken)
			kv[left++] = kv[i];
	}
	err = t->parse_vec(nif, kv, left);
	if (err)
		return err;
	unsigned mtu = nif->mtu;
	nif->mtu = 0;
	finish(nif);
	if (mtu && mtu > nif->max_mtu) {
		if (nif == &net_cards[net_ncards - 1])
			net_ncards--;
		nif->t = NULL;
		nif->name[0] = 0;
		static char msg[96];
		snprintf(msg, sizeof(msg), "mtu=%u: the %s transport carries at most %u", mtu, tname, nif->max_mtu);
		return msg;
	}
	if (mtu)
		nif->mtu = mtu;
	return NULL;
}
__setup_prefix(vec, vec_setup, "vecN:transport=T,...",
	       "vector network card vecN, as UML's:\n"
	       "transport=tap,ifname=TAP | transport=vde,vnl=URL |\n"
	       "transport=raw,ifname=IF (CAP_NET_RAW); also mac=, mtu=");

/* Hot-plug (mconsole config ethN=... / vecN:...): the option, parsed and
 * checked as at boot; *n is the new card. A card the parser rejected
 * leaves no trace. */
const char *net_host_config(const char *word, int *n)
{
	bool vec = !strncmp(word, "vec", 3);
	int before = net_ncards;
	int free_slots[NET_CARDS_MAX], nfree = 0;
	for (int i = 0; i < net_ncards; i++)
		if (!net_cards[i].t)
			free_slots[nfree++] = i;
	const char *err = vec ? vec_setup(word) : strncmp(word, "eth", 3) ? "expected ethN=... or vecN:..." : eth_setup(word);
	/* the card now in use: a free slot that got a transport, or the new last one */
	int got = -1;
	for (int i = 0; i < nfree; i++)
		if (net_cards[free_slots[i]].t)
			got = free_slots[i];
	if (got < 0 && net_ncards > before)
		got = net_ncards - 1;
	if (err) {
		if (got >= 0)
			net_host_forget(got);
		else if (net_ncards == before && before < NET_CARDS_MAX && net_cards[before].t)
			memset(&net_cards[before], 0, sizeof(net_cards[before]));	/* rejected half-way */
		return err;
	}
	char *copy = strdup(word);	/* word is the request's buffer */
	if (copy)
		net_cards[got].word = copy;
	*n = got;
	return NULL;
}

/* The card's slot is free again (after net_host_close). */
void net_host_forget(int n)
{
	struct net_if *nif = &net_cards[n];
	free(nif->priv);
	memset(nif, 0, sizeof(*nif));
	nif->epfd = nif->kick[0] = nif->kick[1] = nif->write_fd = -1;
}

const char *net_host_describe(int n)
{
	return n >= 0 && n < net_ncards && net_cards[n].t ? net_cards[n].word : NULL;
}
