/* lab.dep (Kathará's lab.dep(5)): "device: dep1 dep2 ..." lines; a
 * device starts only after its dependencies, devices without a path
 * between them start in parallel. The result is the start order as
 * waves: every device of a wave has all its dependencies in earlier
 * waves. A dependency cycle, an unknown device or a bad line is an error
 * with file:line (a cycle names its devices). */
#ifndef NETLAB_LABDEP_H
#define NETLAB_LABDEP_H

#include "labconf.h"

/* wave[i] of each device of lab (index as in lab->devs) */
int labdep_order(const char *file, const char *text, const struct lab *lab, int *wave, char *err, size_t errlen);

#endif
