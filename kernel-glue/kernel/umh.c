/* Usermode helpers, as Linux's call_usermodehelper: a process the kernel
 * starts itself, a child of init, running a program from the guest's
 * filesystem with the console as its stdin/stdout/stderr (the orderly
 * poweroff runs /sbin/poweroff this way). */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/fdtable.h>
#include <umk/fs.h>
#include <umk/mm.h>

struct umh {
	const char *path;
	const char *const *argv;
	const char *const *envp;
	void (*failed)(int err);
	void *owned;	/* freed once the program runs (or failed to) */
};

static void umh_main(void *data)
{
	struct umh *u = data;
	struct task *t = current;
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = do_filp_open(AT_FDCWD, "/dev/console", O_RDWR | O_NOCTTY | O_LARGEFILE, 0);
		if (!IS_ERR(f) && fd_install_from(t->files, f, fd, false) < 0)
			fput(f);
	}
	int err = kernel_execve(u->path, u->argv, u->envp);
	if (!err) {
		kfree(u->owned);
		kfree(u);
		user_loop();
	}
	printk(KERN_ERR "umk: cannot run %s (error %d)\n", u->path, -err);
	if (u->failed)
		u->failed(err);
	kfree(u->owned);
	kfree(u);
	do_exit(127 << 8);	/* as a shell's "command not found" */
}

int call_usermodehelper(const char *path, const char *const *argv, const char *const *envp, void (*failed)(int))
{
	return call_usermodehelper_owned(path, argv, envp, failed, NULL);
}

int call_usermodehelper_owned(const char *path, const char *const *argv, const char *const *envp,
			      void (*failed)(int), void *owned)
{
	if (!init_task || !init_task->fs)
		return -EAGAIN;	/* init is not up yet */
	pid_t pid = alloc_pid();
	if (pid < 0)
		return pid;
	struct task *t = task_alloc();
	t->mm = mm_alloc();
	if (!t->mm) {
		task_free(t);
		return -ENOMEM;
	}
	struct umh *u = kzalloc(sizeof(*u));
	*u = (struct umh){ path, argv, envp, failed, owned };
	t->pid = t->tgid = pid;
	strlcpy(t->comm, "kworker/umh", sizeof(t->comm));
	t->files = files_alloc();
	t->fs = fs_dup(init_task->fs);
	t->sighand = sighand_alloc();
	t->signal = signal_alloc();
	t->signal->leader = t;
	list_add_tail(&t->thread_node, &t->signal->threads);
	t->signal->live = 1;
	t->signal->pgrp = t->signal->session = pid;
	memcpy(t->signal->rlim, init_task->signal->rlim, sizeof(t->signal->rlim));
	t->parent = init_task;
	list_add_tail(&t->sibling, &init_task->children);
	t->kthread_fn = umh_main;
	t->kthread_data = u;
	task_hash(t);
	arch_task_init_kstack(t, kthread_start);
	task_enqueue_new(t);
	return 0;
}
