/* Is an interface ours to touch? Read-only facts from sysfs. */
#include "umknet.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *reason = "";

const char *if_not_ours_reason(void)
{
	return reason;
}

static int read_attr(const char *ifname, const char *attr, char *out, size_t outlen)
{
	char path[256];
	snprintf(path, sizeof path, "/sys/class/net/%s/%s", ifname, attr);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(out, (int)outlen, f))
		out[0] = 0;
	fclose(f);
	out[strcspn(out, "\n")] = 0;
	return 0;
}

int if_exists(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "/sys/class/net/%s", name);
	return access(path, F_OK) == 0;
}

/* Owner uid of one of our devices, or -1 when it is not ours. */
static long our_owner(const char *name)
{
	char v[128];
	if (strncmp(name, UMKNET_PREFIX, strlen(UMKNET_PREFIX)) != 0 || strchr(name, '/')) {
		reason = "its name does not start with '" UMKNET_PREFIX "'";
		return -1;
	}
	if (!if_exists(name)) {
		reason = "no such interface";
		return -1;
	}
	if (read_attr(name, "tun_flags", v, sizeof v) < 0) {
		reason = "it is not a tun/tap device";
		return -1;
	}
	if (read_attr(name, "ifalias", v, sizeof v) < 0 ||
	    strncmp(v, UMKNET_MARK, strlen(UMKNET_MARK)) != 0) {
		reason = "it was not created by umk-net (no ownership mark in its alias)";
		return -1;
	}
	char *end;
	long marked = strtol(v + strlen(UMKNET_MARK), &end, 10);
	if (*end || marked < 0) {
		reason = "its ownership mark is malformed";
		return -1;
	}
	if (read_attr(name, "owner", v, sizeof v) < 0 || strtol(v, NULL, 10) != marked) {
		reason = "its tun owner does not match the ownership mark";
		return -1;
	}
	return marked;
}

int if_owned_by(const char *name, uid_t uid)
{
	long o = our_owner(name);
	if (o < 0)
		return 0;
	if (uid != 0 && (uid_t)o != uid) {
		reason = "it belongs to another user";
		return 0;
	}
	return 1;
}

int if_count_owned(uid_t uid)
{
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && our_owner(e->d_name) == (long)uid)
			n++;
	closedir(d);
	return n;
}

void if_list_ours(void)
{
	DIR *d = opendir("/sys/class/net");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		long o = e->d_name[0] == '.' ? -1 : our_owner(e->d_name);
		if (o >= 0) {
			char state[32] = "?";
			read_attr(e->d_name, "operstate", state, sizeof state);
			printf("%s owner=%ld state=%s\n", e->d_name, o, state);
		}
	}
	closedir(d);
}
