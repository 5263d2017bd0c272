/* Stack and mapping permissions of an ordinary program (PT_GNU_STACK
 * without PF_X): the main and thread stacks are rw-p and running code on
 * them faults (SEGV_ACCERR); mprotect with PROT_GROWSDOWN changes a
 * grows-down mapping from its start, as glibc's _dl_make_stack_executable
 * relies on; /proc/self/maps shows the protections exactly as asked
 * (-w-p, --xp), as Linux does, and names [stack] only the piece of a
 * split stack holding startstack (argc's address, /proc/self/stat). */
#include "t.h"
#include <elf.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* The permission string and name of the /proc/self/maps line holding addr. */
static void map_of(const void *addr, char perms[5], char name[32])
{
	strcpy(perms, "????");
	if (name)
		name[0] = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return;
	char line[512];
	uintptr_t a = (uintptr_t)addr;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char p[5];
		int off = 0;
		if (sscanf(line, "%lx-%lx %4s %*x %*x:%*x %*u %n", &lo, &hi, p, &off) >= 3 && a >= lo && a < hi) {
			memcpy(perms, p, 5);
			if (name && off) {
				snprintf(name, 32, "%s", line + off);
				name[strcspn(name, "\n")] = 0;
			}
			break;
		}
	}
	fclose(f);
}

static const char *perms(const void *addr)
{
	static char p[5];
	map_of(addr, p, NULL);
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

/* In a child: run a `ret` placed in buf; exit 0 on SIGSEGV SEGV_ACCERR at
 * buf, 1 if it ran, 2 on another fault. */
static void *fault_addr;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	_exit(si->si_code == SEGV_ACCERR && si->si_addr == fault_addr ? 0 : 2);
}

static int run_code_at(unsigned char *buf)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_segv;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		buf[0] = 0xc3;	/* ret */
		fault_addr = buf;
		((void (*)(void))(uintptr_t)buf)();
		_exit(1);
	}
	int st = 0;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static void *thread_probe(void *arg)
{
	(void)arg;
	unsigned char buf[64];
	int ok = !strcmp(perms(buf), "rw-p");
	ok = ok && run_code_at(buf) == 0;
	return (void *)(long)ok;
}

/* Field 28 of /proc/self/stat: startstack. */
static unsigned long stat_startstack(void)
{
	FILE *f = fopen("/proc/self/stat", "r");
	char line[1024];
	unsigned long v = 0;
	if (f && fgets(line, sizeof line, f)) {
		char *p = strrchr(line, ')');
		for (int field = 2; p && field < 28; field++)
			p = strchr(p + 1, ' ');
		if (p)
			v = strtoul(p + 1, NULL, 10);
	}
	if (f)
		fclose(f);
	return v;
}

