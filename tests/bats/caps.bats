#!/usr/bin/env bats
# Identity and capabilities with real tools (Documentation/identity.md):
# util-linux's setpriv and libcap's capsh in the default image change
# uids, the bounding, inheritable and ambient sets under umk, and what
# the programs they run see is what Linux gives (every capability 0..40
# in umk's root). One boot per trap mode runs the script
# (init=/init -- /caps.sh; busybox sh would run its own setpriv applet
# for a bare "setpriv", so the paths are spelled out).

load ../lib.sh

setup_file() {
	export CAPS_ROOT=$BATS_FILE_TMPDIR/root
	[ -x "$UMK_ROOTFS/usr/bin/setpriv" ] || return 0
	rm -rf "$CAPS_ROOT"
	cp -a "$UMK_ROOTFS" "$CAPS_ROOT"
	cat >"$CAPS_ROOT/caps.sh" <<'EOS'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
cd /
echo "== id"
/usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups id 2>&1
echo "== user"
/usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups grep Cap /proc/self/status 2>&1
echo "== bounding"
/usr/bin/setpriv --inh-caps=-all --bounding-set=-net_raw grep Cap /proc/self/status 2>&1
echo "== ambient"
/usr/bin/setpriv --inh-caps=+net_bind_service --ambient-caps=+net_bind_service --reuid=1000 --regid=1000 \
	--clear-groups grep Cap /proc/self/status 2>&1
echo "== nnp"
/usr/bin/setpriv --nnp grep NoNewPrivs /proc/self/status 2>&1
echo "== capsh"
/usr/sbin/capsh --print 2>&1
echo "== capsh drop"
/usr/sbin/capsh --shell=/bin/sh --drop=cap_net_raw -- -c 'grep CapBnd /proc/self/status' 2>&1
echo "== capsh user"
/usr/sbin/capsh --shell=/bin/sh --user=nobody -- -c 'id -u; grep CapEff /proc/self/status' 2>&1
echo "== e""nd"
EOS
}

need_image() {
	[ -x "$UMK_BIN" ] || { echo "$UMK_BIN is not built"; false; }
	[ -x "$UMK_ROOTFS/usr/bin/setpriv" ] || { echo "$UMK_ROOTFS has no setpriv (make rootfs)"; false; }
	[ -x "$UMK_ROOTFS/usr/sbin/capsh" ] || { echo "$UMK_ROOTFS has no capsh (make rootfs)"; false; }
}

# step_out NAME: the output of one step of the last run.
step_out() {
	awk -v s="== $1" '$0 == s { on = 1; next } on && /^== / { exit } on { print }' "$UMK_OUT"
}

@test "caps: setpriv and capsh change uids and capability sets under umk (every mode)" {
	need_image
	local want=$BATS_TEST_TMPDIR/want failed="" mode bad
	cat >"$want" <<'EOF'
== id
uid=1000 gid=1000 groups=1000
== user
CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	000001ffffffffff
CapAmb:	0000000000000000
== bounding
CapInh:	0000000000000000
CapPrm:	000001ffffffdfff
CapEff:	000001ffffffdfff
CapBnd:	000001ffffffdfff
CapAmb:	0000000000000000
== ambient
CapInh:	0000000000000400
CapPrm:	0000000000000400
CapEff:	0000000000000400
CapBnd:	000001ffffffffff
CapAmb:	0000000000000400
== nnp
NoNewPrivs:	1
== capsh drop
CapBnd:	000001ffffffdfff
== capsh user
65534
CapEff:	0000000000000000
EOF
	for mode in $UMK_MODES; do
		bad=""
		umk_boot "$mode" "$CAPS_ROOT" /init /caps.sh
		[ "$UMK_STATUS" = 0 ] || bad="$bad; umk status $UMK_STATUS, want 0"
		grep -q '^== end$' "$UMK_OUT" || bad="$bad; the script did not reach its end"
		local got=$BATS_TEST_TMPDIR/got.$mode s
		for s in id user bounding ambient nnp "capsh drop" "capsh user"; do
			echo "== $s"
			step_out "$s"
		done >"$got"
		diff -u --label want --label "umk mode=$mode" "$want" "$got" >"$got.diff" || bad="$bad; steps differ"
		# capsh --print: libcap's view of a full root
		local out
		out=$(step_out capsh)
		grep -qx 'Current: =ep' <<<"$out" || bad="$bad; capsh: Current"
		grep -q '^Bounding set =cap_chown,.*,cap_checkpoint_restore$' <<<"$out" || bad="$bad; capsh: Bounding set"
		grep -qx 'Ambient set =' <<<"$out" || bad="$bad; capsh: Ambient set"
		grep -q '^Securebits: 00/0x0/' <<<"$out" || bad="$bad; capsh: Securebits"
		grep -qx 'uid=0(root) euid=0(root)' <<<"$out" || bad="$bad; capsh: uid"
		if [ -n "$bad" ]; then
			failed="$failed $mode"
			echo "=== mode=$mode:${bad#;}"
			cat "$got.diff"
			umk_explain
		fi
	done
	[ -z "$failed" ] || { echo "failed in:$failed"; false; }
}
