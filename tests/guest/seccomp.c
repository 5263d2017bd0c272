/* seccomp(2) and prctl(PR_SET_SECCOMP) for a program that filters its
 * own system calls: strict mode, filters and their actions (ERRNO, TRAP,
 * KILL_PROCESS, KILL_THREAD, TRACE, LOG), stacking, inheritance over
 * fork and exec, the permission rule, the checker's refusals, TSYNC,
 * argument filtering, /proc/self/status. Each case runs in a child, as
 * a filter cannot be removed. Run as root (CAP_SYS_ADMIN). getppid is
 * the filtered call: glibc never caches it. */
#include "t.h"
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/ptrace.h>

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ON_NR(nr, action) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (action))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static char *self_exe;

static long sc(unsigned op, unsigned long flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

static long install(unsigned long flags, struct sock_filter *f, unsigned short len)
{
	struct sock_fprog p = { .len = len, .filter = f };
	return sc(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* getppid -> action, all else allowed */
static long on_getppid(unsigned long flags, uint32_t action)
{
	struct sock_filter f[] = { LD_NR, ON_NR(__NR_getppid, action), ALLOW };
	return install(flags, f, sizeof(f) / sizeof(f[0]));
}

static void status_lines(const char *who)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp", 7))
			printf("%s: %s", who, line);
	if (f)
		fclose(f);
}

/* Run fn in a child; print how it ended, which must be by signal want_sig
 * (if not 0) or else with exit status want_exit. */
static void in_child(const char *name, void (*fn)(void), int want_sig, int want_exit)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		t_failures = 0;
		fn();
		fflush(stdout);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", name, WTERMSIG(st));
	else
		printf("%s: exit %d\n", name, WEXITSTATUS(st));
	if (want_sig ? !(WIFSIGNALED(st) && WTERMSIG(st) == want_sig) : !(WIFEXITED(st) && WEXITSTATUS(st) == want_exit)) {
		printf("%s: FAIL (wanted %s %d)\n", name, want_sig ? "signal" : "exit", want_sig ? want_sig : want_exit);
		t_failures++;
	}
}

static void nnp(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		DIE("no_new_privs");
}

/* ---- cases ---- */

static void strict_write(void)
{
	CHECK_ERR("strict flags", sc(SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL);
	CHECK_OK("strict", prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0));
	static const char msg[] = "strict: write works\n";
	if (write(1, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		syscall(SYS_exit, 3);
	syscall(SYS_getppid);	/* SIGKILL */
	syscall(SYS_exit, 4);
}

static void strict_get(void)
{
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
	prctl(PR_GET_SECCOMP, 0, 0, 0, 0);	/* not allowed in strict mode either */
	syscall(SYS_exit, 5);
}

static void strict_exit(void)
{
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
	syscall(SYS_exit, 7);	/* exit (not exit_group) is allowed */
}

static void errno_action(void)
{
	nnp();
	CHECK_OK("install errno", on_getppid(0, SECCOMP_RET_ERRNO | EPERM));
	CHECK_ERR("getppid filtered", syscall(SYS_getppid), EPERM);
	CHECK("getpid still works", getpid() > 0);
	CHECK("PR_GET_SECCOMP is 2", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
	status_lines("errno");
	CHECK_ERR("strict after filter", sc(SECCOMP_SET_MODE_STRICT, 0, NULL), EINVAL);
	/* data above MAX_ERRNO is capped; a newer filter's equal action wins */
	CHECK_OK("install errno 5000", on_getppid(0, SECCOMP_RET_ERRNO | 5000));
	errno = 0;
	long r = syscall(SYS_getppid);
	printf("errno capped: ret %ld errno %d\n", r, errno);
	status_lines("errno2");
}

static volatile int trap_code, trap_sys, trap_errno;
static volatile unsigned trap_arch;
static volatile int trap_addr_ok;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trap_code = si->si_code;
	trap_sys = si->si_syscall;
	trap_arch = si->si_arch;
	trap_errno = si->si_errno;
	trap_addr_ok = si->si_call_addr != NULL;
}

static void trap_action(void)
{
	nnp();
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	CHECK_OK("install trap", on_getppid(0, SECCOMP_RET_TRAP | 0x42));
	long r = syscall(SYS_getppid);
	printf("trap: ret %ld code %d syscall %d arch %#x errno %#x addr %d\n", r, trap_code, trap_sys, trap_arch,
	       trap_errno, trap_addr_ok);
	/* blocked SIGSYS: forced, the default action kills */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGSYS);
	sigprocmask(SIG_BLOCK, &s, NULL);
	syscall(SYS_getppid);
	printf("trap: survived a blocked SIGSYS\n");
}

static void kill_process(void)
{
	nnp();
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);	/* a handler does not help */
	on_getppid(0, SECCOMP_RET_KILL_PROCESS);
	syscall(SYS_getppid);
	printf("kill_process: survived\n");
}

static void kill_thread_single(void)
{
	nnp();
	on_getppid(0, SECCOMP_RET_KILL_THREAD);
	syscall(SYS_getppid);
	printf("kill_thread: survived\n");
}

static void *getppid_thread(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	return (void *)1;	/* not reached */
}

static void kill_thread_multi(void)
{
	nnp();
	on_getppid(0, SECCOMP_RET_KILL_THREAD);
	pthread_t th;
	pthread_create(&th, NULL, getppid_thread, NULL);
	void *ret = NULL;
	pthread_join(th, &ret);	/* the kernel clears the tid of a killed thread too */
	printf("kill_thread: the process lives on, thread returned %p\n", ret);
}

static void stacking(void)
{
	nnp();
	CHECK_OK("stack 1", on_getppid(0, SECCOMP_RET_ERRNO | EPERM));
	CHECK_OK("stack 2", on_getppid(0, SECCOMP_RET_ERRNO | EACCES));
	CHECK_ERR("newest of equal actions", syscall(SYS_getppid), EACCES);
	CHECK_OK("stack 3", on_getppid(0, SECCOMP_RET_ALLOW));
	CHECK_OK("stack 4", on_getppid(0, SECCOMP_RET_LOG));
	CHECK_ERR("allow and log lose to errno", syscall(SYS_getppid), EACCES);
	status_lines("stacking");
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	CHECK_OK("stack 5", on_getppid(0, SECCOMP_RET_TRAP | 7));
	trap_errno = 0;
	syscall(SYS_getppid);
	CHECK("trap beats errno", trap_errno == 7);
	CHECK_OK("stack 6", on_getppid(0, SECCOMP_RET_KILL_THREAD));
	syscall(SYS_getppid);
	printf("stacking: survived kill\n");
}

static void inherit(void)
{
	nnp();
	on_getppid(0, SECCOMP_RET_ERRNO | EPERM);
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		CHECK_ERR("fork child filtered", syscall(SYS_getppid), EPERM);
		status_lines("fork child");
		fflush(stdout);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("fork child ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fflush(stdout);
	execl("/proc/self/exe", self_exe, "exec-check", (char *)NULL);
	DIE("exec");
}

static void exec_check(void)
{
	CHECK_ERR("after exec filtered", syscall(SYS_getppid), EPERM);
	CHECK("after exec PR_GET_SECCOMP 2", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2);
	status_lines("after exec");
}

static void permission(void)
{
	/* root without no_new_privs: CAP_SYS_ADMIN suffices */
	CHECK_OK("root without nnp", on_getppid(0, SECCOMP_RET_ERRNO | EPERM));
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			DIE("drop to 1000");
		struct sock_filter f[] = { ALLOW };
		struct sock_fprog fp = { 1, f };
		CHECK_ERR("uid 1000 without nnp", install(0, f, 1), EACCES);
		CHECK_ERR("uid 1000 prctl without nnp", prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0), EACCES);
		nnp();
		CHECK_OK("uid 1000 with nnp", install(0, f, 1));
		fflush(stdout);
		_exit(t_failures ? 1 : 0);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("uid 1000 child ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void bad(void)
{
	nnp();
	struct sock_filter off64[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ALLOW };
	struct sock_filter off2[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ALLOW };
	struct sock_filter half[] = { BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), ALLOW };
	struct sock_filter ind[] = { BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), ALLOW };
	struct sock_filter mod[] = { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), ALLOW };
	struct sock_filter unknown[] = { BPF_STMT(0xffff, 0), ALLOW };
	struct sock_filter jump[] = { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0), ALLOW };
	struct sock_filter noret[] = { BPF_STMT(BPF_LD | BPF_IMM, 0) };
	struct sock_filter ok[] = { LD_NR, BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), ALLOW };
	CHECK_ERR("load offset 64", install(0, off64, 2), EINVAL);
	CHECK_ERR("load offset 2", install(0, off2, 2), EINVAL);
	CHECK_ERR("half-word load", install(0, half, 2), EINVAL);
	CHECK_ERR("indirect load", install(0, ind, 2), EINVAL);
	CHECK_ERR("BPF_MOD", install(0, mod, 2), EINVAL);
	CHECK_ERR("unknown opcode", install(0, unknown, 2), EINVAL);
	CHECK_ERR("jump out of range", install(0, jump, 2), EINVAL);
	CHECK_ERR("no return", install(0, noret, 1), EINVAL);
	CHECK_ERR("empty", install(0, ok, 0), EINVAL);
	CHECK_ERR("too long", install(0, ok, BPF_MAXINSNS + 1), EINVAL);
	CHECK_ERR("unknown flag", install(1UL << 20, ok, 3), EINVAL);
	CHECK_ERR("unknown op", sc(99, 0, NULL), EINVAL);
	CHECK_ERR("killable recv without listener", install(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, ok, 3), EINVAL);
	CHECK_ERR("tsync with a listener", install(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER, ok, 3), EINVAL);
	CHECK_ERR("bad fprog pointer", sc(SECCOMP_SET_MODE_FILTER, 0, (void *)8), EFAULT);
	CHECK_ERR("bad filter pointer", install(0, (struct sock_filter *)8, 3), EFAULT);
	CHECK_ERR("unknown flag before pointer", sc(SECCOMP_SET_MODE_FILTER, 1UL << 20, (void *)8), EINVAL);
	CHECK_OK("LEN load", install(0, ok, 3));
	/* 4096-instruction filters until the path's 32768 (plus 4 each) is full */
	static struct sock_filter big[BPF_MAXINSNS];
	for (int i = 0; i < BPF_MAXINSNS - 1; i++)
		big[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, 0);
	big[BPF_MAXINSNS - 1] = (struct sock_filter)ALLOW;
	int n = 0;
	long r;
	while ((r = install(0, big, BPF_MAXINSNS)) == 0)
		n++;
	printf("big filters: %d installed, then %s\n", n, r == -1 && errno == ENOMEM ? "ENOMEM" : strerror(errno));
}

