/* Between start_kernel and the root mount code. */
#ifndef UMK_INIT_DO_MOUNTS_H
#define UMK_INIT_DO_MOUNTS_H
/* Mount the root chosen by root=/rootfstype= and the pseudo filesystems;
 * on failure one line on the log and power-off with status 2. */
void mount_root(void);
#endif
