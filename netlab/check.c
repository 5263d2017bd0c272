/* umk-lab check [-d DIR]: read the lab as start would, start nothing,
 * and say what it holds (or the first error, with file:line). */
#include "lab.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void fmt_mac(const uint8_t m[6], char *out)
{
	sprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int cmd_check(int argc, char **argv)
{
	const char *dir = ".";
	int c;
	optind = 1;
	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c == 'd')
			dir = optarg;
		else
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, "umk-lab check: unexpected argument %s (usage: umk-lab check [-d DIR])\n", argv[optind]);
		return 2;
	}
	struct lab_dir ld;
	char err[512];
	if (lab_dir_load(dir, &ld, err, sizeof(err))) {
		fprintf(stderr, "umk-lab: %s\n", err);
		return 1;
	}
	struct lab *lab = &ld.lab;
	printf("lab %s: %zu devices, %zu collision domains, started in %d wave%s\n",
	       lab->meta_name ? lab->meta_name : dir, lab->ndevs, lab->ncds, ld.nwaves, ld.nwaves == 1 ? "" : "s");
	for (size_t i = 0; i < lab->ndevs; i++) {
		struct lab_dev *d = &lab->devs[i];
		printf("  %s (wave %d):", d->name, ld.wave[i]);
		for (int f = 0; f < LAB_MAX_IFS; f++) {
			if (!d->ifs[f].used)
				continue;
			printf(" eth%d=%s", f, d->ifs[f].cd);
			if (d->ifs[f].has_mac) {
				char m[18];
				fmt_mac(d->ifs[f].mac, m);
				printf("/%s", m);
			}
		}
		if (d->bridged)
			printf(" bridged");
		if (d->mem)
			printf(" mem=%lluM", (unsigned long long)(d->mem >> 20));
		printf("\n");
	}
	for (size_t i = 0; i < lab->ncds; i++)
		printf("  domain %s: %s\n", lab->cds[i].name, lab->cds[i].mode == LAB_CD_SWITCH ? "switch" : "hub");
	lab_dir_free(&ld);
	return 0;
}
