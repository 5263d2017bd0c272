#!/bin/sh
# Builds the default directory root filesystem for umk's hostfs root:
#   - Debian's busybox-static as /bin/busybox, with a hard link for every
#     applet in /bin and /sbin (applets busybox would put in /usr/bin and
#     /usr/sbin go to /bin and /sbin too: /usr is Debian's);
#   - Debian's own dynamically linked programs copied from the host into
#     /usr/bin and /usr/sbin (bash, coreutils, grep, sed, mawk, findutils,
#     procps, a few util-linux and ncurses tools, tcpdump, iproute2 ip, python3 with its
#     standard library in /usr/lib/python3.X, strace), with their shared
#     libraries (the ldd closure) in /lib/x86_64-linux-gnu and the dynamic
#     loader /lib64/ld-linux-x86-64.so.2;
#   - busybox init with /etc/inittab, /etc/init.d/rcS and rcK, a getty on
#     the console, a root password ("umk", hashed here with a fixed salt so
#     the image is reproducible);
#   - /init, the simple script init the tests boot with init=/init.
# See Documentation/default-image.md.
#
# usage: rootfs/build-rootfs.sh OUTDIR [BUSYBOX]
#   UMK_ROOT_PASSWORD (default "umk") sets the root password.
set -eu
# Modes in the tree (and in build/rootfs.ext4, made from it) must not
# depend on the builder's umask.
umask 022

out=${1:?usage: build-rootfs.sh OUTDIR [BUSYBOX]}
bb=${2:-/bin/busybox}
here=$(cd "$(dirname "$0")" && pwd)
password=${UMK_ROOT_PASSWORD:-umk}
# A fixed salt: the same password gives the same /etc/shadow on every build.
salt=umkroot0

if [ ! -x "$bb" ]; then
	echo "build-rootfs: $bb not found: install busybox-static (make deps)" >&2
	exit 1
fi
if ! "$bb" --list-full >/dev/null 2>&1; then
	echo "build-rootfs: $bb does not run --list-full" >&2
	exit 1
fi

tmp="$out.new.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
cd "$tmp"

mkdir -p bin sbin usr/bin usr/sbin usr/local/bin usr/share etc/init.d dev proc sys tmp root \
	run var/log var/run var/tmp home mnt lib/x86_64-linux-gnu lib64
chmod 1777 tmp var/tmp
chmod 0700 root
cp "$bb" bin/busybox
chmod 0755 bin/busybox

