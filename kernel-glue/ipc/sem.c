/* SysV semaphores: semget, semop, semtimedop, semctl (Linux's
 * ipc/sem.c). An operation array is applied all or nothing. One that
 * cannot proceed sleeps on its set's pending list; whoever changes the
 * set retries the pending operations in arrival order and completes them
 * for their sleepers, as Linux's update_queue. SEM_UNDO adjustments are
 * kept per process (the thread group: glibc's threads share them with
 * CLONE_SYSVSEM) and applied when it exits. */
#include <umk/kernel.h>
#include <umk/init.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/sem.h>
#include "ipc.h"

struct sem {
	int val;
	pid_t pid;
};

struct sem_array {
	struct kern_ipc_perm perm;	/* first: the tables hold &perm */
	long otime, ctime;
	int nsems;
	struct list_head pending;	/* struct sem_queue, by arrival */
	struct sem sems[];
};

/* One process's adjustments for one set. */
struct sem_undo {
	struct list_head link;		/* undo_list */
	struct signal_struct *owner;
	struct sem_array *sma;
	short adj[];
};

/* A sleeping semop. status: 1 while pending, then 0 or -errno. */
struct sem_queue {
	struct list_head link;
	struct task *task;
	struct sembuf *sops;
	int nsops;
	bool alter;
	int blocking;			/* index of the op that blocks */
	int status;
	pid_t pid;
	struct sem_undo *undo;
};

int sem_ctls[4] = { SEMMSL, SEMMNS, SEMOPM, SEMMNI };
static int used_sems;
static LIST_HEAD(undo_list);

static struct sem_array *sma_of(struct kern_ipc_perm *p) { return (struct sem_array *)p; }

static void sma_free(struct kern_ipc_perm *p)
{
	kfree(sma_of(p));
}

static int sem_create(int key, int flg, long nsems)
{
	if (!nsems)
		return -EINVAL;
	if (used_sems + nsems > sc_semmns)
		return -ENOSPC;
	/* nsems is up to semmsl, which root may raise as far as INT_MAX */
	struct sem_array *sma = kmalloc_user(sizeof(*sma) + (size_t)nsems * sizeof(struct sem));
	if (!sma)
		return -ENOMEM;
	memset(sma, 0, sizeof(*sma) + (size_t)nsems * sizeof(struct sem));
	sma->perm.free = sma_free;
	sma->nsems = (int)nsems;
	sma->ctime = ipc_now();
	INIT_LIST_HEAD(&sma->pending);
	int id = ipc_addid(&sem_ids, &sma->perm, key, flg, sc_semmni);
	if (id < 0) {
		kfree(sma);
		return id;
	}
	used_sems += (int)nsems;
	return id;
}

static int sem_more_checks(struct kern_ipc_perm *p, long nsems)
{
	return nsems > sma_of(p)->nsems ? -EINVAL : 0;
}

static const struct ipc_ops sem_ops = { .create = sem_create, .more_checks = sem_more_checks };

SYSCALL_DEFINE3(semget, int, key, int, nsems, int, semflg)
{
	if (nsems < 0 || nsems > sc_semmsl)
		return -EINVAL;
	return ipcget(&sem_ids, &sem_ops, key, semflg, nsems);
}

/* Apply sops whole or not at all: 0, 1 (would block: *blocking says
 * which), -EAGAIN (would block, IPC_NOWAIT) or -ERANGE. */
static int perform(struct sem_array *sma, struct sembuf *sops, int nsops, struct sem_undo *un, pid_t pid, int *blocking)
{
	int i, result;
	for (i = 0; i < nsops; i++) {
		struct sembuf *sop = &sops[i];
		struct sem *curr = &sma->sems[sop->sem_num];
		int op = sop->sem_op;
		int v = curr->val;
		if ((!op && v) || v + op < 0) {
			*blocking = i;
			result = (sop->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			goto undo;
		}
		v += op;
		if (v > SEMVMX) {
			result = -ERANGE;
			goto undo;
		}
		if (sop->sem_flg & SEM_UNDO) {
			int adj = un->adj[sop->sem_num] - op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				result = -ERANGE;
				goto undo;
			}
			un->adj[sop->sem_num] = (short)adj;
		}
		curr->val = v;
	}
	for (i = 0; i < nsops; i++)
		sma->sems[sops[i].sem_num].pid = pid;
	return 0;
undo:
	while (--i >= 0) {
		sma->sems[sops[i].sem_num].val -= sops[i].sem_op;
		if (sops[i].sem_flg & SEM_UNDO)
			un->adj[sops[i].sem_num] += sops[i].sem_op;
	}
	return result;
}

