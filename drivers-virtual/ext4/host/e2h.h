/* ext2 host side internals. */
#ifndef E2H_H
#define E2H_H
#include <ext2fs/ext2fs.h>
#include <umk/ext2host.h>

extern io_manager e2h_ubd_io_manager;

struct e2h_fs {
	ext2_filsys fs;
	bool rw;
};

/* libext2fs error code -> -errno */
int e2h_err(errcode_t e);
#endif
