/* SysV message queues: msgget, msgsnd, msgrcv, msgctl (Linux's
 * ipc/msg.c). A queue holds messages in arrival order; receivers pick by
 * type (0: the first; > 0: the first of that type, or with MSG_EXCEPT of
 * any other; < 0: the first of the lowest type <= -msgtyp). Blocked
 * senders and receivers sleep on the queue and look again when woken;
 * removal wakes them all with EIDRM. */
#include <umk/kernel.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/msg.h>
#include "ipc.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif

struct msg_msg {
	struct list_head link;
	long type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct kern_ipc_perm perm;	/* first: the tables hold &perm */
	long stime, rtime, ctime;
	unsigned long cbytes, qnum, qbytes;
	pid_t lspid, lrpid;
	struct list_head messages;
	struct wait_queue_head wq;	/* senders and receivers */
};

int msg_ctlmax = MSGMAX, msg_ctlmnb = MSGMNB, msg_ctlmni = MSGMNI;
static unsigned long msg_hdrs, msg_bytes;	/* over all queues: MSG_INFO */

static struct msg_queue *msq_of(struct kern_ipc_perm *p) { return (struct msg_queue *)p; }

static void msq_free(struct kern_ipc_perm *p)
{
	kfree(msq_of(p));
}

static int msq_create(int key, int flg, long arg __unused)
{
	struct msg_queue *q = kzalloc(sizeof(*q));
	INIT_LIST_HEAD(&q->messages);
	init_waitqueue_head(&q->wq);
	q->perm.free = msq_free;
	q->qbytes = (unsigned long)msg_ctlmnb;
	q->ctime = ipc_now();
	int id = ipc_addid(&msg_ids, &q->perm, key, flg, msg_ctlmni);
	if (id < 0)
		kfree(q);
	return id;
}

static const struct ipc_ops msg_ops = { .create = msq_create };

SYSCALL_DEFINE2(msgget, int, key, int, msgflg)
{
	return ipcget(&msg_ids, &msg_ops, key, msgflg, 0);
}

static void msg_unlink(struct msg_queue *q, struct msg_msg *m)
{
	list_del(&m->link);
	q->qnum--;
	q->cbytes -= m->size;
	msg_hdrs--;
	msg_bytes -= m->size;
}

static void msq_remove(struct msg_queue *q)
{
	while (!list_empty(&q->messages)) {
		struct msg_msg *m = list_first_entry(&q->messages, struct msg_msg, link);
		msg_unlink(q, m);
		kfree(m);
	}
	wake_up(&q->wq);
	ipc_rmid(&msg_ids, &q->perm);
}

static bool msg_fits(struct msg_queue *q, size_t size)
{
	return q->cbytes + size <= q->qbytes && 1 + q->qnum <= q->qbytes;
}

/* Sleep on q until woken: 0, or -ERESTARTNOHAND for a signal. The
 * reference keeps q while it may be removed under us. */
static long msq_sleep(struct msg_queue *q)
{
	struct wait_entry we;
	wait_enqueue(&q->wq, &we);
	ipc_get(&q->perm);
	long r = wait_sleep(&q->wq, &we, true, -1);
	wait_dequeue(&we);
	ipc_put(&q->perm);
	return r ? -ERESTARTNOHAND : 0;
}

