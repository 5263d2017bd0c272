/* vm.max_map_count (tests/bats/kernel.bats): the limit on a process's
 * mappings, as Linux applies it. Run natively it uses the host's limit;
 * as umk's init it first lowers the guest's to 500, so both runs stay
 * short, and prints only what does not depend on the limit:
 * - mmap fails with ENOMEM once the count is above the limit (so it ends
 *   at limit + 1);
 * - a split (mprotect of part of a mapping) needs the count below the
 *   limit, for each piece; munmap may leave the count above it, but not
 *   split one mapping in three at or above it;
 * - brk cannot grow while the count is above the limit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <unistd.h>

#define P 4096

static long limit;

/* /proc/self/maps lines, the [vsyscall] gate left out (Linux does not
 * count it): read without malloc, which may have no room left */
static long maps(void)
{
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0;
	ssize_t r;
	char prev = '\n';
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n')
				n++;
			prev = buf[i];
		}
	(void)prev;
	close(fd);
	fd = open("/proc/self/maps", O_RDONLY);
	long gate = 0;
	size_t have = 0;
	while ((r = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)r;
		buf[have] = 0;
		if (strstr(buf, "[vsyscall]"))
			gate = 1;
		/* keep the last line's tail for a name split across reads */
		char *nl = strrchr(buf, '\n');
		if (nl) {
			have = strlen(nl + 1);
			memmove(buf, nl + 1, have);
		}
		if (have > sizeof(buf) / 2)
			have = 0;
	}
	close(fd);
	return n - gate;
}

static void say(const char *what, int r)
{
	printf("%s: %s\n", what, r == 0 ? "ok" : errno == ENOMEM ? "ENOMEM" : strerror(errno));
}

int main(void)
{
	if (getpid() == 1) {
		mount("proc", "/proc", "proc", 0, NULL);
		int fd = open("/proc/sys/vm/max_map_count", O_WRONLY);
		if (fd < 0 || write(fd, "500\n", 4) != 4)
			printf("cannot lower vm.max_map_count\n");
		close(fd);
	}
	char lb[32] = { 0 };
	int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);
	if (fd < 0 || read(fd, lb, sizeof(lb) - 1) <= 0) {
		printf("no /proc/sys/vm/max_map_count\n");
		return 1;
	}
	close(fd);
	limit = atol(lb);
	void **pages = mmap(NULL, (size_t)(limit + 64) * sizeof(void *), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *big = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || big == MAP_FAILED) {
		printf("setup failed\n");
		return 1;
	}
	/* one-page mappings that cannot merge (protections alternate) */
	long n = 0;
	int err = 0;
	for (;;) {
		void *p = mmap(NULL, P, (n & 1) ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			err = errno;
			break;
		}
		pages[n++] = p;
		if (n > limit + 60)
			break;
	}
	printf("mmap stops with: %s\n", err == ENOMEM ? "ENOMEM" : err ? strerror(err) : "nothing");
	printf("mappings then, less the limit: %ld\n", maps() - limit);
	say("mprotect of the middle of a 3-page mapping (two splits)", mprotect(big + P, P, PROT_READ));
	say("munmap of its middle page", munmap(big + P, P));
	say("munmap of its first page (one split, the count stays)", munmap(big, P));
	say("munmap of its last page (one split, the count stays)", munmap(big + 2 * P, P));
	say("munmap of a one-page mapping", munmap(pages[--n], P));
	printf("mappings, less the limit: %ld\n", maps() - limit);
	say("mprotect of the first of the two pages left (one split)", mprotect(big + P, P, PROT_READ));
	char *b0 = sbrk(0);
	say("brk up by two pages at the limit", brk(b0 + 2 * P));
	say("munmap of another one-page mapping", munmap(pages[--n], P));
	printf("mappings, less the limit: %ld\n", maps() - limit);
	say("mprotect of the first of the two pages now (one split)", mprotect(big + P, P, PROT_READ));
	printf("mappings, less the limit: %ld\n", maps() - limit);
	char *big2 = mmap(NULL, 3 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mmap of another 3-page mapping", big2 == MAP_FAILED ? -1 : 0);
	say("munmap of two one-page mappings", munmap(pages[n - 1], P) | munmap(pages[n - 2], P));
	n -= 2;
	printf("mappings, less the limit: %ld\n", maps() - limit);
	say("munmap of the new one's middle page one below the limit", munmap(big2 + P, P));
	printf("mappings, less the limit: %ld\n", maps() - limit);
	say("brk up by two pages below the limit", brk(b0 + 2 * P));
	void *p = mmap(NULL, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mmap one page", p == MAP_FAILED ? -1 : 0);
	while (n > 0)
		munmap(pages[--n], P);
	printf("mappings, less the limit, after unmapping them all: %s\n", maps() - limit < 0 ? "below" : "not below");
	fflush(stdout);
	if (getpid() == 1)
		reboot(RB_POWER_OFF);
	return 0;
}
