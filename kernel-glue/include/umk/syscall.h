/* Syscall registration. Each file defines its syscalls with
 * SYSCALL_DEFINEn(name, type, arg, ...); a linker section collects them,
 * so no central table needs editing. Arguments arrive as longs and are
 * converted to the declared types; guest pointers are uaddr_t. */
#ifndef UMK_SYSCALL_H
#define UMK_SYSCALL_H
#include <umk/types.h>
#include <asm/unistd.h>

typedef long (*syscall_fn)(long, long, long, long, long, long);
struct syscall_entry { long nr; const char *name; syscall_fn fn; };

#define __SC_REGISTER(name) \
	static const struct syscall_entry __sc_ent_##name \
	__attribute__((used, section("umk_syscalls"), aligned(8))) = { __NR_##name, #name, __se_sys_##name };

#define __SC_HEAD(name) \
	static long __se_sys_##name(long, long, long, long, long, long); \
	__SC_REGISTER(name)

#define SYSCALL_DEFINE0(name) \
	__SC_HEAD(name) static long do_sys_##name(void); \
	static long __se_sys_##name(long x1 __unused, long x2 __unused, long x3 __unused, long x4 __unused, long x5 __unused, long x6 __unused) \
	{ return do_sys_##name(); } \
	static long do_sys_##name(void)
#define SYSCALL_DEFINE1(name, t1, a1) \
	__SC_HEAD(name) static long do_sys_##name(t1 a1); \
	static long __se_sys_##name(long x1, long x2 __unused, long x3 __unused, long x4 __unused, long x5 __unused, long x6 __unused) \
	{ return do_sys_##name((t1)x1); } \
	static long do_sys_##name(t1 a1)
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2) \
	__SC_HEAD(name) static long do_sys_##name(t1 a1, t2 a2); \
	static long __se_sys_##name(long x1, long x2, long x3 __unused, long x4 __unused, long x5 __unused, long x6 __unused) \
	{ return do_sys_##name((t1)x1, (t2)x2); } \
	static long do_sys_##name(t1 a1, t2 a2)
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3) \
	__SC_HEAD(name) static long do_sys_##name(t1 a1, t2 a2, t3 a3); \
	static long __se_sys_##name(long x1, long x2, long x3, long x4 __unused, long x5 __unused, long x6 __unused) \
	{ return do_sys_##name((t1)x1, (t2)x2, (t3)x3); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3)
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4) \
	__SC_HEAD(name) static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4); \
	static long __se_sys_##name(long x1, long x2, long x3, long x4, long x5 __unused, long x6 __unused) \
	{ return do_sys_##name((t1)x1, (t2)x2, (t3)x3, (t4)x4); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4)
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5) \
	__SC_HEAD(name) static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5); \
	static long __se_sys_##name(long x1, long x2, long x3, long x4, long x5, long x6 __unused) \
	{ return do_sys_##name((t1)x1, (t2)x2, (t3)x3, (t4)x4, (t5)x5); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5)
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	__SC_HEAD(name) static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6); \
	static long __se_sys_##name(long x1, long x2, long x3, long x4, long x5, long x6) \
	{ return do_sys_##name((t1)x1, (t2)x2, (t3)x3, (t4)x4, (t5)x5, (t6)x6); } \
	static long do_sys_##name(t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6)
/* Is there a system call of this name (its SYSCALL_DEFINE)? */
bool syscall_implemented(const char *name);
#endif
