/* lab.dep start order (netlab/labdep.c): waves, parallel independent
 * devices, and the errors: unknown devices, bad lines, cycles. */
#include "labdep.h"
#include "../common/check.h"

#include <string.h>

static struct lab lab;
static int wave[16];

static int order(const char *text, char *err)
{
	return labdep_order("lab.dep", text, &lab, wave, err, 256);
}

static int w(const char *name)
{
	for (size_t i = 0; i < lab.ndevs; i++)
		if (!strcmp(lab.devs[i].name, name))
			return wave[i];
	return -2;
}

int main(void)
{
	char err[256];
	CHECK(labconf_parse("lab.conf", "r1[0]=A\nr2[0]=A\npc1[0]=A\npc2[0]=A\nsrv[0]=A\n", &lab, NULL, NULL, err, sizeof(err)) == 0);
	CHECK(order("", err) == 0);
	CHECK(w("r1") == 0 && w("pc1") == 0 && w("srv") == 0);
	CHECK(order("# routers first\npc1: r1 r2\npc2: r1\n\nsrv: pc1\n", err) == 0);
	CHECK(w("r1") == 0 && w("r2") == 0);
	CHECK(w("pc1") == 1 && w("pc2") == 1);
	CHECK(w("srv") == 2);
	err[0] = 0;
	CHECK(order("pc1: r1\nr1: ghost\n", err) == -1);
	CHECK(!strcmp(err, "lab.dep:2: ghost: no such device in lab.conf"));
	CHECK(order("pc1 r1\n", err) == -1);
	CHECK(!strcmp(err, "lab.dep:1: expected \"device: dependency ...\""));
	CHECK(order("pc1: pc1\n", err) == -1);
	CHECK(!strcmp(err, "lab.dep:1: pc1 depends on itself"));
	CHECK(order("r1: r2\nr2: pc1\npc1: r1\nsrv: r1\n", err) == -1);
	CHECK(strncmp(err, "lab.dep: a dependency cycle: ", 29) == 0);
	CHECK(strstr(err, "r1") && strstr(err, "r2") && strstr(err, "pc1") && !strstr(err, "srv"));
	CHECK(!strcmp(err, "lab.dep: a dependency cycle: r1 -> r2 -> pc1 -> r1"));
	lab_free(&lab);
	return check_done("labdep");
}
