/* process_vm_readv/writev: reading and writing a child's memory through
 * several vectors on both sides, and every errno in Linux's order: flags,
 * too many vectors, a bad vector address, an empty local side (0 before
 * the pid is looked at), a missing process, an unreadable remote page
 * (partial count, then EFAULT), a read-only remote page, and an
 * unprivileged caller against another user's process. */
#include "t.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define PG 4096

static void show(const char *what, ssize_t r)
{
	if (r < 0)
		printf("%s: %s\n", what, strerror(errno));
	else
		printf("%s: %zd\n", what, r);
}

int main(void)
{
	/* the child's memory: shared with us only through these calls (the
	 * read-only page first, so that it cannot land in the hole) */
	char *ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *area = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 3 * PG; i++)
		area[i] = (char)('a' + i % 26);
	munmap(area + 2 * PG, PG);		/* a hole after two pages */
	int go[2], back[2];
	if (pipe(go) || pipe(back))
		return 2;
	pid_t c = fork();
	if (c == 0) {
		char b;
		memset(area, 'Z', 10);	/* the child's copy differs from ours */
		if (write(back[1], "r", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(3);
		printf("child sees: %.12s\n", area);
		_exit(0);
	}
	char b;
	if (read(back[0], &b, 1) != 1)
		return 2;

	char l1[5], l2[20];
	struct iovec local[2] = { { l1, sizeof(l1) }, { l2, sizeof(l2) } };
	struct iovec remote[2] = { { area, 8 }, { area + PG, 17 } };
	ssize_t r = process_vm_readv(c, local, 2, remote, 2, 0);
	show("readv across 2+2 vectors", r);
	printf("got: %.5s|%.20s\n", l1, l2);

	struct iovec wl = { (void *)"hello", 5 }, wr = { area + 2, 5 };
	show("writev", process_vm_writev(c, &wl, 1, &wr, 1, 0));
	show("flags 1", process_vm_readv(c, local, 2, remote, 2, 1));
	show("1025 local vectors", process_vm_readv(c, local, 1025, remote, 2, 0));
	show("a bad local vector array", process_vm_readv(c, (struct iovec *)8, 2, remote, 2, 0));
	struct iovec empty = { l1, 0 };
	show("an empty local side, no such pid", process_vm_readv(999999, &empty, 1, remote, 2, 0));
	show("no such pid", process_vm_readv(999999, local, 2, remote, 2, 0));
	struct iovec zr = { area, 0 };
	show("an empty remote side, no such pid", process_vm_readv(999999, local, 2, &zr, 1, 0));
	/* into the hole: the bytes before it, then EFAULT */
	static char big[2 * PG];
	struct iovec bl = { big, sizeof(big) }, br = { area + PG + PG / 2, PG };
	show("a read running into a hole", process_vm_readv(c, &bl, 1, &br, 1, 0));
	struct iovec hr = { area + 2 * PG, 10 };
	show("a read in the hole", process_vm_readv(c, &bl, 1, &hr, 1, 0));
	struct iovec rw = { ro, 4 };
	show("a write to a read-only page", process_vm_writev(c, &wl, 1, &rw, 1, 0));
	struct iovec badl = { (void *)16, 8 };
	show("a read into a bad local address", process_vm_readv(c, &badl, 1, remote, 1, 0));

	/* another user's process */
	pid_t u = fork();
	if (u == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		show("an unprivileged reader", process_vm_readv(c, local, 2, remote, 2, 0));
		_exit(0);
	}
	int st;
	waitpid(u, &st, 0);
	if (write(go[1], "g", 1) != 1)
		return 2;
	waitpid(c, &st, 0);
	CHECK("the child ended well", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return t_failures ? 1 : 0;
}
