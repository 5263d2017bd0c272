/* Job control through a pty: a new session takes the slave as its
 * controlling terminal (TIOCSCTTY); a background read stops the group
 * with SIGTTIN (EIO when SIGTTIN is ignored or the group is orphaned),
 * a background write with TOSTOP stops it with SIGTTOU; ^C and ^Z typed
 * on the master signal the foreground group; TIOCSWINSZ sends SIGWINCH;
 * closing the master hangs up: SIGHUP and SIGCONT to the session leader. */
#include "t.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static int m, s;
static volatile sig_atomic_t got_hup, got_cont, got_winch;
static void on_sig(int sig)
{
	if (sig == SIGHUP) got_hup++;
	if (sig == SIGCONT) got_cont++;
	if (sig == SIGWINCH) got_winch++;
}

static void drain(const char *label)
{
	char buf[256];
	ssize_t n = 0;
	struct pollfd p = { m, POLLIN, 0 };
	while (poll(&p, 1, 200) == 1 && (p.revents & POLLIN)) {
		ssize_t r = read(m, buf + n, sizeof(buf) - n);
		if (r <= 0)
			break;
		n += r;
	}
	printf("%s: \"", label);
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\r') printf("\\r");
		else if (buf[i] == '\n') printf("\\n");
		else putchar(buf[i]);
	printf("\"\n");
}

/* Start a child in a new process group; fn runs in it. */
static pid_t job(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		fn();
		_exit(0);
	}
	setpgid(pid, pid);
	return pid;
}

static void reader(void)
{
	char c;
	_exit(read(s, &c, 1) == -1 && errno == EIO ? 7 : 0);
}
static void ign_reader(void)
{
	signal(SIGTTIN, SIG_IGN);
	reader();
}
static void writer(void)
{
	_exit(write(s, "bg\n", 3) == 3 ? 0 : 1);
}
static void sleeper(void)
{
	for (;;)
		pause();
}

static int orphan_pipe[2];
static void orphan_maker(void)
{
	pid_t k = fork();
	if (k == 0) {
		usleep(100000);	/* the parent has exited: the group is orphaned */
		char c, r = read(s, &c, 1) == -1 && errno == EIO ? 'E' : '?';
		if (write(orphan_pipe[1], &r, 1) != 1) _exit(1);
		_exit(0);
	}
	_exit(0);
}

static void take_terminal_back(void)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, &old);
	CHECK_OK("tcsetpgrp back (SIGTTOU blocked)", tcsetpgrp(s, getpgrp()));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void show_status(const char *label, int st)
{
	if (WIFSTOPPED(st))
		printf("%s: stopped by %s\n", label, strsignal(WSTOPSIG(st)));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", label, strsignal(WTERMSIG(st)));
	else
		printf("%s: exit %d\n", label, WEXITSTATUS(st));
}

static void session(const char *name)
{
	int v;
	CHECK("setsid", setsid() == getpid());
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0)
		DIE("open slave");
	CHECK_ERR("TIOCGPGRP before TIOCSCTTY", ioctl(s, TIOCGPGRP, &v), ENOTTY);
	CHECK_OK("TIOCSCTTY", ioctl(s, TIOCSCTTY, 0));
	CHECK("foreground group is ours", tcgetpgrp(s) == getpgrp());
	CHECK("TIOCGSID is ours", ioctl(s, TIOCGSID, &v) == 0 && v == getpid());
	int t = open("/dev/tty", O_RDWR);
	CHECK("/dev/tty opens", t >= 0);
	close(t);
	int st;
	pid_t p = job(reader);
	waitpid(p, &st, WUNTRACED);
	show_status("background read", st);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	p = job(ign_reader);
	waitpid(p, &st, 0);
	show_status("background read, SIGTTIN ignored (7 = EIO)", st);
	if (pipe(orphan_pipe))
		DIE("pipe");
	p = job(orphan_maker);
	waitpid(p, &st, 0);
	char r = 0;
	if (read(orphan_pipe[0], &r, 1) != 1)
		r = '!';
	printf("orphaned group read: %c\n", r);
	p = job(writer);
	waitpid(p, &st, WUNTRACED);
	show_status("background write", st);
	drain("background write output");
	struct termios tio;
	tcgetattr(s, &tio);
	tio.c_lflag |= TOSTOP;
	tcsetattr(s, TCSANOW, &tio);
	p = job(writer);
	waitpid(p, &st, WUNTRACED);
	show_status("background write with TOSTOP", st);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	tio.c_lflag &= ~TOSTOP;
	tcsetattr(s, TCSANOW, &tio);
	/* ^C and ^Z reach the foreground group */
	p = job(sleeper);
	CHECK_OK("tcsetpgrp to the job", tcsetpgrp(s, p));
	if (write(m, "\003", 1) != 1)
		DIE("write");
	waitpid(p, &st, 0);
	show_status("^C", st);
	drain("^C echo");
	take_terminal_back();
	p = job(sleeper);
	tcsetpgrp(s, p);
	if (write(m, "\032", 1) != 1)
		DIE("write");
	waitpid(p, &st, WUNTRACED);
	show_status("^Z", st);
	drain("^Z echo");
	take_terminal_back();
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	/* window size */
	signal(SIGWINCH, on_sig);
	struct winsize ws = { 40, 120, 0, 0 };
	ioctl(m, TIOCSWINSZ, &ws);
	CHECK("SIGWINCH on resize", got_winch == 1);
	ioctl(m, TIOCSWINSZ, &ws);
	CHECK("no SIGWINCH for the same size", got_winch == 1);
	struct winsize got;
	CHECK("TIOCGWINSZ on the slave", ioctl(s, TIOCGWINSZ, &got) == 0 && got.ws_row == 40 && got.ws_col == 120);
	/* hangup */
	signal(SIGHUP, on_sig);
	signal(SIGCONT, on_sig);
	close(m);
	CHECK("SIGHUP on master close", got_hup == 1);
	CHECK("SIGCONT on master close", got_cont == 1);
	char c;
	CHECK("slave read after hangup: 0", read(s, &c, 1) == 0);
	CHECK_ERR("slave write after hangup", write(s, "x", 1), EIO);
	CHECK_ERR("no controlling tty left", open("/dev/tty", O_RDWR), ENXIO);
	exit(t_done());
}

int main(void)
{
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m))
		DIE("posix_openpt");
	char name[64];
	strcpy(name, ptsname(m));
	pid_t p = fork();
	if (p == 0)
		session(name);
	close(m);
	int st;
	waitpid(p, &st, 0);
	show_status("session", st);
	return t_done() || !WIFEXITED(st) || WEXITSTATUS(st);
}
