/* A guest thread's registers as the gdbstub hands them to gdb: the
 * target description below says which there are, in which order ('g'
 * packets are all of them in that order, 'p' one by number) and of what
 * type; the values come from the arch's register sets (NT_PRSTATUS and
 * NT_PRFPREG, as ptrace reads them). x86-64 only, as umk is. */
#include <umk/kernel.h>
#include <umk/arch.h>
#include <umk/sched.h>
#include <linux/elf.h>
#include "gdbstub.h"

/* gdb's features for amd64 Linux: the core registers and the x87 state
 * (org.gnu.gdb.i386.core), SSE (.sse), the syscall number orig_rax
 * (.linux, which makes gdb restart system calls right) and the fs and gs
 * bases (.segments). Register numbers follow the order of appearance. */
const char gdbstub_target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<osabi>GNU/Linux</osabi>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/><reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/><reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/><reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/><reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/><reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/><reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/><reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/><reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/><reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/><reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/><reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/><reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.sse\">\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/><vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/><vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/><vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/><field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/><field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/><field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/></union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">"
	"<field name=\"IE\" start=\"0\" end=\"0\"/><field name=\"DE\" start=\"1\" end=\"1\"/>"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/><field name=\"OE\" start=\"3\" end=\"3\"/>"
	"<field name=\"UE\" start=\"4\" end=\"4\"/><field name=\"PE\" start=\"5\" end=\"5\"/>"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/><field name=\"IM\" start=\"7\" end=\"7\"/>"
	"<field name=\"DM\" start=\"8\" end=\"8\"/><field name=\"ZM\" start=\"9\" end=\"9\"/>"
	"<field name=\"OM\" start=\"10\" end=\"10\"/><field name=\"UM\" start=\"11\" end=\"11\"/>"
	"<field name=\"PM\" start=\"12\" end=\"12\"/><field name=\"FZ\" start=\"15\" end=\"15\"/></flags>\n"
	"<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>"
	"<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/><reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.linux\">\n"
	"<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\" group=\"system\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/><reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"</feature>\n"
	"</target>\n";

/* Where each register of the description lives: a word of
 * user_regs_struct (GP, 8 or 4 bytes of it) or bytes of the FXSAVE area
 * (FX); the x87 tag word is converted (TAG). */
enum src { GP, FX, TAG };
struct reg { uint8_t src, size; uint16_t off; };
#define R(name) { GP, 8, offsetof(struct guest_regs, name) }
#define R32(name) { GP, 4, offsetof(struct guest_regs, name) }
static const struct reg regs[] = {
	R(rax), R(rbx), R(rcx), R(rdx), R(rsi), R(rdi), R(rbp), R(rsp),
	R(r8), R(r9), R(r10), R(r11), R(r12), R(r13), R(r14), R(r15),
	R(rip), R32(eflags), R32(cs), R32(ss), R32(ds), R32(es), R32(fs), R32(gs),
	/* st0-7 in stack order, 16 bytes apart */
	{ FX, 10, 32 }, { FX, 10, 48 }, { FX, 10, 64 }, { FX, 10, 80 },
	{ FX, 10, 96 }, { FX, 10, 112 }, { FX, 10, 128 }, { FX, 10, 144 },
	/* fctrl fstat ftag fiseg fioff foseg fooff fop; 64-bit FXSAVE keeps
	 * the instruction and operand pointers whole: the segments are their
	 * upper halves, as gdb reads them on amd64 */
	{ FX, 2, 0 }, { FX, 2, 2 }, { TAG, 4, 4 }, { FX, 4, 12 },
	{ FX, 4, 8 }, { FX, 4, 20 }, { FX, 4, 16 }, { FX, 2, 6 },
	{ FX, 16, 160 }, { FX, 16, 176 }, { FX, 16, 192 }, { FX, 16, 208 },
	{ FX, 16, 224 }, { FX, 16, 240 }, { FX, 16, 256 }, { FX, 16, 272 },
	{ FX, 16, 288 }, { FX, 16, 304 }, { FX, 16, 320 }, { FX, 16, 336 },
	{ FX, 16, 352 }, { FX, 16, 368 }, { FX, 16, 384 }, { FX, 16, 400 },
	{ FX, 4, 24 },				/* mxcsr */
	R(orig_rax), R(fs_base), R(gs_base),
};
#define NREGS ((int)ARRAY_SIZE(regs))
/* bytes in gdb's view of each register (its bitsize / 8) */
static int gdb_size(int n)
{
	if (n >= 24 && n < 32)
		return 10;
	if (n >= 32 && n < 40)
		return 4;
	return regs[n].src == GP ? regs[n].size : regs[n].size == 2 ? 4 : regs[n].size;
}

