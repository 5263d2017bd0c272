# gdb helpers for the umk kernel (Documentation/debugging.md), in the
# spirit of Linux's scripts/gdb (lx-ps, lx-dmesg): they read the kernel's
# own structures in a stopped umk, so they work at any breakpoint, in a
# core file, or attached to a running machine.
#
#   umk-ps            every task: pid, tgid, parent, state, command, mm,
#                     resident pages and the host stub serving its mm
#   umk-dmesg         the kernel log ring (what dmesg shows)
#   umk-task PID      one task in detail: ids, credentials, signals,
#                     registers, memory, cwd and root
#   umk-vma PID       the task's memory areas, as /proc/PID/maps
#   umk-files PID     its open files: descriptor, flags, position, path
#
# Loading it (`source scripts/gdb/umk.py`, what scripts/gdb/gdbinit
# does) also sets gdb up for umk: the host signals that are umk's
# interrupts pass through silently, and gdb stays with umk when it forks
# its stub processes. The kernel is one sealed object whose names are
# local symbols, so they are looked up as static symbols first.
import gdb

STATES = "RSDTZX"


def sym(name, typename=None):
    """A kernel variable by name: the sealed kernel's names are static
    symbols, and another file may have a static of the same name (arch-um
    has its own `current`), so the type decides when given."""
    found = list(gdb.lookup_static_symbols(name)) if hasattr(gdb, "lookup_static_symbols") else []
    g = gdb.lookup_global_symbol(name)
    if g is not None:
        found.append(g)
    for s in found:
        if s.is_variable and (typename is None or str(s.type.strip_typedefs()) == typename):
            return s.value()
    raise gdb.GdbError("umk: no symbol %s (is this build/umk with debug info?)" % name)


def offset_of(typename, field):
    return int(gdb.parse_and_eval("(unsigned long)&((%s *)0)->%s" % (typename, field)))


def list_entries(head, typename, field):
    """The structures on a list_head, as Linux's list_for_each_entry."""
    ptr_t = gdb.lookup_type(typename).pointer()
    off = offset_of(typename, field)
    node = head["next"]
    end = head.address
    while int(node) != int(end):
        yield gdb.Value(int(node) - off).cast(ptr_t)
        node = node["next"]


def tasks():
    return list_entries(sym("task_list", "struct list_head"), "struct task", "tasks")


def find_task(pid):
    for t in tasks():
        if int(t["pid"]) == pid:
            return t
    raise gdb.GdbError("umk: no task with pid %d" % pid)


def task_state(t):
    s = int(t["state"])
    return STATES[s] if 0 <= s < len(STATES) else "?"


def cstr(v):
    try:
        return v.string(errors="replace")
    except gdb.MemoryError:
        return "?"


def stub_pid(mm):
    """The host process serving an address space (arch-um's struct um_mm)."""
    if int(mm) == 0 or int(mm["arch"]) == 0:
        return 0
    try:
        return int(mm["arch"].cast(gdb.lookup_type("struct um_mm").pointer())["pid"])
    except gdb.error:
        return 0


def path_str(p):
    """A struct path as an absolute name: dentries up to their mount's
    root, then across to the mount point (the guest root is '/')."""
    mnt, d = p["mnt"], p["dentry"]
    if int(mnt) == 0 or int(d) == 0:
        return "?"
    parts = []
    for _ in range(256):
        root = mnt["mnt_root"]
        at_root = int(d["d_inode"]) == int(root["d_inode"]) or int(d["d_parent"]) == int(d)
        if at_root:
            if int(mnt["mnt_parent"]) == 0:
                break
            d, mnt = mnt["mnt_mountpoint"], mnt["mnt_parent"]
            continue
        parts.append(cstr(d["d_name"]))
        d = d["d_parent"]
    return "/" + "/".join(reversed(parts))


