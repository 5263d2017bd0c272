/* The machine's identity as uname(2) gives it (kernel/sys.c). */
#ifndef UMK_UTSNAME_H
#define UMK_UTSNAME_H
#include <linux/utsname.h>

void kernel_uname(struct new_utsname *u);
#endif