static void action_avail(void)
{
	static const struct { const char *name; uint32_t a; } acts[] = {
		{ "KILL_PROCESS", SECCOMP_RET_KILL_PROCESS }, { "KILL_THREAD", SECCOMP_RET_KILL_THREAD },
		{ "TRAP", SECCOMP_RET_TRAP }, { "ERRNO", SECCOMP_RET_ERRNO }, { "USER_NOTIF", SECCOMP_RET_USER_NOTIF },
		{ "TRACE", SECCOMP_RET_TRACE },
		{ "LOG", SECCOMP_RET_LOG }, { "ALLOW", SECCOMP_RET_ALLOW },
	};
	for (unsigned i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		uint32_t a = acts[i].a;
		printf("avail %s: %ld\n", acts[i].name, sc(SECCOMP_GET_ACTION_AVAIL, 0, &a));
	}
	uint32_t a = 0x12340000;
	CHECK_ERR("avail unknown", sc(SECCOMP_GET_ACTION_AVAIL, 0, &a), EOPNOTSUPP);
	CHECK_ERR("avail flags", sc(SECCOMP_GET_ACTION_AVAIL, 1, &a), EINVAL);
	CHECK_ERR("avail bad pointer", sc(SECCOMP_GET_ACTION_AVAIL, 0, (void *)8), EFAULT);
	struct seccomp_notif_sizes sz;
	CHECK_OK("notif sizes", sc(SECCOMP_GET_NOTIF_SIZES, 0, &sz));
	printf("notif sizes: %u %u %u\n", sz.seccomp_notif, sz.seccomp_notif_resp, sz.seccomp_data);
	/* the sysctls */
	char avail[256] = "", logged[256] = "";
	FILE *f = fopen("/proc/sys/kernel/seccomp/actions_avail", "r");
	if (f) {
		if (!fgets(avail, sizeof(avail), f))
			avail[0] = 0;
		fclose(f);
	}
	f = fopen("/proc/sys/kernel/seccomp/actions_logged", "r");
	if (f) {
		if (!fgets(logged, sizeof(logged), f))
			logged[0] = 0;
		fclose(f);
	}
	static const char *names[] = { "kill_process", "kill_thread", "trap", "errno", "user_notif", "trace", "log", "allow" };
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char w[32];
		snprintf(w, sizeof(w), " %s ", names[i]);
		char a[260], l[260];
		snprintf(a, sizeof(a), " %.*s ", (int)strcspn(avail, "\n"), avail);
		snprintf(l, sizeof(l), " %.*s ", (int)strcspn(logged, "\n"), logged);
		printf("sysctl %s: avail %d logged %d\n", names[i], strstr(a, w) != NULL, strstr(l, w) != NULL);
	}
	/* allow cannot be logged: refused, nothing changes */
	int fd = open("/proc/sys/kernel/seccomp/actions_logged", O_WRONLY);
	CHECK_ERR("log allow", fd < 0 ? -2 : write(fd, "allow", 5), EINVAL);
	if (fd >= 0)
		close(fd);
}

