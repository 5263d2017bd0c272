/* Basic types for kernel-glue: freestanding headers plus the uapi errno. */
#ifndef UMK_TYPES_H
#define UMK_TYPES_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <linux/errno.h>
#include <linux/types.h>

typedef uint64_t uaddr_t;	/* a guest virtual address */
typedef int64_t ssize_t;
typedef int64_t loff_t;
typedef uint32_t umode_t;
typedef int pid_t;
typedef uint32_t uid_t;
typedef uint32_t gid_t;

#ifndef PAGE_SIZE	/* the host's <sys/user.h> agrees when arch-um includes both */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#endif
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __unused __attribute__((unused))

/* Kernel-internal restart codes, never seen by the guest (as in Linux). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515		/* a layer does not know the ioctl: the next one may */
#define ERESTART_RESTARTBLOCK 516

#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)
static inline void *ERR_PTR(long e) { return (void *)e; }
static inline long PTR_ERR(const void *p) { return (long)p; }
static inline bool IS_ERR(const void *p) { return IS_ERR_VALUE((unsigned long)p); }
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }
#endif