# Hard links rather than symlinks: exec needs no symlink resolution, and
# argv[0] still names the applet. Every applet goes to /bin or /sbin.
"$bb" --list-full | while read -r app; do
	[ -n "$app" ] || continue
	case $app in
	usr/bin/*) app=bin/${app#usr/bin/} ;;
	usr/sbin/*) app=sbin/${app#usr/sbin/} ;;
	linuxrc) continue ;;
	esac
	mkdir -p "$(dirname "$app")"
	[ -e "$app" ] || ln bin/busybox "$app"
done

# --- Debian's dynamic programs --------------------------------------------
# copy_prog, copy_lib, copy_libs_of (rootfs/host-programs.sh)
missing=""
ndeb=0
. "$here/host-programs.sh"

# coreutils: every program of the package.
coreutils=$(dpkg -L coreutils 2>/dev/null | sed -n 's|^/\(usr/\)\{0,1\}s\{0,1\}bin/\([^/]*\)$|\2|p' | sort -u)
[ -n "$coreutils" ] || coreutils="cat chgrp chmod chown cp date dd df dir echo false ln ls mkdir mknod mv
 pwd readlink rm rmdir sleep stty sync touch true uname head tail sort uniq wc cut tr tee env id
 basename dirname du stat seq printf expr test yes nproc od md5sum sha256sum split tac nl comm join paste"
copy_prog usr/bin bash $coreutils grep egrep fgrep sed mawk find xargs \
	ps top free uptime vmstat pgrep pkill pmap pwdx watch w \
	getopt flock setsid setpriv more rev column hostname which clear tput reset strace
copy_prog usr/sbin sysctl e2fsck tcpdump ip capsh dropbear
# iproute2's tables (rt_tables, rt_protos, ...): ip names routing tables,
# protocols and scopes with them
[ -d /etc/iproute2 ] && cp -a /etc/iproute2 etc/iproute2
# ssh access and network tools: dropbear's sshd (started by rcS), its
# client and key tool, scp (the remote end of an scp), iperf3
copy_prog usr/bin dbclient dropbearkey scp iperf3
# Debian's python3 (lab scripts use it; multiprocessing and the rest of
# the standard library come from libpython3.X-stdlib, which the python3
# package pulls in): /usr/bin/python3.X and Debian's python3 link,
# /usr/lib/python3.X but its test suite, static library and byte code,
# the libraries its extension modules (lib-dynload) link, /etc/python3.X.
# The byte code is compiled here again, hash-checked (PEP 552): the image
# stamps every file with one time, which would make Debian's timestamp-
# checked .pyc files stale (recompiled at every start on a read-only
# root); a hash-checked one holds whatever the times, and still notices
# an edited source.
pybin=$(readlink -f /usr/bin/python3 2>/dev/null || true)
pyver=${pybin##*/}
if [ -x "$pybin" ] && [ -f "/usr/lib/$pyver/os.py" ]; then
	copy_prog usr/bin "$pyver"
	ln -s "$pyver" usr/bin/python3
	mkdir -p usr/lib
	(cd /usr/lib && tar -chf - --exclude=__pycache__ --exclude="$pyver/test" --exclude="$pyver/config-*" "$pyver") |
		tar -C usr/lib -xf -
	for so in usr/lib/"$pyver"/lib-dynload/*.so; do
		copy_libs_of "/$so"
	done
	[ ! -d "/etc/$pyver" ] || cp -RL "/etc/$pyver" etc/
	"$pybin" -I -m compileall -q --invalidation-mode checked-hash -d "/usr/lib/$pyver" "usr/lib/$pyver" >/dev/null ||
		{ echo "build-rootfs: compiling /usr/lib/$pyver failed" >&2; exit 1; }
else
	missing="$missing python3"
fi

# The loader itself, by the path every Debian program names.
cp -L /lib64/ld-linux-x86-64.so.2 lib64/ld-linux-x86-64.so.2
chmod 0755 lib64/ld-linux-x86-64.so.2
# Debian's alternatives and usrmerge links that scripts rely on.
[ -e usr/bin/mawk ] && ln -f usr/bin/mawk usr/bin/awk
[ -e usr/bin/bash ] && ln -f usr/bin/bash bin/bash
[ -e usr/bin/bash ] && ln -f usr/bin/bash usr/bin/rbash
[ -z "$missing" ] || echo "build-rootfs: not on the host, left out:$missing" >&2

# Terminal descriptions for ncurses programs (top, watch, clear, bash's readline).
for t in l/linux v/vt100 v/vt102 v/vt220 x/xterm x/xterm-256color x/xterm-color s/screen s/screen-256color d/dumb a/ansi; do
	for dir in /lib/terminfo /usr/share/terminfo; do
		if [ -f "$dir/$t" ]; then
			mkdir -p "usr/share/terminfo/${t%/*}"
			cp -L "$dir/$t" "usr/share/terminfo/$t"
			break
		fi
	done
done

# --- /etc -----------------------------------------------------------------
shell=/bin/sh
[ -x usr/bin/bash ] && shell=/bin/bash
cat >etc/passwd <<X
root:x:0:0:root:/root:$shell
daemon:x:1:1:daemon:/usr/sbin:/bin/false
tcpdump:x:104:104:tcpdump:/nonexistent:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
X
hash=$("$bb" mkpasswd -m sha512 -S "$salt" "$password")
cat >etc/shadow <<X
root:$hash:19700:0:99999:7:::
daemon:*:19700:0:99999:7:::
tcpdump:*:19700:0:99999:7:::
nobody:*:19700:0:99999:7:::
X
chmod 0640 etc/shadow
cat >etc/group <<'X'
root:x:0:
daemon:x:1:
tty:x:5:
disk:x:6:
shadow:x:42:
users:x:100:
tcpdump:x:104:
nogroup:x:65534:
X
echo umk >etc/hostname
cat >etc/hosts <<'X'
127.0.0.1	localhost
127.0.1.1	umk
X
cat >etc/nsswitch.conf <<'X'
passwd: files
group: files
shadow: files
hosts: files
X
cat >etc/profile <<'X'
# Debian's programs (/usr/bin) first, then busybox's applets (/bin, /sbin).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[ -n "${HOME:-}" ] || export HOME=/root
[ -n "${TERM:-}" ] || export TERM=linux
if [ "$(id -u 2>/dev/null)" = 0 ]; then PS1='\u@\h:\w# '; else PS1='\u@\h:\w$ '; fi
X
cat >root/.bashrc <<'X'
[ -n "${PS1:-}" ] || return
PS1='\u@\h:\w# '
alias ls='ls --color=auto'
X
cat >root/.profile <<'X'
[ -f /etc/profile ] && . /etc/profile
[ -n "${BASH_VERSION:-}" ] && [ -f ~/.bashrc ] && . ~/.bashrc
X
printf '%s\n' /bin/sh /bin/ash /bin/bash /usr/bin/bash >etc/shells
printf '%s\n\n' 'Debian GNU/Linux userland on umk (\n, \l)' >etc/issue
cat >etc/motd <<'X'

umk: a user-mode kernel. Debian's programs are in /usr/bin, busybox in /bin.
`poweroff` shuts the machine down and returns to the host.

X
: >etc/fstab
# dropbear's host keys are made at the first boot (rcS) and kept here
mkdir -p etc/dropbear
# udhcpc's script: the lease's address, routes and DNS servers (busybox
# looks for it here)
mkdir -p usr/share/udhcpc
cat >usr/share/udhcpc/default.script <<'X'
#!/bin/sh
# udhcpc events: deconfig, bound, renew, leasefail, nak.
case $1 in
deconfig)
	ifconfig "$interface" 0.0.0.0 up
	;;
bound|renew)
	ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" ${broadcast:+broadcast "$broadcast"} up
	if [ -n "${router:-}" ]; then
		while route del default gw 0.0.0.0 dev "$interface" 2>/dev/null; do :; done
		for r in $router; do
			route add default gw "$r" dev "$interface"
		done
	fi
	: >/etc/resolv.conf
	for d in ${dns:-}; do
		echo "nameserver $d" >>/etc/resolv.conf
	done
	;;
esac
exit 0
X
chmod 0755 usr/share/udhcpc/default.script
: >var/log/wtmp
: >var/run/utmp

# busybox init: see Documentation/default-image.md.
cat >etc/inittab <<'X'
# /etc/inittab for busybox init on umk.
::sysinit:/etc/init.d/rcS
# The console is the host terminal (umk's /dev/console). getty prints the
# login prompt and runs /bin/login; respawned after every logout.
::respawn:/sbin/getty -L 0 console linux
# The other lines umk was given (conN=, sslN=: /dev/ttyN, /dev/ttySN).
::once:/etc/init.d/gettys
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/rcK
::restart:/sbin/init
X
cat >etc/init.d/rcS <<'X'
#!/bin/sh
# Boot: mount the kernel filesystems (each quietly, when the kernel has it),
# set the hostname.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mounted() { # DIR: already a mount point? (/proc/mounts once /proc is there)
	if [ -r /proc/mounts ]; then
		while read -r _ d _; do
			[ "$d" = "$1" ] && return 0
		done </proc/mounts
		return 1
	fi
	mountpoint -q "$1" 2>/dev/null
}
mnt() { # TYPE DIR [OPTIONS]
	mounted "$2" && return 0
	mkdir -p "$2" 2>/dev/null
	mount -t "$1" ${3:+-o "$3"} "$1" "$2" 2>/dev/null ||
		{ [ -n "${3:-}" ] && mount -t "$1" "$1" "$2" 2>/dev/null; }
}
mnt proc /proc
mnt sysfs /sys
if ! mnt devtmpfs /dev; then
	# no devtmpfs: a tmpfs /dev filled by mdev (or left as it is)
	[ -e /dev/null ] || { mnt tmpfs /dev mode=0755 && mdev -s 2>/dev/null; }
fi
# A root on a disk image, mounted read-only by the kernel (make run): check
# it while nothing writes to it, as Debian's checkroot does (a crash or a
# kill of umk leaves it "not clean"), then make it writable.
root_ro_image() {
	while read -r _ d t o _; do
		[ "$d" = / ] || continue
		case "$t:$o" in ext[234]:ro*) return 0 ;; esac
	done </proc/mounts
	return 1
}
if [ -r /proc/mounts ] && root_ro_image; then
	rd=$(stat -c %D / 2>/dev/null)
	for dev in /dev/ubd?; do
		[ -b "$dev" ] || continue
		[ "$(printf '%x%02x' "0x$(stat -c %t "$dev")" "0x$(stat -c %T "$dev")")" = "$rd" ] || continue
		e2fsck -p "$dev"
		rc=$?
		if [ "$rc" -ge 4 ]; then
			echo "rcS: e2fsck left errors on $dev: / stays read-only; run e2fsck -f $dev" >&2
			continue
		fi
		mount -o remount,rw /
	done
fi
mnt devpts /dev/pts gid=5,mode=620,ptmxmode=0666
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx 2>/dev/null
mnt tmpfs /dev/shm mode=1777
mnt mqueue /dev/mqueue
mnt tmpfs /tmp mode=1777
mnt tmpfs /run mode=0755
# /boot/config-RELEASE, as Debian ships it: the kernel's own (/proc/config.gz),
# written when the root is writable and it changed
cfg=/boot/config-$(uname -r 2>/dev/null)
if [ -r /proc/config.gz ] && zcat /proc/config.gz >/run/config 2>/dev/null; then
	cmp -s /run/config "$cfg" || { mkdir -p /boot 2>/dev/null && cp /run/config "$cfg" 2>/dev/null; }
	rm -f /run/config
fi
# lo: 127.0.0.1/8 and up, as Debian's ifupdown configures it (quietly if
# the kernel has no IPv4)
ifconfig lo 127.0.0.1 netmask 255.0.0.0 up 2>/dev/null
hostname -F /etc/hostname 2>/dev/null
# ip= on the kernel command line: DHCP or a static address (after the
# hostname: ip= may name the host)
/etc/init.d/ipconfig
# sshd: dropbear on port 22. Its host keys are made at the first boot and
# kept in /etc/dropbear (on the disk, or its COW file).
if [ -x /usr/sbin/dropbear ]; then
	for t in ed25519 ecdsa; do
		k=/etc/dropbear/dropbear_${t}_host_key
		[ -s "$k" ] || dropbearkey -t "$t" -f "$k" >/dev/null 2>&1 || rm -f "$k"
	done
	/usr/sbin/dropbear -R -p 22 2>/dev/null
fi
echo "umk: $(uname -sr 2>/dev/null) on $(hostname 2>/dev/null)"
true
X
cat >etc/init.d/ipconfig <<'X'
#!/bin/sh
# ip= from the kernel command line (Linux's nfsroot syntax, checked by
# the kernel at boot), carried out as Linux's in-kernel ipconfig would:
#   ip=dhcp | on | any               DHCP (udhcpc) on the first card
#   ip=CLIENT:SERVER:GW:NETMASK:HOSTNAME:DEVICE:AUTOCONF:DNS0:DNS1
# A CLIENT address means a static configuration; without one, AUTOCONF
# (default any) asks DHCP, off/none leaves the card alone. DEVICE
# defaults to the first ethN card. Run by rcS and by /init.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
v=""
for w in $(cat /proc/cmdline 2>/dev/null); do
	case $w in ip=*) v=${w#ip=} ;; esac
done
case $v in
"" | off | none) exit 0 ;;
on | any | dhcp) set -- "" "" "" "" "" "" dhcp ;;
*)
	oldifs=$IFS
	IFS=:
	# shellcheck disable=SC2086 # split on the colons
	set -- $v
	IFS=$oldifs
	;;
esac
client=${1:-} gw=${3:-} mask=${4:-} host=${5:-} dev=${6:-} auto=${7:-any} dns0=${8:-} dns1=${9:-}
cards=$(sed -n 's/^ *\([^ :]*\):.*/\1/p' /proc/net/dev 2>/dev/null)
if [ -z "$dev" ]; then
	for d in $cards; do
		case $d in eth*) dev=$d && break ;; esac
	done