static void args(void)
{
	nnp();
	/* prctl(PR_GET_DUMPABLE) with the whole 64-bit argument 3 -> EDOM;
	 * a wrong architecture kills; the instruction pointer is loadable */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		LD_NR,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_prctl, 0, 5),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_GET_DUMPABLE, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EDOM),
		ALLOW,
	};
	CHECK_OK("install args", install(0, f, sizeof(f) / sizeof(f[0])));
	CHECK_ERR("prctl(PR_GET_DUMPABLE) filtered", syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0), EDOM);
	printf("high word set: %ld\n", syscall(SYS_prctl, (1UL << 32) | PR_GET_DUMPABLE, 0, 0, 0, 0));
	CHECK("other prctl passes", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
	/* TRACE without a tracer: ENOSYS */
	CHECK_OK("install trace", on_getppid(0, SECCOMP_RET_TRACE | 3));
	CHECK_ERR("trace without tracer", syscall(SYS_getppid), ENOSYS);
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int recv_notif(int fd, struct seccomp_notif *n)
{
	memset(n, 0, sizeof(*n));
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, n);
}

static int reply(int fd, uint64_t id, int64_t val, int32_t error, uint32_t flags)
{
	struct seccomp_notif_resp r = { .id = id, .val = val, .error = error, .flags = flags };
	return ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
}

