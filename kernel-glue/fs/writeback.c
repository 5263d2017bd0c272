/* Periodic writeback, as Linux's flusher threads and jbd2's commit timer:
 * a filesystem with changes not yet on its disk says so
 * (writeback_mark_dirty) and the "writeback" kernel thread calls its
 * sync_fs once the oldest of them is dirty_writeback_centisecs old
 * (default 5 s), so an idle guest's disks are consistent a few seconds
 * after its last write; and every dirty_expire_centisecs (default 30 s)
 * it writes back the page caches of shared writable file mappings (their
 * pages carry no dirty bit: every mapped page is written). Both are set
 * at boot with Linux's sysctl syntax; 0 turns that part off. Nothing
 * dirty: the thread sleeps until the next page-cache round. */
#include <umk/fs.h>
#include <umk/init.h>
#include <umk/internal.h>	/* kthread_run */
#include <umk/writeback.h>

#define WB_MAX 16

static unsigned long long writeback_cs = 500, expire_cs = 3000;
static struct super_block *dirty[WB_MAX];
static int ndirty;
static bool overflow;			/* more than WB_MAX: sync them all */
static int64_t dirty_since = -1;	/* when the oldest change was made */
static struct wait_queue_head wb_wq;
static bool kicked;

static const char *centisecs(const char *v, unsigned long long *out)
{
	unsigned long long n;
	if (kstrtoull(v, 10, &n) || n > 360000)
		return "expected centiseconds (0 to 360000; 0: never)";
	*out = n;
	return NULL;
}

static const char *writeback_setup(const char *v) { return centisecs(v, &writeback_cs); }
static const char *expire_setup(const char *v) { return centisecs(v, &expire_cs); }
__setup_named(dirty_writeback, "sysctl.vm.dirty_writeback_centisecs", writeback_setup,
	      "sysctl.vm.dirty_writeback_centisecs=N", "write filesystem changes N/100 s after they are made\n(default 500)");
__setup_named(dirty_expire, "sysctl.vm.dirty_expire_centisecs", expire_setup,
	      "sysctl.vm.dirty_expire_centisecs=N", "write back shared file mappings every N/100 s\n(default 3000)");

void writeback_mark_dirty(struct super_block *sb)
{
	if (!writeback_cs)
		return;
	int i = 0;
	while (i < ndirty && dirty[i] != sb)
		i++;
	if (i == ndirty) {
		if (ndirty < WB_MAX)
			dirty[ndirty++] = sb;
		else
			overflow = true;
	}
	if (dirty_since < 0) {
		dirty_since = ktime_mono_ns();
		kicked = true;
		wake_up(&wb_wq);	/* a new deadline */
	}
}

void writeback_forget(struct super_block *sb)
{
	for (int i = 0; i < ndirty; i++)
		if (dirty[i] == sb)
			dirty[i--] = dirty[--ndirty];
}

static void write_filesystems(void)
{
	dirty_since = -1;
	if (overflow) {
		overflow = false;
		ndirty = 0;
		sync_filesystems();
		return;
	}
	/* one at a time: sync_fs sleeps, and meanwhile an unmount may
	 * forget one that is still listed */
	while (ndirty) {
		struct super_block *sb = dirty[--ndirty];
		if (sb->s_op && sb->s_op->sync_fs)
			sb->s_op->sync_fs(sb);
	}
}

static void writeback_thread(void *arg __unused)
{
	const int64_t cs = 10 * 1000 * 1000;
	int64_t next_pages = expire_cs ? ktime_mono_ns() + (int64_t)expire_cs * cs : -1;
	for (;;) {
		int64_t deadline = next_pages;
		if (dirty_since >= 0 && (deadline < 0 || dirty_since + (int64_t)writeback_cs * cs < deadline))
			deadline = dirty_since + (int64_t)writeback_cs * cs;
		struct wait_entry we;
		wait_enqueue(&wb_wq, &we);
		kicked = false;
		while (!kicked && wait_sleep(&wb_wq, &we, false, deadline) != -ETIMEDOUT)
			;
		wait_dequeue(&we);
		int64_t now = ktime_mono_ns();
		if (dirty_since >= 0 && now >= dirty_since + (int64_t)writeback_cs * cs)
			write_filesystems();
		if (next_pages >= 0 && now >= next_pages) {
			sync_inodes();
			next_pages = now + (int64_t)expire_cs * cs;
		}
	}
}

static int writeback_init(void)
{
	init_waitqueue_head(&wb_wq);
	if (!kthread_run(writeback_thread, NULL, "writeback"))
		printk(KERN_ERR "writeback: no kernel thread: filesystems are written only by sync and unmount\n");
	return 0;
}
core_initcall(writeback_init);
