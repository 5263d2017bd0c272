/* /proc/net/packet, in Linux's layout (packet_seq_show): every packet
 * socket, oldest first. The "sk" column is a kernel address, which Linux
 * hides as kptr_restrict=2 does (zeros); RefCnt is what Linux's would be
 * (2, plus 1 while the tap is on). */
#include <umk/proc.h>
#include "packet.h"

static int packet_show(struct sbuf *o, void *data __unused)
{
	sbuf_printf(o, "%-17sRefCnt Type Proto  Iface R Rmem   User   Inode\n", "sk");
	struct packet_sock *po;
	list_for_each_entry(po, &packet_socks, all) {
		struct socket *s = po->sock;
		const struct inode *ino = s->file ? s->file->f_inode : NULL;
		sbuf_printf(o, "%016llx %-6d %-4d %04x   %-5d %1d %-6u %-6u %-6llu\n", 0ULL, po->running ? 3 : 2, s->type,
			    po->num, po->ifindex, po->running, (unsigned)po->rmem, ino ? (unsigned)ino->i_uid : 0,
			    ino ? (unsigned long long)ino->i_ino : 0ULL);
	}
	return 0;
}
DEFINE_PROC_FILE(net_packet, "net/packet", 0444, packet_show, NULL, NULL);