/* A supervisor answering a child's getppid calls through the listener. */
static void user_notif(void)
{
	nnp();
	struct sock_filter f[] = { LD_NR, ON_NR(__NR_getppid, SECCOMP_RET_USER_NOTIF), ALLOW };
	int fd = install(SECCOMP_FILTER_FLAG_NEW_LISTENER, f, 4);
	CHECK("listener fd", fd >= 0);
	CHECK("listener close-on-exec", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	CHECK_ERR("second listener", install(SECCOMP_FILTER_FLAG_NEW_LISTENER, f, 4), EBUSY);
	int pfd[2];
	if (pipe(pfd))
		DIE("pipe");
	pid_t me = getpid();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		close(fd);
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
		sigaction(SIGUSR1, &sa, NULL);
		long r1 = syscall(SYS_getppid);
		errno = 0;
		long r2 = syscall(SYS_getppid);
		int e2 = errno;
		long r3 = syscall(SYS_getppid);
		long r4 = syscall(SYS_getppid);
		int wrote = r4 >= 0 && write((int)r4, "hi", 2) == 2;
		long r5 = syscall(SYS_getppid);
		printf("user_notif child: %ld, %ld errno %d, continue %s, addfd write %d, after a signal %ld (handler %d)\n",
		       r1, r2, e2, r3 == me ? "real ppid" : "wrong", wrote, r5, got_usr1);
		fflush(stdout);
		_exit(0);
	}
	close(pfd[1]);
	struct pollfd pf = { .fd = fd, .events = POLLIN | POLLOUT };
	CHECK("poll: a request", poll(&pf, 1, 10000) == 1 && (pf.revents & POLLIN) && !(pf.revents & POLLOUT));
	struct seccomp_notif n;
	memset(&n, 0, sizeof(n));
	n.id = 1;
	CHECK_ERR("recv into a non-zeroed struct", ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n), EINVAL);
	CHECK_OK("recv 1", recv_notif(fd, &n));
	CHECK("recv 1: pid, nr, arch", n.pid == (uint32_t)c && n.data.nr == __NR_getppid && n.data.arch == AUDIT_ARCH_X86_64);
	CHECK_OK("id valid", ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id));
	CHECK("poll: awaiting a reply", poll(&pf, 1, 0) == 1 && pf.revents == POLLOUT);
	CHECK_ERR("continue with a value", reply(fd, n.id, 1, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE), EINVAL);
	CHECK_ERR("unknown reply flag", reply(fd, n.id, 0, 0, 2), EINVAL);
	CHECK_OK("reply 77", reply(fd, n.id, 77, 0, 0));
	CHECK_ERR("id no longer valid", ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id), ENOENT);
	uint64_t replied = n.id;
	CHECK_OK("recv 2", recv_notif(fd, &n));
	/* (only now: until the child ran, the answered one is EINPROGRESS) */
	CHECK_ERR("reply twice", reply(fd, replied, 77, 0, 0), ENOENT);
	CHECK_OK("reply EPERM", reply(fd, n.id, 0, -EPERM, 0));
	CHECK_OK("recv 3", recv_notif(fd, &n));
	CHECK_OK("reply continue", reply(fd, n.id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE));
	CHECK_OK("recv 4", recv_notif(fd, &n));
	struct seccomp_notif_addfd a = { .id = n.id, .flags = 4, .srcfd = (uint32_t)pfd[0] };
	CHECK_ERR("addfd unknown flag", ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a), EINVAL);
	a.flags = 0;
	a.newfd = 50;
	CHECK_ERR("addfd newfd without SETFD", ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a), EINVAL);
	a.newfd = 0;
	a.srcfd = 9999;
	CHECK_ERR("addfd bad srcfd", ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a), EBADF);
	/* the pipe's write end, put in the child and returned as the result */
	int wfd[2];
	if (pipe(wfd))
		DIE("pipe");
	a.srcfd = (uint32_t)wfd[1];
	a.flags = SECCOMP_ADDFD_FLAG_SEND;
	CHECK("addfd send", ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a) >= 0);
	close(wfd[1]);
	CHECK_OK("recv 5", recv_notif(fd, &n));
	uint64_t first = n.id;
	kill(c, SIGUSR1);	/* interrupts the wait: the call restarts and asks again */
	CHECK_OK("recv 5 again", recv_notif(fd, &n));
	CHECK("a new id after the restart", n.id != first);
	CHECK_ERR("the interrupted id is gone", ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &first), ENOENT);
	int r5 = reply(fd, n.id, 5, 0, 0);
	int st;
	waitpid(c, &st, 0);	/* (the child prints: then this process) */
	CHECK("reply 5", r5 == 0);
	char buf[8] = "";
	CHECK("the child wrote through the added fd", read(wfd[0], buf, sizeof(buf)) == 2 && !memcmp(buf, "hi", 2));
	close(fd);
	CHECK_ERR("listener closed: ENOSYS", syscall(SYS_getppid), ENOSYS);
}

