/* What the test doubles (doubles.c) let a test set up and inspect. */
#ifndef UMK_TEST_DOUBLES_H
#define UMK_TEST_DOUBLES_H
#include <stdint.h>

struct mm;

/* physmem_base/physmem_size/physmem_fd: a fresh memory file of `bytes`
 * bytes, mapped, filled with `fill` (so tests can tell zeroed frames). */
void doubles_physmem(uint64_t bytes, int fill);

/* arch_physmem_release(pfn, npages) calls, in order. */
struct release_call { uint64_t pfn, npages; };
#define MAX_RELEASE_CALLS 64
extern struct release_call release_calls[MAX_RELEASE_CALLS];
extern int n_release_calls;

/* mm_zap_range(mm, start, end) calls, in order. */
struct zap_call { struct mm *mm; uint64_t start, end; };
#define MAX_ZAP_CALLS 64
extern struct zap_call zap_calls[MAX_ZAP_CALLS];
extern int n_zap_calls;

extern int n_printk_calls;

/* Runs fn(arg) in a child; true if the child died of SIGABRT (panic). */
int panics(void (*fn)(uint64_t), uint64_t arg);
#endif
