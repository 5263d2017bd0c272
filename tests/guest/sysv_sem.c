/* SysV semaphores: semget limits and flags, semop all-or-nothing,
 * IPC_NOWAIT, blocking (woken by another process, by a signal: EINTR,
 * by IPC_RMID: EIDRM), semtimedop's timeout, SEM_UNDO applied when a
 * process exits, semctl GETVAL/SETVAL/GETALL/SETALL/GETPID/GETNCNT/
 * GETZCNT/IPC_STAT/IPC_SET/IPC_RMID/IPC_INFO/SEM_INFO/SEM_STAT, the
 * E2BIG/EFBIG/ERANGE/EINVAL limits, and another user's EACCES/EPERM. */
#include "t.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#define KEY 0x756d6b32

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static int op1(int s, unsigned short num, short op, short flg)
{
	struct sembuf b = { num, op, flg };
	return semop(s, &b, 1);
}

static void vals(const char *label, int s)
{
	unsigned short v[3];
	semctl(s, 0, GETALL, (union semun){ .array = v });
	printf("%s: %u %u %u\n", label, v[0], v[1], v[2]);
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
	int old = semget(KEY, 0, 0);
	if (old >= 0)
		semctl(old, 0, IPC_RMID);

	CHECK_ERR("semget nsems 0 new", semget(KEY, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("semget nsems -1", semget(KEY, -1, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("semget nsems > semmsl", semget(KEY, 32001, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("semget no key", semget(KEY, 3, 0600), ENOENT);
	int s = semget(KEY, 3, IPC_CREAT | 0640);
	CHECK("semget create", s >= 0);
	CHECK("semget existing nsems 0", semget(KEY, 0, 0) == s);
	CHECK_ERR("semget more sems", semget(KEY, 4, 0), EINVAL);
	CHECK_ERR("semget excl", semget(KEY, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST);

	struct semid_ds ds;
	CHECK_OK("IPC_STAT", semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds }));
	printf("mode %o nsems %lu otime %ld\n", ds.sem_perm.mode, ds.sem_nsems, (long)ds.sem_otime);
	vals("initial", s);

	/* values and limits */
	CHECK_OK("SETVAL", semctl(s, 0, SETVAL, (union semun){ .val = 2 }));
	CHECK_ERR("SETVAL > SEMVMX", semctl(s, 0, SETVAL, (union semun){ .val = 32768 }), ERANGE);
	CHECK_ERR("SETVAL < 0", semctl(s, 0, SETVAL, (union semun){ .val = -1 }), ERANGE);
	CHECK_ERR("SETVAL semnum", semctl(s, 3, SETVAL, (union semun){ .val = 1 }), EINVAL);
	CHECK_ERR("GETVAL semnum", semctl(s, 3, GETVAL), EINVAL);
	CHECK("GETVAL", semctl(s, 0, GETVAL) == 2);
	CHECK("GETPID after SETVAL", semctl(s, 0, GETPID) == getpid());
	unsigned short set[3] = { 1, 0, 5 };
	CHECK_OK("SETALL", semctl(s, 0, SETALL, (union semun){ .array = set }));
	vals("after SETALL", s);
	unsigned short bad[3] = { 1, 40000, 5 };
	CHECK_ERR("SETALL ERANGE", semctl(s, 0, SETALL, (union semun){ .array = bad }), ERANGE);
	CHECK_ERR("GETALL EFAULT", semctl(s, 0, GETALL, (union semun){ .array = (void *)8 }), EFAULT);
	CHECK_ERR("semctl bad cmd", semctl(s, 0, 99), EINVAL);
	CHECK_ERR("semctl bad id", semctl(-1, 0, GETVAL), EINVAL);

	/* semop */
	struct sembuf two[2] = { { 0, -1, 0 }, { 2, -6, IPC_NOWAIT } };
	CHECK_ERR("all or nothing", semop(s, two, 2), EAGAIN);
	vals("unchanged", s);
	two[1].sem_op = -5;
	CHECK_OK("both", semop(s, two, 2));
	vals("after both", s);
	CHECK_OK("IPC_STAT otime", semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds }));
	CHECK("otime set", ds.sem_otime != 0);
	CHECK_ERR("nowait", op1(s, 0, -1, IPC_NOWAIT), EAGAIN);
	CHECK_OK("wait-for-zero at 0", op1(s, 2, 0, 0));
	CHECK_OK("sem 2 up", op1(s, 2, 1, 0));
	CHECK_ERR("zero nowait", op1(s, 2, 0, IPC_NOWAIT), EAGAIN);
	CHECK_ERR("nsops 0", semop(s, two, 0), EINVAL);
	CHECK_ERR("nsops > semopm", semop(s, two, 501), E2BIG);
	CHECK_ERR("semnum >= nsems", op1(s, 3, 1, 0), EFBIG);
	CHECK_ERR("bad id", op1(-1, 0, 1, 0), EINVAL);
	CHECK_ERR("sops EFAULT", semop(s, (void *)8, 1), EFAULT);
	CHECK_OK("to max", semctl(s, 1, SETVAL, (union semun){ .val = 32767 }));
	CHECK_ERR("over SEMVMX", op1(s, 1, 1, 0), ERANGE);
	CHECK_OK("reset", semctl(s, 1, SETVAL, (union semun){ .val = 0 }));
	struct timespec ts = { 0, 100000000 };
	CHECK_ERR("semtimedop timeout", semtimedop(s, &(struct sembuf){ 0, -1, 0 }, 1, &ts), EAGAIN);
	ts.tv_nsec = 1000000000;
	CHECK_ERR("semtimedop bad timeout", semtimedop(s, &(struct sembuf){ 0, -1, 0 }, 1, &ts), EINVAL);

	/* blocking: a waiter counted in GETNCNT/GETZCNT, woken by a post */
	pid_t c = fork();
	if (c == 0) {
		_exit(op1(s, 1, -2, 0) == 0 ? 0 : 1);
	}
	pid_t c2 = fork();
	if (c2 == 0) {
		_exit(op1(s, 2, 0, 0) == 0 ? 0 : 1);
	}
	usleep(200000);
	printf("ncnt %d zcnt %d ncnt0 %d\n", semctl(s, 1, GETNCNT), semctl(s, 2, GETZCNT), semctl(s, 0, GETNCNT));
	CHECK_OK("post 1", op1(s, 1, 1, 0));
	usleep(100000);
	printf("ncnt after one post %d\n", semctl(s, 1, GETNCNT));
	int st;
	CHECK_OK("post 2", op1(s, 1, 1, 0));
	waitpid(c, &st, 0);
	CHECK("child got sem 1", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_OK("take sem 2 to zero", op1(s, 2, -1, 0));
	waitpid(c2, &st, 0);
	CHECK("child saw sem 2 zero", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK("GETPID after child", semctl(s, 1, GETPID) == c);
	vals("after waiters", s);

	/* EINTR: not restarted, even with SA_RESTART */
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	CHECK_ERR("semop EINTR", op1(s, 1, -1, 0), EINTR);
	CHECK("ncnt after EINTR", semctl(s, 1, GETNCNT) == 0);

	/* SEM_UNDO: the child's operations are reverted when it exits */
	CHECK_OK("sem 0 = 3", semctl(s, 0, SETVAL, (union semun){ .val = 3 }));
	c = fork();
	if (c == 0) {
		op1(s, 0, -2, SEM_UNDO);
		op1(s, 1, 4, SEM_UNDO);
		op1(s, 1, -1, SEM_UNDO);
		_exit(semctl(s, 0, GETVAL) * 10 + semctl(s, 1, GETVAL));
	}
	waitpid(c, &st, 0);
	printf("child during: %d\n", WEXITSTATUS(st));
	vals("after undo", s);
	CHECK("GETPID is the exited child", semctl(s, 0, GETPID) == c);
	/* undo that would go negative is clamped at 0 */
	c = fork();
	if (c == 0) {
		op1(s, 2, 5, SEM_UNDO);
		semctl(s, 2, SETVAL, (union semun){ .val = 2 });	/* clears the adjustment */
		op1(s, 2, 1, SEM_UNDO);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	vals("SETVAL cleared undo", s);
	/* a blocked waiter released by another process's undo */
	CHECK_OK("sem 0 = 0", semctl(s, 0, SETVAL, (union semun){ .val = 0 }));
	c = fork();
	if (c == 0) {
		op1(s, 0, 1, SEM_UNDO);
		op1(s, 0, 0, 0);	/* never zero while we hold it: sleeps */
		_exit(0);
	}
	usleep(100000);
	CHECK("zcnt 1", semctl(s, 0, GETZCNT) == 1);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	CHECK("undo on kill", semctl(s, 0, GETVAL) == 0);

	/* IPC_RMID wakes sleepers with EIDRM */
	int p = semget(IPC_PRIVATE, 1, 0600);
	c = fork();
	if (c == 0) {
		_exit(op1(p, 0, -1, 0) == -1 && errno == EIDRM ? 0 : 1);
	}
	usleep(200000);
	CHECK_OK("IPC_RMID", semctl(p, 0, IPC_RMID));
	waitpid(c, &st, 0);
	CHECK("sleeper got EIDRM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("removed", semctl(p, 0, GETVAL), EINVAL);

	/* info and stat */
	struct seminfo si;
	CHECK("IPC_INFO", semctl(0, 0, IPC_INFO, (union semun){ .__buf = &si }) >= 0);
	printf("semmsl %d semmns %d semopm %d semmni %d semvmx %d semaem %d semume %d semusz %d\n", si.semmsl,
	       si.semmns, si.semopm, si.semmni, si.semvmx, si.semaem, si.semume, si.semusz);
	int maxidx = semctl(0, 0, SEM_INFO, (union semun){ .__buf = &si });
	CHECK("SEM_INFO", maxidx >= 0 && si.semusz >= 1 && si.semaem >= 3);
	int found = 0;
	for (int i = 0; i <= maxidx; i++) {
		if (semctl(i, 0, SEM_STAT, (union semun){ .buf = &ds }) == s)
			found++;
		if (semctl(i, 0, SEM_STAT_ANY, (union semun){ .buf = &ds }) == s)
			found++;
	}
	CHECK("SEM_STAT finds the set", found == 2);

	/* another user */
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		CHECK_ERR("user semget", semget(KEY, 0, 0600), EACCES);
		CHECK_ERR("user GETVAL", semctl(s, 0, GETVAL), EACCES);
		CHECK_ERR("user semop", op1(s, 0, 1, 0), EACCES);
		CHECK_ERR("user wait-for-zero", op1(s, 0, 0, IPC_NOWAIT), EACCES);
		CHECK_ERR("user IPC_SET", semctl(s, 0, IPC_SET, (union semun){ .buf = &ds }), EPERM);
		CHECK_ERR("user IPC_RMID", semctl(s, 0, IPC_RMID), EPERM);
		_exit(t_done());
	}
	waitpid(c, &st, 0);
	CHECK("user child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds });
	ds.sem_perm.mode = 0604;
	ds.sem_perm.uid = 1000;
	CHECK_OK("IPC_SET", semctl(s, 0, IPC_SET, (union semun){ .buf = &ds }));
	semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds });
	printf("after IPC_SET mode %o uid %u cuid %u\n", ds.sem_perm.mode, ds.sem_perm.uid, ds.sem_perm.cuid);
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		CHECK("owner GETVAL", semctl(s, 0, GETVAL) == 0);
		CHECK_OK("owner semop", op1(s, 0, 1, 0));	/* owner bits: 6 */
		CHECK_OK("owner IPC_RMID", semctl(s, 0, IPC_RMID));
		_exit(t_done());
	}
	waitpid(c, &st, 0);
	CHECK("owner child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("gone", semget(KEY, 0, 0), ENOENT);
	return t_done();
}
