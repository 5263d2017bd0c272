/* Periodic writeback (fs/writeback.c): a filesystem with changes that are
 * not on its disk yet says so, and a kernel thread calls its sync_fs once
 * they are sysctl.vm.dirty_writeback_centisecs old. */
#ifndef UMK_WRITEBACK_H
#define UMK_WRITEBACK_H
struct super_block;

/* sb has changes that sync_fs would write (cheap to call often). */
void writeback_mark_dirty(struct super_block *sb);
/* sb goes away (unmount): forget it. */
void writeback_forget(struct super_block *sb);
#endif
