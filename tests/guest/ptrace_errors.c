/* ptrace's errors and permissions, as Linux answers them: ESRCH (no such
 * task, not traced by us, not stopped), EPERM (ourselves, our own thread,
 * a traced task, a zombie, another user's or a non-dumpable process),
 * EIO (unmapped or shared read-only memory, struct user out of range,
 * bad selectors and signals, requests that need a seized tracee or a STOP
 * event), EINVAL (options, register sets, no siginfo at a group stop),
 * EFAULT (the tracer's bad buffers); and memory a debugger may still use
 * (PROT_NONE, read-only private). PTRACE_KILL ends it. */
#include "ptrace_t.h"
#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/uio.h>

static volatile pid_t thread_tid;
static void *sleeper_thread(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	for (;;)
		pause();
	return NULL;
}

static pid_t spawn_sleeper(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	return c;
}

static pid_t reaped_pid(void)
{
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	return c;
}

/* A child as uid 1000 that tries to attach target: errno, or 0. */
static int attach_as_1000(pid_t target)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(100);
		if (ptrace(PTRACE_ATTACH, target, 0, 0) == 0)
			_exit(0);
		_exit(errno);
	}
	int st;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A uid-1000 process: dropped its privileges itself (not dumpable), or
 * execed after that (dumpable again). */
static pid_t spawn_user(int exec_after)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		if (setgid(1000) || setuid(1000))
			_exit(100);
		if (exec_after)
			execl("/proc/self/exe", "ptrace_errors", "sleep", (char *)NULL);
		for (;;)
			pause();
	}
	return c;
}

static void reap(pid_t c)
{
	kill(c, SIGKILL);
	waitpid(c, NULL, __WALL);
}

