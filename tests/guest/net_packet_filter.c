/* Classic BPF on packet sockets (Documentation/networking/filter.rst):
 * which programs SO_ATTACH_FILTER refuses (EINVAL, as Linux's checker),
 * the option's own errors, SO_LOCK_FILTER, SO_DETACH_FILTER,
 * SO_GET_FILTER, SO_BPF_EXTENSIONS, and what programs do to frames sent
 * on lo: keep, cut, drop; loads past the end; negative offsets into the
 * network and link headers; ancillary data; division by a zero X;
 * netlink attributes; tcpdump's own programs. */
#include "packet.h"

#define S(c, k) BPF_STMT(c, k)
#define J(c, k, t, f) BPF_JUMP(c, k, t, f)
#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static int lo, rx, tx;

static int attach(int s, struct sock_filter *code, int n)
{
	struct sock_fprog p = { .len = (unsigned short)n, .filter = code };
	return setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p));
}

/* The program on rx, a frame of len bytes (payload from pay if given)
 * sent on lo: how many bytes rx got (-1: none). */
static long run(struct sock_filter *code, int n, size_t len, const uint8_t *pay, size_t paylen)
{
	static const uint8_t zero[6], src[6] = { 0x02, 0, 0, 0, 0, 9 };
	if (attach(rx, code, n)) {
		printf("attach: %s\n", strerror(errno));
		return -2;
	}
	uint8_t f[256];
	t_frame(f, len, zero, src, ETH_P_EXP1);
	if (pay)
		memcpy(f + 14, pay, paylen);
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	sendto(tx, f, len, 0, (struct sockaddr *)&a, sizeof(a));
	uint8_t b[256];
	/* nothing expected is a short wait: the frame came back at once */
	struct pollfd p = { .fd = rx, .events = POLLIN };
	long got = poll(&p, 1, 200) == 1 ? recv(rx, b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) : -1;
	if (got >= 0 && t_drain(rx))
		got = -3;	/* more than one: wrong */
	setsockopt(rx, SOL_SOCKET, SO_DETACH_FILTER, &got, sizeof(int));
	return got;
}

#define EXPECT(what, code, len, want) do { \
	long g_ = run(code, N(code), len, NULL, 0); \
	if (g_ == (want)) printf("%s: %ld\n", what, g_); \
	else { printf("%s: FAIL got %ld want %ld\n", what, g_, (long)(want)); t_failures++; } \
} while (0)