/* The set changed: complete what pending operations now can. */
static void update_queue(struct sem_array *sma)
{
again:;
	struct sem_queue *q, *n;
	list_for_each_entry_safe(q, n, &sma->pending, link) {
		int r = perform(sma, q->sops, q->nsops, q->undo, q->pid, &q->blocking);
		if (r == 1)
			continue;
		list_del(&q->link);
		q->status = r;
		if (!r)
			sma->otime = ipc_now();
		wake_up_task(q->task);
		if (!r && q->alter)
			goto again;
	}
}

static void undo_free(struct sem_undo *un)
{
	list_del(&un->link);
	kfree(un);
}

static struct sem_undo *find_undo(struct sem_array *sma)
{
	struct sem_undo *un;
	list_for_each_entry(un, &undo_list, link)
		if (un->owner == current->signal && un->sma == sma)
			return un;
	un = kmalloc_user(sizeof(*un) + (size_t)sma->nsems * sizeof(short));
	if (!un)
		return NULL;
	memset(un, 0, sizeof(*un) + (size_t)sma->nsems * sizeof(short));
	un->owner = current->signal;
	un->sma = sma;
	list_add_tail(&un->link, &undo_list);
	return un;
}

static void freeary(struct sem_array *sma)
{
	struct sem_undo *un, *un2;
	list_for_each_entry_safe(un, un2, &undo_list, link)
		if (un->sma == sma)
			undo_free(un);
	struct sem_queue *q, *n;
	list_for_each_entry_safe(q, n, &sma->pending, link) {
		list_del(&q->link);
		q->status = -EIDRM;
		wake_up_task(q->task);
	}
	used_sems -= sma->nsems;
	ipc_rmid(&sem_ids, &sma->perm);
}

struct kts64 { int64_t tv_sec, tv_nsec; };

static long do_semtimedop(int semid, uaddr_t tsops, unsigned nsops, uaddr_t timeout)
{
	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > (unsigned)sc_semopm)
		return -E2BIG;
	struct sembuf *sops = kmalloc_user(nsops * sizeof(*sops));
	long err;
	if (!sops)
		return -ENOMEM;
	int64_t deadline = -1;
	if (copy_from_user(sops, tsops, nsops * sizeof(*sops))) {
		err = -EFAULT;
		goto out_free;
	}
	if (timeout) {
		struct kts64 ts;
		if (copy_from_user(&ts, timeout, sizeof(ts))) {
			err = -EFAULT;
			goto out_free;
		}
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
			err = -EINVAL;
			goto out_free;
		}
		int64_t ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX / 2 : ts.tv_sec * 1000000000 + ts.tv_nsec;
		deadline = ktime_mono_ns() + ns;
	}
	unsigned max = 0;
	bool undos = false, alter = false;
	for (unsigned i = 0; i < nsops; i++) {
		if (sops[i].sem_num >= max)
			max = sops[i].sem_num;
		if (sops[i].sem_flg & SEM_UNDO)
			undos = true;
		if (sops[i].sem_op)
			alter = true;
	}
	struct kern_ipc_perm *p = ipc_lookup(&sem_ids, semid);
	err = -EINVAL;
	if (!p)
		goto out_free;
	struct sem_array *sma = sma_of(p);
	err = -EFBIG;
	if (max >= (unsigned)sma->nsems)
		goto out_free;
	err = -EACCES;
	if (ipcperms(p, alter ? 0222 : 0444))
		goto out_free;
	struct sem_queue q = {
		.task = current, .sops = sops, .nsops = (int)nsops, .alter = alter,
		.pid = current->tgid, .undo = undos ? find_undo(sma) : NULL,
	};
	err = -ENOMEM;
	if (undos && !q.undo)
		goto out_free;
	err = perform(sma, sops, (int)nsops, q.undo, q.pid, &q.blocking);
	if (err <= 0) {
		if (!err) {
			sma->otime = ipc_now();
			if (alter)
				update_queue(sma);
		}
		goto out_free;
	}
	q.status = 1;
	list_add_tail(&q.link, &sma->pending);
	ipc_get(p);
	for (;;) {
		current->state = TASK_INTERRUPTIBLE;
		if (q.status != 1 || signal_pending(current))
			break;
		if (deadline >= 0 && ktime_mono_ns() >= deadline)
			break;
		if (deadline >= 0) {
			struct wait_queue_head wq;
			struct wait_entry we;
			init_waitqueue_head(&wq);
			wait_enqueue(&wq, &we);
			wait_sleep(&wq, &we, true, deadline);
			wait_dequeue(&we);
		} else {
			schedule();
		}
	}
	current->state = TASK_RUNNING;
	if (q.status != 1) {
		err = q.status;
	} else {
		list_del(&q.link);
		err = signal_pending(current) ? -EINTR : -EAGAIN;
	}
	ipc_put(p);
