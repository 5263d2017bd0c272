/* umk-lab: Kathará/Netkit lab directories on umk machines (issue 17).
 * One program, subcommands named like Kathará's. So far: check. */
#include "lab.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: umk-lab COMMAND [OPTIONS]\n"
		   "  check [-d DIR]   read the lab in DIR (default .): lab.conf, lab.dep and the\n"
		   "                   files beside them; print its devices and domains, start nothing\n"
		   "Documentation/netlab.md tells more.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	fprintf(stderr, "umk-lab: %s: no such command (umk-lab --help lists them)\n", argv[1]);
	return 2;
}
