/* SysV IPC ids, keys and permissions (Linux's ipc/util.c): each kind of
 * object (shm, sem, msg) has a table indexed by the low 15 bits of an id;
 * the high bits are a sequence number bumped as indexes wrap, so a stale
 * id finds nothing. Indexes are handed out cyclically within
 * max(in_use * 3 / 2, 64), as Linux's ipc_idr_alloc. */
#include <umk/capability.h>
#include <umk/kernel.h>
#include <umk/fs.h>
#include "ipc.h"

struct ipc_ids shm_ids = { .last_idx = -1, .max_idx = -1 };
struct ipc_ids sem_ids = { .last_idx = -1, .max_idx = -1 };
struct ipc_ids msg_ids = { .last_idx = -1, .max_idx = -1 };

#define IPCID_SEQ_MAX	(INT32_MAX >> IPCMNI_SHIFT)

static struct kern_ipc_perm *findkey(struct ipc_ids *ids, int key)
{
	for (int i = 0; i <= ids->max_idx; i++)
		if (ids->entries[i] && ids->entries[i]->key == key)
			return ids->entries[i];
	return NULL;
}

/* idr_alloc_cyclic(0, max): the first free index after the last one
 * given, wrapping to 0; -1 if none. */
static int alloc_idx(struct ipc_ids *ids, int max)
{
	for (int n = 0; n < max; n++) {
		int i = (ids->last_idx + 1 + n) % max;
		if (i < 0)
			i = 0;
		if (!ids->entries[i])
			return i;
	}
	return -1;
}

int ipc_addid(struct ipc_ids *ids, struct kern_ipc_perm *p, int key, int mode, int limit)
{
	if (limit > IPCMNI)
		limit = IPCMNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	int max = MAX(ids->in_use * 3 / 2, IPC_MIN_CYCLE);
	max = MIN(max, limit);
	int idx = alloc_idx(ids, max);
	if (idx < 0)
		return -ENOSPC;
	if (idx <= ids->last_idx && ++ids->seq >= IPCID_SEQ_MAX)
		ids->seq = 0;
	ids->last_idx = idx;
	p->seq = ids->seq;
	p->id = (int)(p->seq << IPCMNI_SHIFT) + idx;
	p->key = key;
	p->mode = (unsigned)mode & 0777;
	p->uid = p->cuid = current->cred.euid;
	p->gid = p->cgid = current->cred.egid;
	p->deleted = false;
	p->refs = 1;
	ids->entries[idx] = p;
	ids->in_use++;
	if (idx > ids->max_idx)
		ids->max_idx = idx;
	return p->id;
}

void ipc_rmid(struct ipc_ids *ids, struct kern_ipc_perm *p)
{
	int idx = p->id & (IPCMNI - 1);
	ids->entries[idx] = NULL;
	ids->in_use--;
	if (idx == ids->max_idx)
		while (ids->max_idx >= 0 && !ids->entries[ids->max_idx])
			ids->max_idx--;
	p->deleted = true;
	ipc_put(p);
}

void ipc_put(struct kern_ipc_perm *p)
{
	if (--p->refs == 0)
		p->free(p);
}

struct kern_ipc_perm *ipc_lookup(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct kern_ipc_perm *p = ids->entries[id & (IPCMNI - 1)];
	if (!p || p->id != id)
		return NULL;
	return p;
}

struct kern_ipc_perm *ipc_lookup_idx(struct ipc_ids *ids, int idx)
{
	if (idx < 0 || idx >= IPCMNI)
		return NULL;
	return ids->entries[idx];
}

int ipc_get_maxidx(struct ipc_ids *ids)
{
	if (ids->in_use == 0)
		return -1;
	return ids->max_idx;
}

int ipcperms(struct kern_ipc_perm *p, int flag)
{
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)p->mode;
	uid_t euid = current->cred.euid;
	if (euid == p->cuid || euid == p->uid)
		granted >>= 6;
	else if (in_group_p(p->cgid) || in_group_p(p->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !capable(CAP_IPC_OWNER))
		return -1;
	return 0;
}

int ipc_owner_check(struct kern_ipc_perm *p)
{
	uid_t euid = current->cred.euid;
	if (euid == p->cuid || euid == p->uid || capable(CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

void ipc_update_perm(struct kern_ipc_perm *p, const struct ipc64_perm *in)
{
	p->uid = in->uid;
	p->gid = in->gid;
	p->mode = (p->mode & ~0777u) | (in->mode & 0777u);
}

void ipc_fill_perm(const struct kern_ipc_perm *p, struct ipc64_perm *out)
{
	memset(out, 0, sizeof(*out));
	out->key = p->key;
	out->uid = p->uid;
	out->gid = p->gid;
	out->cuid = p->cuid;
	out->cgid = p->cgid;
	out->mode = p->mode;
	out->seq = (unsigned short)p->seq;
}

int ipcget(struct ipc_ids *ids, const struct ipc_ops *ops, int key, int flg, long arg)
{
	if (key == IPC_PRIVATE)
		return ops->create(key, flg, arg);
	struct kern_ipc_perm *p = findkey(ids, key);
	if (!p) {
		if (!(flg & IPC_CREAT))
			return -ENOENT;
		return ops->create(key, flg, arg);
	}
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (ops->more_checks) {
		int err = ops->more_checks(p, arg);
		if (err)
			return err;
	}
	if (ipcperms(p, flg))
		return -EACCES;
	return p->id;
}
