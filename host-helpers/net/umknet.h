/* umk-net: the privileged tap helper. It creates persistent tap devices
 * for a user, configures and destroys them, and touches nothing else: a
 * device is "ours" only if its name has our prefix, it is a tun/tap owned
 * by the user, and it carries our ownership mark in its alias. */
#ifndef UMK_NET_H
#define UMK_NET_H

#include <stddef.h>
#include <sys/types.h>

#define UMKNET_PREFIX "umk"
#define UMKNET_MARK "umk-net:uid=" /* ifalias = mark + owner uid */
#define UMKNET_MAX_PER_USER 32

/* caps.c: keep only CAP_NET_ADMIN, then drop even that. */
int caps_keep_net_admin(void);
void caps_drop_all(void);

/* tap.c */
int tap_create(const char *name, uid_t owner, gid_t group, int set_group, char *out, size_t outlen);
int tap_destroy(const char *name);
int tap_set_alias(const char *name, const char *alias);
int tap_set_addr_up(const char *name, const char *cidr, int up);

/* owner.c: sysfs facts about an interface. */
int if_exists(const char *name);
int if_owned_by(const char *name, uid_t uid); /* 1 ours and uid's, 0 not, with a reason */
const char *if_not_ours_reason(void);
int if_count_owned(uid_t uid);
void if_list_ours(void);

#endif
