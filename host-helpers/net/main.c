/* umk-net: create, configure, list and destroy tap devices for a user, the
 * way tunctl does, but holding only CAP_NET_ADMIN and refusing to touch any
 * interface it did not create. */
#include "umknet.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("Usage: umk-net create [-u USER] [-g GROUP] [-t NAME] [-a ADDR/PREFIX] [-n]\n"
	      "       umk-net destroy NAME\n"
	      "       umk-net list\n"
	      "Creates a persistent tap device owned by USER (default: the caller), so\n"
	      "umk-switch -tap NAME or a guest's tap transport can use it unprivileged,\n"
	      "and prints its name. NAME must start with '" UMKNET_PREFIX "' (default "
	      UMKNET_PREFIX "%d: the kernel picks\n"
	      "the number). -a gives the host side an IPv4 address; -n leaves it down.\n"
	      "Only root may create for another user. destroy removes only devices that\n"
	      "umk-net created for the caller (root: for anyone); anything else is refused.\n"
	      "Needs CAP_NET_ADMIN: run as root or 'setcap cap_net_admin+ep umk-net'.\n",
	      f);
}

static int lookup_user(const char *s, uid_t *uid)
{
	struct passwd *pw = getpwnam(s);
	char *end;
	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	long v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0) {
		*uid = (uid_t)v;
		return 0;
	}
	fprintf(stderr, "umk-net: no user '%s'\n", s);
	return -1;
}

static int lookup_group(const char *s, gid_t *gid)
{
	struct group *gr = getgrnam(s);
	char *end;
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	long v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0) {
		*gid = (gid_t)v;
		return 0;
	}
	fprintf(stderr, "umk-net: no group '%s'\n", s);
	return -1;
}

static int cmd_create(int argc, char **argv, uid_t caller)
{
	uid_t owner = caller;
	gid_t group = 0;
	int set_group = 0, up = 1, o;
	const char *name = UMKNET_PREFIX "%d", *addr = NULL;
	optind = 1;
	while ((o = getopt(argc, argv, "u:g:t:a:n")) != -1) {
		switch (o) {
		case 'u':
			if (lookup_user(optarg, &owner) < 0)
				return 2;
			break;
		case 'g':
			if (lookup_group(optarg, &group) < 0)
				return 2;
			set_group = 1;
			break;
		case 't': name = optarg; break;
		case 'a': addr = optarg; break;
		case 'n': up = 0; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (owner != caller && caller != 0) {
		fprintf(stderr, "umk-net: only root may create a tap for another user\n");
		return 1;
	}
	if (set_group && caller != 0 && !group_member(group)) {
		fprintf(stderr, "umk-net: you are not in group %u\n", (unsigned)group);
		return 1;
	}
	if (strncmp(name, UMKNET_PREFIX, strlen(UMKNET_PREFIX)) != 0 || strlen(name) >= 16 ||
	    strchr(name, '/') || strchr(name, ' ')) {
		fprintf(stderr, "umk-net: '%s': tap names must start with '" UMKNET_PREFIX
				"' and be under 16 characters\n", name);
		return 1;
	}
	if (if_count_owned(owner) >= UMKNET_MAX_PER_USER) {
		fprintf(stderr, "umk-net: user %u already has %d umk-net taps\n", (unsigned)owner,
			UMKNET_MAX_PER_USER);
		return 1;
	}
	char made[32], mark[64];
	if (tap_create(name, owner, group, set_group, made, sizeof made) < 0)
		return 1;
	snprintf(mark, sizeof mark, UMKNET_MARK "%u", (unsigned)owner);
	if (tap_set_alias(made, mark) < 0 || tap_set_addr_up(made, addr, up) < 0) {
		fprintf(stderr, "umk-net: %s: configuration failed (%s); removing it\n", made,
			strerror(errno));
		tap_destroy(made);
		return 1;
	}
	caps_drop_all();
	printf("%s\n", made);
	return 0;
}

static int cmd_destroy(int argc, char **argv, uid_t caller)
{
	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (!if_owned_by(name, caller)) {
		fprintf(stderr, "umk-net: refusing to touch %s: %s\n", name, if_not_ours_reason());
		return 1;
	}
	if (tap_destroy(name) < 0)
		return 1;
	caps_drop_all();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	/* Narrow to CAP_NET_ADMIN before looking at anything else. */
	if (strcmp(argv[1], "list") != 0 && caps_keep_net_admin() < 0)
		return 1;
	uid_t caller = getuid();
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc - 1, argv + 1, caller);
	if (!strcmp(argv[1], "destroy"))
		return cmd_destroy(argc - 1, argv + 1, caller);
	if (!strcmp(argv[1], "list")) {
		caps_drop_all();
		if_list_ours();
		return 0;
	}
	fprintf(stderr, "umk-net: unknown command '%s' (create, destroy, list)\n", argv[1]);
	return 2;
}
