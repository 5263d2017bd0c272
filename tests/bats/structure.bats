#!/usr/bin/env bats
# The layering Documentation/architecture.md promises, checked on the
# built objects rather than trusted:
#   - the kernel is sealed: build/kernel.o exports only
#     kernel-glue/kernel.exports, so host code (arch-um, the drivers' host
#     halves, libext2fs, the COW library) can never bind to the kernel's
#     own memcpy/vsnprintf/...;
#   - the core names no driver: no function or object a driver defines is
#     named in kernel-glue/ or arch-um/;
#   - a driver's host half calls only host code (the host C library,
#     host libraries, arch-um), never the kernel.

load ../lib.sh

OBJ=$UMK_BUILD/obj

need_objects() {
	[ -f "$UMK_BUILD/kernel.o" ] && [ -x "$UMK_BIN" ] || skip "build/kernel.o and build/umk are not built (make all)"
}

# defined_globals OBJECT...: the global symbols the objects define, sorted
defined_globals() {
	nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u
}

@test "the kernel is sealed: build/kernel.o exports exactly kernel-glue/kernel.exports" {
	need_objects
	local want got
	want=$(grep -v '^#' "$UMK_TOP/kernel-glue/kernel.exports" | grep . | sort -u)
	got=$(defined_globals "$UMK_BUILD/kernel.o")
	diff <(echo "$want") <(echo "$got")
}

@test "the kernel's C library is invisible to host code: nm -D and the symbol table expose none of it" {
	need_objects
	local libc name bad=""
	libc=$(defined_globals "$OBJ"/kernel-glue/lib/*.o)
	[ -n "$libc" ]
	# must include the names the issue found exported
	grep -qx memcpy <<<"$libc"
	grep -qx vsnprintf <<<"$libc"
	for name in $libc; do
		# printk is the kernel's exported log entry point, not a libc name
		grep -qx "$name" <(grep -v '^#' "$UMK_TOP/kernel-glue/kernel.exports") && continue
		if nm -D --defined-only "$UMK_BIN" | awk '{ print $3 }' | sed 's/@.*//' | grep -qx "$name"; then
			bad="$bad $name(dynamic)"
		fi
		if nm "$UMK_BIN" | awk '$2 ~ /^[A-Z]$/ && $2 != "U" && $2 != "W" { print $3 }' | grep -qx "$name"; then
			bad="$bad $name(global)"
		fi
	done
	echo "exposed:$bad"
	[ -z "$bad" ]
}

@test "the core names no driver: nothing a driver defines appears in kernel-glue/ or arch-um/" {
	need_objects
	local d syms name bad=""
	for d in "$OBJ"/drivers-virtual/*/; do
		syms=$(defined_globals $(find "$d" -name '*.o'))
		for name in $syms; do
			if grep -rqw --include='*.[chS]' "$name" "$UMK_TOP/kernel-glue" "$UMK_TOP/arch-um"; then
				bad="$bad $name"
			fi
		done
	done
	# nor includes a driver's header
	if grep -rn --include='*.[ch]' 'drivers-virtual' "$UMK_TOP/kernel-glue" "$UMK_TOP/arch-um" | grep '#include'; then
		bad="$bad (an #include of a driver header)"
	fi
	echo "named by the core:$bad"
	[ -z "$bad" ]
}

@test "a driver's host half calls only host code, never the kernel" {
	need_objects
	local kernel o bad="" libc
	# everything the kernel side defines but its C library (those names
	# bind to the host's libc outside the sealed object)
	libc=$(defined_globals "$OBJ"/kernel-glue/lib/*.o | grep -vx -f <(grep -v '^#' "$UMK_TOP/kernel-glue/kernel.exports" | grep .))
	kernel=$(defined_globals $(find "$OBJ/kernel-glue" "$OBJ/drivers-virtual" "$OBJ/arch-um/kernel" -name '*.o' -not -path '*/host/*') |
		grep -vx -f <(echo "$libc"))
	for o in $(find "$OBJ/drivers-virtual" -path '*/host/*' -name '*.o'); do
		local u
		u=$(nm -u "$o" | awk '{ print $2 }' | sort -u | comm -12 - <(echo "$kernel"))
		[ -z "$u" ] || bad="$bad ${o#"$OBJ"/}: $u;"
	done
	echo "host halves calling the kernel:$bad"
	[ -z "$bad" ]
}
