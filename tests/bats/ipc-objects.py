# Makes one SysV segment (attached, with data), semaphore set and message
# queue (one message), prints /proc/sysvipc/* with what differs between
# machines (ids, pids, times) as "-", removes them again. Run by ipc.bats
# in the guest and on the host: the outputs must be equal.
import ctypes, os, struct

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
IPC_CREAT, IPC_RMID = 0o1000, 0
KEYS = (0x756D6B40, 0x756D6B41, 0x756D6B42)
for get, rm, key in ((libc.shmget, libc.shmctl, KEYS[0]), (libc.semget, libc.semctl, KEYS[1]),
                     (libc.msgget, libc.msgctl, KEYS[2])):
    old = get(key, 0, 0)
    if old >= 0:
        rm(old, IPC_RMID, 0)

shm = libc.shmget(KEYS[0], 10000, IPC_CREAT | 0o640)
addr = libc.shmat(shm, None, 0)
ctypes.memmove(addr, b"hello", 5)
sem = libc.semget(KEYS[1], 3, IPC_CREAT | 0o600)
msg = libc.msgget(KEYS[2], IPC_CREAT | 0o644)
buf = ctypes.create_string_buffer(struct.pack("l", 7) + b"abcde")
assert libc.msgsnd(msg, buf, 5, 0) == 0
assert min(shm, sem, msg) >= 0

# the columns that are ids, pids or times, 1-based
VARYING = {"shm": (2, 5, 6, 12, 13, 14), "sem": (2, 9, 10), "msg": (2, 6, 7, 12, 13, 14)}
for kind in ("shm", "sem", "msg"):
    with open("/proc/sysvipc/" + kind) as f:
        lines = f.read().splitlines()
    print(lines[0])
    for line in lines[1:]:
        fields = line.split()
        if int(fields[0]) not in KEYS:
            continue
        print(" ".join("-" if i + 1 in VARYING[kind] else v for i, v in enumerate(fields)))

libc.shmdt(ctypes.c_void_p(addr))
libc.shmctl(shm, IPC_RMID, 0)
libc.semctl(sem, 0, IPC_RMID, 0)
libc.msgctl(msg, IPC_RMID, 0)
print("removed")
