/* PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to the
 * nearest ancestor that asked (not to init), which gets their SIGCHLD and
 * reaps them, zombies included; descendants forked before the request
 * count too; turning it off sends later orphans elsewhere. */
#include "t.h"
#include <sys/prctl.h>
#include <sys/wait.h>

/* fork a middle process that forks a grandchild and exits. The grandchild
 * waits for EOF on gate (unless gate < 0: it exits at once, and the
 * middle process waits until it is a zombie), then reports getppid()
 * through report and exits with 7. Returns the grandchild's pid. */
static pid_t orphan(int gate_r, int gate_w, int report_w)
{
	int pids[2];
	if (pipe(pids))
		DIE("pipe");
	fflush(stdout);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			if (gate_r >= 0) {
				char c;
				close(gate_w);
				(void)!read(gate_r, &c, 1);
				pid_t pp = getppid();
				(void)!write(report_w, &pp, sizeof pp);
			}
			_exit(7);
		}
		if (gate_r < 0) {
			siginfo_t si;
			waitid(P_PID, (id_t)g, &si, WEXITED | WNOWAIT);
		}
		(void)!write(pids[1], &g, sizeof g);
		_exit(0);
	}
	pid_t g = 0;
	if (read(pids[0], &g, sizeof g) != sizeof g)
		DIE("read");
	int st;
	waitpid(mid, &st, 0);
	close(pids[0]);
	close(pids[1]);
	return g;
}

static pid_t released_ppid(int gate[2], int rep[2])
{
	close(gate[1]);
	pid_t pp = 0;
	if (read(rep[0], &pp, sizeof pp) != sizeof pp)
		pp = -1;
	return pp;
}

int main(void)
{
	int v = -1;
	CHECK("PR_GET_CHILD_SUBREAPER is 0 at first", prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0);
	CHECK_ERR("PR_GET_CHILD_SUBREAPER to a bad pointer is EFAULT", prctl(PR_GET_CHILD_SUBREAPER, (int *)8), EFAULT);

	/* a descendant forked before the request */
	int gate[2], rep[2];
	if (pipe(gate) || pipe(rep))
		DIE("pipe");
	fflush(stdout);
	int pids[2], go[2];
	if (pipe(pids) || pipe(go))
		DIE("pipe");
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			char c;
			close(gate[1]);
			close(go[1]);
			(void)!read(gate[0], &c, 1);	/* the middle one is gone */
			pid_t pp = getppid();
			(void)!write(rep[1], &pp, sizeof pp);
			_exit(8);
		}
		(void)!write(pids[1], &g, sizeof g);
		char c;
		close(go[1]);
		(void)!read(go[0], &c, 1);	/* exit once we are a subreaper */
		_exit(0);
	}
	pid_t g = 0;
	if (read(pids[0], &g, sizeof g) != sizeof g)
		DIE("read");
	CHECK_OK("PR_SET_CHILD_SUBREAPER 1", prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK("PR_GET_CHILD_SUBREAPER reads 1", prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 1);
	close(go[1]);
	int st;
	waitpid(mid, &st, 0);
	close(pids[0]);
	close(pids[1]);
	close(go[0]);
	CHECK("an orphan forked before the request: getppid() is the subreaper", released_ppid(gate, rep) == getpid());
	CHECK("  and the subreaper reaps it", waitpid(g, &st, 0) == g && WEXITSTATUS(st) == 8);
	close(gate[0]);
	close(rep[0]);
	close(rep[1]);

	/* an orphan forked after */
	if (pipe(gate) || pipe(rep))
		DIE("pipe");
	g = orphan(gate[0], gate[1], rep[1]);
	CHECK("an orphan forked after: getppid() is the subreaper", released_ppid(gate, rep) == getpid());
	CHECK("  and the subreaper reaps it", waitpid(g, &st, 0) == g && WEXITSTATUS(st) == 7);
	close(gate[0]);
	close(rep[0]);
	close(rep[1]);

	/* a zombie orphan is announced to the subreaper: SIGCHLD, then reaped */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	g = orphan(-1, -1, -1);
	siginfo_t si;
	struct timespec ts = { 10, 0 };
	/* the middle process's own SIGCHLD may come first: look for the zombie's */
	int seen = 0;
	for (int i = 0; i < 2 && !seen; i++)
		if (sigtimedwait(&chld, &si, &ts) == SIGCHLD && si.si_pid == g)
			seen = 1;
	CHECK("a zombie orphan: the subreaper gets its SIGCHLD", seen && si.si_code == CLD_EXITED && si.si_status == 7);
	CHECK("  and reaps it", waitpid(g, &st, 0) == g && WEXITSTATUS(st) == 7);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);

	/* off again: orphans go elsewhere */
	CHECK_OK("PR_SET_CHILD_SUBREAPER 0", prctl(PR_SET_CHILD_SUBREAPER, 0));
	CHECK("PR_GET_CHILD_SUBREAPER reads 0", prctl(PR_GET_CHILD_SUBREAPER, &v) == 0 && v == 0);
	if (pipe(gate) || pipe(rep))
		DIE("pipe");
	g = orphan(gate[0], gate[1], rep[1]);
	pid_t pp = released_ppid(gate, rep);
	CHECK("no longer a subreaper: the orphan goes elsewhere", pp != getpid() && pp > 0);
	CHECK_ERR("  and is not ours to wait for", waitpid(g, &st, 0), ECHILD);
	return t_done();
}
