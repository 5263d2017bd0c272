/* umk-cow: create, inspect, check and merge UML COW files.
 *
 *   umk-cow create [-f] COW BACKING   like uml_mkcow
 *   umk-cow info COW                  header fields, sizes, sectors changed
 *   umk-cow check COW                 header, bitmap and backing file vs sizes
 *   umk-cow merge COW [OUT]           like uml_moo: into a new image OUT, or
 *                                     in place into the backing file
 *
 * Errors are one line on stderr, "umk-cow: FILE: what was expected", exit
 * status 1 (2 for usage). Every check runs before the first write, so an
 * error leaves all files as they were. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wire/cow.h"

#define CHUNK_SECTORS 2048

static const char usage_text[] =
	"usage: umk-cow COMMAND ARGS\n"
	"  create [-f] COW BACKING  create a UML v3 COW file for BACKING (512-byte\n"
	"                           sectors, 4096 alignment, sparse); -f overwrites COW\n"
	"  info COW                 show the header, layout and sectors changed\n"
	"  check COW                validate header and bitmap against file sizes and\n"
	"                           the backing file; non-zero exit on any problem\n"
	"  merge COW [OUT]          write a full image OUT (backing + changed sectors);\n"
	"                           without OUT merge in place into the backing file\n"
	"                           (then delete COW: it no longer matches)\n"
	"  --help                   this text\n"
	"COW files use the User-Mode Linux format (v1, v2, v3 read; v3 written) and\n"
	"interoperate with uml_mkcow and uml_moo.\n";

static int usage(int rc)
{
	fputs(usage_text, rc ? stderr : stdout);
	return rc;
}

static int err1(const char *msg)
{
	fprintf(stderr, "umk-cow: %s\n", msg);
	return 1;
}

static int errf(const char *file, const char *what, int e)
{
	fprintf(stderr, "umk-cow: %s: %s%s%s\n", file, what, e ? ": " : "",
		e ? strerror(e) : "");
	return 1;
}

/* Opens the COW file read-only with a one-line error. */
static int open_cow(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "umk-cow: %s: is a directory, expected a COW file\n", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		errf(path, "cannot open COW file", errno);
	return fd;
}

static int cmd_create(int argc, char **argv)
{
	struct cow_err e;
	struct cow_info info;
	int force = 0, fd, rc, bfd;
	const char *cow, *backing;
	uint64_t size;

	if (argc > 0 && !strcmp(argv[0], "-f")) {
		force = 1;
		argc--, argv++;
	}
	if (argc != 2)
		return usage(2);
	cow = argv[0];
	backing = argv[1];
	/* check the backing file before creating anything */
	bfd = open(backing, O_RDONLY | O_CLOEXEC);
	if (bfd < 0)
		return errf(backing, "missing backing file", errno);
	rc = cow_fd_size(bfd, &size);
	close(bfd);
	if (rc == -EISDIR)
		return errf(backing, "backing file is a directory, expected a disk image", 0);
	if (rc)
		return errf(backing, "expected a regular file or block device as backing file", -rc);
	fd = open(cow, O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0)
		return errf(cow, errno == EEXIST ? "COW file exists (use -f to overwrite)"
						 : "cannot create COW file",
			    errno == EEXIST ? 0 : errno);
	rc = cow_create(fd, cow, backing, 0, 0, &info, &e);
	if (rc) {
		close(fd);
		if (!force)
			unlink(cow);
		return err1(e.msg);
	}
	if (close(fd) < 0)
		return errf(cow, "close", errno);
	return 0;
}

