/* SysV message queues: msgget keys and flags, msgsnd/msgrcv by type
 * (0, >0, <0, MSG_EXCEPT), MSG_NOERROR and E2BIG, MSG_COPY, IPC_NOWAIT,
 * a blocked receiver woken by a send, by a signal (EINTR) and by
 * IPC_RMID (EIDRM), msg_qbytes, msgctl IPC_STAT/SET/RMID/IPC_INFO/
 * MSG_INFO/MSG_STAT, and the permission checks for another user. */
#include "t.h"
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#define KEY 0x756d6b31

struct m { long type; char text[64]; };

static int snd(int q, long type, const char *s, int flags)
{
	struct m m = { .type = type };
	strcpy(m.text, s);
	return msgsnd(q, &m, strlen(s) + 1, flags);
}

/* receive and print "type text" (or the errno) */
static void rcv(const char *label, int q, size_t sz, long type, int flags)
{
	struct m m = { 0 };
	ssize_t n = msgrcv(q, &m, sz, type, flags);
	if (n < 0)
		printf("%s: %s\n", label, strerror(errno));
	else
		printf("%s: %zd type %ld '%.*s'\n", label, n, m.type, (int)n, m.text);
}

static void on_alarm(int s) { (void)s; }

int main(void)
{
	int old = msgget(KEY, 0);
	if (old >= 0)
		msgctl(old, IPC_RMID, NULL);

	CHECK_ERR("msgget no key", msgget(KEY, 0600), ENOENT);
	int q = msgget(KEY, IPC_CREAT | 0640);
	CHECK("msgget create", q >= 0);
	CHECK("msgget again", msgget(KEY, 0600) == q);
	CHECK_ERR("msgget excl", msgget(KEY, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	int p = msgget(IPC_PRIVATE, 0600);
	CHECK("private differs", p >= 0 && p != q);

	struct msqid_ds ds;
	CHECK_OK("IPC_STAT", msgctl(q, IPC_STAT, &ds));
	printf("key ok %d mode %o qnum %lu cbytes %lu qbytes %lu\n", ds.msg_perm.__key == KEY,
	       ds.msg_perm.mode, ds.msg_qnum, ds.msg_cbytes, ds.msg_qbytes);
	CHECK("uid/cuid", ds.msg_perm.uid == geteuid() && ds.msg_perm.cuid == geteuid());

	/* types */
	snd(q, 3, "three", 0);
	snd(q, 1, "one", 0);
	snd(q, 2, "two", 0);
	snd(q, 1, "one-b", 0);
	snd(q, 5, "five", 0);
	CHECK_OK("IPC_STAT 2", msgctl(q, IPC_STAT, &ds));
	printf("qnum %lu cbytes %lu lspid ok %d\n", ds.msg_qnum, ds.msg_cbytes, ds.msg_lspid == getpid());
	rcv("copy 0", q, 64, 0, MSG_COPY | IPC_NOWAIT);
	rcv("copy 4", q, 64, 4, MSG_COPY | IPC_NOWAIT);
	rcv("copy 5", q, 64, 5, MSG_COPY | IPC_NOWAIT);
	CHECK_ERR("copy without NOWAIT", msgrcv(q, &(struct m){0}, 64, 0, MSG_COPY), EINVAL);
	CHECK_ERR("copy with EXCEPT", msgrcv(q, &(struct m){0}, 64, 0, MSG_COPY | IPC_NOWAIT | MSG_EXCEPT), EINVAL);
	rcv("type 2", q, 64, 2, 0);
	rcv("except 1", q, 64, 1, MSG_EXCEPT);
	rcv("lowest <= 4", q, 64, -4, 0);
	rcv("small E2BIG", q, 2, 0, 0);
	rcv("small NOERROR", q, 2, 0, MSG_NOERROR);
	rcv("any", q, 64, 0, 0);
	rcv("empty NOWAIT", q, 64, 0, IPC_NOWAIT);
	rcv("type 9 NOWAIT", q, 64, 9, IPC_NOWAIT);
	CHECK_OK("IPC_STAT 3", msgctl(q, IPC_STAT, &ds));
	printf("qnum %lu cbytes %lu lrpid ok %d\n", ds.msg_qnum, ds.msg_cbytes, ds.msg_lrpid == getpid());

	/* argument errors */
	CHECK_ERR("msgsnd type 0", snd(q, 0, "x", 0), EINVAL);
	CHECK_ERR("msgsnd bad id", snd(-1, 1, "x", 0), EINVAL);
	CHECK_ERR("msgsnd stale id", snd(q + 32768 * 7, 1, "x", 0), EINVAL);
	CHECK_ERR("msgsnd too big", msgsnd(q, &(struct m){ .type = 1 }, 8193, 0), EINVAL);
	CHECK_ERR("msgsnd EFAULT", msgsnd(q, (void *)8, 4, 0), EFAULT);
	CHECK_ERR("msgrcv negative size", msgrcv(q, &(struct m){0}, (size_t)-1, 0, 0), EINVAL);
	CHECK_ERR("msgctl bad cmd", msgctl(q, 99, &ds), EINVAL);
	CHECK_ERR("msgctl EFAULT", msgctl(q, IPC_STAT, (void *)8), EFAULT);

	/* msg_qbytes: a full queue blocks, or EAGAIN */
	ds.msg_qbytes = 10;
	CHECK_OK("IPC_SET qbytes", msgctl(q, IPC_SET, &ds));
	CHECK_OK("fits", snd(q, 1, "12345678", 0));
	CHECK_ERR("full EAGAIN", snd(q, 1, "12345678", IPC_NOWAIT), EAGAIN);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		_exit(msgrcv(q, &(struct m){0}, 64, 0, 0) == 9 ? 0 : 1);
	}
	CHECK_OK("blocked send proceeds", snd(q, 2, "later", 0));
	int st;
	waitpid(c, &st, 0);
	CHECK("child took one", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rcv("after", q, 64, 0, 0);
	ds.msg_qbytes = 16384;
	msgctl(q, IPC_SET, &ds);

	/* a blocked receiver: woken by a send from a child */
	c = fork();
	if (c == 0) {
		usleep(100000);
		snd(q, 7, "wake", 0);
		_exit(0);
	}
	rcv("blocked receive", q, 64, 7, 0);
	waitpid(c, NULL, 0);

	/* interrupted by a signal: EINTR even with SA_RESTART off */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_ERR("receive EINTR", msgrcv(q, &(struct m){0}, 64, 0, 0), EINTR);

	/* IPC_RMID wakes a sleeper with EIDRM */
	c = fork();
	if (c == 0) {
		_exit(msgrcv(p, &(struct m){0}, 64, 0, 0) == -1 && errno == EIDRM ? 0 : 1);
	}
	usleep(200000);
	CHECK_OK("IPC_RMID private", msgctl(p, IPC_RMID, NULL));
	waitpid(c, &st, 0);
	CHECK("sleeper got EIDRM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("removed id", msgctl(p, IPC_STAT, &ds), EINVAL);

	/* info */
	struct msginfo mi;
	CHECK("IPC_INFO", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0);
	printf("msgmax %d msgmnb %d msgmni %d msgssz %d msgseg %d msgpool %d msgmap %d msgtql %d\n", mi.msgmax,
	       mi.msgmnb, mi.msgmni, mi.msgssz, mi.msgseg, mi.msgpool, mi.msgmap, mi.msgtql);
	int maxidx = msgctl(0, MSG_INFO, (struct msqid_ds *)&mi);
	CHECK("MSG_INFO", maxidx >= 0 && mi.msgpool >= 1);
	int found = 0;
	for (int i = 0; i <= maxidx; i++) {
		int id = msgctl(i, MSG_STAT, &ds);
		if (id == q)
			found++;
		if (msgctl(i, MSG_STAT_ANY, &ds) == q)
			found++;
	}
	CHECK("MSG_STAT finds the queue", found == 2);

	/* another user: mode 0640 lets group/others nothing to write */
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		CHECK_ERR("user msgget", msgget(KEY, 0600), EACCES);
		CHECK("user msgget no mode", msgget(KEY, 0) == q);
		CHECK_ERR("user msgsnd", snd(q, 1, "x", IPC_NOWAIT), EACCES);
		CHECK_ERR("user msgrcv", msgrcv(q, &(struct m){0}, 64, 0, IPC_NOWAIT), EACCES);
		CHECK_ERR("user IPC_STAT", msgctl(q, IPC_STAT, &ds), EACCES);
		CHECK_ERR("user IPC_RMID", msgctl(q, IPC_RMID, NULL), EPERM);
		_exit(t_done());
	}
	waitpid(c, &st, 0);
	CHECK("user child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ds.msg_perm.mode = 0666;
	msgctl(q, IPC_STAT, &ds);
	ds.msg_perm.mode = 0662;
	CHECK_OK("IPC_SET mode", msgctl(q, IPC_SET, &ds));
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		CHECK_OK("user msgsnd 0662", snd(q, 1, "from user", IPC_NOWAIT));
		CHECK_ERR("user msgrcv 0662", msgrcv(q, &(struct m){0}, 64, 0, IPC_NOWAIT), EACCES);
		_exit(t_done());
	}
	waitpid(c, &st, 0);
	CHECK("user child 2", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	rcv("from user", q, 64, 0, IPC_NOWAIT);
	CHECK_OK("IPC_RMID", msgctl(q, IPC_RMID, NULL));
	CHECK_ERR("gone", msgget(KEY, 0), ENOENT);
	CHECK_ERR("IPC_RMID twice", msgctl(q, IPC_RMID, NULL), EINVAL);
	return t_done();
}