/* The listener of a filter no task uses any more: POLLHUP. The filtered
 * child hands its listener over a unix socket and is reaped. */
static void user_notif_hup(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		DIE("socketpair");
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		nnp();
		struct sock_filter f[] = { LD_NR, ON_NR(__NR_getppid, SECCOMP_RET_USER_NOTIF), ALLOW };
		int fd = install(SECCOMP_FILTER_FLAG_NEW_LISTENER, f, 4);
		char cbuf[CMSG_SPACE(sizeof(int))];
		memset(cbuf, 0, sizeof(cbuf));
		struct iovec iov = { .iov_base = "x", .iov_len = 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		_exit(fd >= 0 && sendmsg(sv[1], &m, 0) == 1 ? 0 : 1);
	}
	char x, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &x, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	CHECK("listener received", recvmsg(sv[0], &m, 0) == 1 && CMSG_FIRSTHDR(&m));
	int fd = -1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	struct pollfd pf = { .fd = fd, .events = POLLIN | POLLOUT };
	int st;
	waitpid(c, &st, 0);
	CHECK("filtered child exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK("poll: POLLHUP once no task uses the filter", poll(&pf, 1, 0) == 1 && pf.revents == POLLHUP);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage;
static pid_t worker_tid;

static void wait_stage(int s)
{
	pthread_mutex_lock(&mu);
	while (stage < s)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void set_stage(int s)
{
	pthread_mutex_lock(&mu);
	stage = s;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static void *tsync_worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	set_stage(1);
	wait_stage(2);
	errno = 0;
	long r = syscall(SYS_getppid);
	printf("tsync: worker getppid %ld errno %d\n", r, errno);
	/* a filter of its own: the main thread cannot sync any more */
	on_getppid(0, SECCOMP_RET_ERRNO | EACCES);
	set_stage(3);
	wait_stage(4);
	return NULL;
}

static void tsync(void)
{
	nnp();
	pthread_t th;
	pthread_create(&th, NULL, tsync_worker, NULL);
	wait_stage(1);
	CHECK_OK("tsync", on_getppid(SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_RET_ERRNO | EPERM));
	set_stage(2);
	wait_stage(3);
	long r = on_getppid(SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_RET_ERRNO | EIO);
	CHECK("tsync fails with the worker's tid", r == worker_tid);
	CHECK_ERR("tsync esrch", on_getppid(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
					    SECCOMP_RET_ERRNO | EIO), ESRCH);
	CHECK_ERR("main still EPERM", syscall(SYS_getppid), EPERM);
	set_stage(4);
	pthread_join(th, NULL);
}

static void traced(void)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		pid_t real = getppid();
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		nnp();
		on_getppid(0, SECCOMP_RET_TRACE | 7);
		long r1 = syscall(SYS_getppid);	/* the tracer skips it with 4242 */
		long r2 = syscall(SYS_getppid);	/* the tracer lets it run */
		printf("traced: skipped %ld, ran %s\n", r1, r2 == real ? "real ppid" : "wrong");
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("traced stopped", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	ptrace(PTRACE_SETOPTIONS, p, 0, PTRACE_O_TRACESECCOMP);
	ptrace(PTRACE_CONT, p, 0, 0);
	for (int n = 0; n < 2; n++) {
		waitpid(p, &st, 0);
		CHECK("seccomp stop", WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)));
		unsigned long msg = 0;
		ptrace(PTRACE_GETEVENTMSG, p, 0, &msg);
		struct ptrace_syscall_info info;
		memset(&info, 0, sizeof(info));
		long size = ptrace(PTRACE_GET_SYSCALL_INFO, p, sizeof(info), &info);
		printf("traced: event msg %lu size %ld op %d nr %llu ret_data %u\n", msg, size, info.op,
		       (unsigned long long)info.seccomp.nr, info.seccomp.ret_data);
		if (n == 0) {
			struct user_regs_struct r;
			ptrace(PTRACE_GETREGS, p, 0, &r);
			r.orig_rax = -1;
			r.rax = 4242;
			ptrace(PTRACE_SETREGS, p, 0, &r);
		}
		ptrace(PTRACE_CONT, p, 0, 0);
	}
	waitpid(p, &st, 0);
	CHECK("traced exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	self_exe = argv[0];
	if (argc > 1 && !strcmp(argv[1], "exec-check")) {
		exec_check();
		return t_done();
	}
	status_lines("start");
	CHECK("PR_GET_SECCOMP 0", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0);
	in_child("strict write then getppid", strict_write, SIGKILL, 0);
	in_child("strict PR_GET_SECCOMP", strict_get, SIGKILL, 0);
	in_child("strict exit", strict_exit, 0, 7);
	in_child("errno", errno_action, 0, 0);
	in_child("trap", trap_action, SIGSYS, 0);
	in_child("kill_process", kill_process, SIGSYS, 0);
	in_child("kill_thread single", kill_thread_single, SIGSYS, 0);
	in_child("kill_thread multi", kill_thread_multi, 0, 0);
	in_child("stacking", stacking, SIGSYS, 0);
	in_child("inherit", inherit, 0, 0);
	in_child("permission", permission, 0, 0);
	in_child("bad programs", bad, 0, 0);
	in_child("action avail", action_avail, 0, 0);
	in_child("args", args, 0, 0);
	in_child("user_notif", user_notif, 0, 0);
	in_child("user_notif hup", user_notif_hup, 0, 0);
	in_child("tsync", tsync, 0, 0);
	in_child("traced", traced, 0, 0);
	return t_done();
}
