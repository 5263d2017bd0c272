/* Stub processes: the host process behind each guest address space. The
 * stub image (arch-um/stub/, embedded as stub.bin.h) runs from a memfd,
 * with the guest memory file as fd 3, traced by umk from its first
 * instruction. What it is asked to do next is the trap mode's business. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include "um.h"
#include "mmu.h"
#include "stub.bin.h"

static int stub_fd = -1;
static const char stub_name[] = "umk-userspace";

void stub_init(void)
{
	stub_fd = memfd_create("umk-stub", MFD_CLOEXEC);
	if (stub_fd < 0 || write(stub_fd, stub_image, sizeof(stub_image)) != (ssize_t)sizeof(stub_image)) {
		perror("umk: creating the stub image");
		exit(1);
	}
}

int stub_setup(pid_t pid, uint64_t data_off, uint64_t data_prot, uint64_t rw_off)
{
	struct user_regs_struct r;
	int st;
	if (ptrace(PTRACE_GETREGS, pid, 0, &r))
		return -1;
	r.r9 = data_off;
	r.r12 = data_prot;
	r.r13 = rw_off;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_CONT, pid, 0, 0) || um_wait_stopped(pid, &st) ||
	    !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP || ptrace(PTRACE_GETREGS, pid, 0, &r))
		return -1;
	return r.rax == 0 ? 0 : -1;
}

uint64_t stub_run_ops_entry(void)
{
	return stub_run_ops_addr;
}

int um_wait_stopped(pid_t pid, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, __WALL);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

/* Child side: only raw system calls (we share memory with the parent
 * through vfork). */
static void stub_child(void)
{
	sigset_t none;
	sigemptyset(&none);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* out of umk's process group: ^C or a hang-up on umk's terminal
	 * is a request to umk (irq.c), not a signal to every guest process */
	syscall(SYS_setpgid, 0, 0);
	syscall(SYS_personality, ADDR_NO_RANDOMIZE);
	/* fd 3 = the memory file, fd 4 = the stub image (closed by exec);
	 * go through high numbers first since the sources may be 3 or 4 */
	long pm = syscall(SYS_fcntl, physmem_fd, F_DUPFD, 100);
	long im = syscall(SYS_fcntl, stub_fd, F_DUPFD, 100);
	if (pm < 0 || im < 0 || syscall(SYS_dup2, pm, STUB_PHYSMEM_FD) < 0 ||
	    syscall(SYS_dup3, im, STUB_PHYSMEM_FD + 1, O_CLOEXEC) < 0)
		syscall(SYS_exit, 126);
	syscall(SYS_close_range, STUB_PHYSMEM_FD + 2, ~0U, 0);
	syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
	char *argv[] = { (char *)stub_name, NULL };
	char *envp[] = { NULL };
	syscall(SYS_execveat, STUB_PHYSMEM_FD + 1, "", argv, envp, AT_EMPTY_PATH);
	syscall(SYS_exit, 127);
}

pid_t stub_spawn(void)
{
	pid_t pid = vfork();
	if (pid == 0)
		stub_child();
	if (pid < 0)
		return -errno;
	int st;
	if (um_wait_stopped(pid, &st) || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, __WALL);
		return -ECHILD;
	}
	return pid;
}
