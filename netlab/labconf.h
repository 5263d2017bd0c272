/* lab.conf, as Kathará and Netkit read it (shared/reference/lab-tools.md
 * section 3): `device[N]=CD[/MAC]` interfaces, `device[option]=value`
 * device options, `CD_MODE[cd]=hub|switch`, `LAB_*=` metadata, `#`
 * comments, values optionally quoted. A bad line is an error naming the
 * file, the line and what was expected; options Kathará has for Docker
 * that mean nothing here are warnings, never silently taken. */
#ifndef NETLAB_LABCONF_H
#define NETLAB_LABCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_NAME_MAX 64		/* device and collision-domain names */
#define LAB_MAX_IFS 32		/* eth0 .. eth31 */

struct lab_if {
	bool used;
	char cd[LAB_NAME_MAX];
	bool has_mac;
	uint8_t mac[6];
};

struct lab_port {
	unsigned host, guest;	/* host 0: Kathará's default (3000) */
	bool udp;
};

/* strings owned by the lab (freed by lab_free) */
struct lab_strv {
	char **v;
	size_t n;
};

struct lab_dev {
	char name[LAB_NAME_MAX];
	struct lab_if ifs[LAB_MAX_IFS];
	uint64_t mem;		/* bytes, 0: the default */
	char *image;		/* a disk image, NULL: the default rootfs */
	bool bridged;
	int ipv6;		/* -1 unset, 0, 1 */
	int num_terms;		/* -1 unset */
	char *shell;
	struct lab_port *ports;
	size_t nports;
	struct lab_strv exec, sysctl, env;
};

enum lab_cd_mode { LAB_CD_HUB, LAB_CD_SWITCH };

struct lab_cd {
	char name[LAB_NAME_MAX];
	enum lab_cd_mode mode;
};

struct lab {
	char *meta_name, *meta_description, *meta_version, *meta_author, *meta_email, *meta_web;
	struct lab_dev *devs;
	size_t ndevs;
	struct lab_cd *cds;	/* every domain an interface names, in first-use order */
	size_t ncds;
};

/* warnings: called once per ignored option, with "file:line: text" */
typedef void (*lab_warn_fn)(void *ctx, const char *msg);

/* Parse text (the contents of file, named in messages). 0 and *lab
 * filled, or -1 with "file:line: ..." in err (and *lab empty). */
int labconf_parse(const char *file, const char *text, struct lab *lab, lab_warn_fn warn, void *ctx, char *err,
		  size_t errlen);
void lab_free(struct lab *lab);
struct lab_dev *lab_find_dev(struct lab *lab, const char *name);
struct lab_cd *lab_find_cd(struct lab *lab, const char *name);

#endif
