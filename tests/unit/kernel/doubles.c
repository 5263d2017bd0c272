/* Test doubles for the kernel-glue unit tests: just the symbols the units
 * under test need from the rest of umk, done with the host libc. Built as
 * host code (not with rename.h: these are the real libc functions). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <umk/kernel.h>
#include <umk/mm.h>
#include <umk/fs.h>
#include "doubles.h"

/* Heap (mm/slab.c): the host's, for units that do not test the heap
 * itself; weak, so the slab test's real kmalloc wins. A test heap
 * failing is fatal. */
static void *must(void *p)
{
	if (!p) {
		fputs("test doubles: out of memory\n", stderr);
		abort();
	}
	return p;
}

__attribute__((weak)) void *kmalloc(size_t n)
{
	return must(malloc(n ? n : 1));
}

__attribute__((weak)) void *kzalloc(size_t n)
{
	return must(calloc(1, n ? n : 1));
}

__attribute__((weak)) void *krealloc(void *p, size_t n)
{
	return must(realloc(p, n ? n : 1));
}

__attribute__((weak)) void kfree(const void *p)
{
	free((void *)p);
}

/* printk: to stdout as TAP diagnostics, so it shows next to the checks. */
int n_printk_calls;

int printk(const char *fmt, ...)
{
	va_list ap;
	n_printk_calls++;
	fputs("# printk: ", stdout);
	va_start(ap, fmt);
	int r = vprintf(fmt, ap);
	va_end(ap);
	if (!*fmt || fmt[strlen(fmt) - 1] != '\n')
		putchar('\n');
	fflush(stdout);
	return r;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	fputs("# panic: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	abort();
}

/* physmem (arch-um/physmem.c) */
uint8_t *physmem_base;
uint64_t physmem_size;
struct release_call release_calls[MAX_RELEASE_CALLS];
int n_release_calls;

int physmem_fd = -1;

/* A memory file as in arch-um/physmem.c, so arch-um/vmap.c can map its frames. */
void doubles_physmem(uint64_t bytes, int fill)
{
	size_t len = (bytes + PAGE_SIZE - 1) & PAGE_MASK;
	if (physmem_base)
		munmap(physmem_base, len);
	if (physmem_fd >= 0)
		close(physmem_fd);
	physmem_fd = memfd_create("test-physmem", MFD_CLOEXEC);
	if (physmem_fd < 0 || ftruncate(physmem_fd, (off_t)len))
		must(NULL);
	physmem_base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, physmem_fd, 0);
	if (physmem_base == MAP_FAILED)
		must(NULL);
	memset(physmem_base, fill, bytes);
	physmem_size = bytes;
}

void arch_physmem_release(uint64_t pfn, uint64_t npages)
{
	if (n_release_calls < MAX_RELEASE_CALLS)
		release_calls[n_release_calls] = (struct release_call){ pfn, npages };
	n_release_calls++;
}

/* mm_zap_range (mm/fault.c, which needs the whole fault path): recorded. */
struct zap_call zap_calls[MAX_ZAP_CALLS];
int n_zap_calls;

void mm_zap_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	if (n_zap_calls < MAX_ZAP_CALLS)
		zap_calls[n_zap_calls] = (struct zap_call){ mm, start, end };
	n_zap_calls++;
}

/* File references (fs/file.c): only the count; a test owns its files. */
struct file *get_file(struct file *f)
{
	f->f_count++;
	return f;
}

void fput(struct file *f)
{
	if (!f)
		return;
	if (f->f_count <= 0)
		panic("fput: file %p with count %d", (void *)f, f->f_count);
	f->f_count--;
}

/* Runs fn(arg) in a child; true if the child died of SIGABRT (panic). */
int panics(void (*fn)(uint64_t), uint64_t arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		/* the panic message would read as TAP diagnostics: keep it out */
		if (!freopen("/dev/null", "w", stdout))
			_exit(3);
		fn(arg);
		_exit(0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}