class UmkPs(gdb.Command):
    """List the kernel's tasks: umk-ps"""

    def __init__(self):
        super().__init__("umk-ps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        cur = int(sym("current", "struct task *"))
        gdb.write("%6s %6s %6s %s %-16s %-18s %8s %7s\n" % ("PID", "TGID", "PPID", "S", "COMM", "MM", "RSS(kB)", "STUB"))
        for t in tasks():
            mm = t["mm"]
            parent = t["parent"]
            ppid = int(parent["tgid"]) if int(parent) else 0
            rss = int(mm["rss_pages"]) * 4 if int(mm) else 0
            mark = "*" if int(t) == cur else " "
            gdb.write("%6d %6d %6d %s %-16s 0x%-16x %8d %7d%s\n" % (
                int(t["pid"]), int(t["tgid"]), ppid, task_state(t), cstr(t["comm"]),
                int(mm), rss, stub_pid(mm), mark))


class UmkDmesg(gdb.Command):
    """Print the kernel log ring: umk-dmesg"""

    def __init__(self):
        super().__init__("umk-dmesg", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        buf = sym("log_buf")
        size = int(buf.type.sizeof)
        start, end = int(sym("log_start")), int(sym("log_end"))
        inferior = gdb.selected_inferior()
        base = int(buf.address)
        data = bytearray()
        pos = start
        while pos < end:
            off = pos % size
            n = min(end - pos, size - off)
            data += inferior.read_memory(base + off, n).tobytes()
            pos += n
        for line in data.decode(errors="replace").splitlines():
            # each line is stored with its level, "<6>[    0.000001] ..."
            if len(line) > 3 and line[0] == "<" and line[2] == ">":
                line = line[3:]
            gdb.write(line + "\n")


class UmkTask(gdb.Command):
    """Show one task in detail: umk-task PID"""

    def __init__(self):
        super().__init__("umk-task", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = find_task(parse_pid(arg))
        sig = t["signal"]
        c = t["cred"]
        mm = t["mm"]
        r = t["regs"]
        parent = t["parent"]
        out = [
            "task 0x%x: pid %d tgid %d ppid %d comm %s state %s flags 0x%x" % (
                int(t), int(t["pid"]), int(t["tgid"]), int(parent["tgid"]) if int(parent) else 0,
                cstr(t["comm"]), task_state(t), int(t["flags"])),
            "  uid %d euid %d gid %d egid %d" % (int(c["uid"]), int(c["euid"]), int(c["gid"]), int(c["egid"])),
        ]
        if int(sig):
            out.append("  pgrp %d session %d; signals pending 0x%x blocked 0x%x shared 0x%x" % (
                int(sig["pgrp"]), int(sig["session"]), int(t["pending"]["sig"]) if has_field(t["pending"], "sig") else 0,
                int(t["blocked"]["sig"]) if has_field(t["blocked"], "sig") else 0,
                int(sig["shared_pending"]["sig"]) if has_field(sig["shared_pending"], "sig") else 0))
        out.append("  rip 0x%x rsp 0x%x rax 0x%x orig_rax %d (the guest's registers, saved at its last trap)" % (
            int(r["rip"]), int(r["rsp"]), int(r["rax"]), int(r["orig_rax"])))
        if int(mm):
            out.append("  mm 0x%x: %d resident pages, brk 0x%x-0x%x, stack 0x%x; host stub pid %d" % (
                int(mm), int(mm["rss_pages"]), int(mm["start_brk"]), int(mm["brk"]), int(mm["start_stack"]),
                stub_pid(mm)))
            exe = mm["exe_file"]
            if int(exe):
                out.append("  exe %s" % path_str(exe["f_path"]))
        else:
            out.append("  no mm (a kernel thread)")
        fs = t["fs"]
        if int(fs):
            out.append("  cwd %s root %s" % (path_str(fs["pwd"]), path_str(fs["root"])))
        gdb.write("\n".join(out) + "\n")


def has_field(v, name):
    try:
        return any(f.name == name for f in v.type.strip_typedefs().fields())
    except TypeError:
        return False


def parse_pid(arg):
    try:
        return int(gdb.parse_and_eval(arg))
    except (gdb.error, ValueError):
        raise gdb.GdbError("usage: a guest pid")


class UmkVma(gdb.Command):
    """List a task's memory areas, as /proc/PID/maps: umk-vma PID"""

    def __init__(self):
        super().__init__("umk-vma", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = find_task(parse_pid(arg))
        mm = t["mm"]
        if int(mm) == 0:
            raise gdb.GdbError("umk: pid %d has no address space" % int(t["pid"]))
        v = mm["vmas"]
        while int(v):
            f = int(v["flags"])
            perms = ("r" if f & 1 else "-") + ("w" if f & 2 else "-") + ("x" if f & 4 else "-") + \
                ("s" if f & 8 else "p")
            name = ""
            if int(v["file"]):
                name = path_str(v["file"]["f_path"])
            elif cstr(v["name"]):
                name = cstr(v["name"])
            gdb.write("%012x-%012x %s %08x %s\n" % (int(v["start"]), int(v["end"]), perms,
                                                    int(v["pgoff"]) * 4096, name))
            v = v["next"]


class UmkFiles(gdb.Command):
    """List a task's open files: umk-files PID"""

    def __init__(self):
        super().__init__("umk-files", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        t = find_task(parse_pid(arg))
        files = t["files"]
        if int(files) == 0:
            raise gdb.GdbError("umk: pid %d has no file table" % int(t["pid"]))
        gdb.write("%4s %-10s %-8s %12s %s\n" % ("FD", "FLAGS", "TYPE", "POS", "PATH"))
        for fd in range(int(files["max"])):
            f = files["fd"][fd]
            if int(f) == 0:
                continue
            inode = f["f_inode"]
            mode = int(inode["i_mode"]) if int(inode) else 0
            kind = {0o140000: "socket", 0o120000: "link", 0o100000: "file", 0o60000: "block",
                    0o40000: "dir", 0o20000: "char", 0o10000: "fifo"}.get(mode & 0o170000, "anon")
            gdb.write("%4d 0x%08x %-8s %12d %s\n" % (fd, int(f["f_flags"]), kind, int(f["f_pos"]),
                                                   path_str(f["f_path"])))


UmkPs()
UmkDmesg()
UmkTask()
UmkVma()
UmkFiles()


# Host signals that are umk's interrupts, not events: passed on without
# stopping. SIGALRM is the timer, SIGIO host fd readiness, SIGWINCH the
# host terminal's resize, SIGCHLD the stubs' ptrace stops, SIGVTALRM the
# kick umk sends a running stub, SIGPIPE ignored by umk anyway. SIGTERM
# and SIGHUP press the guest's power button: through, but shown. SIGSEGV
# is a bug in umk (it takes no faults of its own): it stops.
SETTINGS = """
handle SIGALRM nostop noprint pass
handle SIGIO nostop noprint pass
handle SIGWINCH nostop noprint pass
handle SIGCHLD nostop noprint pass
handle SIGVTALRM nostop noprint pass
handle SIGPIPE nostop noprint pass
handle SIGTERM nostop print pass
handle SIGHUP nostop print pass
set follow-fork-mode parent
set detach-on-fork on
set print inferior-events off
set print thread-events off
"""
for line in SETTINGS.strip().splitlines():
    gdb.execute(line, to_string=True)
