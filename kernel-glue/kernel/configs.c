/* /proc/config.gz: the kernel's configuration in Linux's CONFIG_ names,
 * for tools and test suites that read it to decide what to expect (LTP,
 * container checkers, systemd). It must say the truth, and stay true as
 * features land: so most entries are not written down as y or n but
 * asked of the registries at read time: is there a system call of that
 * name, a filesystem type, a socket family. The few fixed ones are facts
 * of the design (one virtual CPU, no loadable modules interface without
 * init_module, which is itself asked). The text is gzip'd with stored
 * (uncompressed) deflate blocks: any gzip reader takes it, and the kernel
 * needs no compressor. */
#include <umk/fs.h>
#include <umk/net.h>
#include <umk/proc.h>
#include <umk/syscall.h>

enum how { FIXED_Y, FIXED_N, SYSCALL, FSTYPE, FAMILY, VALUE };

struct cfg {
	const char *name;	/* without CONFIG_ */
	enum how how;
	const char *arg;	/* the syscall, filesystem type or value */
	int family;
};

#define CY(n) { n, FIXED_Y, NULL, 0 }
#define CN(n) { n, FIXED_N, NULL, 0 }
#define CSYS(n, sc) { n, SYSCALL, sc, 0 }
#define CFS(n, type) { n, FSTYPE, type, 0 }
#define CFAM(n, fam) { n, FAMILY, NULL, fam }
#define CVAL(n, v) { n, VALUE, v, 0 }

static const struct cfg cfgs[] = {
	CY("64BIT"), CY("X86_64"), CY("X86"), CY("MMU"),
	CY("UMK"),
	CVAL("LOCALVERSION", "\"-umk\""),
	CN("SMP"),	/* one virtual CPU */
	CVAL("NR_CPUS", "1"),
	CSYS("MODULES", "init_module"),
	CY("MULTIUSER"), CY("PRINTK"), CY("TTY"),
	CY("BINFMT_ELF"), CY("BINFMT_SCRIPT"),
	CY("BLK_DEV_UBD"),
	/* system calls */
	CSYS("SYSVIPC", "shmget"), CSYS("POSIX_MQUEUE", "mq_open"),
	CSYS("FUTEX", "futex"), CSYS("EPOLL", "epoll_create1"),
	CSYS("SIGNALFD", "signalfd4"), CSYS("TIMERFD", "timerfd_create"),
	CSYS("EVENTFD", "eventfd2"), CSYS("AIO", "io_setup"),
	CSYS("IO_URING", "io_uring_setup"), CSYS("INOTIFY_USER", "inotify_init1"),
	CSYS("FANOTIFY", "fanotify_init"), CSYS("FHANDLE", "name_to_handle_at"),
	CSYS("SECCOMP", "seccomp"), CSYS("SECCOMP_FILTER", "seccomp"),
	CSYS("BPF_SYSCALL", "bpf"),
	CSYS("MEMBARRIER", "membarrier"), CSYS("USERFAULTFD", "userfaultfd"),
	CSYS("KCMP", "kcmp"), CSYS("ADVISE_SYSCALLS", "madvise"),
	CSYS("MEMFD_CREATE", "memfd_create"), CSYS("BSD_PROCESS_ACCT", "acct"),
	CSYS("CROSS_MEMORY_ATTACH", "process_vm_readv"), CSYS("FILE_LOCKING", "flock"),
	CSYS("SYSFS_SYSCALL", "sysfs"), CSYS("NAMESPACES", "setns"),
	CSYS("CHECKPOINT_RESTORE", "kcmp"),
	/* filesystems */
	CFS("PROC_FS", "proc"), CFS("SYSFS", "sysfs"), CFS("TMPFS", "tmpfs"),
	CFS("SHMEM", "tmpfs"), CFS("DEVTMPFS", "devtmpfs"),
	CFS("UNIX98_PTYS", "devpts"), CFS("EXT2_FS", "ext2"),
	CFS("EXT3_FS", "ext3"), CFS("EXT4_FS", "ext4"), CFS("HOSTFS", "hostfs"),
	CFS("CGROUPS", "cgroup2"), CFS("FUSE_FS", "fuse"), CFS("ISO9660_FS", "iso9660"),
	CFS("VFAT_FS", "vfat"), CFS("SQUASHFS", "squashfs"), CFS("OVERLAY_FS", "overlay"),
	/* networking */
	CFAM("UNIX", AF_UNIX), CFAM("INET", AF_INET),
	CFAM("IPV6", 10), CFAM("PACKET", AF_PACKET),
};

static bool cfg_set(const struct cfg *c)
{
	switch (c->how) {
	case FIXED_Y: case VALUE: return true;
	case FIXED_N: return false;
	case SYSCALL: return syscall_implemented(c->arg);
	case FSTYPE: return get_fs_type(c->arg) != NULL;
	case FAMILY: return net_family_registered(c->family);
	}
	return false;
}

static void config_text(struct sbuf *t)
{
	sbuf_printf(t, "#\n# Automatically generated file; DO NOT EDIT.\n"
		       "# Linux/x86_64 6.1.0-umk Kernel Configuration\n#\n");
	bool net = false;
	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++) {
		const struct cfg *c = &cfgs[i];
		bool on = cfg_set(c);
		if (c->how == FAMILY && on)
			net = true;
		if (c->how == VALUE)
			sbuf_printf(t, "CONFIG_%s=%s\n", c->name, c->arg);
		else if (on)
			sbuf_printf(t, "CONFIG_%s=y\n", c->name);
		else
			sbuf_printf(t, "# CONFIG_%s is not set\n", c->name);
	}
	sbuf_printf(t, net ? "CONFIG_NET=y\n" : "# CONFIG_NET is not set\n");
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

/* gzip (RFC 1952) of n bytes in stored deflate blocks (RFC 1951 3.2.4). */
static void gzip_stored(struct sbuf *out, const char *data, size_t n)
{
	static const uint8_t header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	sbuf_putmem(out, header, sizeof(header));
	size_t off = 0;
	do {
		size_t len = n - off > 65535 ? 65535 : n - off;
		uint8_t b[5] = { off + len == n ? 1 : 0, len, len >> 8, ~len, (~len) >> 8 };
		sbuf_putmem(out, b, sizeof(b));
		sbuf_putmem(out, data + off, len);
		off += len;
	} while (off < n);
	uint8_t trailer[8];
	put_le32(trailer, crc32_le(0, data, n));
	put_le32(trailer + 4, (uint32_t)n);
	sbuf_putmem(out, trailer, sizeof(trailer));
}

static int config_gz_show(struct sbuf *out, void *data)
{
	(void)data;
	struct sbuf t;
	sbuf_init(&t);
	config_text(&t);
	gzip_stored(out, t.buf, t.len);
	sbuf_free(&t);
	return 0;
}
DEFINE_PROC_FILE(config_gz, "config.gz", 0444, config_gz_show, NULL, NULL);