out_free:
	kfree(sops);
	return err;
}

SYSCALL_DEFINE4(semtimedop, int, semid, uaddr_t, tsops, unsigned, nsops, uaddr_t, timeout)
{
	return do_semtimedop(semid, tsops, nsops, timeout);
}

SYSCALL_DEFINE3(semop, int, semid, uaddr_t, tsops, unsigned, nsops)
{
	return do_semtimedop(semid, tsops, nsops, 0);
}

static int count_semcnt(struct sem_array *sma, int semnum, bool zero)
{
	int n = 0;
	struct sem_queue *q;
	list_for_each_entry(q, &sma->pending, link) {
		struct sembuf *sop = &q->sops[q->blocking];
		if (sop->sem_num != semnum)
			continue;
		if (zero ? sop->sem_op == 0 : sop->sem_op < 0)
			n++;
	}
	return n;
}

static void clear_undo(struct sem_array *sma, int semnum)
{
	struct sem_undo *un;
	list_for_each_entry(un, &undo_list, link)
		if (un->sma == sma) {
			if (semnum < 0)
				memset(un->adj, 0, (size_t)sma->nsems * sizeof(short));
			else
				un->adj[semnum] = 0;
		}
}

static long semctl_main(int semid, int semnum, int cmd, uaddr_t arg)
{
	struct kern_ipc_perm *p = ipc_lookup(&sem_ids, semid);
	if (!p)
		return -EINVAL;
	struct sem_array *sma = sma_of(p);
	int nsems = sma->nsems;
	if (ipcperms(p, cmd == SETALL ? 0222 : 0444))
		return -EACCES;
	if (cmd == GETALL || cmd == SETALL) {
		unsigned short *io = kmalloc_user((size_t)nsems * sizeof(*io));
		long err = 0;
		if (!io)
			return -ENOMEM;
		if (cmd == GETALL) {
			for (int i = 0; i < nsems; i++)
				io[i] = (unsigned short)sma->sems[i].val;
			if (copy_to_user(arg, io, (size_t)nsems * sizeof(*io)))
				err = -EFAULT;
		} else if (copy_from_user(io, arg, (size_t)nsems * sizeof(*io))) {
			err = -EFAULT;
		} else {
			for (int i = 0; i < nsems; i++)
				if (io[i] > SEMVMX)
					err = -ERANGE;
			if (!err) {
				for (int i = 0; i < nsems; i++) {
					sma->sems[i].val = io[i];
					sma->sems[i].pid = current->tgid;
				}
				clear_undo(sma, -1);
				sma->ctime = ipc_now();
				update_queue(sma);
			}
		}
		kfree(io);
		return err;
	}
	if (semnum < 0 || semnum >= nsems)
		return -EINVAL;
	struct sem *curr = &sma->sems[semnum];
	switch (cmd) {
	case GETVAL: return curr->val;
	case GETPID: return curr->pid;
	case GETNCNT: return count_semcnt(sma, semnum, false);
	case GETZCNT: return count_semcnt(sma, semnum, true);
	}
	return -EINVAL;
}

