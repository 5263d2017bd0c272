/* rtnetlink policy rules: the RTM_GETRULE dump (`ip rule`) shows the
 * three IPv4 rules umk's lookups follow (Linux's defaults: local at 0,
 * main at 32766, default at 32767, fib4_rules_init); adding or deleting
 * rules (policy routing) is refused with EOPNOTSUPP, logged once. As
 * Linux's net/core/fib_rules.c fills them. */
#include <linux/fib_rules.h>
#include "netlink.h"

static const struct { uint32_t pref, table; } default_rules[] = {
	{ 0, RT_TABLE_LOCAL }, { 32766, RT_TABLE_MAIN }, { 32767, RT_TABLE_DEFAULT },
};

static void fill_rule(struct nlbuf *b, uint32_t pref, uint32_t table, uint16_t flags, uint32_t seq, uint32_t portid)
{
	struct fib_rule_hdr frh = { .family = AF_INET, .table = (uint8_t)table, .action = FR_ACT_TO_TBL };
	size_t msg = nlmsg_begin(b, RTM_NEWRULE, flags, seq, portid, &frh, sizeof(frh));
	nla_put_u32(b, FRA_TABLE, table);
	nla_put_u32(b, FRA_SUPPRESS_PREFIXLEN, 0xffffffffu);	/* -1: none */
	nla_put_u8(b, FRA_PROTOCOL, RTPROT_KERNEL);
	if (pref)
		nla_put_u32(b, FRA_PRIORITY, pref);
	nlmsg_end(b, msg);
}

static int dumprule(struct rtnl_req *r, struct nlbuf *out)
{
	const struct fib_rule_hdr *frh = nlmsg_payload(r->nlh);
	if (r->strict) {
		if (nlmsg_plen(r->nlh) < sizeof(*frh))
			return rtnl_err(r, -EINVAL, "Invalid header for fib rule dump request");
		if (frh->dst_len || frh->src_len || frh->tos || frh->table || frh->res1 || frh->res2 || frh->action ||
		    frh->flags)
			return rtnl_err(r, -EINVAL, "Invalid values in header for fib rule dump request");
		if (nlmsg_plen(r->nlh) > NLMSG_ALIGN(sizeof(*frh)))
			return rtnl_err(r, -EINVAL, "Invalid attributes in fib rule dump request");
	}
	if (frh->family != AF_UNSPEC && frh->family != AF_INET)
		return -EAFNOSUPPORT;	/* no rules of other families (no IPv6) */
	for (size_t i = 0; i < sizeof(default_rules) / sizeof(default_rules[0]); i++)
		fill_rule(out, default_rules[i].pref, default_rules[i].table, rtnl_dump_flags(r), r->nlh->nlmsg_seq,
			  r->nlk->portid);
	return 0;
}

static int changerule(struct rtnl_req *r __unused)
{
	printk_once_key("policy rules", KERN_NOTICE "rtnetlink: policy routing rules (ip rule add/del) are not implemented\n");
	return -EOPNOTSUPP;
}

static const struct rtnl_handler h_getrule = { RTM_GETRULE, AF_UNSPEC, NULL, dumprule };
static const struct rtnl_handler h_newrule = { RTM_NEWRULE, AF_UNSPEC, changerule, NULL };
static const struct rtnl_handler h_delrule = { RTM_DELRULE, AF_UNSPEC, changerule, NULL };
DEFINE_RTNL_HANDLER(h_getrule);
DEFINE_RTNL_HANDLER(h_newrule);
DEFINE_RTNL_HANDLER(h_delrule);
