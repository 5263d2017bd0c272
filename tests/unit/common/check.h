/* Tiny unit-test harness shared by the host helpers' unit tests (cow,
 * switch): CHECK records a failure with its line and goes on;
 * check_done() prints a summary and gives the exit status. */
#ifndef UMK_UNIT_CHECK_H
#define UMK_UNIT_CHECK_H

#include <stdio.h>

static int check_pass, check_fail;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (cond)                                                        \
			check_pass++;                                            \
		else {                                                           \
			check_fail++;                                            \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                \
	} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d checks passed, %d failed\n", name, check_pass, check_fail);
	return check_fail ? 1 : 0;
}

#endif
