/* prctl's common options as Linux answers them: NAME, DUMPABLE,
 * NO_NEW_PRIVS, KEEPCAPS, TIMERSLACK, THP_DISABLE, with their argument
 * checks, what fork passes on and what exec resets or keeps. */
#include "t.h"
#include <sys/prctl.h>
#include <sys/wait.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %ld\n", what, r);
}

static long nnp_status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "NoNewPrivs: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

static long slack0;	/* the slack we started with (the host's may differ from 50 us) */

static void show_slack(const char *what, long r)
{
	if (r == slack0)
		printf("%s: the initial value\n", what);
	else
		show(what, r);
}

static void report_all(const char *who)
{
	char name[17] = "";
	prctl(PR_GET_NAME, name);
	printf("%s: name %s\n", who, name);
	show("  dumpable", prctl(PR_GET_DUMPABLE));
	show("  no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("  NoNewPrivs in status: %ld\n", nnp_status());
	show("  keepcaps", prctl(PR_GET_KEEPCAPS));
	show_slack("  timerslack", prctl(PR_GET_TIMERSLACK));
	show("  thp_disable", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
}

int main(int argc, char **argv)
{
	if (argc > 2) {
		slack0 = atol(argv[2]);
		report_all("after exec");
		return 0;
	}
	slack0 = prctl(PR_GET_TIMERSLACK);
	char s0[32];
	snprintf(s0, sizeof(s0), "%ld", slack0);
	report_all("at start");
	show("set name", prctl(PR_SET_NAME, "a-rather-long-name-for-comm"));
	show("set dumpable 0", prctl(PR_SET_DUMPABLE, 0));
	show("set dumpable 2", prctl(PR_SET_DUMPABLE, 2));
	show("set dumpable 7", prctl(PR_SET_DUMPABLE, 7));
	show("set no_new_privs 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
	show("set no_new_privs 1 with junk", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
	show("get no_new_privs with junk", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	show("set keepcaps 2", prctl(PR_SET_KEEPCAPS, 2));
	show("set keepcaps 1", prctl(PR_SET_KEEPCAPS, 1));
	show("set timerslack 1000", prctl(PR_SET_TIMERSLACK, 1000));
	show("set thp_disable 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	show("set thp_disable junk", prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0));
	show("get thp_disable junk", prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0));
	show("unknown option", prctl(12345, 0, 0, 0, 0));
	report_all("after sets");
	pid_t c = fork();
	if (c == 0) {
		report_all("child");
		_exit(0);
	}
	int st;
	waitpid(c, &st, 0);
	show("set no_new_privs 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	c = fork();
	if (c == 0) {
		execl("/proc/self/exe", argv[0], "again", s0, (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	CHECK("the exec'd child ran", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	show("set timerslack 0 (default)", prctl(PR_SET_TIMERSLACK, 0));
	show_slack("timerslack", prctl(PR_GET_TIMERSLACK));
	return t_failures ? 1 : 0;
}
