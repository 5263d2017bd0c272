/* What boot (arch-um) hands to the kernel proper. */
#ifndef UMK_BOOT_H
#define UMK_BOOT_H
#include <umk/types.h>

#define BOOT_MAX_ARGS 64
/* Options that configure the kernel itself register with __setup where
 * they are used (umk/init.h); this is what only the arch knows. */
struct boot_config {
	uint64_t mem_bytes;		/* mem= */
	const char *umid;		/* umid= */
	const char *mode_name;		/* the trap mode */
	int argc, envc;			/* passed to init */
	const char *argv[BOOT_MAX_ARGS];
	const char *envp[BOOT_MAX_ARGS];
};

extern struct boot_config boot_cfg;
__attribute__((noreturn)) void start_kernel(void);
#endif
