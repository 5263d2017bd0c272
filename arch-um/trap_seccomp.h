/* mode=seccomp, internal: the pieces in trap_seccomp*.c. */
#ifndef UM_TRAP_SECCOMP_H
#define UM_TRAP_SECCOMP_H
#include <stdint.h>

/* Fill the read-only region's set-up block (stub_seccomp.h): the
 * sigaltstack and sigaction records and both threads' filters. */
void sc_setup_block(uint8_t *ro);
/* Can this host run the mode? NULL, or why not. */
const char *sc_probe(void);
#endif
