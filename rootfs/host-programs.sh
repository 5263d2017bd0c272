# Copying Debian's programs from the host into a root filesystem, with
# the shared libraries they load (their ldd closure), at the paths Debian
# has them. Sourced, in the root's directory, by rootfs/build-rootfs.sh
# and rootfs/add-gdb.sh; they keep $missing (programs the host lacks) and
# $ndeb (programs copied).

# copy_lib HOSTPATH: one shared library (symlinks followed) at the same
# path in the image, /lib and /lib64 being real directories here.
copy_lib() {
	case $1 in
	/usr/lib/*) dst=lib/${1#/usr/lib/} ;;
	/usr/lib64/*) dst=lib64/${1#/usr/lib64/} ;;
	/*) dst=${1#/} ;;
	*) return 0 ;;
	esac
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	cp -L "$1" "$dst"
}

# copy_prog DIR NAME...: host program NAME (from PATH) into DIR, with its
# ldd closure. Programs the host lacks are reported and left out.
copy_prog() {
	d=$1
	shift
	for name in "$@"; do
		src=""
		for dir in /usr/bin /bin /usr/sbin /sbin; do
			if [ -f "$dir/$name" ] && [ -x "$dir/$name" ]; then
				src=$dir/$name
				break
			fi
		done
		if [ -z "$src" ]; then
			missing="$missing $name"
			continue
		fi
		cp -L "$src" "$d/$name"
		chmod 0755 "$d/$name"
		ndeb=$((ndeb + 1))
		if head -c 4 "$src" | grep -q ELF; then
			copy_libs_of "$src"
		fi
	done
}

# copy_libs_of FILE: the ldd closure of a host program or shared object.
copy_libs_of() {
	for lib in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		copy_lib "$lib"
	done
}

