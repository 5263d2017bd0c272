/* Classic BPF (umk/filter.h): Linux's bpf_check_classic, and an
 * interpreter with the run-time rules Linux's translation to eBPF gives
 * classic programs: loads outside the packet, and division or modulo by
 * a zero X, end the program with 0; shifts by X use its low five bits. */
#include <umk/filter.h>
#include <umk/netdevice.h>
#include <umk/sched.h>
#include <linux/netlink.h>

/* The opcodes a classic program may use (Linux's chk_code_allowed). */
static bool code_allowed(uint16_t code)
{
	switch (code) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_IMM: case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN: case BPF_LDX | BPF_B | BPF_MSH:
	case BPF_LDX | BPF_IMM: case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	}
	return false;
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/* The ancillary loads we implement. SKF_AD_PAY_OFFSET (a flow
 * dissector's payload offset) is not among them: refused at attach. */
static bool ancillary_known(uint32_t k)
{
	switch (k - (uint32_t)SKF_AD_OFF) {
	case SKF_AD_PROTOCOL: case SKF_AD_PKTTYPE: case SKF_AD_IFINDEX: case SKF_AD_NLATTR:
	case SKF_AD_NLATTR_NEST: case SKF_AD_MARK: case SKF_AD_QUEUE: case SKF_AD_HATYPE:
	case SKF_AD_RXHASH: case SKF_AD_CPU: case SKF_AD_ALU_XOR_X: case SKF_AD_VLAN_TAG:
	case SKF_AD_VLAN_TAG_PRESENT: case SKF_AD_RANDOM: case SKF_AD_VLAN_TPID:
		return true;
	}
	return false;
}

/* No path may read a scratch slot before writing it (Linux's
 * check_load_and_stores): M[] is not cleared between packets, so such a
 * read would see another packet's data. masks[pc]: the slots written on
 * every path reaching pc by a jump. */
static int check_load_and_stores(const struct sock_filter *f, unsigned len)
{
	uint16_t *masks = kmalloc(sizeof(*masks) * len);
	uint16_t valid = 0;
	int ret = 0;
	memset(masks, 0xff, sizeof(*masks) * len);
	for (unsigned pc = 0; pc < len && !ret; pc++) {
		valid &= masks[pc];
		uint16_t code = f[pc].code;
		if (code == BPF_ST || code == BPF_STX) {
			valid |= (uint16_t)(1u << f[pc].k);
		} else if (code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM)) {
			if (!(valid & (1u << f[pc].k)))
				ret = -EINVAL;
		} else if (code == (BPF_JMP | BPF_JA)) {
			masks[pc + 1 + f[pc].k] &= valid;
			valid = 0xffff;	/* nothing falls through */
		} else if (is_cond_jump(code)) {
			masks[pc + 1 + f[pc].jt] &= valid;
			masks[pc + 1 + f[pc].jf] &= valid;
			valid = 0xffff;
		}
	}
	kfree(masks);
	return ret;
}

int sk_chk_filter(const struct sock_filter *f, unsigned len)
{
	if (!len || len > BPF_MAXINSNS)
		return -EINVAL;
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *t = &f[pc];
		if (!code_allowed(t->code))
			return -EINVAL;
		switch (t->code) {
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_K:
			if (!t->k)
				return -EINVAL;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (t->k >= 32)
				return -EINVAL;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (t->k >= BPF_MEMWORDS)
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			if (t->k >= len - pc - 1)
				return -EINVAL;
			break;
		case BPF_LD | BPF_W | BPF_ABS:
		case BPF_LD | BPF_H | BPF_ABS:
		case BPF_LD | BPF_B | BPF_ABS:
			if (t->k >= (uint32_t)SKF_AD_OFF && !ancillary_known(t->k))
				return -EINVAL;
			break;
		default:
			if (is_cond_jump(t->code) && (pc + t->jt + 1 >= len || pc + t->jf + 1 >= len))
				return -EINVAL;
		}
	}
	uint16_t last = f[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return -EINVAL;
	return check_load_and_stores(f, len);
}

/* ---- running ---- */

/* size bytes at offset k of the packet, or NULL (Linux's
 * bpf_skb_load_helper and load_pointer_neg_helper): non-negative offsets
 * count from data within len; negative ones reach the network or link
 * header and may go anywhere between the buffer's head and the packet's
 * end. */
static const uint8_t *load_ptr(const struct sk_buff *skb, int32_t k, unsigned size)
{
	if (k >= 0)
		return (uint32_t)k <= skb->len && size <= skb->len - (uint32_t)k ? skb->data + k : NULL;
	const uint8_t *base;
	int64_t off;
	if (k >= SKF_NET_OFF) {
		if (skb->network_off < 0)
			return NULL;
		base = skb->head + skb->network_off;
		off = (int64_t)k - SKF_NET_OFF;
	} else if (k >= SKF_LL_OFF) {
		if (skb->mac_off < 0)
			return NULL;
		base = skb->head + skb->mac_off;
		off = (int64_t)k - SKF_LL_OFF;
	} else {
		return NULL;
	}
	int64_t start = (base - skb->head) + off, end = skb_tail(skb) - skb->head;
	if (start < 0 || start + size > end)
		return NULL;
	return skb->head + start;
}

static bool load(const struct sk_buff *skb, int32_t k, unsigned size, uint32_t *v)
{
	const uint8_t *p = load_ptr(skb, k, size);
	if (!p)
		return false;
	uint32_t r = 0;
	for (unsigned i = 0; i < size; i++)
		r = r << 8 | p[i];	/* network byte order */
	*v = r;
	return true;
}