struct regsets {
	struct guest_regs gp;
	uint8_t fx[512];
};

static int fetch(struct task *t, struct regsets *s)
{
	if (arch_regset_get(t, NT_PRSTATUS, &s->gp, sizeof(s->gp)) < 0 ||
	    arch_regset_get(t, NT_PRFPREG, s->fx, sizeof(s->fx)) < 0)
		return -EIO;
	return 0;
}

/* FXSAVE's abridged tag (a bit per register: not empty) as the full x87
 * tag word gdb shows: valid 0, zero 1, special 2, empty 3. */
static uint32_t full_tag(const uint8_t *fx)
{
	unsigned top = (fx[3] >> 3) & 7, tag = 0;
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = 3;
		if (fx[4] & (1u << i)) {
			const uint8_t *st = fx + 32 + 16 * ((i - top) & 7);
			uint64_t mant;
			memcpy(&mant, st, 8);
			unsigned exp = (st[8] | st[9] << 8) & 0x7fff;
			if (exp == 0x7fff)
				t = 2;
			else if (exp == 0)
				t = mant ? 2 : 1;
			else
				t = (mant >> 63) ? 0 : 2;
		}
		tag |= t << (2 * i);
	}
	return tag;
}

static void get_one(const struct regsets *s, int n, uint8_t *out)
{
	const struct reg *r = &regs[n];
	memset(out, 0, 16);
	if (r->src == GP)
		memcpy(out, (const uint8_t *)&s->gp + r->off, r->size);
	else if (r->src == FX)
		memcpy(out, s->fx + r->off, r->size);
	else {
		uint32_t tag = full_tag(s->fx);
		memcpy(out, &tag, 4);
	}
	if (n == 39)	/* fop: 11 bits */
		out[1] &= 7;
}

/* -1 if the value does not fit where it goes */
static int put_one(struct regsets *s, int n, const uint8_t *in)
{
	const struct reg *r = &regs[n];
	if (r->src == GP) {
		uint64_t v = 0;
		memcpy(&v, in, gdb_size(n));
		memcpy((uint8_t *)&s->gp + r->off, &v, 8);
	} else if (r->src == FX) {
		memcpy(s->fx + r->off, in, r->size);
	} else {
		uint32_t tag;
		memcpy(&tag, in, 4);
		uint8_t abridged = 0;
		for (unsigned i = 0; i < 8; i++)
			if (((tag >> (2 * i)) & 3) != 3)
				abridged |= (uint8_t)(1u << i);
		s->fx[4] = abridged;
	}
	return 0;
}

static int store(struct task *t, const struct regsets *s, bool gp, bool fx)
{
	if (gp && arch_regset_set(t, NT_PRSTATUS, &s->gp, sizeof(s->gp)) < 0)
		return -EINVAL;
	if (fx && arch_regset_set(t, NT_PRFPREG, s->fx, sizeof(s->fx)) < 0)
		return -EINVAL;
	return 0;
}

long regs_read_all(struct task *t, char *out, size_t size)
{
	struct regsets s;
	if (fetch(t, &s))
		return -EIO;
	size_t o = 0;
	for (int n = 0; n < NREGS; n++) {
		uint8_t v[16];
		int sz = gdb_size(n);
		if (o + 2 * sz + 1 > size)
			return -ENOSPC;
		get_one(&s, n, v);
		hex_encode(out + o, v, sz);
		o += 2 * sz;
	}
	return (long)o;
}

int regs_write_all(struct task *t, const char *hex)
{
	struct regsets s;
	if (fetch(t, &s))
		return -EIO;
	for (int n = 0; n < NREGS; n++) {
		uint8_t v[16];
		int sz = gdb_size(n);
		if (hex_decode(v, hex, sz) < 0)
			return -EINVAL;
		put_one(&s, n, v);
		hex += 2 * sz;
	}
	return store(t, &s, true, true);
}

long regs_read_one(struct task *t, int n, char *out, size_t size)
{
	struct regsets s;
	if (n < 0 || n >= NREGS || (size_t)(2 * gdb_size(n) + 1) > size)
		return -EINVAL;
	if (fetch(t, &s))
		return -EIO;
	uint8_t v[16];
	get_one(&s, n, v);
	hex_encode(out, v, gdb_size(n));
	return 2 * gdb_size(n);
}

int regs_write_one(struct task *t, int n, const char *hex)
{
	struct regsets s;
	uint8_t v[16];
	if (n < 0 || n >= NREGS || hex_decode(v, hex, gdb_size(n)) < 0)
		return -EINVAL;
	if (fetch(t, &s))
		return -EIO;
	put_one(&s, n, v);
	return store(t, &s, regs[n].src == GP, regs[n].src != GP);
}
