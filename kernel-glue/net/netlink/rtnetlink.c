/* rtnetlink: the NETLINK_ROUTE requests in one sendmsg, handed to the
 * handler of their type and family (DEFINE_RTNL_HANDLER), acked with
 * NLMSG_ERROR as Linux's netlink_rcv_skb/netlink_ack do; dumps are cut
 * into datagrams and closed with NLMSG_DONE as netlink_dump does. */
#include "netlink.h"

umk_section_declare(const struct rtnl_handler *const, umk_rtnl_handlers);

/* Linux's NLMSG_GOODSIZE on 4 KiB pages: the first part of a dump,
 * before the reader has shown a larger buffer. */
#define NLMSG_GOODSIZE 3776
#define NLMSG_MAX_DUMP (32768 - 320)

static const struct rtnl_handler *find_handler(uint16_t type, uint8_t family, bool dump)
{
	for (int pass = 0; pass < 2; pass++) {
		umk_section_foreach(const struct rtnl_handler *const, umk_rtnl_handlers, h) {
			if ((*h)->type == type && (*h)->family == family && (dump ? (*h)->dumpit != NULL : (*h)->doit != NULL))
				return *h;
		}
		if (family == AF_UNSPEC)
			break;
		family = AF_UNSPEC;	/* a family without its own: the generic one, as Linux */
	}
	return NULL;
}

static void put_ext_msg(struct nlbuf *b, size_t msg, const char *ext)
{
	((struct nlmsghdr *)nlb_at(b, msg))->nlmsg_flags |= NLM_F_ACK_TLVS;
	nla_put_string(b, NLMSGERR_ATTR_MSG, ext);
}

/* Linux's netlink_ack: the error (0 for an ack) and the request's
 * header, with its payload too for an error unless NETLINK_CAP_ACK. */
static void ack(struct rtnl_req *r, int err)
{
	const struct nlmsghdr *nlh = r->nlh;
	bool capped = !err || (r->nlk->flags & NLF_CAP_ACK);
	struct nlbuf b = { 0 };
	size_t msg = nlmsg_begin(&b, NLMSG_ERROR, capped ? NLM_F_CAPPED : 0, nlh->nlmsg_seq, r->nlk->portid, NULL, 0);
	size_t at = nlb_room(&b, sizeof(struct nlmsgerr) + (capped ? 0 : nlmsg_plen(nlh)));
	struct nlmsgerr *e = nlb_at(&b, at);
	e->error = err;
	memcpy(&e->msg, nlh, capped ? sizeof(*nlh) : nlh->nlmsg_len);
	if (r->ext_msg && (r->nlk->flags & NLF_EXT_ACK))
		put_ext_msg(&b, msg, r->ext_msg);
	nlmsg_end(&b, msg);
	netlink_unicast(r->nlk, b.buf, b.len, 0, false);
	nlb_free(&b);
}

/* Hand a dump over in parts of at most the reader's buffer (whole
 * messages), then NLMSG_DONE with the dump's result. */
static void send_dump(struct rtnl_req *r, struct nlbuf *out, int err)
{
	struct netlink_sock *n = r->nlk;
	size_t limit = MAX((size_t)NLMSG_GOODSIZE, MIN(n->max_recvmsg_len, (size_t)NLMSG_MAX_DUMP));
	struct nlbuf done = { 0 };
	size_t msg = nlmsg_begin(&done, NLMSG_DONE, rtnl_dump_flags(r), r->nlh->nlmsg_seq, n->portid, &err,
				 sizeof(err));
	if (err && r->ext_msg && (n->flags & NLF_EXT_ACK))
		put_ext_msg(&done, msg, r->ext_msg);
	nlmsg_end(&done, msg);
	size_t start = 0, end = 0;
	while (end < out->len) {
		const struct nlmsghdr *nlh = nlb_at(out, end);
		size_t l = NLMSG_ALIGN(nlh->nlmsg_len);
		if (end > start && end - start + l > limit) {
			netlink_unicast(n, out->buf + start, end - start, 0, true);
			start = end;
		}
		end += l;
	}
	if (end > start && end - start + done.len <= limit) {
		/* NLMSG_DONE rides with the last part when it fits */
		nlb_room(out, done.len);
		memcpy(out->buf + end, done.buf, done.len);
		netlink_unicast(n, out->buf + start, end - start + done.len, 0, true);
	} else {
		if (end > start)
			netlink_unicast(n, out->buf + start, end - start, 0, true);
		netlink_unicast(n, done.buf, done.len, 0, true);
	}
	nlb_free(&done);
}

/* Linux's rtnetlink_rcv_msg: -EINTR when a dump was sent (no ack). */
static int rcv_msg(struct rtnl_req *r)
{
	const struct nlmsghdr *nlh = r->nlh;
	uint16_t type = nlh->nlmsg_type;
	if (type > RTM_MAX)
		return -EOPNOTSUPP;
	if (nlmsg_plen(nlh) < sizeof(struct rtgenmsg))
		return 0;	/* every request has at least its family */
	uint8_t family = ((const struct rtgenmsg *)nlmsg_payload(nlh))->rtgen_family;
	int kind = (type - RTM_BASE) & 3;	/* NEW, DEL, GET, SET */
	if (kind != 2 && !nl_admin())
		return -EPERM;
	if (kind == 2 && (nlh->nlmsg_flags & NLM_F_DUMP)) {
		const struct rtnl_handler *h = find_handler(type, family, true);
		if (!h)
			return -EOPNOTSUPP;
		struct nlbuf out = { 0 };
		int err = h->dumpit(r, &out);
		send_dump(r, &out, err);
		nlb_free(&out);
		return -EINTR;
	}
	const struct rtnl_handler *h = find_handler(type, family, false);
	if (!h)
		return -EOPNOTSUPP;
	return h->doit(r);
}

void rtnetlink_rcv(struct netlink_sock *nlk, const uint8_t *data, size_t len)
{
	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)data;
		if (nlh->nlmsg_len < NLMSG_HDRLEN || len < nlh->nlmsg_len)
			return;
		struct rtnl_req r = { .nlk = nlk, .nlh = nlh, .strict = (nlk->flags & NLF_STRICT_CHK) != 0 };
		int err = 0;
		if ((nlh->nlmsg_flags & NLM_F_REQUEST) && nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			err = rcv_msg(&r);
		if (err != -EINTR && ((nlh->nlmsg_flags & NLM_F_ACK) || err))
			ack(&r, err);
		size_t l = NLMSG_ALIGN(nlh->nlmsg_len);
		if (l > len)
			l = len;
		data += l;
		len -= l;
	}
}

void rtnl_unicast(struct rtnl_req *r, struct nlbuf *b)
{
	netlink_unicast(r->nlk, b->buf, b->len, 0, false);
}

void rtnl_notify(unsigned group, struct nlbuf *b)
{
	netlink_broadcast(group, b->buf, b->len, 0, NULL);
}
