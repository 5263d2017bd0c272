/* Device events for user space, as Linux's kobject_uevent: a device
 * that appears or goes after boot is announced to the hotplug helper
 * (/proc/sys/kernel/hotplug, e.g. busybox's /sbin/mdev), which runs with
 * ACTION, DEVPATH, SUBSYSTEM, SEQNUM and the device's own variables
 * (DEVNAME, MAJOR, MINOR; INTERFACE, IFINDEX) in its environment. */
#ifndef UMK_UEVENT_H
#define UMK_UEVENT_H
#include <umk/types.h>

/* action "add" or "remove"; devpath under /sys ("/devices/virtual/block/ubdb");
 * vars: "KEY=VALUE" strings, NULL-terminated (copied). */
void uevent_send(const char *action, const char *devpath, const char *subsystem, const char *const *vars);
#endif
