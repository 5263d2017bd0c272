#!/usr/bin/env bash
# `make run`: boots the default guest (build/rootfs-dir) with busybox init
# and the console on this terminal, to a login prompt: log in as root with
# password "umk" (Documentation/default-image.md). `poweroff` in the guest
# shuts it down and returns here. Extra arguments are added to the kernel
# command line, e.g. `bash scripts/run-default.sh mode=tt mem=256M`;
# `init=/init` gives the old single-shell init instead.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/umk ] || { echo "run-default: build/umk is not built (make all)" >&2; exit 1; }
[ -x build/rootfs-dir/bin/busybox ] || { echo "run-default: build/rootfs-dir is not built (make rootfs)" >&2; exit 1; }
[ -f build/rootfs-dir/etc/inittab ] || { echo "run-default: build/rootfs-dir is out of date (make rootfs)" >&2; exit 1; }
exec build/umk mem=256M root=/dev/root rootfstype=hostfs hostfs=build/rootfs-dir init=/sbin/init rw "$@"
