/* Futexes: waiters keyed by (mm, address) for private memory and by
 * physical frame for MAP_SHARED memory, so processes sharing a mapping
 * meet on the same key. One virtual CPU: reading the futex word and
 * queueing the waiter cannot race with a waker. */
#include <umk/internal.h>
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/pgtable.h>
#include <umk/syscall.h>
#include <umk/uaccess.h>
#include <linux/futex.h>

struct futex_key { uint64_t a, b; };	/* (mm, uaddr) or (~0, pfn<<12 | offset) */

struct futex_q {
	struct list_head link;
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	bool woken;
	struct wait_queue_head wq;
};

#define FUTEX_HASH 64
static struct list_head futex_hash[FUTEX_HASH];

static struct list_head *bucket(const struct futex_key *k)
{
	if (!futex_hash[0].next)
		for (int i = 0; i < FUTEX_HASH; i++)
			INIT_LIST_HEAD(&futex_hash[i]);
	return &futex_hash[((k->a >> 4) ^ (k->b >> 2) ^ (k->b >> 12)) % FUTEX_HASH];
}

static bool key_eq(const struct futex_key *x, const struct futex_key *y)
{
	return x->a == y->a && x->b == y->b;
}

static int get_key(struct mm *mm, uaddr_t uaddr, struct futex_key *k)
{
	if (uaddr & 3)
		return -EINVAL;
	struct vma *v = find_vma(mm, uaddr);
	if (!v)
		return -EFAULT;
	if (v->flags & VM_SHARED) {
		uint32_t tmp;
		/* fault the page in to learn its frame */
		if (access_remote_vm(mm, uaddr, &tmp, 4, false) != 4)
			return -EFAULT;
		uint64_t *pte = pte_lookup(mm, uaddr & PAGE_MASK, false);
		if (!pte || !(*pte & PTE_PRESENT))
			return -EFAULT;
		k->a = ~0ULL;
		k->b = (PTE_PFN(*pte) << PAGE_SHIFT) | (uaddr & ~PAGE_MASK);
	} else {
		k->a = (uint64_t)(uintptr_t)mm;
		k->b = uaddr;
	}
	return 0;
}

static int futex_wake_key(const struct futex_key *k, int nr, uint32_t bitset)
{
	int woken = 0;
	struct futex_q *q, *n;
	list_for_each_entry_safe(q, n, bucket(k), link) {
		if (woken >= nr)
			break;
		if (!key_eq(&q->key, k) || !(q->bitset & bitset))
			continue;
		list_del(&q->link);
		q->woken = true;
		wake_up(&q->wq);
		woken++;
	}
	return woken;
}

/* Used at thread exit for CLONE_CHILD_CLEARTID. */
int futex_wake_addr(struct mm *mm, uaddr_t uaddr, int nr)
{
	struct futex_key k;
	if (get_key(mm, uaddr, &k))
		return 0;
	return futex_wake_key(&k, nr, FUTEX_BITSET_MATCH_ANY);
}

static long futex_wait(uaddr_t uaddr, uint32_t val, int64_t deadline, uint32_t bitset)
{
	if (!bitset)
		return -EINVAL;
	struct futex_q q;
	int r = get_key(current->mm, uaddr, &q.key);
	if (r)
		return r;
	uint32_t cur;
	if (copy_from_user(&cur, uaddr, 4))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	q.bitset = bitset;
	q.task = current;
	q.woken = false;
	init_waitqueue_head(&q.wq);
	list_add_tail(&q.link, bucket(&q.key));
	long w = wait_event_interruptible_deadline(q.wq, q.woken, deadline);
	if (!q.woken)
		list_del(&q.link);
	if (q.woken)
		return 0;
	if (w == -ETIMEDOUT)
		return -ETIMEDOUT;
	/* untimed waits restart transparently; timed ones report EINTR */
	return deadline < 0 ? -ERESTARTSYS : -EINTR;
}

static long futex_requeue(uaddr_t u1, uaddr_t u2, int nr_wake, int nr_requeue, const uint32_t *cmpval)
{
	struct futex_key k1, k2;
	int r = get_key(current->mm, u1, &k1);
	if (!r)
		r = get_key(current->mm, u2, &k2);
	if (r)
		return r;
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if (cmpval) {
		uint32_t cur;
		if (copy_from_user(&cur, u1, 4))
			return -EFAULT;
		if (cur != *cmpval)
			return -EAGAIN;
	}
	int done = futex_wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	int moved = 0;
	struct futex_q *q, *n;
	list_for_each_entry_safe(q, n, bucket(&k1), link) {
		if (moved >= nr_requeue)
			break;
		if (!key_eq(&q->key, &k1))
			continue;
		list_del(&q->link);
		q->key = k2;
		list_add_tail(&q->link, bucket(&k2));
		moved++;
	}
	return done + moved;
}

