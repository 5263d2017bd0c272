/* Capabilities through libcap-ng: the helper may be root or carry a file
 * capability (setcap cap_net_admin+ep); either way, before touching any
 * input it narrows itself to CAP_NET_ADMIN, and drops that after the one
 * operation it was asked for. */
#include "umknet.h"

#include <cap-ng.h>
#include <stdio.h>

int caps_keep_net_admin(void)
{
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		fprintf(stderr, "umk-net: CAP_NET_ADMIN is needed: run as root, or install with "
				"'setcap cap_net_admin+ep umk-net'\n");
		return -1;
	}
	capng_clear(CAPNG_SELECT_BOTH);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	if (capng_apply(CAPNG_SELECT_BOTH) < 0) {
		/* Without CAP_SETPCAP the bounding set cannot shrink; the
		 * effective/permitted sets are what matters for us. */
		if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
			fprintf(stderr, "umk-net: cannot narrow capabilities\n");
			return -1;
		}
	}
	return 0;
}

void caps_drop_all(void)
{
	capng_clear(CAPNG_SELECT_CAPS);
	capng_apply(CAPNG_SELECT_CAPS);
}
