/* Core kernel library: memory, strings, formatted output, logging. */
#ifndef UMK_KERNEL_H
#define UMK_KERNEL_H
#include <umk/types.h>
#include <umk/list.h>

/* Heap for kernel objects, in guest memory (mm/slab.c). Never returns
 * NULL: when mem= is exhausted the OOM killer makes room, and with
 * nothing left to kill the kernel panics (as Linux's "Out of memory and
 * no killable processes"). kmalloc_user is for buffers whose size the
 * guest chooses (socket data): it stops above the kernel's reserve and
 * returns NULL instead of waiting, for an -ENOMEM/-ENOBUFS. */
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void *kmalloc_user(size_t n);
void *krealloc(void *p, size_t n);
size_t ksize(const void *p);		/* usable bytes of a kmalloc'd object */
void kfree(const void *p);
char *kstrdup(const char *s);

/* String/memory helpers (compiler builtins or kernel-glue/lib). */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t n);
char *strsep(char **s, const char *delim);
int kstrtoll(const char *s, int base, long long *out);	/* 0 or -EINVAL/-ERANGE */
int kstrtoull(const char *s, int base, unsigned long long *out);

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A growable text buffer for /proc files and similar generated text. */
struct sbuf { char *buf; size_t len, cap; };
void sbuf_init(struct sbuf *b);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_putmem(struct sbuf *b, const void *p, size_t n);
void sbuf_free(struct sbuf *b);

/* lib/crc32.c: CRC-32 as gzip computes it (start with crc 0). */
uint32_t crc32_le(uint32_t crc, const void *p, size_t n);

/* printk: level prefix as in Linux, e.g. printk(KERN_ERR "...") */
#define KERN_EMERG "<0>"
#define KERN_ALERT "<1>"
#define KERN_CRIT "<2>"
#define KERN_ERR "<3>"
#define KERN_WARNING "<4>"
#define KERN_NOTICE "<5>"
#define KERN_INFO "<6>"
#define KERN_DEBUG "<7>"
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void printk_once_key(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy every line printk logs (with its timestamp) into out as well,
 * until printk_capture(NULL): a command's log output as its answer
 * (mconsole's sysrq, as UML's with_console). */
void printk_capture(struct sbuf *out);
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
/* At most burst messages per interval (lib/ratelimit.c, Linux's
 * printk_ratelimit defaults: 10 per 5 s); ratelimit() says whether to
 * print this one and reports, as who, how many the last interval dropped. */
struct ratelimit_state { int64_t interval_ns, begin; int burst, printed, missed; };
#define RATELIMIT_STATE_INIT { .interval_ns = 5000000000LL, .burst = 10 }
bool ratelimit(struct ratelimit_state *rs, const char *who);
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); } while (0)
#define WARN_ON(c) ({ bool __w = !!(c); if (unlikely(__w)) printk(KERN_WARNING "WARNING at %s:%d: %s\n", __FILE__, __LINE__, #c); __w; })

/* The kernel command line as given, for /proc/cmdline. */
extern char saved_command_line[];
#endif
