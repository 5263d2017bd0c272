/* The SysV IPC files under /proc: /proc/sysvipc/{shm,sem,msg} (one line
 * per object, as Linux prints them; ipcs reads these) and the limits
 * under /proc/sys/kernel with Linux's defaults and bounds. */
#include <umk/kernel.h>
#include <umk/proc.h>
#include "ipc.h"

static void show_all(struct sbuf *out, struct ipc_ids *ids, void (*show)(struct sbuf *, struct kern_ipc_perm *))
{
	for (int i = 0; i <= ids->max_idx; i++)
		if (ids->entries[i])
			show(out, ids->entries[i]);
}

static int sysvipc_shm_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid"
			 "      atime      dtime      ctime                   rss                  swap\n");
	show_all(out, &shm_ids, shm_proc_show);
	return 0;
}

static int sysvipc_sem_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	show_all(out, &sem_ids, sem_proc_show);
	return 0;
}

static int sysvipc_msg_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
			 "      stime      rtime      ctime\n");
	show_all(out, &msg_ids, msg_proc_show);
	return 0;
}

DEFINE_PROC_FILE(sysvipc_shm, "sysvipc/shm", 0444, sysvipc_shm_show, NULL, NULL);
DEFINE_PROC_FILE(sysvipc_sem, "sysvipc/sem", 0444, sysvipc_sem_show, NULL, NULL);
DEFINE_PROC_FILE(sysvipc_msg, "sysvipc/msg", 0444, sysvipc_msg_show, NULL, NULL);

/* shmmax and shmall are unsigned longs (proc_doulongvec_minmax). */
static int ulong_show(struct sbuf *out, void *data)
{
	sbuf_printf(out, "%lu\n", *(unsigned long *)data);
	return 0;
}

static int ulong_write(const char *buf, size_t len, void *data)
{
	char num[24];
	size_t i = 0, j = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'))
		i++;
	while (i < len && buf[i] && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n') {
		if (j + 1 >= sizeof(num))
			return -EINVAL;
		num[j++] = buf[i++];
	}
	num[j] = 0;
	unsigned long long v;
	if (!j || kstrtoull(num, 10, &v))
		return -EINVAL;
	*(unsigned long *)data = (unsigned long)v;
	return 0;
}

DEFINE_PROC_FILE(shmmax, "sys/kernel/shmmax", 0644, ulong_show, ulong_write, &shm_ctlmax);
DEFINE_PROC_FILE(shmall, "sys/kernel/shmall", 0644, ulong_show, ulong_write, &shm_ctlall);
DEFINE_SYSCTL_INT(shmmni, "kernel/shmmni", shm_ctlmni, 0, IPCMNI, NULL);
DEFINE_SYSCTL_INT(msgmax, "kernel/msgmax", msg_ctlmax, 0, INT32_MAX, NULL);
DEFINE_SYSCTL_INT(msgmnb, "kernel/msgmnb", msg_ctlmnb, 0, INT32_MAX, NULL);
DEFINE_SYSCTL_INT(msgmni, "kernel/msgmni", msg_ctlmni, 0, IPCMNI, NULL);

/* kernel/sem: "SEMMSL SEMMNS SEMOPM SEMMNI", tab-separated. */
static int sem_show(struct sbuf *out, void *data __unused)
{
	sbuf_printf(out, "%d\t%d\t%d\t%d\n", sc_semmsl, sc_semmns, sc_semopm, sc_semmni);
	return 0;
}

static int sem_write(const char *buf, size_t len, void *data __unused)
{
	long long v[4];
	int n = sysctl_parse_ints(buf, len, v, 4);
	if (n <= 0)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (v[i] < INT32_MIN || v[i] > INT32_MAX)
			return -EINVAL;
	if (n == 4 && (v[3] < 0 || v[3] > IPCMNI))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		sem_ctls[i] = (int)v[i];
	return 0;
}
DEFINE_PROC_FILE(sem, "sys/kernel/sem", 0644, sem_show, sem_write, NULL);
