/* umk-only: a 64-bit program executing the 32-bit "int $0x80" system
 * call entry. Native x86-64 Linux runs the i386 table (getpid works);
 * umk does not implement the 32-bit ABI and must return -ENOSYS without
 * harming the process. Output compared with int80.expected. */
#include "t.h"

static long int80(long nr, long a1)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1) : "memory");
	return ret;
}

int main(void)
{
	long r = int80(20, 0); /* i386 getpid */
	CHECK("int $0x80 getpid returns -ENOSYS", r == -ENOSYS);
	r = int80(1, 77); /* i386 exit(77): must not exit */
	CHECK("int $0x80 exit returns -ENOSYS", r == -ENOSYS);
	CHECK("64-bit syscalls still work", getpid() > 0);
	return t_done();
}
