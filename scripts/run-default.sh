#!/usr/bin/env bash
# `make run`: boots the default busybox guest (build/rootfs-dir) with the
# console on this terminal. At the guest shell, `exit` (or `poweroff -f`)
# shuts it down. Extra arguments are added to the kernel command line,
# e.g. `bash scripts/run-default.sh mode=tt mem=128M`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x build/umk ] || { echo "run-default: build/umk is not built (make all)" >&2; exit 1; }
[ -x build/rootfs-dir/bin/busybox ] || { echo "run-default: build/rootfs-dir is not built (make rootfs)" >&2; exit 1; }
exec build/umk root=/dev/root rootfstype=hostfs hostfs=build/rootfs-dir init=/init rw "$@"