fi
case " $(echo $cards) " in
*" ${dev:-/} "*) ;;
*)
	echo "ipconfig: ip=$v: no network card${dev:+ $dev}" >&2
	exit 1
	;;
esac
[ -n "$host" ] && hostname "$host"
if [ -n "$dns0$dns1" ]; then
	{ [ -n "$dns0" ] && echo "nameserver $dns0"; [ -n "$dns1" ] && echo "nameserver $dns1"; } >/etc/resolv.conf 2>/dev/null
fi
if [ -n "$client" ]; then
	# shellcheck disable=SC2086 # no netmask: the address class's, as ifconfig
	ifconfig "$dev" "$client" ${mask:+netmask "$mask"} up || exit 1
	[ -z "$gw" ] || route add default gw "$gw" dev "$dev" || exit 1
	exit 0
fi
case $auto in
off | none) exit 0 ;;
esac
ifconfig "$dev" up || exit 1
# a lease within about 10 s, then udhcpc stays in the background to renew it
exec udhcpc -i "$dev" -t 5 -T 2 -A 5 -b -p "/run/udhcpc.$dev.pid" -s /etc/udhcpc/default.script
X
mkdir -p etc/udhcpc
cat >etc/udhcpc/default.script <<'X'
#!/bin/sh
# udhcpc's hook (busybox): applies a lease to $interface, takes it back.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
case $1 in
deconfig)
	ifconfig "$interface" 0.0.0.0
	;;
