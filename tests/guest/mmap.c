/* mmap: anonymous private/shared across fork, file mappings, munmap holes,
 * mprotect faults (SEGV_ACCERR), unmapped faults (SEGV_MAPERR), mremap,
 * madvise(MADV_DONTNEED), brk. */
#include "t.h"
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static sigjmp_buf jb;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(jb, 1);
}

/* Write one byte at p; returns 0 or the signal number taken. */
static int try_write(volatile char *p)
{
	got_sig = 0;
	got_code = 0;
	got_addr = NULL;
	if (sigsetjmp(jb, 1) == 0) {
		*p = 1;
		return 0;
	}
	return got_sig;
}

static int try_read(volatile char *p)
{
	got_sig = 0;
	if (sigsetjmp(jb, 1) == 0) {
		(void)*p;
		return 0;
	}
	return got_sig;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	CHECK("page size 4096", pg == 4096);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	/* anonymous private: zero-filled, private across fork */
	char *a = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		DIE("mmap");
	int zero = 1;
	for (long i = 0; i < 16 * pg; i++)
		if (a[i])
			zero = 0;
	CHECK("anonymous memory is zero-filled", zero);
	CHECK("mmap result page aligned", ((uintptr_t)a & (pg - 1)) == 0);
	a[0] = 'p';

	/* anonymous shared: visible across fork both ways */
	volatile char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		DIE("mmap shared");
	s[0] = 'A';
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		int ok = s[0] == 'A' && a[0] == 'p';
		s[1] = 'C';
		a[0] = 'c';
		_exit(ok ? 0 : 1);
	}
	int st;
	waitpid(p, &st, 0);
	CHECK("child saw shared and private values", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK("MAP_SHARED anon write by child visible", s[1] == 'C');
	CHECK("MAP_PRIVATE anon write by child invisible", a[0] == 'p');

	/* file mappings */
	char path[] = "/tmp/umk-mmap.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		DIE("mkstemp");
	char buf[8192];
	for (int i = 0; i < 8192; i++)
		buf[i] = (char)('a' + i % 26);
	if (write(fd, buf, 8192) != 8192)
		DIE("write");
	char *fs = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *fp = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (fs == MAP_FAILED || fp == MAP_FAILED)
		DIE("mmap file");
	CHECK("MAP_SHARED file content", memcmp(fs, buf, 8192) == 0);
	CHECK("MAP_PRIVATE file content", memcmp(fp, buf, 8192) == 0);
	memcpy(fs + 100, "SHARED", 6);
	memcpy(fp + 200, "PRIVATE", 7);
	char rb[16] = { 0 };
	CHECK_OK("msync", msync(fs, 8192, MS_SYNC));
	CHECK("pread sees MAP_SHARED write", pread(fd, rb, 6, 100) == 6 && memcmp(rb, "SHARED", 6) == 0);
	CHECK("pread does not see MAP_PRIVATE write", pread(fd, rb, 7, 200) == 7 && memcmp(rb, buf + 200, 7) == 0);
	CHECK("MAP_PRIVATE sees its own write", memcmp(fp + 200, "PRIVATE", 7) == 0);
	/* write() then read through the shared mapping */
	CHECK("pwrite", pwrite(fd, "WRITTEN", 7, 5000) == 7);
	CHECK("MAP_SHARED sees pwrite", memcmp(fs + 5000, "WRITTEN", 7) == 0);
	/* a shared file mapping in a child is seen by the parent */
	fflush(stdout);
	if ((p = fork()) == 0) {
		memcpy(fs + 300, "CHILD", 5);
		_exit(0);
	}
	waitpid(p, &st, 0);
	CHECK("child write to MAP_SHARED file seen", memcmp(fs + 300, "CHILD", 5) == 0);
	CHECK("and in the file", pread(fd, rb, 5, 300) == 5 && memcmp(rb, "CHILD", 5) == 0);
	munmap(fp, 8192);
	munmap(fs, 8192);
	/* mapping at an offset */
	char *fo = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
	CHECK("file mapping at offset 4096", fo != MAP_FAILED && fo[0] == buf[4096]);
	/* beyond EOF inside the last page is zero; a whole page beyond is SIGBUS */
	CHECK_OK("ftruncate 6000", ftruncate(fd, 6000));
	CHECK("tail of last page reads zero", fo[6000 - 4096] == 0 && fo[4095] == 0);
	munmap(fo, 4096);
	char *fb = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK("read beyond EOF page -> SIGBUS", try_read(fb + 2 * 4096) == SIGBUS && got_code == BUS_ADRERR);
	munmap(fb, 3 * 4096);
	close(fd);
	unlink(path);

	/* munmap a hole: the hole faults, the rest survives */
	char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 'm', 4 * pg);
	CHECK_OK("munmap hole", munmap(m + pg, pg));
	CHECK("page before hole intact", m[0] == 'm' && m[pg - 1] == 'm');
	CHECK("page after hole intact", m[2 * pg] == 'm' && m[4 * pg - 1] == 'm');
	CHECK("write into hole -> SIGSEGV", try_write(m + pg + 5) == SIGSEGV);
	CHECK("hole si_code SEGV_MAPERR", got_code == SEGV_MAPERR);
	CHECK("hole si_addr is the address", got_addr == m + pg + 5);

	/* mprotect then write: SEGV_ACCERR with the exact address */
	CHECK_OK("mprotect PROT_READ", mprotect(m, pg, PROT_READ));
	CHECK("read of read-only page ok", try_read(m + 10) == 0);
	CHECK("write to read-only -> SIGSEGV", try_write(m + 123) == SIGSEGV);
	CHECK("si_code SEGV_ACCERR", got_code == SEGV_ACCERR);
	CHECK("si_addr is the address", got_addr == m + 123);
	CHECK("value unchanged", m[123] == 'm');
	CHECK_OK("mprotect PROT_NONE", mprotect(m, pg, PROT_NONE));
	CHECK("read of PROT_NONE -> SIGSEGV", try_read(m + 7) == SIGSEGV && got_code == SEGV_ACCERR);
	CHECK_OK("mprotect back to RW", mprotect(m, pg, PROT_READ | PROT_WRITE));
	CHECK("write after restoring RW", try_write(m + 123) == 0 && m[123] == 1);
	/* an unmapped low address */
	CHECK("write to unmapped -> SEGV_MAPERR", try_write((char *)0x1000) == SIGSEGV && got_code == SEGV_MAPERR &&
							   got_addr == (void *)0x1000);
	CHECK_ERR("mprotect on unmapped range", mprotect(m + pg, pg, PROT_READ), ENOMEM);
	munmap(m, 4 * pg);

	/* mremap: grow in place or move, content preserved */
	char *r = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(r, 'r', 2 * pg);
	/* block growth in place with a neighbour */
	char *blk = mmap(r + 2 * pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK_ERR("mremap grow without MAYMOVE blocked", mremap(r, 2 * pg, 8 * pg, 0), ENOMEM);
	char *r2 = mremap(r, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
	CHECK("mremap MAYMOVE succeeds", r2 != MAP_FAILED);
	CHECK("mremap moved", r2 != r || blk == MAP_FAILED);
	CHECK("mremap content preserved", r2[0] == 'r' && r2[2 * pg - 1] == 'r');
	CHECK("mremap new part zero", r2[2 * pg] == 0 && r2[64 * pg - 1] == 0);
	r2[64 * pg - 1] = 'z';
	CHECK("old location unmapped", r2 == r || try_read(r) == SIGSEGV);
	char *r3 = mremap(r2, 64 * pg, pg, 0);
	CHECK("mremap shrink in place", r3 == r2 && r3[0] == 'r');
	CHECK("shrunk tail unmapped", try_read(r2 + 2 * pg) == SIGSEGV);
	munmap(r3, pg);
	if (blk != MAP_FAILED)
		munmap(blk, pg);

	/* madvise DONTNEED zeroes private anonymous pages */
	char *d = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(d, 'd', 8 * pg);
	CHECK_OK("madvise DONTNEED", madvise(d + 2 * pg, 4 * pg, MADV_DONTNEED));
	CHECK("DONTNEED pages read zero", d[2 * pg] == 0 && d[6 * pg - 1] == 0);
	CHECK("other pages kept", d[0] == 'd' && d[2 * pg - 1] == 'd' && d[6 * pg] == 'd');
	munmap(d, 8 * pg);

	/* brk */
	char *b0 = (char *)syscall(SYS_brk, 0);
	char *b1 = (char *)syscall(SYS_brk, b0 + 1024 * 1024);
	CHECK("brk grows by 1 MiB", b1 == b0 + 1024 * 1024);
	CHECK("new brk memory writable and zero", try_write(b0 + 1024 * 1024 - 1) == 0 && b0[1000] == 0);
	char *b2 = (char *)syscall(SYS_brk, b0 + 4096);
	CHECK("brk shrinks", b2 == b0 + 4096);
	CHECK("memory above shrunk brk unmapped", try_read(b0 + 512 * 1024) == SIGSEGV);
	syscall(SYS_brk, b0);

	/* MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses */
	char *f = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f[0] = 'f';
	char *f2 = mmap(f, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK("MAP_FIXED at address", f2 == f && f[0] == 0);
	CHECK_ERR("MAP_FIXED_NOREPLACE on a mapping",
		  mmap(f, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_ERR("mmap length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR("mmap bad fd", mmap(NULL, pg, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
	munmap(f, 2 * pg);
	return t_done();
}