static long futex_wake_op(uaddr_t u1, uaddr_t u2, int nr1, int nr2, uint32_t op)
{
	struct futex_key k1, k2;
	int r = get_key(current->mm, u1, &k1);
	if (!r)
		r = get_key(current->mm, u2, &k2);
	if (r)
		return r;
	unsigned opc = (op >> 28) & 7, cmp = (op >> 24) & 15;
	uint32_t oparg = (op >> 12) & 0xfff, cmparg = op & 0xfff;
	if (op & (FUTEX_OP_OPARG_SHIFT << 28)) {
		if (oparg > 31)
			return -EINVAL;	/* Linux warns and clamps; reject instead */
		oparg = 1U << oparg;
	}
	uint32_t old, nv;
	if (copy_from_user(&old, u2, 4))
		return -EFAULT;
	switch (opc) {
	case FUTEX_OP_SET: nv = oparg; break;
	case FUTEX_OP_ADD: nv = old + oparg; break;
	case FUTEX_OP_OR: nv = old | oparg; break;
	case FUTEX_OP_ANDN: nv = old & ~oparg; break;
	case FUTEX_OP_XOR: nv = old ^ oparg; break;
	default: return -ENOSYS;
	}
	if (copy_to_user(u2, &nv, 4))
		return -EFAULT;
	int done = futex_wake_key(&k1, nr1, FUTEX_BITSET_MATCH_ANY);
	bool c;
	int32_t so = (int32_t)old, sa = (int32_t)cmparg;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: c = so == sa; break;
	case FUTEX_OP_CMP_NE: c = so != sa; break;
	case FUTEX_OP_CMP_LT: c = so < sa; break;
	case FUTEX_OP_CMP_LE: c = so <= sa; break;
	case FUTEX_OP_CMP_GT: c = so > sa; break;
	case FUTEX_OP_CMP_GE: c = so >= sa; break;
	default: return -ENOSYS;
	}
	if (c)
		done += futex_wake_key(&k2, nr2, FUTEX_BITSET_MATCH_ANY);
	return done;
}

struct kts64 { int64_t tv_sec, tv_nsec; };

/* Timeout to a CLOCK_MONOTONIC deadline: relative for WAIT, absolute on
 * the chosen clock for WAIT_BITSET. */
static long timeout_deadline(uaddr_t uts, bool absolute, bool realtime, int64_t *deadline)
{
	*deadline = -1;
	if (!uts)
		return 0;
	struct kts64 ts;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	int64_t ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX / 2 : ts.tv_sec * 1000000000 + ts.tv_nsec;
	int64_t now = ktime_mono_ns();
	if (!absolute)
		*deadline = now + ns;
	else if (realtime)
		*deadline = now + (ns - ktime_real_ns());
	else
		*deadline = ns;
	return 0;
}

SYSCALL_DEFINE6(futex, uaddr_t, uaddr, int, op, uint32_t, val, uaddr_t, uts, uaddr_t, uaddr2, uint32_t, val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	int64_t deadline;
	long r;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		if ((r = timeout_deadline(uts, false, realtime, &deadline)))
			return r;
		return futex_wait(uaddr, val, deadline, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		if ((r = timeout_deadline(uts, true, realtime, &deadline)))
			return r;
		return futex_wait(uaddr, val, deadline, val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		uint32_t bits = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
		if (!bits)
			return -EINVAL;
		struct futex_key k;
		if ((r = get_key(current->mm, uaddr, &k)))
			return r;
		return futex_wake_key(&k, (int)MIN(val, (uint32_t)INT32_MAX), bits);
	}
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)(uint32_t)uts, NULL);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, (int)val, (int)(uint32_t)uts, &val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, uaddr2, (int)val, (int)(uint32_t)uts, val3);
	default:
		printk_once_key("futex-pi", KERN_WARNING "futex: operation %d (priority inheritance) is not supported\n", cmd);
		return -ENOSYS;
	}
}

SYSCALL_DEFINE2(set_robust_list, uaddr_t, head, size_t, len)
{
	if (len != 24)
		return -EINVAL;
	current->robust_list = head;
	return 0;
}

SYSCALL_DEFINE3(get_robust_list, int, pid, uaddr_t, uhead, uaddr_t, ulen)
{
	struct task *t = pid ? find_task_by_pid(pid) : current;
	if (!t)
		return -ESRCH;
	uint64_t len = 24;
	if (copy_to_user(uhead, &t->robust_list, 8) || copy_to_user(ulen, &len, 8))
		return -EFAULT;
	return 0;
}

/* At thread exit: mark robust futexes held by the thread as owner-died
 * and wake one waiter each (the robust-list ABI, as Linux). */
void exit_robust_list(struct task *t)
{
	struct { uint64_t next; int64_t futex_offset; uint64_t pending; } head;
	if (!t->robust_list || access_remote_vm(t->mm, t->robust_list, &head, sizeof(head), false) != sizeof(head))
		return;
	uint64_t entry = head.next;
	for (int limit = 0; entry && entry != t->robust_list && limit < 2048; limit++) {
		uint64_t next;
		if (access_remote_vm(t->mm, entry, &next, 8, false) != 8)
			break;
		uaddr_t fut = entry + head.futex_offset;
		uint32_t v;
		if (access_remote_vm(t->mm, fut, &v, 4, false) == 4 && (v & FUTEX_TID_MASK) == (uint32_t)t->pid) {
			uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
			access_remote_vm(t->mm, fut, &nv, 4, true);
			if (v & FUTEX_WAITERS)
				futex_wake_addr(t->mm, fut, 1);
		}
		entry = next & ~1ULL;
	}
}
