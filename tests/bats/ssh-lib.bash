# ssh into the default guest: boot it with sshd forwarded from a free
# host port, wait for sshd, run commands with the password (ssh.exp).
# Used by ssh.bats and tcp-hostile.bats.

load net-lib

ssh_setup() {
	net_setup
	[ -f "$UMK_BUILD/rootfs.ext4" ] || skip "build/rootfs.ext4 is not built (make rootfs)"
	[ -x "$UMK_BUILD/rootfs-dir/usr/sbin/dropbear" ] || skip "the image has no dropbear (dropbear-bin not on the host)"
	command -v expect >/dev/null && command -v ssh >/dev/null || skip "needs expect and ssh on the host"
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	SSH_OPTS=(-o StrictHostKeyChecking=no -o "UserKnownHostsFile=$T/known_hosts" -o PubkeyAuthentication=no
		-o PreferredAuthentications=password,keyboard-interactive -o ConnectTimeout=20)
}

# boot_default NAME [NET...]: `make run`'s guest in the background, sshd
# port forwarded from $PORT; NET: more network options (another card).
boot_default() {
	local name=$1
	shift
	UMK_COW=$T/run.cow UMK_NET="eth0=slirp,hostfwd=tcp:127.0.0.1:$PORT-:22 ip=dhcp $*" \
		setsid bash "$UMK_TOP/scripts/run-default.sh" </dev/null >"$T/$name.console" 2>"$T/$name.err" &
	PIDS+=($!)
	eval "UPID_$name=$!"
}

# wait_sshd: until the guest's sshd greets on the forwarded port (90 s)
wait_sshd() {
	local i
	for i in $(seq 180); do
		python3 - "$PORT" <<'PY' 2>/dev/null && return 0
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.settimeout(5)
sys.exit(0 if s.recv(64).startswith(b"SSH-") else 1)
PY
		sleep 0.5
	done
	explain g
	return 1
}

# ssh_run CMD...: ssh root@guest CMD with the password; status in $status
ssh_run() {
	run expect "$BATS_TEST_DIRNAME/ssh.exp" umk ssh -p "$PORT" "${SSH_OPTS[@]}" root@127.0.0.1 "$@"
	echo "$output"
}

host_key() {
	ssh-keyscan -p "$PORT" -t ed25519 127.0.0.1 2>/dev/null | awk '{ print $3 }'
}