static const char *fmt_time(uint32_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/* Backing file state: 0 ok, else fills msg. */
static int backing_state(const struct cow_info *in, struct cow_err *e)
{
	int bfd = open(in->backing_file, O_RDONLY | O_CLOEXEC);
	int rc;

	if (bfd < 0) {
		rc = -errno;
		snprintf(e->msg, sizeof(e->msg), "%s: missing backing file: %s",
			 in->backing_file, strerror(-rc));
		return rc;
	}
	rc = cow_check_backing(in, bfd, in->backing_file, e);
	close(bfd);
	return rc;
}

static int cmd_info(int argc, char **argv)
{
	struct cow_file cf;
	struct cow_err e;
	struct stat st;
	char tbuf[64];
	const struct cow_info *in;
	uint64_t changed;
	int fd, rc;

	if (argc != 1)
		return usage(2);
	fd = open_cow(argv[0]);
	if (fd < 0)
		return 1;
	rc = cow_open(&cf, fd, argv[0], -1, NULL, &e);
	if (rc) {
		close(fd);
		return err1(e.msg);
	}
	in = &cf.info;
	fstat(fd, &st);
	changed = cow_bits_count(cf.bitmap, cow_mappable_sectors(in));
	printf("file:            %s\n", argv[0]);
	printf("version:         %u%s\n", in->version,
	       in->broken_v3 ? " (broken 64-bit layout)"
	       : in->version == 1 && in->foreign_order ? " (foreign byte order)" : "");
	printf("backing file:    %s\n", in->backing_file);
	printf("backing mtime:   %u (%s)\n", in->mtime, fmt_time(in->mtime, tbuf, sizeof(tbuf)));
	printf("backing size:    %" PRIu64 " bytes\n", in->size);
	printf("sector size:     %u\n", in->sectorsize);
	if (in->version == 3) {
		printf("alignment:       %u\n", in->alignment);
		printf("cow format:      %u (bitmap)\n", in->cow_format);
	}
	printf("header size:     %" PRIu64 "\n", in->header_len);
	printf("bitmap offset:   %" PRIu64 "\n", in->bitmap_offset);
	printf("bitmap length:   %" PRIu64 " bytes\n", in->bitmap_len);
	printf("data offset:     %" PRIu64 "\n", in->data_offset);
	printf("sectors:         %" PRIu64 "\n", in->sectors);
	printf("sectors changed: %" PRIu64 " (%" PRIu64 " bytes)\n", changed,
	       changed * in->sectorsize);
	printf("file size:       %lld bytes apparent, %lld bytes allocated\n",
	       (long long)st.st_size, (long long)st.st_blocks * 512);
	rc = backing_state(in, &e);
	printf("backing status:  %s\n", rc ? e.msg : "ok (size and mtime match)");
	cow_close(&cf);
	close(fd);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	struct cow_file cf;
	struct cow_err e;
	struct stat st;
	const struct cow_info *in;
	uint64_t s, stray = 0, beyond = 0;
	int fd, rc, problems = 0;

	if (argc != 1)
		return usage(2);
	fd = open_cow(argv[0]);
	if (fd < 0)
		return 1;
	rc = cow_open(&cf, fd, argv[0], -1, NULL, &e);
	if (rc) {
		close(fd);
		return err1(e.msg);
	}
	in = &cf.info;
	fstat(fd, &st);
	/* bits past the last sector (padding bits of the last byte) */
	for (s = in->sectors; s < in->bitmap_len * 8; s++)
		stray += (uint64_t)cow_bit_test(cf.bitmap, s);
	if (stray) {
		fprintf(stderr, "umk-cow: %s: %" PRIu64 " bitmap bits set past the device's %" PRIu64
			" sectors, expected none\n", argv[0], stray, in->sectors);
		problems++;
	}
	/* sectors marked changed whose data lies past the end of the file */
	for (s = 0; s < cow_mappable_sectors(in); s++) {
		uint64_t end = (s + 1) * in->sectorsize;
		if (end > in->size)
			end = in->size;
		if (cow_bit_test(cf.bitmap, s) && in->data_offset + end > (uint64_t)st.st_size)
			beyond++;
	}
	if (beyond) {
		fprintf(stderr, "umk-cow: %s: truncated: %lld bytes, %" PRIu64
			" changed sectors lie past the end; expected %" PRIu64 " bytes\n",
			argv[0], (long long)st.st_size, beyond, in->data_offset + in->size);
		problems++;
	}
	rc = backing_state(in, &e);
	if (rc) {
		fprintf(stderr, "umk-cow: %s\n", e.msg);
		problems++;
	}
	if (!problems)
		printf("%s: ok: COW v%u, backing %s, %" PRIu64 " of %" PRIu64
		       " sectors changed\n", argv[0], in->version, in->backing_file,
		       cow_bits_count(cf.bitmap, cow_mappable_sectors(in)), in->sectors);
	cow_close(&cf);
	close(fd);
	return problems ? 1 : 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static int cmd_merge(int argc, char **argv)
{
	struct cow_file cf;
	struct cow_err e;
	const struct cow_info *in;
	const char *cow, *out = NULL;
	int fd, bfd, ofd = -1, rc, ret = 1;
	uint8_t *buf = NULL;
	uint64_t s, merged = 0;

	if (argc != 1 && argc != 2)
		return usage(2);
	cow = argv[0];
	if (argc == 2)
		out = argv[1];
	fd = open_cow(cow);
	if (fd < 0)
		return 1;
	rc = cow_read_header(fd, cow, &cf.info, &e);
	if (rc) {
		close(fd);
		return err1(e.msg);
	}
	bfd = open(cf.info.backing_file, (out ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (bfd < 0) {
		rc = errno;
		close(fd);
		return errf(cf.info.backing_file,
			    rc == ENOENT ? "missing backing file"
				         : out ? "cannot open backing file"
					       : "cannot open backing file for writing (in-place merge)",
			    rc);
	}
	rc = cow_open(&cf, fd, cow, bfd, cf.info.backing_file, &e);
	if (rc) {
		close(bfd);
		close(fd);
		return err1(e.msg);
	}
	in = &cf.info;
	buf = malloc((size_t)CHUNK_SECTORS * in->sectorsize);
	if (!buf) {
		err1("out of memory");
		goto done;
	}
	if (out) {
		struct stat so, sc, sb;
		if (stat(out, &so) == 0) {
			fstat(fd, &sc);
			fstat(bfd, &sb);
			if ((so.st_dev == sc.st_dev && so.st_ino == sc.st_ino) ||
			    (so.st_dev == sb.st_dev && so.st_ino == sb.st_ino)) {
				errf(out, "output is the COW or the backing file, expected a new image "
					  "(omit OUT to merge in place)", 0);
				goto done;
			}
			if (S_ISDIR(so.st_mode)) {
				errf(out, "is a directory, expected an image file name", 0);
				goto done;
			}
		}
		ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (ofd < 0) {
			errf(out, "cannot create output image", errno);
			goto done;
		}
		for (s = 0; s < in->sectors; s += CHUNK_SECTORS) {
			uint64_t n = in->sectors - s < CHUNK_SECTORS ? in->sectors - s : CHUNK_SECTORS;
			uint64_t off = s * in->sectorsize;
			uint64_t len = n * in->sectorsize;
			if (off + len > in->size)
				len = in->size - off;
			if (cow_read(&cf, buf, s, n, &e)) {
				err1(e.msg);
				goto done;
			}
			if (all_zero(buf, (size_t)len))
				continue; /* leave a hole */
			if (pwrite(ofd, buf, (size_t)len, (off_t)off) != (ssize_t)len) {
				errf(out, "write", errno);
				goto done;
			}
		}
		if (ftruncate(ofd, (off_t)in->size) < 0 || fsync(ofd) < 0) {
			errf(out, "write", errno);
			goto done;
		}
		merged = cow_bits_count(cf.bitmap, cow_mappable_sectors(in));
		printf("%s: wrote %" PRIu64 " bytes (%" PRIu64 " sectors from %s)\n", out,
		       in->size, merged, cow);
	} else {
		uint64_t map = cow_mappable_sectors(in);
		for (s = 0; s < map;) {
			uint64_t n = 0;
			if (!cow_bit_test(cf.bitmap, s)) {
				s++;
				continue;
			}
			while (s + n < map && n < CHUNK_SECTORS && cow_bit_test(cf.bitmap, s + n))
				n++;
			uint64_t off = s * in->sectorsize, len = n * in->sectorsize;
			if (off + len > in->size)
				len = in->size - off;
			if (cow_read(&cf, buf, s, n, &e)) {
				err1(e.msg);
				goto done;
			}
			if (pwrite(bfd, buf, (size_t)len, (off_t)off) != (ssize_t)len) {
				errf(in->backing_file, "write", errno);
				goto done;
			}
			merged += n;
			s += n;
		}
		if (fsync(bfd) < 0) {
			errf(in->backing_file, "fsync", errno);
			goto done;
		}
		printf("%s: merged %" PRIu64 " sectors from %s in place; %s no longer matches "
		       "it (delete it)\n", in->backing_file, merged, cow, cow);
	}
	ret = 0;
done:
	free(buf);
	if (ofd >= 0 && close(ofd) < 0 && !ret)
		ret = errf(out, "close", errno);
	cow_close(&cf);
	close(bfd);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(0);
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc - 2, argv + 2);
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 2, argv + 2);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	if (!strcmp(argv[1], "merge"))
		return cmd_merge(argc - 2, argv + 2);
	fprintf(stderr, "umk-cow: unknown command '%s', expected create, info, check or merge "
			"(--help)\n", argv[1]);
	return 2;
}
