/* tmpfs limits as Linux's shmem has them: without options, size and
 * nr_inodes are half the machine's memory pages (statfs relative to
 * /proc/meminfo's MemTotal, and /proc/mounts shows neither); size= and
 * nr_inodes= cap data pages and inodes (the root directory and every
 * extra hard link count as inodes), past them creat/link/mkdir/symlink
 * and write fail with ENOSPC (a write short of the limit first returns
 * what fitted); truncating and unlinking give the space back; size=0 and
 * nr_inodes=0 mean no limit (statfs reports zeroes, /proc/mounts
 * size=0k / nr_inodes=0). Runs as root; cleans up its mounts. */
#include "t.h"
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define D "/tmp/umk-tmpfs-limits"

static char page[4096];

/* The options field of D's line in /proc/mounts, without rw/relatime. */
static void show_opts(const char *what)
{
	FILE *f = fopen("/proc/mounts", "r");
	char line[1024], opts[512] = "";
	while (f && fgets(line, sizeof(line), f)) {
		char dev[256], dir[256], type[64], o[512];
		if (sscanf(line, "%255s %255s %63s %511s", dev, dir, type, o) == 4 && !strcmp(dir, D))
			strcpy(opts, o);
	}
	if (f)
		fclose(f);
	char out[512] = "";
	for (char *tok = strtok(opts, ","); tok; tok = strtok(NULL, ","))
		if (!strncmp(tok, "size=", 5) || !strncmp(tok, "nr_inodes=", 10)) {
			strcat(out, " ");
			strcat(out, tok);
		}
	printf("%s: mount options:%s\n", what, *out ? out : " (no size, no nr_inodes)");
}

/* "within 1%": the machine's totalram when the mount ran, vs MemTotal now */
static int near(long long a, long long b)
{
	long long d = a > b ? a - b : b - a;
	return d * 100 <= b;
}

static void statfs_line(const char *what)
{
	struct statfs sf;
	if (statfs(D, &sf)) {
		printf("%s: statfs failed: %s\n", what, strerror(errno));
		return;
	}
	printf("%s: blocks=%ld bfree=%ld files=%ld ffree=%ld\n", what, (long)sf.f_blocks, (long)sf.f_bfree,
	       (long)sf.f_files, (long)sf.f_ffree);
}

static int create(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), D "/%s", name);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

int main(void)
{
	umount2(D, MNT_DETACH);
	rmdir(D);
	if (mkdir(D, 0755))
		DIE("mkdir");

	/* defaults: half of memory */
	CHECK_OK("mount, no options", mount("t", D, "tmpfs", 0, NULL));
	struct statfs sf;
	CHECK_OK("statfs", statfs(D, &sf));
	long long half_pages = t_memtotal_kb() / 4 / 2;
	CHECK("size is half of MemTotal (1%)", near((long long)sf.f_blocks * sf.f_bsize / 4096, half_pages));
	CHECK("nr_inodes is half of MemTotal pages (1%)", near((long long)sf.f_files, half_pages));
	CHECK("the root directory is the one inode used", sf.f_files - sf.f_ffree == 1);
	show_opts("default");
	umount(D);

	/* size= and nr_inodes= */
	CHECK_OK("mount size=64k,nr_inodes=4", mount("t", D, "tmpfs", 0, "size=64k,nr_inodes=4"));
	show_opts("limited");
	statfs_line("empty");
	CHECK_OK("create f1", create("f1"));
	CHECK_OK("create f2", create("f2"));
	CHECK_OK("link f1 f1b", link(D "/f1", D "/f1b"));
	statfs_line("3 files, a link");
	CHECK_ERR("create past nr_inodes", create("f3"), ENOSPC);
	CHECK_ERR("mkdir past nr_inodes", mkdir(D "/d", 0755), ENOSPC);
	CHECK_ERR("symlink past nr_inodes", symlink("f1", D "/s"), ENOSPC);
	CHECK_ERR("link past nr_inodes", link(D "/f1", D "/f1c"), ENOSPC);
	CHECK_OK("unlink the link", unlink(D "/f1b"));
	CHECK_OK("create f3 after it", create("f3"));

	int fd = open(D "/f1", O_WRONLY);
	CHECK("open f1", fd >= 0);
	int pages = 0;
	ssize_t r;
	while ((r = write(fd, page, sizeof(page))) == (ssize_t)sizeof(page))
		pages++;
	printf("whole pages written into 64k: %d\n", pages);
	CHECK_ERR("write when full", write(fd, page, 1), ENOSPC);
	statfs_line("full");
	struct stat st;
	CHECK_OK("fstat", fstat(fd, &st));
	printf("full file: size=%ld blocks=%ld\n", (long)st.st_size, (long)st.st_blocks);
	CHECK_OK("truncate to one page", ftruncate(fd, 4096));
	statfs_line("truncated");
	CHECK_OK("lseek", lseek(fd, 4096, SEEK_SET) == 4096 ? 0 : -1);
	char big[3 * 4096 + 100];
	memset(big, 'y', sizeof(big));
	r = write(fd, big, sizeof(big));
	printf("write of 3 pages + 100 bytes after the truncate: %ld\n", (long)r);
	/* a write that does not fit: what fits, then ENOSPC */
	CHECK_OK("truncate to 0", ftruncate(fd, 0));
	r = write(fd, big, sizeof(big));
	printf("rewrite from 0: %ld\n", (long)r);
	int fd2 = open(D "/f2", O_WRONLY);
	char huge[64 * 1024];
	memset(huge, 'z', sizeof(huge));
	r = write(fd2, huge, sizeof(huge));
	printf("64k write into the rest: %ld (short)\n", (long)r);
	CHECK_ERR("then the next write", write(fd2, huge, 10), ENOSPC);
	close(fd2);
	close(fd);
	CHECK_OK("unlink f2", unlink(D "/f2"));
	statfs_line("f2 gone");
	CHECK_OK("umount", umount(D));

	/* 0 = unlimited */
	CHECK_OK("mount size=0,nr_inodes=0", mount("t", D, "tmpfs", 0, "size=0,nr_inodes=0"));
	show_opts("unlimited");
	statfs_line("unlimited");
	int made = 0;
	for (int i = 0; i < 100; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		made += create(name) == 0;
	}
	printf("files in an unlimited tmpfs: %d\n", made);
	CHECK_OK("umount", umount(D));

	CHECK_ERR("size=junk", mount("t", D, "tmpfs", 0, "size=1q"), EINVAL);
	CHECK_ERR("nr_inodes=junk", mount("t", D, "tmpfs", 0, "nr_inodes=x"), EINVAL);
	rmdir(D);
	return t_failures ? 1 : 0;
}
