#!/bin/sh
# Builds the include directory kernel-glue is compiled against: only the
# Linux uapi headers (linux/, asm/, asm-generic/), nothing from libc.
set -e
d=$1
mkdir -p "$d"
for sub in linux asm-generic; do
	ln -sfn /usr/include/$sub "$d/$sub"
done
arch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
ln -sfn /usr/include/$arch/asm "$d/asm"