static long semctl_setval(int semid, int semnum, int val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	struct kern_ipc_perm *p = ipc_lookup(&sem_ids, semid);
	if (!p)
		return -EINVAL;
	struct sem_array *sma = sma_of(p);
	if (semnum < 0 || semnum >= sma->nsems)
		return -EINVAL;
	if (ipcperms(p, 0222))
		return -EACCES;
	clear_undo(sma, semnum);
	sma->sems[semnum].val = val;
	sma->sems[semnum].pid = current->tgid;
	sma->ctime = ipc_now();
	update_queue(sma);
	return 0;
}

static long semctl_info(int cmd, uaddr_t arg)
{
	struct seminfo si = {
		.semmni = sc_semmni, .semmns = sc_semmns, .semmsl = sc_semmsl, .semopm = sc_semopm,
		.semvmx = SEMVMX, .semmnu = SEMMNU, .semmap = SEMMAP, .semume = SEMUME,
	};
	if (cmd == SEM_INFO) {
		si.semusz = sem_ids.in_use;
		si.semaem = used_sems;
	} else {
		si.semusz = SEMUSZ;
		si.semaem = SEMAEM;
	}
	if (copy_to_user(arg, &si, sizeof(si)))
		return -EFAULT;
	int max = ipc_get_maxidx(&sem_ids);
	return max < 0 ? 0 : max;
}

static long semctl_stat(int semid, int cmd, uaddr_t arg)
{
	struct kern_ipc_perm *p = cmd == IPC_STAT ? ipc_lookup(&sem_ids, semid) : ipc_lookup_idx(&sem_ids, semid);
	if (!p)
		return -EINVAL;
	if (cmd != SEM_STAT_ANY && ipcperms(p, 0444))
		return -EACCES;
	struct sem_array *sma = sma_of(p);
	struct semid64_ds ds;
	memset(&ds, 0, sizeof(ds));
	ipc_fill_perm(p, &ds.sem_perm);
	ds.sem_otime = sma->otime;
	ds.sem_ctime = sma->ctime;
	ds.sem_nsems = (unsigned long)sma->nsems;
	if (copy_to_user(arg, &ds, sizeof(ds)))
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : p->id;
}

SYSCALL_DEFINE4(semctl, int, semid, int, semnum, int, cmd, unsigned long, arg)
{
	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return semctl_info(cmd, arg);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return semctl_stat(semid, cmd, arg);
	case GETALL: case GETVAL: case GETPID: case GETNCNT: case GETZCNT: case SETALL:
		return semctl_main(semid, semnum, cmd, arg);
	case SETVAL:
		return semctl_setval(semid, semnum, (int)arg);
	case IPC_SET:
	case IPC_RMID: {
		struct semid64_ds ds;
		if (cmd == IPC_SET && copy_from_user(&ds, arg, sizeof(ds)))
			return -EFAULT;
		struct kern_ipc_perm *p = ipc_lookup(&sem_ids, semid);
		if (!p)
			return -EINVAL;
		if (ipc_owner_check(p))
			return -EPERM;
		if (cmd == IPC_RMID) {
			freeary(sma_of(p));
			return 0;
		}
		ipc_update_perm(p, &ds.sem_perm);
		sma_of(p)->ctime = ipc_now();
		return 0;
	}
	}
	return -EINVAL;
}

/* The process's SEM_UNDO adjustments, as Linux's exit_sem: each value
 * moves by its adjustment, clamped to 0..SEMVMX. */
static void exit_sem(struct task *t)
{
	struct sem_undo *un, *n;
	list_for_each_entry_safe(un, n, &undo_list, link) {
		if (un->owner != t->signal)
			continue;
		struct sem_array *sma = un->sma;
		for (int i = 0; i < sma->nsems; i++) {
			if (!un->adj[i])
				continue;
			int v = sma->sems[i].val + un->adj[i];
			sma->sems[i].val = MIN(MAX(v, 0), SEMVMX);
			sma->sems[i].pid = t->tgid;
		}
		undo_free(un);
		update_queue(sma);
	}
}
DEFINE_EXIT_HOOK(exit_sem);

void sem_proc_show(struct sbuf *out, struct kern_ipc_perm *p)
{
	struct sem_array *sma = sma_of(p);
	sbuf_printf(out, "%10d %10d  %4o %10u %5u %5u %5u %5u %10ld %10ld\n",
		    p->key, p->id, p->mode, (unsigned)sma->nsems, p->uid, p->gid, p->cuid, p->cgid,
		    sma->otime, sma->ctime);
}
