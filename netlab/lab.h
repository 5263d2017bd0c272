/* A lab directory as umk-lab reads it: lab.conf parsed, lab.dep ordered,
 * the per-device files found (DEV.startup, DEV.shutdown, DEV/). */
#ifndef NETLAB_LAB_H
#define NETLAB_LAB_H

#include "labconf.h"

struct lab_dir {
	char *dir;
	struct lab lab;
	int *wave;		/* start wave of each device (lab.dep; all 0 without it) */
	int nwaves;
};

/* 0, or -1 with the message in err. Warnings go to stderr. */
int lab_dir_load(const char *dir, struct lab_dir *ld, char *err, size_t errlen);
void lab_dir_free(struct lab_dir *ld);

/* subcommands */
int cmd_check(int argc, char **argv);

#endif
