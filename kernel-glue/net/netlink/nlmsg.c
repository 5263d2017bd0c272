/* Netlink messages: building them in a growing buffer (headers,
 * attributes, nests, 4-byte alignment) and parsing the attributes of a
 * request against a policy, as Linux's lib/nlattr.c does it for the
 * "deprecated" (lenient) parsers rtnetlink uses. */
#include "netlink.h"

void nlb_free(struct nlbuf *b)
{
	kfree(b->buf);
	*b = (struct nlbuf){ 0 };
}

size_t nlb_room(struct nlbuf *b, size_t n)
{
	size_t off = b->len, need = off + NLMSG_ALIGN(n);
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < need)
			cap *= 2;
		b->buf = krealloc(b->buf, cap);
		b->cap = cap;
	}
	memset(b->buf + off, 0, need - off);
	b->len = need;
	return off;
}

size_t nlmsg_begin(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t portid,
		   const void *hdr, size_t hdrlen)
{
	size_t off = nlb_room(b, NLMSG_HDRLEN);
	struct nlmsghdr *nlh = nlb_at(b, off);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = portid;
	if (hdrlen)
		memcpy(nlb_at(b, nlb_room(b, hdrlen)), hdr, hdrlen);
	return off;
}

void nlmsg_end(struct nlbuf *b, size_t msg)
{
	((struct nlmsghdr *)nlb_at(b, msg))->nlmsg_len = (uint32_t)(b->len - msg);
}

void nla_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	size_t off = nlb_room(b, NLA_HDRLEN + len);
	struct nlattr *a = nlb_at(b, off);
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

void nla_put_string(struct nlbuf *b, uint16_t type, const char *s)
{
	nla_put(b, type, s, strlen(s) + 1);
}

size_t nla_nest_start(struct nlbuf *b, uint16_t type)
{
	size_t off = nlb_room(b, NLA_HDRLEN);
	((struct nlattr *)nlb_at(b, off))->nla_type = type | NLA_F_NESTED;
	return off;
}

void nla_nest_end(struct nlbuf *b, size_t nest)
{
	((struct nlattr *)nlb_at(b, nest))->nla_len = (uint16_t)(b->len - nest);
}

/* Linux's validate_nla for the types used here: too short is -ERANGE
 * (fixed-size types, and NLA_UNSPEC with a minimum), a string or binary
 * longer than its maximum too. */
static int validate(const struct nlattr *a, const struct nla_policy *p)
{
	static const uint8_t minlen[] = { [NLA_U8] = 1, [NLA_U16] = 2, [NLA_U32] = 4, [NLA_U64] = 8 };
	int len = nla_len(a);
	switch (p->type) {
	case NLA_STRING: {
		if (len < 1)
			return -ERANGE;
		const char *s = nla_data(a);
		if (s[len - 1] == 0)
			len--;
		return p->len && len > p->len ? -ERANGE : 0;
	}
	case NLA_BINARY:
		return p->len && len > p->len ? -ERANGE : 0;
	case NLA_NESTED:
		return len && len < NLA_HDRLEN ? -ERANGE : 0;
	case NLA_UNSPEC:
		return len < p->len ? -ERANGE : 0;
	default:
		return len < minlen[p->type] ? -ERANGE : 0;
	}
}

static int parse(const uint8_t *p, size_t rem, const struct nlattr **tb, int max, const struct nla_policy *pol)
{
	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;	/* the rest is ignored, as Linux (with a warning) */
		int type = a->nla_type & NLA_TYPE_MASK;
		if (type > 0 && type <= max) {
			if (pol) {
				int err = validate(a, &pol[type]);
				if (err)
					return err;
			}
			tb[type] = a;
		}
		size_t step = NLA_ALIGN(a->nla_len);
		if (step >= rem)
			break;
		p += step;
		rem -= step;
	}
	return 0;
}

int nlmsg_parse(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, int max,
		const struct nla_policy *pol)
{
	if (nlh->nlmsg_len < NLMSG_SPACE(hdrlen))
		return -EINVAL;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
	size_t rem = nlh->nlmsg_len > off ? nlh->nlmsg_len - off : 0;
	return parse((const uint8_t *)nlh + off, rem, tb, max, pol);
}

int nla_parse_nested(const struct nlattr *nest, const struct nlattr **tb, int max, const struct nla_policy *pol)
{
	return parse(nla_data(nest), (size_t)nla_len(nest), tb, max, pol);
}

void nla_strscpy(char *buf, const struct nlattr *a, size_t n)
{
	size_t len = (size_t)nla_len(a);
	const char *s = nla_data(a);
	len = strnlen(s, len);
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = 0;
}
