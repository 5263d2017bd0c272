#!/usr/bin/env bash
# `make run`: boots the default guest from build/rootfs.ext4 with busybox
# init and the console on this terminal, to a login prompt: log in as
# root with password "umk" (Documentation/default-image.md). `poweroff` in
# the guest shuts it down and returns here.
#
# The image is the read-only base; everything the guest writes goes to a
# copy-on-write file, build/umk-run.cow (UMK_COW=FILE to choose another),
# created at the first boot and kept between runs. Deleting it is "undo":
# the next boot starts from the pristine image again.
#
# The guest has a network card, eth0, on slirp (user networking: NAT to
# the host's networks, DHCP and DNS, no privileges) with the host's port
# 2222 on 127.0.0.1 forwarded to the guest's port 22, and ip=dhcp, so the
# image's rcS configures it with udhcpc (Documentation/networking.md).
# UMK_NET= changes it: UMK_NET=none for no card, or the options to use
# instead, e.g. UMK_NET='eth0=daemon,,unix,/tmp/lab.ctl ip=10.0.0.2::10.0.0.1'.
# An eth0= argument wins too (and drops the ip=dhcp), as does an ip= one.
#
# Extra arguments are added to the kernel command line, e.g.
# `bash scripts/run-default.sh mode=tt mem=256M`; `--hostfs` as the first
# argument boots the staged directory build/rootfs-dir through hostfs
# instead (writes then go straight to that directory).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/umk ] || { echo "run-default: build/umk is not built (make all)" >&2; exit 1; }
hostfs=false
if [ "${1:-}" = --hostfs ]; then
	shift
	hostfs=true
fi
net=()
if [ "${UMK_NET-}" != none ]; then
	read -r -a net <<<"${UMK_NET:-eth0=slirp,hostfwd=tcp:127.0.0.1:2222-:22 ip=dhcp}"
	for a in "$@"; do
		case $a in
		eth0=*) net=() ;;
		ip=*) for i in "${!net[@]}"; do case ${net[$i]} in ip=*) unset "net[$i]" ;; esac; done ;;
		esac
	done
fi
if $hostfs; then
	[ -f build/rootfs-dir/etc/inittab ] || { echo "run-default: build/rootfs-dir is not built (make rootfs)" >&2; exit 1; }
	exec build/umk mem=256M root=/dev/root rootfstype=hostfs hostfs=build/rootfs-dir init=/sbin/init rw "${net[@]}" "$@"
fi
image=build/rootfs.ext4
cow=${UMK_COW:-build/umk-run.cow}
[ -f "$image" ] || { echo "run-default: $image is not built (make rootfs)" >&2; exit 1; }
if [ -e "$cow" ] && ! problem=$(build/umk-cow check "$cow" 2>&1); then
	echo "run-default: $cow cannot be used with $image:" >&2
	echo "$problem" | sed 's/^/  /' >&2
	echo "run-default: if the image was rebuilt (make rootfs), the guest's changes in $cow" >&2
	echo "  belong to the old one: delete $cow to start again from the new image." >&2
	exit 1
fi
[ -e "$cow" ] || echo "run-default: first boot: the guest's changes go to $cow (delete it to undo them)"
# ro: the image is mounted read-only first; /etc/init.d/rcS checks it with
# e2fsck -p and remounts it read-write (as a distribution boots).
exec build/umk mem=256M "ubd0=$cow,$image" root=/dev/ubda init=/sbin/init ro "${net[@]}" "$@"
