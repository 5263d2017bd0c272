/* SysV shared memory: shmget keys, flags and limits, shmat (SHM_RDONLY,
 * SHM_RND, SHM_REMAP, fixed addresses), pages shared between processes
 * and kept across fork, shm_nattch as processes attach, fork, detach,
 * exec and exit, IPC_RMID of an attached segment (SHM_DEST, key 0, gone
 * with the last detach), SHM_LOCK/UNLOCK, IPC_INFO/SHM_INFO/SHM_STAT,
 * and another user's EACCES/EPERM. */
#include "t.h"
#include <setjmp.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#define KEY 0x756d6b33
#define PG 4096

static unsigned long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds))
		return (unsigned long)-1;
	return ds.shm_nattch;
}

static sigjmp_buf jb;
static void on_segv(int s) { (void)s; siglongjmp(jb, 1); }

int main(int argc, char **argv)
{
	if (argc == 2) {	/* the exec'd self: attach counts after exec */
		int id = atoi(argv[1]);
		printf("after exec nattch %lu\n", nattch(id));
		return 0;
	}
	int old = shmget(KEY, 0, 0);
	if (old >= 0)
		shmctl(old, IPC_RMID, NULL);

	CHECK_ERR("shmget size 0", shmget(KEY, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("shmget no key", shmget(KEY, PG, 0600), ENOENT);
	int id = shmget(KEY, 3 * PG + 100, IPC_CREAT | 0640);
	CHECK("shmget create", id >= 0);
	CHECK("shmget again smaller", shmget(KEY, PG, 0) == id);
	CHECK_ERR("shmget bigger", shmget(KEY, 8 * PG, 0), EINVAL);
	CHECK_ERR("shmget excl", shmget(KEY, PG, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
	CHECK_ERR("shmget > shmmax", shmget(IPC_PRIVATE, (size_t)-1, IPC_CREAT | 0600), EINVAL);

	struct shmid_ds ds;
	CHECK_OK("IPC_STAT", shmctl(id, IPC_STAT, &ds));
	printf("key ok %d mode %o size %zu nattch %lu cpid ok %d lpid %d atime %ld\n", ds.shm_perm.__key == KEY,
	       ds.shm_perm.mode, ds.shm_segsz, ds.shm_nattch, ds.shm_cpid == getpid(), ds.shm_lpid,
	       (long)ds.shm_atime);

	/* attach: zero-filled, shared with a second attach */
	char *a = shmat(id, NULL, 0);
	CHECK("shmat", a != (void *)-1);
	CHECK("zero filled", a[0] == 0 && a[3 * PG + 99] == 0);
	strcpy(a, "hello");
	char *b = shmat(id, NULL, SHM_RDONLY);
	CHECK("second attach", b != (void *)-1 && b != a);
	CHECK("shared", strcmp(b, "hello") == 0);
	printf("nattch %lu\n", nattch(id));
	CHECK_OK("IPC_STAT 2", shmctl(id, IPC_STAT, &ds));
	CHECK("atime and lpid", ds.shm_atime != 0 && ds.shm_lpid == getpid());
	struct sigaction sa = { .sa_handler = on_segv };
	sigaction(SIGSEGV, &sa, NULL);
	volatile int faulted = 0;
	if (sigsetjmp(jb, 1) == 0)
		b[0] = 'x';
	else
		faulted = 1;
	CHECK("SHM_RDONLY write faults", faulted);
	CHECK_OK("shmdt ro", shmdt(b));
	CHECK_ERR("shmdt again", shmdt(b), EINVAL);
	CHECK_ERR("shmdt unaligned", shmdt(a + 1), EINVAL);
	CHECK_ERR("shmdt not shm", shmdt(&ds), EINVAL);

	/* fork: the child shares the attach, writes are seen both ways */
	pid_t c = fork();
	if (c == 0) {
		_exit(strcmp(a, "hello") == 0 && nattch(id) == 2 ? (strcpy(a + PG, "from child"), 0) : 1);
	}
	int st;
	waitpid(c, &st, 0);
	CHECK("child saw the data and 2 attaches", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK("child's write", strcmp(a + PG, "from child") == 0);
	printf("after child exit nattch %lu\n", nattch(id));

	/* exec drops the attach */
	c = fork();
	if (c == 0) {
		char arg[16];
		snprintf(arg, sizeof(arg), "%d", id);
		execl("/proc/self/exe", argv[0], arg, (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	CHECK("exec child", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* fixed addresses */
	char *fixed = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(fixed, 8 * PG);
	CHECK_ERR("unaligned without SHM_RND", (long)shmat(id, fixed + 10, 0), EINVAL);
	char *r = shmat(id, fixed + 10, SHM_RND);
	CHECK("SHM_RND rounds down", r == fixed);
	CHECK("same data", strcmp(r, "hello") == 0);
	CHECK_ERR("overlap without SHM_REMAP", (long)shmat(id, fixed + PG, 0), EINVAL);
	char *r2 = shmat(id, fixed + 4 * PG, SHM_REMAP);
	CHECK("SHM_REMAP", r2 == fixed + 4 * PG);
	CHECK_ERR("SHM_REMAP without address", (long)shmat(id, NULL, SHM_REMAP), EINVAL);
	printf("nattch %lu\n", nattch(id));
	/* a fragment (munmap of the middle) still detaches from the start */
	munmap(r + PG, PG);
	printf("split nattch %lu\n", nattch(id));
	CHECK_OK("shmdt split", shmdt(r));
	CHECK_OK("shmdt remap", shmdt(r2));
	printf("nattch %lu\n", nattch(id));
	CHECK_ERR("shmat bad id", (long)shmat(-1, NULL, 0), EINVAL);
	CHECK_ERR("shmat stale id", (long)shmat(id + 32768 * 5, NULL, 0), EINVAL);

	/* lock */
	CHECK_OK("SHM_LOCK", shmctl(id, SHM_LOCK, NULL));
	shmctl(id, IPC_STAT, &ds);
	printf("locked mode %o\n", ds.shm_perm.mode);
	CHECK_OK("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL));
	shmctl(id, IPC_STAT, &ds);
	printf("unlocked mode %o\n", ds.shm_perm.mode);

	/* another user: 0640, group 0 */
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		CHECK_ERR("user shmget", shmget(KEY, PG, 0600), EACCES);
		CHECK_ERR("user shmat", (long)shmat(id, NULL, SHM_RDONLY), EACCES);
		CHECK_ERR("user IPC_STAT", shmctl(id, IPC_STAT, &ds), EACCES);
		CHECK_ERR("user IPC_RMID", shmctl(id, IPC_RMID, NULL), EPERM);
		CHECK_ERR("user SHM_LOCK", shmctl(id, SHM_LOCK, NULL), EPERM);
		CHECK("user still attached", strcmp(a, "hello") == 0);
		_exit(t_done());
	}
	waitpid(c, &st, 0);
	CHECK("user child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	shmctl(id, IPC_STAT, &ds);
	ds.shm_perm.mode = 0644;
	CHECK_OK("IPC_SET", shmctl(id, IPC_SET, &ds));
	c = fork();
	if (c == 0) {
		t_failures = 0;
		if (setgid(1000) || setuid(1000))
			_exit(3);
		char *u = shmat(id, NULL, SHM_RDONLY);
		CHECK("user shmat ro 0644", u != (void *)-1 && strcmp(u, "hello") == 0);
		CHECK_ERR("user shmat rw 0644", (long)shmat(id, NULL, 0), EACCES);
		_exit(t_done());
	}
	waitpid(c, &st, 0);
	CHECK("user child 2", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* info and stat */
	struct shminfo si;
	CHECK("IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&si) >= 0);
	printf("shmmax %lu shmmin %lu shmmni %lu shmseg %lu shmall %lu\n", si.shmmax, si.shmmin, si.shmmni,
	       si.shmseg, si.shmall);
	struct shm_info sinfo;
	int maxidx = shmctl(0, SHM_INFO, (struct shmid_ds *)&sinfo);
	CHECK("SHM_INFO", maxidx >= 0 && sinfo.used_ids >= 1 && sinfo.shm_tot >= 4);
	int found = 0;
	for (int i = 0; i <= maxidx; i++) {
		if (shmctl(i, SHM_STAT, &ds) == id)
			found++;
		if (shmctl(i, SHM_STAT_ANY, &ds) == id)
			found++;
	}
	CHECK("SHM_STAT finds it", found == 2);
	CHECK_ERR("shmctl bad cmd", shmctl(id, 99, &ds), EINVAL);
	CHECK_ERR("shmctl EFAULT", shmctl(id, IPC_STAT, (void *)8), EFAULT);

	/* IPC_RMID while attached: SHM_DEST, key 0, still usable */
	c = fork();
	if (c == 0) {
		usleep(300000);
		_exit(strcmp(a, "hello") == 0 ? 0 : 1);
	}
	CHECK_OK("IPC_RMID attached", shmctl(id, IPC_RMID, NULL));
	CHECK_OK("IPC_STAT dest", shmctl(id, IPC_STAT, &ds));
	printf("dest key %d mode %o nattch %lu\n", ds.shm_perm.__key, ds.shm_perm.mode, ds.shm_nattch);
	CHECK_ERR("key gone", shmget(KEY, PG, 0), ENOENT);
	char *late = shmat(id, NULL, 0);
	CHECK("attach to a removed segment", late != (void *)-1 && strcmp(late, "hello") == 0);
	shmdt(late);
	shmdt(a);
	printf("after parent detach nattch %lu\n", nattch(id));
	waitpid(c, &st, 0);
	CHECK("last child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("gone after last detach", shmctl(id, IPC_STAT, &ds), EINVAL);

	/* a new key-less segment goes at once */
	int p = shmget(IPC_PRIVATE, PG, 0600);
	CHECK_OK("IPC_RMID unattached", shmctl(p, IPC_RMID, NULL));
	CHECK_ERR("gone at once", shmctl(p, IPC_STAT, &ds), EINVAL);
	CHECK_ERR("shmat removed", (long)shmat(p, NULL, 0), EINVAL);
	return t_done();
}