SYSCALL_DEFINE4(msgsnd, int, msqid, uaddr_t, msgp, size_t, msgsz, int, msgflg)
{
	long type;
	if (copy_from_user(&type, msgp, sizeof(type)))
		return -EFAULT;
	if (msgsz > (size_t)msg_ctlmax || (long)msgsz < 0 || msqid < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	struct msg_msg *m = kmalloc_user(sizeof(*m) + msgsz);
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->size = msgsz;
	if (copy_from_user(m->text, msgp + sizeof(long), msgsz)) {
		kfree(m);
		return -EFAULT;
	}
	struct kern_ipc_perm *p = ipc_lookup(&msg_ids, msqid);
	if (!p) {
		kfree(m);
		return -EINVAL;
	}
	struct msg_queue *q = msq_of(p);
	ipc_get(p);
	long err;
	for (;;) {
		if (p->deleted) {
			err = -EIDRM;
			break;
		}
		if (ipcperms(p, 0222)) {
			err = -EACCES;
			break;
		}
		if (msg_fits(q, msgsz)) {
			list_add_tail(&m->link, &q->messages);
			q->qnum++;
			q->cbytes += msgsz;
			msg_hdrs++;
			msg_bytes += msgsz;
			q->lspid = current->tgid;
			q->stime = ipc_now();
			m = NULL;
			wake_up(&q->wq);
			err = 0;
			break;
		}
		if (msgflg & IPC_NOWAIT) {
			err = -EAGAIN;
			break;
		}
		if ((err = msq_sleep(q)))
			break;
	}
	ipc_put(p);
	kfree(m);
	return err;
}

enum search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

static enum search convert_mode(long *msgtyp, int msgflg)
{
	if (msgflg & MSG_COPY)
		return SEARCH_NUMBER;
	if (*msgtyp == 0)
		return SEARCH_ANY;
	if (*msgtyp < 0) {
		*msgtyp = *msgtyp == INT64_MIN ? INT64_MAX : -*msgtyp;
		return SEARCH_LESSEQUAL;
	}
	if (msgflg & MSG_EXCEPT)
		return SEARCH_NOTEQUAL;
	return SEARCH_EQUAL;
}

static bool testmsg(struct msg_msg *m, long type, enum search mode)
{
	switch (mode) {
	case SEARCH_ANY: case SEARCH_NUMBER: return true;
	case SEARCH_LESSEQUAL: return m->type <= type;
	case SEARCH_EQUAL: return m->type == type;
	case SEARCH_NOTEQUAL: return m->type != type;
	}
	return false;
}

static struct msg_msg *find_msg(struct msg_queue *q, long msgtyp, enum search mode)
{
	struct msg_msg *m, *found = NULL;
	long count = 0;
	list_for_each_entry(m, &q->messages, link) {
		if (!testmsg(m, msgtyp, mode))
			continue;
		if (mode == SEARCH_LESSEQUAL && m->type != 1) {
			msgtyp = m->type - 1;
			found = m;
		} else if (mode == SEARCH_NUMBER) {
			if (msgtyp == count)
				return m;
		} else {
			return m;
		}
		count++;
	}
	return found;
}

SYSCALL_DEFINE5(msgrcv, int, msqid, uaddr_t, msgp, size_t, bufsz, long, msgtyp, int, msgflg)
{
	if (msqid < 0 || (long)bufsz < 0)
		return -EINVAL;
	if ((msgflg & MSG_COPY) && ((msgflg & MSG_EXCEPT) || !(msgflg & IPC_NOWAIT)))
		return -EINVAL;
	if (msgflg & MSG_COPY)
		bufsz = MIN(bufsz, (size_t)msg_ctlmax);
	enum search mode = convert_mode(&msgtyp, msgflg);
	struct kern_ipc_perm *p = ipc_lookup(&msg_ids, msqid);
	if (!p)
		return -EINVAL;
	struct msg_queue *q = msq_of(p);
	ipc_get(p);
	struct msg_msg *m = NULL;
	long err;
	for (;;) {
		if (ipcperms(p, 0444)) {
			err = -EACCES;
			break;
		}
		if (p->deleted) {
			err = -EIDRM;
			break;
		}
		m = find_msg(q, msgtyp, mode);
		if (m) {
			if (bufsz < m->size && !(msgflg & MSG_NOERROR)) {
				m = NULL;
				err = -E2BIG;
				break;
			}
			if (msgflg & MSG_COPY) {
				struct msg_msg *c = kmalloc(sizeof(*c) + m->size);
				memcpy(c, m, sizeof(*c) + m->size);
				m = c;
			} else {
				msg_unlink(q, m);
				q->lrpid = current->tgid;
				q->rtime = ipc_now();
				wake_up(&q->wq);	/* room for senders */
			}
			err = 0;
			break;
		}
		if (msgflg & IPC_NOWAIT) {
			err = -ENOMSG;
			break;
		}
		if ((err = msq_sleep(q)))
			break;
	}
	ipc_put(p);
	if (!m)
		return err;
	size_t n = MIN(bufsz, m->size);
	if (copy_to_user(msgp, &m->type, sizeof(long)) || copy_to_user(msgp + sizeof(long), m->text, n))
		err = -EFAULT;
	else
		err = (long)n;
	kfree(m);
	return err;
}

static void fill_msqid(struct msg_queue *q, struct msqid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

static long msgctl_info(int cmd, uaddr_t buf)
{
	struct msginfo mi = {
		.msgmni = msg_ctlmni, .msgmax = msg_ctlmax, .msgmnb = msg_ctlmnb,
		.msgssz = MSGSSZ, .msgseg = MSGSEG,
	};
	if (cmd == MSG_INFO) {
		mi.msgpool = msg_ids.in_use;
		mi.msgmap = (int)MIN(msg_hdrs, (unsigned long)INT32_MAX);
		mi.msgtql = (int)MIN(msg_bytes, (unsigned long)INT32_MAX);
	} else {
		mi.msgmap = MSGMAP;
		mi.msgpool = MSGPOOL;
		mi.msgtql = MSGTQL;
	}
	if (copy_to_user(buf, &mi, sizeof(mi)))
		return -EFAULT;
	int max = ipc_get_maxidx(&msg_ids);
	return max < 0 ? 0 : max;
}

SYSCALL_DEFINE3(msgctl, int, msqid, int, cmd, uaddr_t, buf)
{
	if (msqid < 0 || cmd < 0)
		return -EINVAL;
	struct msqid64_ds ds;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msgctl_info(cmd, buf);
	case MSG_STAT:
	case MSG_STAT_ANY:
	case IPC_STAT: {
		struct kern_ipc_perm *p = cmd == IPC_STAT ? ipc_lookup(&msg_ids, msqid) : ipc_lookup_idx(&msg_ids, msqid);
		if (!p)
			return -EINVAL;
		if (cmd != MSG_STAT_ANY && ipcperms(p, 0444))
			return -EACCES;
		fill_msqid(msq_of(p), &ds);
		if (copy_to_user(buf, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : p->id;
	}
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		/* fallthrough */
	case IPC_RMID: {
		struct kern_ipc_perm *p = ipc_lookup(&msg_ids, msqid);
		if (!p)
			return -EINVAL;
		if (ipc_owner_check(p))
			return -EPERM;
		struct msg_queue *q = msq_of(p);
		if (cmd == IPC_RMID) {
			msq_remove(q);
			return 0;
		}
		if (ds.msg_qbytes > (unsigned long)msg_ctlmnb && !capable(CAP_SYS_RESOURCE))
			return -EPERM;
		ipc_update_perm(p, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		wake_up(&q->wq);	/* more room, or other permissions */
		return 0;
	}
	}
	return -EINVAL;
}

void msg_proc_show(struct sbuf *out, struct kern_ipc_perm *p)
{
	struct msg_queue *q = msq_of(p);
	sbuf_printf(out, "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10ld %10ld %10ld\n",
		    p->key, p->id, p->mode, q->cbytes, q->qnum, q->lspid, q->lrpid,
		    p->uid, p->gid, p->cuid, p->cgid, q->stime, q->rtime, q->ctime);
}
