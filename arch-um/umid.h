/* The instance's name and directory (umid.c, umid_dir.c). Host halves
 * put their sockets in the directory (the mconsole's). */
#ifndef UMID_H
#define UMID_H
#include <stddef.h>

#define UMID_MAX 64
/* After the command line: pick the name (umid= or a new UUID) and make
 * UML_DIR/NAME; exits with status 2 when it is taken by a running
 * instance or cannot be made and was asked for by name. */
void umid_init(void);
/* Make dir/name with its pid file (0), or say why not in why (-1). */
int umid_dir_create(const char *dir, const char *name, char *why, size_t n);
/* UML_DIR/NAME, or NULL if this instance has none. */
const char *umid_dir(void);
#endif
