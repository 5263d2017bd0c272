/* What boot (arch-um) hands to the kernel proper. */
#ifndef UMK_BOOT_H
#define UMK_BOOT_H
#include <umk/types.h>

#define BOOT_MAX_ARGS 64
struct boot_config {
	uint64_t mem_bytes;
	const char *root;		/* root= */
	const char *rootfstype;		/* rootfstype= */
	const char *hostfs;		/* hostfs= host directory */
	int root_ubd;			/* root on /dev/ubdX (index), or -1: hostfs */
	bool rw;
	bool quiet;
	const char *init;		/* init= or NULL: try the defaults */
	const char *umid;
	const char *mode_name;		/* "tt", "skas" */
	int argc, envc;			/* passed to init */
	const char *argv[BOOT_MAX_ARGS];
	const char *envp[BOOT_MAX_ARGS];
	const char *con[2];		/* con0= spec, con= spec (or NULL) */
};

extern struct boot_config boot_cfg;
__attribute__((noreturn)) void start_kernel(void);
#endif
