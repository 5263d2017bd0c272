/* Self-registration, as Linux's initcalls and __setup: a driver, a
 * filesystem, a command-line option or a trap mode declares itself in its
 * own file with one of these macros; the linker gathers every file's
 * entries into one section and defines __start_SECTION/__stop_SECTION
 * around them, and the core walks the section. No central list names a
 * driver. Used by kernel code and by host code (arch-um, drivers' host
 * halves) alike, so only plain C types appear here. */
#ifndef UMK_INIT_H
#define UMK_INIT_H

#define __umk_entry(sect) __attribute__((used, section(#sect), aligned(8)))

/* The bounds of section sect, whose entries have type T (declare once
 * at file scope), and a walk over them. Weak, so an empty section links
 * and walks nothing. */
#define umk_section_declare(T, sect) \
	extern T __start_##sect[] __attribute__((weak)); \
	extern T __stop_##sect[] __attribute__((weak))
#define umk_section_foreach(T, sect, p) for (T *p = __start_##sect; p < __stop_##sect; p++)

/* ---- initcalls: run by start_kernel, level by level, in link order
 * within a level. A non-zero return is logged and boot goes on, as on
 * Linux. */
enum initcall_level {
	INITCALL_CORE = 1,	/* core services the others use */
	INITCALL_FS,		/* filesystem infrastructure (devfs) */
	INITCALL_DEVICE,	/* drivers: block devices, consoles, ... */
	INITCALL_LATE,		/* after every driver */
};
struct initcall {
	int (*fn)(void);
	const char *name;
	int level;
};
#define __define_initcall(fn, lvl) \
	static const struct initcall __initcall_##fn __umk_entry(umk_initcalls) = { fn, #fn, lvl }
#define core_initcall(fn) __define_initcall(fn, INITCALL_CORE)
#define fs_initcall(fn) __define_initcall(fn, INITCALL_FS)
#define device_initcall(fn) __define_initcall(fn, INITCALL_DEVICE)
#define late_initcall(fn) __define_initcall(fn, INITCALL_LATE)

/* ---- command-line options (UML syntax). A handler gets the value (the
 * text after "key=", or NULL for a flag word, or the whole word for a
 * prefix option such as ubd0r=...) and returns NULL when it took it, or
 * a phrase saying what was expected: umk then prints "umk: WORD: PHRASE"
 * and exits with status 2. Words no option claims go to init, as on
 * Linux (key=value to its environment, other words to its arguments).
 * Handlers run before the kernel starts: they record, they do not act.
 * usage/help feed `umk --help` (help may hold '\n' for more lines). */
enum setup_kind {
	SETUP_VALUE,	/* key=value */
	SETUP_PREFIX,	/* keyANYTHING=value, e.g. ubd0r=FILE */
	SETUP_FLAG,	/* the bare word key, e.g. rw */
};
struct setup_entry {
	const char *key;
	int kind;
	const char *(*fn)(const char *arg);
	const char *usage;
	const char *help;
	/* help made at run time (from another registry), instead of help */
	const char *(*describe)(void);
};
#define __setup_entry(id, k, kd, f, u, h) \
	static const struct setup_entry __setup_##id __umk_entry(umk_setup) = { k, kd, f, u, h, 0 }
#define __setup_described(id, fn, usage, describe) \
	static const struct setup_entry __setup_##id __umk_entry(umk_setup) = { #id, SETUP_VALUE, fn, usage, 0, describe }
/* __setup(mem, parse_mem, "mem=SIZE", "guest memory") takes mem=VALUE */
#define __setup(id, fn, usage, help) __setup_entry(id, #id, SETUP_VALUE, fn, usage, help)
#define __setup_prefix(id, fn, usage, help) __setup_entry(id, #id, SETUP_PREFIX, fn, usage, help)
#define __setup_flag(id, fn, usage, help) __setup_entry(id, #id, SETUP_FLAG, fn, usage, help)
/* an option whose name is not a C identifier (or a second name) */
#define __setup_named(id, key, fn, usage, help) __setup_entry(id, key, SETUP_VALUE, fn, usage, help)

/* ---- exec hooks: fn(t) runs in t itself after each successful execve,
 * the new program's registers set and before its first instruction
 * (after a tracer's PTRACE_EVENT_EXEC stop). It may sleep: the gdbstub
 * stops the program named by gdbstub_comm= there. Walked in link order
 * (kernel/exec.c). */
struct task;
struct exec_hook {
	void (*fn)(struct task *t);
	const char *name;
};
#define DEFINE_EXEC_HOOK(fn) \
	static const struct exec_hook __exec_hook_##fn __umk_entry(umk_exec_hooks) = { fn, #fn }

/* ---- exit hooks: fn(t) runs in t, the last live thread of its process,
 * as the process dies (its mm is gone, its files closed): SysV semaphore
 * undo (ipc/sem.c). Walked in link order (kernel/exit.c). */
struct exit_hook {
	void (*fn)(struct task *t);
	const char *name;
};
#define DEFINE_EXIT_HOOK(fn) \
	static const struct exit_hook __exit_hook_##fn __umk_entry(umk_exit_hooks) = { fn, #fn }
#endif
