/* Loading a lab directory: lab.conf (required), lab.dep (optional), and
 * a look at the files beside them, so that a script meant for a device
 * that lab.conf does not have is said, not silently skipped. */
#include "lab.h"
#include "labdep.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* the whole file, NUL-terminated; NULL with errno set */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

static void print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "umk-lab: warning: %s\n", msg);
}

/* a name in the lab directory that belongs to no device */
static void check_extra(struct lab_dir *ld)
{
	DIR *d = opendir(ld->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' || !strcmp(n, "lab.conf") || !strcmp(n, "lab.dep") || !strcmp(n, "lab.ext") ||
		    !strcmp(n, "shared") || !strcmp(n, "shared.startup") || !strcmp(n, "shared.shutdown") ||
		    !strcmp(n, "_test"))
			continue;
		char base[256];
		snprintf(base, sizeof(base), "%s", n);
		char *dot = strrchr(base, '.');
		bool script = dot && (!strcmp(dot, ".startup") || !strcmp(dot, ".shutdown"));
		if (script)
			*dot = 0;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", ld->dir, n);
		struct stat st;
		if (stat(path, &st))
			continue;
		if (!script && !S_ISDIR(st.st_mode))
			continue;	/* other files: notes, pictures */
		if (!lab_find_dev(&ld->lab, base))
			fprintf(stderr, "umk-lab: warning: %s: lab.conf has no device %s: not used\n", path, base);
	}
	closedir(d);
}

int lab_dir_load(const char *dir, struct lab_dir *ld, char *err, size_t errlen)
{
	memset(ld, 0, sizeof(*ld));
	ld->dir = strdup(dir);
	char path[4096];
	snprintf(path, sizeof(path), "%s/lab.conf", dir);
	char *text = slurp(path);
	if (!text) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		lab_dir_free(ld);
		return -1;
	}
	int r = labconf_parse(path, text, &ld->lab, print_warning, NULL, err, errlen);
	free(text);
	if (r) {
		lab_dir_free(ld);
		return -1;
	}
	if (!ld->lab.ndevs) {
		snprintf(err, errlen, "%s: no devices", path);
		lab_dir_free(ld);
		return -1;
	}
	ld->wave = calloc(ld->lab.ndevs, sizeof(int));
	snprintf(path, sizeof(path), "%s/lab.dep", dir);
	text = slurp(path);
	if (!text && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		lab_dir_free(ld);
		return -1;
	}
	if (text) {
		r = labdep_order(path, text, &ld->lab, ld->wave, err, errlen);
		free(text);
		if (r) {
			lab_dir_free(ld);
			return -1;
		}
	}
	for (size_t i = 0; i < ld->lab.ndevs; i++)
		if (ld->wave[i] + 1 > ld->nwaves)
			ld->nwaves = ld->wave[i] + 1;
	check_extra(ld);
	return 0;
}

void lab_dir_free(struct lab_dir *ld)
{
	lab_free(&ld->lab);
	free(ld->wave);
	free(ld->dir);
	memset(ld, 0, sizeof(*ld));
}
