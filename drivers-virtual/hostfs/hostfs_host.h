/* hostfs, between its halves: the host half takes the hostfs= option
 * (checking the directory exists); the kernel half (super.c, file.c)
 * exports that directory through arch-um's confined host I/O. */
#ifndef HOSTFS_HOST_H
#define HOSTFS_HOST_H
/* The host directory given with hostfs= (or rootflags=), or NULL. */
const char *hostfs_host_dir(void);
#endif