static void refusals(void)
{
	static struct { const char *what; struct sock_filter p[4]; int n; } bad[] = {
		{ "unknown opcode 0xffff", { S(0xffff, 0), S(BPF_RET | BPF_K, 0) }, 2 },
		{ "ld with msh", { S(BPF_LD | BPF_B | BPF_MSH, 0), S(BPF_RET | BPF_K, 0) }, 2 },
		{ "ldx abs (seccomp only)", { S(BPF_LDX | BPF_W | BPF_ABS, 0), S(BPF_RET | BPF_K, 0) }, 2 },
		{ "ret x", { S(BPF_RET | BPF_X, 0) }, 1 },
		{ "div by constant 0", { S(BPF_ALU | BPF_DIV | BPF_K, 0), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "mod by constant 0", { S(BPF_ALU | BPF_MOD | BPF_K, 0), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "lsh by 32", { S(BPF_ALU | BPF_LSH | BPF_K, 32), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "rsh by 99", { S(BPF_ALU | BPF_RSH | BPF_K, 99), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "st to slot 16", { S(BPF_ST, 16), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "ldx from slot 0xffffffff", { S(BPF_STX, 0), S(BPF_LDX | BPF_MEM, 0xffffffff), S(BPF_RET | BPF_A, 0) }, 3 },
		{ "read of an unwritten slot", { S(BPF_LD | BPF_MEM, 3), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "slot written on one path only",
		  { J(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1), S(BPF_ST, 5), S(BPF_LD | BPF_MEM, 5), S(BPF_RET | BPF_A, 0) }, 4 },
		{ "jt past the end", { J(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), S(BPF_RET | BPF_K, 0) }, 2 },
		{ "jf past the end", { J(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 200), S(BPF_RET | BPF_K, 0) }, 2 },
		{ "ja at the last place", { S(BPF_RET | BPF_K, 0), S(BPF_JMP | BPF_JA, 0) }, 2 },
		{ "ja past the end", { S(BPF_JMP | BPF_JA, 1), S(BPF_RET | BPF_K, 0) }, 2 },
		{ "last not a return", { S(BPF_LD | BPF_IMM, 1) }, 1 },
		{ "unknown ancillary load", { S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 1), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "offset -1 (an unknown ancillary offset)", { S(BPF_LD | BPF_B | BPF_ABS, (unsigned)-1), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "ancillary at SKF_AD_MAX", { S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_MAX), S(BPF_RET | BPF_A, 0) }, 2 },
	};
	for (int i = 0; i < N(bad); i++) {
		char what[96];
		snprintf(what, sizeof(what), "refused: %s", bad[i].what);
		CHECK_ERR(what, attach(rx, bad[i].p, bad[i].n), EINVAL);
	}
	static struct { const char *what; struct sock_filter p[4]; int n; } good[] = {
		{ "slot written on both paths",
		  { S(BPF_ST, 5), J(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1), S(BPF_LD | BPF_MEM, 5), S(BPF_RET | BPF_A, 0) }, 4 },
		{ "ind load at an ancillary offset", { S(BPF_LD | BPF_W | BPF_IND, SKF_AD_OFF + 1), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "div by X", { S(BPF_ALU | BPF_DIV | BPF_X, 0), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "lsh by 31", { S(BPF_ALU | BPF_LSH | BPF_K, 31), S(BPF_RET | BPF_A, 0) }, 2 },
		{ "ancillary vlan tag", { S(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG), S(BPF_RET | BPF_A, 0) }, 2 },
	};
	for (int i = 0; i < N(good); i++) {
		char what[96];
		snprintf(what, sizeof(what), "accepted: %s", good[i].what);
		CHECK_OK(what, attach(rx, good[i].p, good[i].n));
	}
	static struct sock_filter big[BPF_MAXINSNS + 1];
	for (int i = 0; i <= BPF_MAXINSNS; i++)
		big[i] = (struct sock_filter)S(BPF_LD | BPF_IMM, (unsigned)i);
	big[BPF_MAXINSNS - 1] = (struct sock_filter)S(BPF_RET | BPF_A, 0);
	CHECK_OK("4096 instructions", attach(rx, big, BPF_MAXINSNS));
	big[BPF_MAXINSNS] = big[BPF_MAXINSNS - 1];
	CHECK_ERR("4097 instructions", attach(rx, big, BPF_MAXINSNS + 1), EINVAL);
	big[0] = (struct sock_filter)S(BPF_JMP | BPF_JA, BPF_MAXINSNS - 2);
	CHECK_OK("ja to the last of 4096", attach(rx, big, BPF_MAXINSNS));
	setsockopt(rx, SOL_SOCKET, SO_DETACH_FILTER, &lo, sizeof(int));
}

static void option_errors(void)
{
	struct sock_filter ret = S(BPF_RET | BPF_K, 0);
	struct sock_fprog p = { .len = 1, .filter = &ret };
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	CHECK_ERR("SO_ATTACH_FILTER with 8 bytes", setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, 8), EINVAL);
	CHECK_ERR("SO_ATTACH_FILTER with 24 bytes", setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, 24), EINVAL);
	CHECK_ERR("SO_ATTACH_FILTER from NULL", setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, NULL, sizeof(p)), EFAULT);
	p.len = 0;
	CHECK_ERR("a program of 0 instructions", setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)), EINVAL);
	p.len = 1;
	p.filter = NULL;
	CHECK_ERR("a NULL program", setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)), EINVAL);
	p.filter = (struct sock_filter *)8;
	CHECK_ERR("a program at address 8", setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)), EFAULT);
	int v = 0;
	CHECK_ERR("detach with no filter", setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &v, sizeof(v)), ENOENT);
	socklen_t l = 0;
	struct sock_filter out[8];
	CHECK("SO_GET_FILTER with none: 0", getsockopt(s, SOL_SOCKET, SO_GET_FILTER, out, &l) == 0 && l == 0);
	struct sock_filter two[] = { S(BPF_LD | BPF_IMM, 7), S(BPF_RET | BPF_A, 0) };
	CHECK_OK("attach a 2-instruction program", attach(s, two, 2));
	l = 0;
	CHECK("SO_GET_FILTER with length 0 counts instructions", getsockopt(s, SOL_SOCKET, SO_GET_FILTER, out, &l) == 0 && l == 2);
	l = 1;
	CHECK_ERR("SO_GET_FILTER into 1 instruction", getsockopt(s, SOL_SOCKET, SO_GET_FILTER, out, &l), EINVAL);
	l = 8;
	memset(out, 0, sizeof(out));
	CHECK("SO_GET_FILTER gives the program back",
	      getsockopt(s, SOL_SOCKET, SO_GET_FILTER, out, &l) == 0 && l == 2 && !memcmp(out, two, sizeof(two)));
	CHECK_OK("detach", setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &v, sizeof(v)));
	CHECK_ERR("detach again", setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &v, sizeof(v)), ENOENT);
	CHECK_ERR("detach with 2 bytes", setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &v, 2), EINVAL);
	l = sizeof(v);
	CHECK("SO_BPF_EXTENSIONS", getsockopt(s, SOL_SOCKET, SO_BPF_EXTENSIONS, &v, &l) == 0);
	printf("SO_BPF_EXTENSIONS: %d\n", v);
	/* SO_LOCK_FILTER: for good */
	CHECK_OK("attach before locking", attach(s, two, 2));
	v = 1;
	CHECK_OK("SO_LOCK_FILTER 1", setsockopt(s, SOL_SOCKET, SO_LOCK_FILTER, &v, sizeof(v)));
	v = 0;
	l = sizeof(v);
	CHECK("SO_LOCK_FILTER reads 1", getsockopt(s, SOL_SOCKET, SO_LOCK_FILTER, &v, &l) == 0 && v == 1);
	CHECK_ERR("attach when locked", attach(s, two, 2), EPERM);
	CHECK_ERR("detach when locked", setsockopt(s, SOL_SOCKET, SO_DETACH_FILTER, &v, sizeof(v)), EPERM);
	v = 0;
	CHECK_ERR("unlock", setsockopt(s, SOL_SOCKET, SO_LOCK_FILTER, &v, sizeof(v)), EPERM);
	v = 1;
	CHECK_OK("lock again", setsockopt(s, SOL_SOCKET, SO_LOCK_FILTER, &v, sizeof(v)));
	l = 8;
	CHECK("the locked program is still there", getsockopt(s, SOL_SOCKET, SO_GET_FILTER, out, &l) == 0 && l == 2);
	close(s);
}