/* The netlink attribute of type x at or after offset a (SKF_AD_NLATTR),
 * or inside the attribute at a (SKF_AD_NLATTR_NEST): its offset, 0 if
 * none (Linux's nla_find over the packet). */

static uint32_t nla_find_at(const struct sk_buff *skb, uint32_t start, int64_t rem, uint32_t x)
{
	uint32_t pos = start;
	while (rem >= (int64_t)sizeof(struct nlattr)) {
		struct nlattr h;
		memcpy(&h, skb->data + pos, sizeof(h));
		if (h.nla_len < sizeof(h) || h.nla_len > rem)
			break;
		if ((h.nla_type & NLA_TYPE_MASK) == (int)x)
			return pos;
		uint32_t step = (h.nla_len + 3u) & ~3u;
		rem -= step;
		pos += step;
	}
	return 0;
}

static uint32_t nlattr(const struct sk_buff *skb, uint32_t a, uint32_t x, bool nest)
{
	if (skb->len < sizeof(struct nlattr) || a > skb->len - sizeof(struct nlattr))
		return 0;
	if (!nest)
		return nla_find_at(skb, a, skb->len - a, x);
	struct nlattr h;
	memcpy(&h, skb->data + a, sizeof(h));
	if (h.nla_len > skb->len - a)
		return 0;
	return nla_find_at(skb, a + sizeof(h), (int64_t)h.nla_len - (int64_t)sizeof(h), x);
}

/* An ancillary load into *a; false ends the program with 0. */
static bool ancillary(const struct sk_buff *skb, uint32_t k, uint32_t *a, uint32_t x)
{
	const struct net_device *dev = skb->dev;
	switch (k - (uint32_t)SKF_AD_OFF) {
	case SKF_AD_PROTOCOL: *a = skb->protocol; return true;
	case SKF_AD_PKTTYPE: *a = skb->pkt_type; return true;
	case SKF_AD_IFINDEX:
		if (!dev)
			return false;
		*a = (uint32_t)dev->ifindex;
		return true;
	case SKF_AD_HATYPE:
		if (!dev)
			return false;
		*a = dev->type;
		return true;
	case SKF_AD_NLATTR: *a = nlattr(skb, *a, x, false); return true;
	case SKF_AD_NLATTR_NEST: *a = nlattr(skb, *a, x, true); return true;
	case SKF_AD_MARK: *a = 0; return true;		/* packets carry no marks here */
	case SKF_AD_QUEUE: *a = 0; return true;		/* one queue */
	case SKF_AD_RXHASH: *a = 0; return true;	/* no flow hash is computed */
	case SKF_AD_CPU: *a = 0; return true;		/* one CPU */
	case SKF_AD_ALU_XOR_X: *a ^= x; return true;
	case SKF_AD_VLAN_TAG: *a = skb->vlan_present ? skb->vlan_tci : 0; return true;
	case SKF_AD_VLAN_TAG_PRESENT: *a = skb->vlan_present; return true;
	case SKF_AD_VLAN_TPID: *a = skb->vlan_present ? skb->vlan_proto : 0; return true;
	case SKF_AD_RANDOM: get_random_bytes(a, sizeof(*a)); return true;
	}
	return false;	/* unchecked program: never attached */
}

static unsigned size_of(uint16_t code)
{
	return BPF_SIZE(code) == BPF_W ? 4 : BPF_SIZE(code) == BPF_H ? 2 : 1;
}

uint32_t sk_filter_run(const struct sk_filter *f, const struct sk_buff *skb)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	for (unsigned pc = 0; pc < f->len; pc++) {
		const struct sock_filter *i = &f->insns[pc];
		uint32_t k = i->k, src = BPF_SRC(i->code) == BPF_X ? x : k;
		switch (BPF_CLASS(i->code)) {
		case BPF_LD:
			switch (BPF_MODE(i->code)) {
			case BPF_ABS:
				if (k >= (uint32_t)SKF_AD_OFF) {
					if (!ancillary(skb, k, &a, x))
						return 0;
				} else if (!load(skb, (int32_t)k, size_of(i->code), &a)) {
					return 0;
				}
				break;
			case BPF_IND:
				if (!load(skb, (int32_t)(x + k), size_of(i->code), &a))
					return 0;
				break;
			case BPF_LEN: a = skb->len; break;
			case BPF_IMM: a = k; break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS)
					return 0;
				a = mem[k];
				break;
			default: return 0;
			}
			break;
		case BPF_LDX:
			switch (BPF_MODE(i->code)) {
			case BPF_LEN: x = skb->len; break;
			case BPF_IMM: x = k; break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS)
					return 0;
				x = mem[k];
				break;
			case BPF_MSH: {
				uint32_t b;
				if (!load(skb, (int32_t)k, 1, &b))
					return 0;
				x = (b & 0xf) << 2;	/* an IPv4 header's length */
				break;
			}
			default: return 0;
			}
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return 0;
			mem[k] = BPF_CLASS(i->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(i->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return 0;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0;
				a %= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a <<= (src & 31); break;
			case BPF_RSH: a >>= (src & 31); break;
			case BPF_NEG: a = -a; break;
			default: return 0;
			}
			break;
		case BPF_JMP: {
			bool cond;
			switch (BPF_OP(i->code)) {
			case BPF_JA:
				if (k >= f->len - pc - 1)
					return 0;	/* unchecked program */
				pc += k;
				continue;
			case BPF_JEQ: cond = a == src; break;
			case BPF_JGT: cond = a > src; break;
			case BPF_JGE: cond = a >= src; break;
			case BPF_JSET: cond = (a & src) != 0; break;
			default: return 0;
			}
			pc += cond ? i->jt : i->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(i->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(i->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return 0;	/* ran off the end: an unchecked program */
}
