/* start_kernel: bring up the core, run the initcalls (drivers and
 * filesystems register themselves: include/umk/init.h), mount the root
 * and run init. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/boot.h>
#include <umk/init.h>
#include <umk/mm.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include "do_mounts.h"

static const char *const default_inits[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
static const char *init_path;		/* init= */

static const char *init_setup(const char *v)
{
	if (v[0] != '/')
		return "expected an absolute path";
	init_path = v;
	return NULL;
}
__setup(init, init_setup, "init=PATH", "first program (default: /sbin/init, /etc/init,\n/bin/init, /bin/sh)");

static int try_init(const char *path)
{
	boot_cfg.argv[0] = path;
	int r = kernel_execve(path, boot_cfg.argv, boot_cfg.envp);
	if (r)
		printk(KERN_ERR "Failed to execute %s (error %d)\n", path, -r);
	return r;
}

umk_section_declare(const struct initcall, umk_initcalls);

/* Level by level; within a level, in link order. */
static void do_initcalls(void)
{
	for (int level = INITCALL_CORE; level <= INITCALL_LATE; level++)
		umk_section_foreach(const struct initcall, umk_initcalls, c)
			if (c->level == level) {
				int err = c->fn();
				if (err)
					printk(KERN_WARNING "initcall %s returned %d\n", c->name, err);
			}
}

/* pid 1 starts here, on its own kernel stack. */
static void init_main(void)
{
	struct task *t = current;
	t->files = files_alloc();
	t->fs = fs_alloc();
	int r = console_open_for_init(t->files);
	if (r)
		printk(KERN_WARNING "Warning: unable to open an initial console (error %d)\n", -r);
	printk(KERN_INFO "Run %s as init process\n", init_path ? init_path : "the default init");
	if (init_path) {
		if (try_init(init_path) == 0)
			user_loop();
		panic("Requested init %s failed", init_path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_inits); i++)
		if (try_init(default_inits[i]) == 0)
			user_loop();
	panic("No working init found. Try passing init= option to the kernel.");
}

void start_kernel(void)
{
	time_init();
	sched_init_idle();
	printk(KERN_INFO "umk: Linux-compatible user-mode kernel, %llu MiB memory, mode=%s\n",
	       (unsigned long long)(boot_cfg.mem_bytes >> 20), boot_cfg.mode_name);
	printk(KERN_INFO "Kernel command line: %s\n", saved_command_line);
	page_alloc_init();
	slab_init();
	syscalls_init();
	do_initcalls();
	mount_root();

	struct task *t = task_alloc();
	t->pid = t->tgid = alloc_pid();
	strlcpy(t->comm, "init", sizeof(t->comm));
	t->sighand = sighand_alloc();
	t->signal = signal_alloc();
	t->signal->leader = t;
	list_add_tail(&t->thread_node, &t->signal->threads);
	t->signal->live = 1;
	t->signal->pgrp = t->signal->session = t->pid;
	rlimits_init(t->signal->rlim);
	t->mm = mm_alloc();
	if (!t->mm)
		panic("cannot create the first address space");
	t->parent = t;
	init_task = t;
	task_hash(t);
	arch_task_init_kstack(t, init_main);
	task_enqueue_new(t);
	cpu_idle();
}
