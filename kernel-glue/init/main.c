/* start_kernel: bring up the core, mount the root, and run init. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/boot.h>
#include <umk/mm.h>
#include <umk/fs.h>
#include <umk/fdtable.h>
#include <umk/ext2host.h>

void page_alloc_init(void);
void syscalls_init(void);
void time_init(void);
void rlimits_init(struct krlim *rl);
int console_setup(const char *spec);

static const char *const default_inits[] = { "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };

static int try_init(const char *path)
{
	boot_cfg.argv[0] = path;
	int r = kernel_execve(path, boot_cfg.argv, boot_cfg.envp);
	if (r)
		printk(KERN_ERR "Failed to execute %s (error %d)\n", path, -r);
	return r;
}

/* The root filesystem: a host directory (hostfs) or an ext2/3/4 image on
 * a ubd device; a hostfs= directory is also there for mount -t hostfs. */
static void mount_root(void)
{
	bool on_ubd = boot_cfg.root_ubd >= 0;
	if (boot_cfg.hostfs) {
		int r = hostfs_setup(boot_cfg.hostfs, on_ubd || boot_cfg.rw);
		if (r) {
			printk(KERN_ERR "umk: hostfs=%s: cannot use it as a filesystem (error %d)\n", boot_cfg.hostfs, -r);
			arch_halt(2);
		}
	}
	int flags = boot_cfg.rw ? 0 : MNT_READONLY;
	struct super_block *sb;
	if (on_ubd) {
		const char *why;
		sb = ext2_mount_root(boot_cfg.root_ubd, boot_cfg.rootfstype, &flags, &why);
		if (IS_ERR(sb)) {
			/* one line for the host user (Linux says "VFS: Cannot open root device") */
			long e = -PTR_ERR(sb);
			printk(KERN_ERR "umk: root=%s: cannot mount ubd%d as %s: %s\n",
			       boot_cfg.root ? boot_cfg.root : "/dev/ubda", boot_cfg.root_ubd,
			       boot_cfg.rootfstype ? boot_cfg.rootfstype : "ext2/ext3/ext4",
			       why ? why : e == EINVAL ? "not an ext2/ext3/ext4 filesystem of that type (bad superblock)" :
			       e == EROFS ? "read-only" : "I/O error");
			arch_halt(2);
		}
	} else {
		sb = hostfs_get_sb(&flags);
	}
	vfs_init(sb, flags);
	printk(KERN_INFO "VFS: Mounted root (%s filesystem) %s on device %llu:%llu.\n", sb->s_type,
	       flags & MNT_READONLY ? "readonly" : "read-write",
	       (unsigned long long)(sb->s_dev >> 8), (unsigned long long)(sb->s_dev & 0xff));
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
	printk(KERN_INFO "Run %s as init process\n", boot_cfg.init ? boot_cfg.init : "the default init");
	if (boot_cfg.init) {
		if (try_init(boot_cfg.init) == 0)
			user_loop();
		panic("Requested init %s failed", boot_cfg.init);
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
	syscalls_init();
	for (int i = 0; i < 2; i++) {
		if (!boot_cfg.con[i])
			continue;
		if (console_setup(boot_cfg.con[i])) {
			printk(KERN_ERR "umk: %s=%s: expected fd:N[,fd:M] or null\n", i ? "con" : "con0", boot_cfg.con[i]);
			arch_halt(2);
		}
	}
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
