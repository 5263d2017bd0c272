/* The management console's command table, and the commands that need
 * only a line each: UML's set (arch/um/drivers/mconsole_kern.c), same
 * names and replies. */
#include <umk/reboot.h>
#include <umk/sysrq.h>
#include <umk/utsname.h>
#include "mc_internal.h"
#include "../gdbstub/gdbstub.h"

static void cmd_version(struct mc_req *r, const char *arg __unused)
{
	struct new_utsname u;
	kernel_uname(&u);
	mc_reply(r, false, "%s %s %s %s %s", u.sysname, u.nodename, u.release, u.version, u.machine);
}

static void cmd_help(struct mc_req *r, const char *arg __unused)
{
	struct sbuf b;
	sbuf_init(&b);
	sbuf_printf(&b, "Commands:\n");
	for (size_t i = 0; i < mc_ncmds; i++)
		sbuf_printf(&b, "    %s\n", mc_cmds[i].help);
	mc_reply_text(r, false, b.buf, b.len);
	sbuf_free(&b);
}

/* halt and reboot stop the machine at once, as UML's: no shutdown in
 * the guest; unlike UML the filesystems are written out clean first. */
static void cmd_halt(struct mc_req *r, const char *arg __unused)
{
	mc_reply(r, false, "%s", "");
	kernel_stop("reboot: System halted (mconsole)", UMK_EXIT_POWEROFF);
}

static void cmd_reboot(struct mc_req *r, const char *arg __unused)
{
	mc_reply(r, false, "%s", "");
	kernel_stop("reboot: Restarting system (mconsole; umk exits with status 3)", UMK_EXIT_REBOOT);
}

static void cmd_cad(struct mc_req *r, const char *arg __unused)
{
	mc_reply(r, false, "%s", "");
	ctrl_alt_del();
}

/* The kernel log lines the key produces are the answer. */
static void cmd_sysrq(struct mc_req *r, const char *arg)
{
	if (!arg[0] || arg[1]) {
		mc_reply(r, true, "sysrq takes one key (sysrq h lists them)");
		return;
	}
	struct sbuf out;
	sbuf_init(&out);
	printk_capture(&out);
	handle_sysrq(arg[0]);
	printk_capture(NULL);
	mc_reply_text(r, false, out.buf ? out.buf : "", out.len);
	sbuf_free(&out);
}

static void cmd_log(struct mc_req *r, const char *arg)
{
	if (*arg)
		printk(KERN_INFO "%s\n", arg);
	mc_reply(r, false, "%s", "");
}

/* A guest process for host gdb (Documentation/debugging-guest.md): the
 * stub stops it and serves it on gdbstub='s endpoint. */
static void cmd_gdbstub(struct mc_req *r, const char *arg)
{
	long long pid;
	if (kstrtoll(arg, 10, &pid) || pid <= 0 || pid > 0x7fffffff) {
		mc_reply(r, true, "gdbstub takes a process id");
		return;
	}
	int e = gdbstub_start((pid_t)pid);
	if (e == -ENODEV)
		mc_reply(r, true, "no gdbstub= on the command line");
	else if (e == -EBUSY)
		mc_reply(r, true, "the gdbstub serves another process already");
	else if (e == -EPERM)
		mc_reply(r, true, "process %lld is traced already or a kernel thread", pid);
	else if (e)
		mc_reply(r, true, "process %lld: %s", pid, e == -ESRCH ? "No such process" : mc_strerror(-e));
	else
		mc_reply(r, false, "process %lld stops for gdb at %s", pid, gdbstub_endpoint());
}

const struct mc_cmd mc_cmds[] = {
	{ "version", cmd_version, true, "version - Get kernel version" },
	{ "help", cmd_help, true, "help - Print this message" },
	{ "halt", cmd_halt, true, "halt - Halt UML (filesystems written out clean first)" },
	{ "reboot", cmd_reboot, true, "reboot - Reboot UML (umk exits with status 3)" },
	{ "config", mc_cmd_config, false, "config <dev>=<config> - Add a new device to UML; same syntax as command line" },
	{ "config", mc_cmd_config, false, "config <dev> - Query the configuration of a device" },
	{ "remove", mc_cmd_remove, false, "remove <dev> - Remove a device from UML" },
	{ "sysrq", cmd_sysrq, true, "sysrq <letter> - Performs the SysRq action controlled by the letter" },
	{ "cad", cmd_cad, false, "cad - invoke the Ctrl-Alt-Del handler" },
	{ "stop", mc_cmd_stop, false, "stop - pause the UML; it will do nothing until it receives a 'go'" },
	{ "go", mc_cmd_go, true, "go - continue the UML after a 'stop'" },
	{ "log", cmd_log, true, "log <string> - make UML enter <string> into the kernel log" },
	{ "proc", mc_cmd_proc, false, "proc <file> - returns the contents of the UML's /proc/<file>" },
	{ "gdbstub", cmd_gdbstub, false, "gdbstub <pid> - stop a guest process and serve it to host gdb (gdbstub=)" },
};
const size_t mc_ncmds = ARRAY_SIZE(mc_cmds);

const struct mc_cmd *mc_find(const char *name, size_t len)
{
	for (size_t i = 0; i < mc_ncmds; i++)
		if (strlen(mc_cmds[i].name) == len && !strncmp(mc_cmds[i].name, name, len))
			return &mc_cmds[i];
	return NULL;
}

const char *mc_strerror(int err)
{
	switch (err) {
	case ENOENT: return "No such file or directory";
	case ENODEV: return "No such device";
	case ENXIO: return "No such device or address";
	case EEXIST: return "File exists";
	case EBUSY: return "Device or resource busy";
	case EACCES: return "Permission denied";
	case EPERM: return "Operation not permitted";
	case EISDIR: return "Is a directory";
	case ENOTDIR: return "Not a directory";
	case EINVAL: return "Invalid argument";
	case ENOMEM: return "Cannot allocate memory";
	case ENOSPC: return "No space left on device";
	case EROFS: return "Read-only file system";
	case ENAMETOOLONG: return "File name too long";
	case EIO: return "Input/output error";
	default: return "error";
	}
}
