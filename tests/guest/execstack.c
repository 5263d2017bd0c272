/* A program whose PT_GNU_STACK asks for an executable stack (linked with
 * -z execstack; GCC nested functions put their trampolines on the stack):
 * the main stack is mapped rwx, glibc maps thread stacks rwx, trampolines
 * run on both, and /proc/self/maps says so. A stack the program supplies
 * itself becomes executable with mprotect(PROT_EXEC). */
#include "t.h"
#include <elf.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>

/* The permission string of the /proc/self/maps line holding addr. */
static void perms_of(const void *addr, char out[5])
{
	strcpy(out, "????");
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	char line[512];
	uintptr_t a = (uintptr_t)addr;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char p[5];
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && a >= lo && a < hi) {
			memcpy(out, p, 5);
			break;
		}
	}
	fclose(f);
}

static const char *stack_perms(void)
{
	static char p[5];
	strcpy(p, "????");
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return p;
	char line[512];
	while (fgets(line, sizeof line, f))
		if (strstr(line, "[stack]"))
			sscanf(line, "%*x-%*x %4s", p);
	fclose(f);
	return p;
}

static int gnu_stack_flags(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	for (unsigned long i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_GNU_STACK)
			return (int)ph[i].p_flags;
	return -1;
}

__attribute__((noinline)) static int apply(int (*f)(int), int x)
{
	return f(x);
}

/* A nested function that uses a local of its parent: GCC builds a
 * trampoline on the stack, which must be executable to run. */
__attribute__((noinline)) static int trampoline_sum(int base)
{
	int k = base;
	int add(int x)
	{
		return x + k;
	}
	char where[5];
	perms_of(&k, where);
	return apply(add, 1) + (where[2] == 'x' ? 1000 : 0);
}

static void *thread_main(void *arg)
{
	(void)arg;
	return (void *)(long)trampoline_sum(40);
}

int main(void)
{
	CHECK("PT_GNU_STACK asks for RWX", gnu_stack_flags() == (PF_R | PF_W | PF_X));
	CHECK("[stack] is rwxp in /proc/self/maps", !strcmp(stack_perms(), "rwxp"));
	CHECK("trampoline on the main stack runs (and the stack is executable)", trampoline_sum(1) == 1002);

	pthread_t th;
	void *ret = NULL;
	if (pthread_create(&th, NULL, thread_main, NULL))
		DIE("pthread_create");
	pthread_join(th, &ret);
	CHECK("trampoline on a glibc thread stack runs (and that stack is rwx)", (long)ret == 1041);

	/* a stack we map ourselves, read-write: made executable by mprotect */
	size_t sz = 256 * 1024;
	char *stk = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stk == MAP_FAILED)
		DIE("mmap");
	char p[5];
	perms_of(stk, p);
	CHECK("own thread stack mapped rw-p", !strcmp(p, "rw-p"));
	CHECK_OK("mprotect(PROT_READ|PROT_WRITE|PROT_EXEC) of it", mprotect(stk, sz, PROT_READ | PROT_WRITE | PROT_EXEC));
	perms_of(stk + sz - 1, p);
	CHECK("  now rwxp in /proc/self/maps", !strcmp(p, "rwxp"));
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setstack(&at, stk, sz);
	ret = NULL;
	if (pthread_create(&th, &at, thread_main, NULL))
		DIE("pthread_create");
	pthread_join(th, &ret);
	CHECK("trampoline on that stack runs", (long)ret == 1041);
	pthread_attr_destroy(&at);
	munmap(stk, sz);
	return t_done();
}
