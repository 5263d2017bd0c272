/* lab.dep: see labdep.h. Dependencies go into a matrix over the lab's
 * devices (labs have tens of devices); waves by repeated relaxation,
 * then a device left without a wave lies on a cycle, found by walking
 * its unplaced dependencies. */
#include "labdep.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	int n = line ? snprintf(err, errlen, "%s:%d: ", file, line) : snprintf(err, errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int dev_index(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->ndevs; i++)
		if (!strcmp(lab->devs[i].name, name))
			return (int)i;
	return -1;
}

int labdep_order(const char *file, const char *text, const struct lab *lab, int *wave, char *err, size_t errlen)
{
	size_t n = lab->ndevs;
	unsigned char *dep = calloc(n * n + 1, 1);	/* dep[a * n + b]: a waits for b */
	if (!dep) {
		perror("umk-lab");
		exit(1);
	}
	int line = 0, r = 0;
	const char *p = text;
	while (*p && !r) {
		line++;
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *s = strndup(p, len);
		p += len + (nl ? 1 : 0);
		if (!s) {
			perror("umk-lab");
			exit(1);
		}
		char *t = s;
		while (isspace((unsigned char)*t))
			t++;
		if (*t && *t != '#') {
			char *colon = strchr(t, ':');
			if (!colon) {
				r = fail(err, errlen, file, line, "expected \"device: dependency ...\"");
			} else {
				*colon = 0;
				for (char *e = colon; e > t && isspace((unsigned char)e[-1]); e--)
					e[-1] = 0;
				int a = dev_index(lab, t);
				if (a < 0)
					r = fail(err, errlen, file, line, "%s: no such device in lab.conf", t);
				char *save = NULL;
				for (char *w = strtok_r(colon + 1, " \t\r", &save); w && !r; w = strtok_r(NULL, " \t\r", &save)) {
					int b = dev_index(lab, w);
					if (b < 0)
						r = fail(err, errlen, file, line, "%s: no such device in lab.conf", w);
					else if (a == b)
						r = fail(err, errlen, file, line, "%s depends on itself", w);
					else
						dep[(size_t)a * n + (size_t)b] = 1;
				}
			}
		}
		free(s);
	}
	if (r) {
		free(dep);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		wave[i] = -1;
	size_t placed = 0;
	for (int w = 0; placed < n; w++) {
		size_t before = placed;
		/* a device joins wave w when every dependency is in an earlier one */
		int *next = calloc(n + 1, sizeof(int));
		for (size_t a = 0; a < n; a++) {
			if (wave[a] >= 0)
				continue;
			bool ready = true;
			for (size_t b = 0; b < n && ready; b++)
				if (dep[a * n + b] && (wave[b] < 0 || wave[b] >= w))
					ready = false;
			next[a] = ready;
		}
		for (size_t a = 0; a < n; a++)
			if (next[a]) {
				wave[a] = w;
				placed++;
			}
		free(next);
		if (placed == before)
			break;
	}
	if (placed < n) {
		/* walk unplaced dependencies from an unplaced device until one repeats */
		size_t start = 0;
		while (wave[start] >= 0)
			start++;
		int *seen = calloc(n, sizeof(int));
		size_t cur = start;
		while (!seen[cur]) {
			seen[cur] = 1;
			for (size_t b = 0; b < n; b++)
				if (dep[cur * n + b] && wave[b] < 0) {
					cur = b;
					break;
				}
		}
		char path[512] = "";
		size_t at = cur;
		do {
			size_t l = strlen(path);
			snprintf(path + l, sizeof(path) - l, "%s -> ", lab->devs[at].name);
			for (size_t b = 0; b < n; b++)
				if (dep[at * n + b] && wave[b] < 0 && seen[b]) {
					at = b;
					break;
				}
		} while (at != cur && strlen(path) < sizeof(path) - 80);
		size_t l = strlen(path);
		snprintf(path + l, sizeof(path) - l, "%s", lab->devs[cur].name);
		free(seen);
		free(dep);
		return fail(err, errlen, file, 0, "a dependency cycle: %s", path);
	}
	free(dep);
	return 0;
}
