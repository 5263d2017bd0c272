"""Process pools and subprocesses from threads: the cases that need a
parent's children to belong to its whole process (tests/bats/python.bats
runs this with the host's python3 and under umk; outputs must match).

- multiprocessing.Pool with maxtasksperchild: the pool's handler thread
  forks replacement workers; main joins them when the pool ends.
- concurrent.futures.ProcessPoolExecutor: main forks the workers, the
  executor's manager thread joins them at shutdown.
- subprocess pipeline run from a thread.
Each case ends by checking that no child is left unreaped.
"""
import concurrent.futures
import multiprocessing
import os
import subprocess
import threading


def square(x):
    return x * x


def no_child_left():
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def pipeline():
    p1 = subprocess.Popen(["seq", "1", "100"], stdout=subprocess.PIPE)
    p2 = subprocess.Popen(["sort", "-rn"], stdin=p1.stdout, stdout=subprocess.PIPE)
    p3 = subprocess.Popen(["head", "-n", "3"], stdin=p2.stdout, stdout=subprocess.PIPE)
    p1.stdout.close()
    p2.stdout.close()
    out = p3.communicate()[0].decode().split()
    return out, [p.wait() for p in (p1, p2, p3)]


def main():
    # chunksize=1: every worker ends after 10 tasks and is replaced
    with multiprocessing.Pool(2, maxtasksperchild=10) as pool:
        total = sum(pool.map(square, range(40), chunksize=1))
    print("Pool(2, maxtasksperchild=10).map:", total, flush=True)
    print("  no child left:", no_child_left(), flush=True)

    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        total = sum(ex.map(square, range(40)))
    print("ProcessPoolExecutor(2).map:", total, flush=True)
    print("  no child left:", no_child_left(), flush=True)

    res = {}
    th = threading.Thread(target=lambda: res.update(r=pipeline()))
    th.start()
    th.join()
    print("subprocess pipeline from a thread:", res["r"], flush=True)
    print("  no child left:", no_child_left(), flush=True)

    # the standard library's extension modules load (their libraries are
    # in the image)
    import bz2, ctypes, decimal, hashlib, json, lzma, sqlite3, ssl, zlib  # noqa: E401,F401
    print("extension modules:", hashlib.sha256(b"abc").hexdigest()[:16],
          sqlite3.connect(":memory:").execute("select 6*7").fetchone()[0],
          len(lzma.compress(b"x" * 1000)) > 0, flush=True)


if __name__ == "__main__":
    main()
