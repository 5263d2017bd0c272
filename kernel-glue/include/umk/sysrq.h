/* Magic SysRq (kernel/sysrq.c): one key, one action, logged as Linux
 * logs it. Reached from /proc/sysrq-trigger and the management console. */
#ifndef UMK_SYSRQ_H
#define UMK_SYSRQ_H
void handle_sysrq(int key);
#endif