bound | renew)
	# shellcheck disable=SC2086,SC2154 # udhcpc sets these
	ifconfig "$interface" "$ip" ${subnet:+netmask "$subnet"} ${broadcast:+broadcast "$broadcast"} up
	if [ -n "${router:-}" ]; then
		while route del default gw 0.0.0.0 dev "$interface" 2>/dev/null; do :; done
		metric=0
		for r in $router; do
			route add default gw "$r" dev "$interface" metric "$metric"
			metric=$((metric + 1))
		done
	fi
	if [ -n "${dns:-}" ]; then
		{ [ -n "${domain:-}" ] && echo "search $domain"; for d in $dns; do echo "nameserver $d"; done; } >/etc/resolv.conf 2>/dev/null
	fi
	echo "udhcpc: $interface: $ip${subnet:+/$subnet}${router:+ router $router}"
	;;
esac
exit 0
X
chmod 0755 etc/init.d/ipconfig etc/udhcpc/default.script
cat >etc/init.d/rcK <<'X'
#!/bin/sh
# Shutdown (busybox init runs this before killing everything and powering off).
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
echo "umk: shutting down"
sync
for d in /run /tmp /dev/mqueue /dev/shm /dev/pts; do
	umount "$d" 2>/dev/null
done
true
X
cat >etc/init.d/gettys <<'X'
#!/bin/sh
# A getty on every line the kernel has besides the console: the virtual
# consoles (conN=: /dev/ttyN) and serial lines (sslN=: /dev/ttySN) umk
# was started with. inittab cannot name them (which exist is known at
# boot), so each gets a loop here doing what init's respawn does, and,
# as sysvinit, giving up on a line whose getty dies at once three times
# over (a line with no input: null, file:).
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
for dev in /dev/tty[1-9] /dev/tty[1-9][0-9] /dev/ttyS[0-9] /dev/ttyS[0-9][0-9]; do
	[ -c "$dev" ] || continue
	line=${dev#/dev/}
	case $line in ttyS*) term=vt100 ;; *) term=linux ;; esac
	(
		fast=0
		while [ -c "$dev" ] && [ "$fast" -lt 3 ]; do
			t0=$(date +%s)
			setsid getty -L 0 "$line" "$term"
			if [ $(($(date +%s) - t0)) -lt 2 ]; then fast=$((fast + 1)); else fast=0; fi
			sleep 1
		done
	) </dev/null >/dev/null 2>&1 &
done
X
chmod 0755 etc/init.d/rcS etc/init.d/rcK etc/init.d/gettys

cp "$here/init" init
chmod 0755 init

cd - >/dev/null
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "build-rootfs: $out: $("$bb" --list-full | wc -l) busybox applets, $ndeb Debian programs ($(du -sh "$out" | cut -f1))"
