#!/usr/bin/env bats
# umk-cow and the COW library against Debian's uml-utilities (uml_mkcow,
# uml_moo) in both directions, and bad inputs: one-line errors, non-zero
# exit, and no file written (checksums of the whole directory compared).

ROOT_DIR="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
COW="${UMK_COW:-$ROOT_DIR/build/umk-cow}"
CW="$ROOT_DIR/build/tests/cow-write"

setup() {
	[ -x "$COW" ] || skip "not built: make build/umk-cow"
	D="$BATS_TEST_TMPDIR/d"
	mkdir -p "$D"
	# 4 MiB backing image with recognisable contents, fixed mtime
	head -c 4194304 /dev/urandom >"$D/base.img"
	touch -d '2024-01-02 03:04:05' "$D/base.img"
}

need_uml() {
	command -v uml_mkcow >/dev/null && command -v uml_moo >/dev/null ||
		skip "uml-utilities not installed (make deps)"
}
need_cw() {
	[ -x "$CW" ] || skip "not built: make $CW"
}

# state of every file below $D: names, sizes, mtimes, checksums
snap() {
	(cd "$D" && find . -printf '%p %s %T@ %y\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# write COUNT sectors of fresh random data at SECTOR into COW through the
# library, and into the expected image EXP with dd
write_sectors() { # COW EXP SECTOR COUNT
	head -c $(($4 * 512)) /dev/urandom >"$D/chunk"
	"$CW" "$1" "$3" "$4" <"$D/chunk"
	dd if="$D/chunk" of="$2" bs=512 seek="$3" conv=notrunc status=none
	rm -f "$D/chunk"
}

field() { # FILE NAME -> value from umk-cow info
	"$COW" info "$1" | sed -n "s/^$2: *//p"
}

# expects: non-zero status, exactly one line, naming $1 and matching $2
one_line_error() {
	echo "status=$status output=$output"
	[ "$status" -ne 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == umk-cow:* ]]
	[[ "$output" == *"$1"* ]]
	[[ "$output" == *$2* ]]
}

@test "--help lists the commands" {
	run "$COW" --help
	[ "$status" -eq 0 ]
	for c in create info check merge; do [[ "$output" == *"$c"* ]]; done
	run "$COW" frobnicate
	[ "$status" -eq 2 ]
}

@test "uml_mkcow file: umk-cow info and check agree with its header" {
	need_uml
	cd "$D"
	uml_mkcow u.cow base.img
	run "$COW" check u.cow
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(field u.cow version)" = 3 ]
	[ "$(field u.cow 'backing file')" = "$D/base.img" ]
	[ "$(field u.cow 'backing size')" = "4194304 bytes" ]
	[ "$(field u.cow 'backing mtime' | cut -d' ' -f1)" = "$(stat -c %Y base.img)" ]
	[ "$(field u.cow 'sector size')" = 512 ]
	[ "$(field u.cow alignment)" = 4096 ]
	[ "$(field u.cow 'bitmap offset')" = 8192 ]
	[ "$(field u.cow 'bitmap length')" = "1024 bytes" ]
	[ "$(field u.cow 'data offset')" = 12288 ]
	[ "$(field u.cow 'sectors changed')" = "0 (0 bytes)" ]
	[ "$(stat -c %s u.cow)" -eq $((12288 + 4194304)) ]
}

@test "umk-cow create is byte-identical to uml_mkcow (relative path made absolute)" {
	need_uml
	cd "$D"
	uml_mkcow u.cow base.img
	"$COW" create m.cow base.img
	cmp u.cow m.cow
	[ "$(stat -c %s m.cow)" = "$(stat -c %s u.cow)" ]
	# sparse: only the header block is allocated
	[ "$(stat -c %b m.cow)" -le 64 ]
	run "$COW" create m.cow base.img
	one_line_error m.cow "exists"
	"$COW" create -f m.cow base.img
	cmp u.cow m.cow
}

@test "library-written COW: uml_moo and umk-cow merge make identical images" {
	need_uml
	need_cw
	cd "$D"
	"$COW" create c.cow base.img
	cp base.img expected.img
	write_sectors c.cow expected.img 0 1
	write_sectors c.cow expected.img 7 3
	write_sectors c.cow expected.img 63 130
	write_sectors c.cow expected.img 8191 1
	[ "$(field c.cow 'sectors changed')" = "135 (69120 bytes)" ]
	"$COW" check c.cow
	base_sum=$(sha256sum <base.img)
	uml_moo c.cow moo.img
	"$COW" merge c.cow umk.img
	cmp moo.img expected.img
	cmp umk.img expected.img
	[ "$(sha256sum <base.img)" = "$base_sum" ]
}

@test "uml_mkcow file written through the library merges with uml_moo -d and umk-cow in place alike" {
	need_uml
	need_cw
	mkdir "$D/a" "$D/b"
	cp -p "$D/base.img" "$D/a/base.img"
	cp -p "$D/base.img" "$D/b/base.img"
	cp "$D/base.img" "$D/expected.img"
	uml_mkcow "$D/a/c.cow" "$D/a/base.img"
	"$COW" create "$D/b/c.cow" "$D/b/base.img"
	for s in 5 100 4000; do
		head -c 2048 /dev/urandom >"$D/chunk"
		"$CW" "$D/a/c.cow" $s 4 <"$D/chunk"
		"$CW" "$D/b/c.cow" $s 4 <"$D/chunk"
		dd if="$D/chunk" of="$D/expected.img" bs=512 seek=$s conv=notrunc status=none
	done
	uml_moo -d "$D/a/c.cow"
	"$COW" merge "$D/b/c.cow"
	cmp "$D/a/base.img" "$D/expected.img"
	cmp "$D/b/base.img" "$D/expected.img"
	# the COW no longer matches its (changed) backing file
	run "$COW" check "$D/b/c.cow"
	[ "$status" -ne 0 ]
}

@test "uml_moo output equals umk-cow merge output for a uml_mkcow COW" {
	need_uml
	need_cw
	cd "$D"
	uml_mkcow u.cow base.img
	cp base.img expected.img
	write_sectors u.cow expected.img 2 2
	write_sectors u.cow expected.img 4096 17
	uml_moo u.cow moo.img
	"$COW" merge u.cow umk.img
	cmp moo.img umk.img
	cmp umk.img expected.img
}

# ---- bad inputs: one line, non-zero, nothing written ----

@test "bad input: corrupt magic" {
	need_cw
	cd "$D"
	"$COW" create c.cow base.img
	printf 'XXXX' | dd of=c.cow conv=notrunc status=none
	before=$(snap)
	for cmd in info check merge; do
		run "$COW" $cmd c.cow
		one_line_error c.cow "bad magic*expected a UML COW file"
	done
	run "$COW" merge c.cow out.img
	one_line_error c.cow "bad magic"
	[ "$(snap)" = "$before" ]
	[ ! -e out.img ]
}

@test "bad input: truncated header" {
	cd "$D"
	"$COW" create c.cow base.img
	head -c 100 c.cow >t.cow
	before=$(snap)
	for cmd in info check merge; do
		run "$COW" $cmd t.cow
		one_line_error t.cow "truncated COW v3 header: 100 bytes, expected 4128"
	done
	[ "$(snap)" = "$before" ]
}

@test "bad input: backing file changed (mtime, size)" {
	cd "$D"
	"$COW" create c.cow base.img
	touch -d '2025-05-05 05:05:05' base.img
	before=$(snap)
	run "$COW" check c.cow
	one_line_error base.img "mtime changed"
	run "$COW" merge c.cow
	one_line_error base.img "mtime changed"
	run "$COW" merge c.cow out.img
	one_line_error base.img "mtime changed"
	[ ! -e out.img ]
	[ "$(snap)" = "$before" ]
	touch -d '2024-01-02 03:04:05' base.img
	"$COW" check c.cow
	truncate -s 4195328 base.img
	touch -d '2024-01-02 03:04:05' base.img
	before=$(snap)
	run "$COW" merge c.cow
	one_line_error base.img "size changed: 4195328 bytes, the COW header expects 4194304"
	[ "$(snap)" = "$before" ]
}

@test "bad input: missing backing file" {
	cd "$D"
	"$COW" create c.cow base.img
	mv base.img moved.img
	before=$(snap)
	run "$COW" check c.cow
	one_line_error base.img "missing backing file"
	run "$COW" merge c.cow
	one_line_error base.img "missing backing file"
	run "$COW" merge c.cow out.img
	one_line_error base.img "missing backing file"
	run "$COW" create new.cow nonexistent.img
	one_line_error nonexistent.img "missing backing file"
	[ "$(snap)" = "$before" ]
}

@test "bad input: a directory as COW file or backing file" {
	cd "$D"
	mkdir dir.cow
	before=$(snap)
	for cmd in info check merge; do
		run "$COW" $cmd dir.cow
		one_line_error dir.cow "is a directory, expected a COW file"
	done
	run "$COW" create new.cow "$D"
	one_line_error "$D" "is a directory"
	run "$COW" create dir.cow base.img
	one_line_error dir.cow "exists"
	[ "$(snap)" = "$before" ]
}

@test "bad input: COW file smaller than its bitmap" {
	cd "$D"
	"$COW" create c.cow base.img
	truncate -s 8200 c.cow
	before=$(snap)
	for cmd in info check merge; do
		run "$COW" $cmd c.cow
		one_line_error c.cow "smaller than its bitmap: 8200 bytes, expected at least 9216"
	done
	[ "$(snap)" = "$before" ]
}

@test "check: bitmap sectors past the end of a truncated COW file" {
	need_cw
	cd "$D"
	"$COW" create c.cow base.img
	head -c 512 /dev/urandom | "$CW" c.cow 8000 1
	truncate -s $((12288 + 4096 * 512)) c.cow
	run "$COW" check c.cow
	one_line_error c.cow "truncated*1 changed sectors lie past the end"
}
