/* Runs as init (pid 1) under umk: a child allocates memory until the
 * guest's OOM killer ends it; init reports how the child died and powers
 * off. Proves mem= bounds the guest without hurting the host. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t p = fork();
	if (p == 0) {
		for (;;) {
			char *m = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED) {
				printf("mmap failed before OOM\n");
				return 1;
			}
			memset(m, 1, 1 << 20);
		}
	}
	int st;
	waitpid(p, &st, 0);
	printf("child killed: %s, signal %d\n", WIFSIGNALED(st) ? "yes" : "no", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	/* memory is usable again after the kill */
	char *m = mmap(0, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 2, 8 << 20);
	printf("8 MiB usable after OOM: %s\n", m[(8 << 20) - 1] == 2 ? "yes" : "no");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 1;
}