static void wait_sleeping(pid_t c)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", c);
	for (int i = 0; i < 2000; i++) {
		FILE *f = fopen(path, "r");
		int s = 0;
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "State:\tS", 8) || !strncmp(line, "State:\tT", 8))
				s = 1;
		if (f)
			fclose(f);
		if (s)
			return;
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "sleep")) {
		for (;;)
			pause();
	}
	alarm(30);
	printf("--- ESRCH\n");
	pid_t gone = reaped_pid();
	CHECK_ERR("ATTACH a reaped pid", ptrace(PTRACE_ATTACH, gone, 0, 0), ESRCH);
	CHECK_ERR("CONT a reaped pid", ptrace(PTRACE_CONT, gone, 0, 0), ESRCH);
	pid_t c = spawn_sleeper();
	struct user_regs_struct r;
	CHECK_ERR("GETREGS of a child not traced", ptrace(PTRACE_GETREGS, c, 0, &r), ESRCH);
	CHECK_OK("SEIZE it", ptrace(PTRACE_SEIZE, c, 0, 0));
	wait_sleeping(c);
	CHECK_ERR("GETREGS while it runs", ptrace(PTRACE_GETREGS, c, 0, &r), ESRCH);
	errno = 0;
	ptrace(PTRACE_PEEKDATA, c, &r, 0);
	printf("PEEKDATA while it runs: %s\n", errno == ESRCH ? "ESRCH" : "FAIL");

	printf("--- EIO\n");
	long v;
	CHECK_ERR("LISTEN when not stopped", ptrace(PTRACE_LISTEN, c, 0, 0), ESRCH);
	CHECK_OK("INTERRUPT", ptrace(PTRACE_INTERRUPT, c, 0, 0));
	t_wait_show("tracee", c);
	errno = 0;
	ptrace(PTRACE_PEEKDATA, c, (void *)0x1000, 0);
	printf("PEEKDATA at an unmapped address: %s\n", errno == EIO ? "EIO" : strerror(errno));
	CHECK_ERR("POKEDATA at an unmapped address", ptrace(PTRACE_POKEDATA, c, (void *)0x1000, 0), EIO);
	errno = 0;
	ptrace(PTRACE_PEEKDATA, c, (void *)-4096L, 0);
	printf("PEEKDATA in kernel space: %s\n", errno == EIO ? "EIO" : strerror(errno));
	errno = 0;
	ptrace(PTRACE_PEEKUSER, c, 3, 0);
	printf("PEEKUSER misaligned: %s\n", errno == EIO ? "EIO" : strerror(errno));
	/* the kernel's struct user has two more words than glibc's */
	for (size_t off = sizeof(struct user); off <= sizeof(struct user) + 16; off += 8) {
		errno = 0;
		v = ptrace(PTRACE_PEEKUSER, c, off, 0);
		printf("PEEKUSER at glibc's sizeof(struct user) + %zu: %s\n", off - sizeof(struct user),
		       errno == EIO ? "EIO" : errno ? strerror(errno) : v ? "not zero" : "0");
	}
	errno = 0;
	v = ptrace(PTRACE_PEEKUSER, c, offsetof(struct user, u_tsize), 0);
	printf("PEEKUSER of u_tsize: %ld %s\n", v, errno ? strerror(errno) : "ok");
	CHECK_ERR("POKEUSER u_tsize", ptrace(PTRACE_POKEUSER, c, offsetof(struct user, u_tsize), 1), EIO);
	CHECK_ERR("POKEUSER cs = 0", ptrace(PTRACE_POKEUSER, c, offsetof(struct user_regs_struct, cs), 0), EIO);
	CHECK_ERR("POKEUSER ds = 0x10 (kernel RPL)", ptrace(PTRACE_POKEUSER, c, offsetof(struct user_regs_struct, ds), 0x10),
		  EIO);
	CHECK_ERR("POKEUSER fs_base in kernel space",
		  ptrace(PTRACE_POKEUSER, c, offsetof(struct user_regs_struct, fs_base), -4096L), EIO);
	CHECK_ERR("POKEUSER DR4", ptrace(PTRACE_POKEUSER, c, offsetof(struct user, u_debugreg[4]), 0), EIO);
	CHECK_ERR("POKEUSER DR0 in kernel space", ptrace(PTRACE_POKEUSER, c, offsetof(struct user, u_debugreg[0]), -4096L),
		  EINVAL);
	CHECK_ERR("DR7 with an I/O breakpoint", ptrace(PTRACE_POKEUSER, c, offsetof(struct user, u_debugreg[7]), 1 | (2 << 16)),
		  EINVAL);
	CHECK_ERR("CONT with signal 65", ptrace(PTRACE_CONT, c, 0, 65), EIO);
	CHECK_ERR("an unknown request", ptrace((enum __ptrace_request)0x9999, c, 0, 0), EIO);
	CHECK_ERR("SEIZE with addr", ptrace(PTRACE_SEIZE, c, 1, 0), EIO);
	CHECK_OK("LISTEN at a STOP event", ptrace(PTRACE_LISTEN, c, 0, 0));
	CHECK_OK("INTERRUPT the listener", ptrace(PTRACE_INTERRUPT, c, 0, 0));
	t_wait_show("tracee", c);

	printf("--- EINVAL, EFAULT\n");
	CHECK_ERR("SETOPTIONS 0x80000000", ptrace(PTRACE_SETOPTIONS, c, 0, 0x80000000), EINVAL);
	static unsigned char buf[4096];
	struct iovec iov = { buf, sizeof(buf) };
	CHECK_ERR("GETREGSET of an unknown type", ptrace(PTRACE_GETREGSET, c, 0x999, &iov), EINVAL);
	CHECK_ERR("GETREGS into a bad pointer", ptrace(PTRACE_GETREGS, c, 0, (void *)8), EFAULT);
	CHECK_ERR("GETSIGINFO into a bad pointer", ptrace(PTRACE_GETSIGINFO, c, 0, (void *)8), EFAULT);
	CHECK_ERR("PEEKDATA (raw) into a bad pointer", syscall(SYS_ptrace, PTRACE_PEEKDATA, c, &r, 8), EFAULT);
	CHECK_ERR("GETSIGMASK with size 4", ptrace(PTRACE_GETSIGMASK, c, 4, buf), EINVAL);
	CHECK_OK("CONT", ptrace(PTRACE_CONT, c, 0, 0));
	wait_sleeping(c);
	CHECK_OK("KILL while it runs", ptrace(PTRACE_KILL, c, 0, 0));
	t_wait_show("tracee", c);
	CHECK_ERR("KILL when gone", ptrace(PTRACE_KILL, c, 0, 0), ESRCH);

	printf("--- attached: no siginfo at a group stop\n");
	c = spawn_sleeper();
	kill(c, SIGSTOP);
	waitpid(c, NULL, WUNTRACED);
	CHECK_OK("ATTACH a stopped process", ptrace(PTRACE_ATTACH, c, 0, 0));
	t_wait_show("tracee", c);
	siginfo_t si;
	CHECK_ERR("GETSIGINFO at its group stop", ptrace(PTRACE_GETSIGINFO, c, 0, &si), EINVAL);
	CHECK_ERR("INTERRUPT: not seized", ptrace(PTRACE_INTERRUPT, c, 0, 0), EIO);
	CHECK_ERR("LISTEN: not seized", ptrace(PTRACE_LISTEN, c, 0, 0), EIO);
	CHECK_OK("CONT (its SIGSTOP is still to come)", ptrace(PTRACE_CONT, c, 0, 0));
	t_wait_show("tracee", c);
	CHECK_OK("GETSIGINFO at the SIGSTOP", ptrace(PTRACE_GETSIGINFO, c, 0, &si));

	printf("--- memory a debugger may use\n");
	ptrace(PTRACE_DETACH, c, 0, 0);
	reap(c);
	fflush(stdout);
	int pfd[2];
	if (pipe(pfd))
		DIE("pipe");
	int fd = open("/tmp/ptrace-errors.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "filedata", 8) != 8)
		DIE("tmp file");
	c = fork();
	if (c == 0) {
		char *none = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		strcpy(none, "secret");
		mprotect(none, 4096, PROT_NONE);
		char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		char *shared = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		char *addrs[3] = { none, ro, shared };
		if (write(pfd[1], addrs, sizeof(addrs)) != sizeof(addrs))
			_exit(1);
		raise(SIGSTOP);
		mprotect(none, 4096, PROT_READ);
		_exit((!strcmp(none, "poked!") ? 0 : 1) | (!memcmp(ro, "ROKEDATA", 8) ? 0 : 2) |
		      (!memcmp(shared, "filedata", 8) ? 0 : 4));
	}
	char *addrs[3];
	if (read(pfd[0], addrs, sizeof(addrs)) != sizeof(addrs))
		DIE("read");
	waitpid(c, NULL, WUNTRACED);
	CHECK_OK("SEIZE", ptrace(PTRACE_SEIZE, c, 0, 0));
	t_wait_show("tracee", c);
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, c, addrs[0], 0);
	printf("PEEKDATA of a PROT_NONE page: %s\n", !memcmp(&v, "secret", 6) ? "reads it" : strerror(errno));
	CHECK_OK("POKEDATA there", ptrace(PTRACE_POKEDATA, c, addrs[0], *(long *)"poked!\0\0"));
	CHECK_OK("POKEDATA a read-only private file page", ptrace(PTRACE_POKEDATA, c, addrs[1], *(long *)"ROKEDATA"));
	CHECK_ERR("POKEDATA a read-only shared file page", ptrace(PTRACE_POKEDATA, c, addrs[2], *(long *)"SHAREDXX"), EIO);
	char filebuf[9] = { 0 };
	CHECK("the file is untouched", pread(fd, filebuf, 8, 0) == 8 && !strcmp(filebuf, "filedata"));
	ptrace(PTRACE_CONT, c, 0, 0);
	t_wait_show("tracee", c);
	close(fd);
	unlink("/tmp/ptrace-errors.tmp");

	printf("--- EPERM\n");
	CHECK_ERR("ATTACH ourselves", ptrace(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
	pthread_t th;
	pthread_create(&th, NULL, sleeper_thread, NULL);
	while (!thread_tid)
		usleep(1000);
	CHECK_ERR("ATTACH our own thread", ptrace(PTRACE_ATTACH, thread_tid, 0, 0), EPERM);
	c = spawn_sleeper();
	CHECK_OK("SEIZE a child", ptrace(PTRACE_SEIZE, c, 0, 0));
	CHECK_ERR("SEIZE it again", ptrace(PTRACE_SEIZE, c, 0, 0), EPERM);
	fflush(stdout);
	pid_t other = fork();
	if (other == 0)
		_exit(ptrace(PTRACE_ATTACH, c, 0, 0) ? errno : 0);
	int st;
	waitpid(other, &st, 0);
	printf("ATTACH by another tracer: %s\n", WEXITSTATUS(st) == EPERM ? "EPERM" : "FAIL");
	reap(c);
	c = fork();
	if (c == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 && ptrace(PTRACE_TRACEME, 0, 0, 0) == -1 && errno == EPERM ? 0 : 1);
	waitpid(c, &st, 0);
	printf("TRACEME twice: %s\n", t_status(st));
	c = fork();
	if (c == 0)
		_exit(0);
	usleep(100000);
	CHECK_ERR("ATTACH a zombie", ptrace(PTRACE_ATTACH, c, 0, 0), EPERM);
	waitpid(c, NULL, 0);
	c = spawn_sleeper();
	printf("uid 1000 attaching root's process: %s\n", strerrorname_np(attach_as_1000(c)));
	reap(c);
	c = spawn_user(0);
	wait_sleeping(c);
	printf("uid 1000 attaching a uid-1000 process that was root (not dumpable): %s\n",
	       strerrorname_np(attach_as_1000(c)));
	CHECK_OK("root attaching it", ptrace(PTRACE_SEIZE, c, 0, 0));
	reap(c);
	c = spawn_user(1);
	wait_sleeping(c);
	int e = attach_as_1000(c);
	printf("uid 1000 attaching a uid-1000 process after its exec: %s\n", e ? strerrorname_np(e) : "ok");
	reap(c);
	return t_done();
}