/* How many /proc/self/maps lines are named [stack]. */
static int stack_lines(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		n += strstr(line, "[stack]") != NULL;
	if (f)
		fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	unsigned char buf[64];
	char nm[32];
	CHECK("PT_GNU_STACK asks for RW only", gnu_stack_flags() == (PF_R | PF_W));
	map_of(buf, (char[5]){ 0 }, nm);
	CHECK("[stack] is rw-p", !strcmp(perms(buf), "rw-p") && !strcmp(nm, "[stack]"));
	CHECK("code on the main stack faults with SEGV_ACCERR", run_code_at(buf) == 0);
	pthread_t th;
	void *ok = NULL;
	if (pthread_create(&th, NULL, thread_probe, NULL))
		DIE("pthread_create");
	pthread_join(th, &ok);
	CHECK("a glibc thread stack is rw-p and code on it faults", ok == (void *)1L);

	/* protections as asked */
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 4 * pg, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		DIE("mmap");
	CHECK("mmap(PROT_WRITE) shows -w-p", !strcmp(perms(m), "-w-p"));
	m[0] = 1;
	CHECK("  and is readable anyway (x86)", *(volatile char *)m == 1);
	CHECK_OK("mprotect(PROT_EXEC)", mprotect(m, pg, PROT_EXEC));
	CHECK("  shows --xp", !strcmp(perms(m), "--xp"));
	CHECK_OK("mprotect(PROT_NONE)", mprotect(m + pg, pg, PROT_NONE));
	CHECK("  shows ---p", !strcmp(perms(m + pg), "---p"));
	CHECK_OK("mprotect(PROT_READ|PROT_EXEC)", mprotect(m + 2 * pg, pg, PROT_READ | PROT_EXEC));
	CHECK("  shows r-xp", !strcmp(perms(m + 2 * pg), "r-xp"));
	CHECK("  the last page still -w-p", !strcmp(perms(m + 3 * pg), "-w-p"));

	/* PROT_GROWSDOWN / PROT_GROWSUP */
	CHECK_ERR("PROT_GROWSDOWN on an ordinary mapping is EINVAL",
		  mprotect(m + 3 * pg, pg, PROT_READ | PROT_GROWSDOWN), EINVAL);
	CHECK_ERR("PROT_GROWSUP is EINVAL on x86", mprotect(m + 3 * pg, pg, PROT_READ | PROT_GROWSUP), EINVAL);
	CHECK_ERR("PROT_GROWSDOWN|PROT_GROWSUP is EINVAL",
		  mprotect(m + 3 * pg, pg, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
	CHECK_ERR("mprotect with a bad bit is EINVAL", mprotect(m, pg, PROT_READ | 0x100), EINVAL);
	CHECK("  and nothing changed", !strcmp(perms(m + 3 * pg), "-w-p"));
	munmap(m, 4 * pg);

	char *g = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	if (g == MAP_FAILED)
		DIE("mmap");
	CHECK_OK("PROT_GROWSDOWN on the top page of a MAP_GROWSDOWN mapping",
		 mprotect(g + 3 * pg, pg, PROT_READ | PROT_EXEC | PROT_GROWSDOWN));
	CHECK("  changes it from its start: bottom page r-xp", !strcmp(perms(g), "r-xp"));
	CHECK("  top page r-xp", !strcmp(perms(g + 3 * pg), "r-xp"));
	munmap(g, 4 * pg);
	g = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	if (g == MAP_FAILED)
		DIE("mmap");
	CHECK_OK("PROT_GROWSDOWN on the second page", mprotect(g + pg, pg, PROT_READ | PROT_GROWSDOWN));
	CHECK("  bottom two pages r--p, the rest rw-p",
	      !strcmp(perms(g), "r--p") && !strcmp(perms(g + pg), "r--p") && !strcmp(perms(g + 2 * pg), "rw-p"));
	munmap(g, 4 * pg);

	/* glibc's _dl_make_stack_executable: the stack from its start up to
	 * the page holding the given address becomes executable */
	uintptr_t here = (uintptr_t)buf & ~(uintptr_t)(pg - 1);
	CHECK_OK("mprotect(RWX|PROT_GROWSDOWN) of a main stack page",
		 mprotect((void *)here, pg, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN));
	CHECK("  that page is rwxp", !strcmp(perms(buf), "rwxp"));
	CHECK("  the page below it too", !strcmp(perms((char *)here - 1), "rwxp"));
	CHECK("  code on the stack runs now", run_code_at(buf) == 1);
	unsigned long ss = stat_startstack();
	CHECK("/proc/self/stat startstack is where argc is", ss == (unsigned long)argv - sizeof(long) &&
								  *(long *)ss == argc);
	map_of((void *)ss, (char[5]){ 0 }, nm);
	/* Linux names every piece with start <= start_stack <= end: when argc
	 * sits exactly at the split (ASLR: 1 run in 256) both pieces are */
	int want = ss == here + pg ? 2 : 1;
	CHECK("only the piece of the split stack holding it is [stack]",
	      stack_lines() == want && !strcmp(nm, "[stack]"));
	return t_done();
}