static void running(void)
{
	struct sock_filter drop[] = { S(BPF_RET | BPF_K, 0) };
	EXPECT("ret #0 drops", drop, 60, -1);
	struct sock_filter cut[] = { S(BPF_RET | BPF_K, 20) };
	EXPECT("ret #20 keeps 20 bytes", cut, 60, 20);
	struct sock_filter all[] = { S(BPF_RET | BPF_K, 0xffffffff) };
	EXPECT("ret #0xffffffff keeps all", all, 60, 60);
	struct sock_filter last[] = { S(BPF_LD | BPF_B | BPF_ABS, 59), S(BPF_RET | BPF_K, 1000) };
	EXPECT("a load of the last byte", last, 60, 60);
	struct sock_filter past[] = { S(BPF_LD | BPF_B | BPF_ABS, 60), S(BPF_RET | BPF_K, 1000) };
	EXPECT("a load past the end drops", past, 60, -1);
	struct sock_filter straddle[] = { S(BPF_LD | BPF_W | BPF_ABS, 58), S(BPF_RET | BPF_K, 1000) };
	EXPECT("a word across the end drops", straddle, 60, -1);
	struct sock_filter huge[] = { S(BPF_LD | BPF_H | BPF_ABS, 0x7fffffff), S(BPF_RET | BPF_K, 1000) };
	EXPECT("offset 0x7fffffff drops", huge, 60, -1);
	struct sock_filter reta[] = { S(BPF_LD | BPF_B | BPF_ABS, 15), S(BPF_RET | BPF_A, 0) };
	EXPECT("ret a: payload byte 1 is 1", reta, 60, 1);
	struct sock_filter net[] = { S(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF + 5), S(BPF_ALU | BPF_ADD | BPF_K, 10),
				     S(BPF_RET | BPF_A, 0) };
	EXPECT("SKF_NET_OFF+5 is payload byte 5", net, 60, 15);
	struct sock_filter ll[] = { S(BPF_LD | BPF_H | BPF_ABS, SKF_LL_OFF + 12),
				    J(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_EXP1, 0, 1), S(BPF_RET | BPF_K, 33), S(BPF_RET | BPF_K, 0) };
	EXPECT("SKF_LL_OFF+12 is the EtherType", ll, 60, 33);
	struct sock_filter below[] = { S(BPF_LD | BPF_B | BPF_ABS, SKF_LL_OFF - 1), S(BPF_RET | BPF_K, 1000) };
	EXPECT("below SKF_LL_OFF drops", below, 60, -1);
	struct sock_filter minus[] = { S(BPF_LD | BPF_B | BPF_ABS, (unsigned)-5000), S(BPF_RET | BPF_K, 1000) };
	EXPECT("offset -5000 (neither header) drops", minus, 60, -1);
	struct sock_filter ind[] = { S(BPF_LDX | BPF_IMM, 0xffffffff), S(BPF_LD | BPF_B | BPF_IND, 20),
				     S(BPF_RET | BPF_A, 0) };
	EXPECT("ind x=-1 k=20 reads byte 19 (payload 5)", ind, 60, 5);
	struct sock_filter indneg[] = { S(BPF_LDX | BPF_IMM, 0xffffffff), S(BPF_LD | BPF_B | BPF_IND, 0),
					S(BPF_RET | BPF_K, 1000) };
	EXPECT("ind x=-1 k=0 drops", indneg, 60, -1);
	struct sock_filter msh[] = { S(BPF_LDX | BPF_B | BPF_MSH, 21), S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	EXPECT("msh of payload byte 7: 4*(7&15)", msh, 60, 28);
	struct sock_filter len[] = { S(BPF_LD | BPF_W | BPF_LEN, 0), S(BPF_ALU | BPF_SUB | BPF_K, 50), S(BPF_RET | BPF_A, 0) };
	EXPECT("len - 50", len, 60, 10);
	struct sock_filter div0[] = { S(BPF_LDX | BPF_IMM, 0), S(BPF_LD | BPF_IMM, 100), S(BPF_ALU | BPF_DIV | BPF_X, 0),
				      S(BPF_RET | BPF_K, 50) };
	EXPECT("div by a zero X drops", div0, 60, -1);
	struct sock_filter mod0[] = { S(BPF_LDX | BPF_IMM, 0), S(BPF_LD | BPF_IMM, 100), S(BPF_ALU | BPF_MOD | BPF_X, 0),
				      S(BPF_RET | BPF_K, 50) };
	EXPECT("mod by a zero X drops", mod0, 60, -1);
	struct sock_filter divk[] = { S(BPF_LD | BPF_IMM, 100), S(BPF_ALU | BPF_DIV | BPF_K, 7), S(BPF_RET | BPF_A, 0) };
	EXPECT("100 / 7", divk, 60, 14);
	struct sock_filter shx[] = { S(BPF_LDX | BPF_IMM, 33), S(BPF_LD | BPF_IMM, 20), S(BPF_ALU | BPF_LSH | BPF_X, 0),
				     S(BPF_RET | BPF_A, 0) };
	EXPECT("20 << 33 is 20 << 1", shx, 60, 40);
	struct sock_filter neg[] = { S(BPF_LD | BPF_IMM, (unsigned)-30), S(BPF_ALU | BPF_NEG, 0), S(BPF_RET | BPF_A, 0) };
	EXPECT("neg -30", neg, 60, 30);
	struct sock_filter mem[] = { S(BPF_LD | BPF_IMM, 25), S(BPF_ST, 15), S(BPF_LD | BPF_IMM, 0), S(BPF_LDX | BPF_MEM, 15),
				     S(BPF_MISC | BPF_TXA, 0), S(BPF_RET | BPF_A, 0) };
	EXPECT("st/ldx through slot 15", mem, 60, 25);
	struct sock_filter jset[] = { S(BPF_LD | BPF_IMM, 0x30), J(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 1),
				      S(BPF_RET | BPF_K, 11), S(BPF_RET | BPF_K, 12) };
	EXPECT("jset", jset, 60, 11);
	struct sock_filter jgt[] = { S(BPF_LD | BPF_IMM, 0x80000000), J(BPF_JMP | BPF_JGT | BPF_K, 5, 0, 1),
				     S(BPF_RET | BPF_K, 13), S(BPF_RET | BPF_K, 14) };
	EXPECT("jgt is unsigned", jgt, 60, 13);
	/* ancillary data */
	struct sock_filter proto[] = { S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
				       J(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_EXP1, 0, 1), S(BPF_RET | BPF_K, 41), S(BPF_RET | BPF_K, 0) };
	EXPECT("SKF_AD_PROTOCOL", proto, 60, 41);
	struct sock_filter pkttype[] = { S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
					 S(BPF_ALU | BPF_ADD | BPF_K, 10), S(BPF_RET | BPF_A, 0) };
	EXPECT("SKF_AD_PKTTYPE (host: 0)", pkttype, 60, 10);
	struct sock_filter ifindex[] = { S(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX),
					 S(BPF_ALU | BPF_ADD | BPF_K, 10), S(BPF_RET | BPF_A, 0) };
	EXPECT("SKF_AD_IFINDEX (lo: 1)", ifindex, 60, 10 + lo);
	struct sock_filter hatype[] = { S(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_HATYPE),
					J(BPF_JMP | BPF_JEQ | BPF_K, 772, 0, 1), S(BPF_RET | BPF_K, 42), S(BPF_RET | BPF_K, 0) };
	EXPECT("SKF_AD_HATYPE (ARPHRD_LOOPBACK)", hatype, 60, 42);
	struct sock_filter vlan[] = { S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT),
				      S(BPF_ALU | BPF_ADD | BPF_K, 43), S(BPF_RET | BPF_A, 0) };
	EXPECT("SKF_AD_VLAN_TAG_PRESENT (none)", vlan, 60, 43);
	struct sock_filter xorx[] = { S(BPF_LD | BPF_IMM, 0x0f), S(BPF_LDX | BPF_IMM, 0x2a), S(BPF_LD | BPF_B | BPF_ABS,
				      SKF_AD_OFF + SKF_AD_ALU_XOR_X), S(BPF_RET | BPF_A, 0) };
	EXPECT("SKF_AD_ALU_XOR_X", xorx, 60, 0x25);
	/* netlink attributes in the payload: {len 8, type 1} at 14, {len 8, type 7} at 22 */
	uint8_t attrs[16] = { 8, 0, 1, 0, 0xaa, 0xaa, 0xaa, 0xaa, 8, 0, 7, 0, 0xbb, 0xbb, 0xbb, 0xbb };
	struct sock_filter nla[] = { S(BPF_LD | BPF_IMM, 14), S(BPF_LDX | BPF_IMM, 7),
				     S(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR), S(BPF_RET | BPF_A, 0) };
	long g = run(nla, N(nla), 60, attrs, sizeof(attrs));
	CHECK("SKF_AD_NLATTR finds type 7 at 22", g == 22);
	/* tcpdump -i lo -dd 'ether proto 0x88b5' */
	struct sock_filter tcpdump[] = { { 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x000088b5 },
					 { 0x6, 0, 0, 0x00040000 }, { 0x6, 0, 0, 0x00000000 } };
	EXPECT("tcpdump's 'ether proto 0x88b5'", tcpdump, 60, 60);
	struct sock_filter arp[] = { { 0x28, 0, 0, 0x0000000c }, { 0x15, 0, 1, 0x00000806 }, { 0x6, 0, 0, 0x00040000 },
				     { 0x6, 0, 0, 0x00000000 } };
	EXPECT("tcpdump's 'arp'", arp, 60, -1);
}

int main(void)
{
	lo = t_lo_index();
	rx = socket(AF_PACKET, SOCK_RAW, 0);
	tx = socket(AF_PACKET, SOCK_RAW, 0);
	if (rx < 0 || tx < 0)
		DIE("packet sockets");
	t_lo_set_up(rx, 1);
	/* typed: only frames received on lo, no outgoing copies */
	struct sockaddr_ll a = t_sll(lo, ETH_P_EXP1);
	if (bind(rx, (struct sockaddr *)&a, sizeof(a)))
		DIE("bind");
	refusals();
	option_errors();
	running();
	return t_failures ? 1 : 0;
}
