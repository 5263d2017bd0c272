/* One host I/O thread per ubd device, as UML's io_thread: the kernel
 * writes request pointers into a pipe, the thread runs them in order
 * (ubd_host_do) and writes each pointer back into a completion pipe whose
 * read end the kernel side registers as an I/O interrupt. So a slow host
 * disk stalls only the guest tasks waiting on it, and one thread per
 * device keeps its requests (and COW bitmap updates) in FIFO order.
 *
 * The thread blocks every signal: umk's SIGIO/SIGALRM are process-directed
 * and must reach the main thread, which alone traces the stubs.
 *
 * Test hook: UMK_UBD_GATE=FIFO makes each thread read one byte from FIFO
 * before each request (opened at its first request, waiting for a
 * writer); end of file opens the gate for good. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include "ubd_host.h"

struct io_thread {
	bool running;
	pthread_t tid;
	int req_r, req_w;	/* kernel -> thread: struct ubd_req * */
	int done_r, done_w;	/* thread -> kernel: the same pointers back */
	unsigned inflight;	/* submitted, not yet reaped (main thread only) */
};

static struct io_thread threads[UBD_MAX];
static const char *gate_path;

static struct io_thread *thread_of(int n)
{
	return n >= 0 && n < UBD_MAX && threads[n].running ? &threads[n] : NULL;
}

/* Pointers go through the pipes whole: 8 bytes is below PIPE_BUF. */
static bool put_ptr(int fd, struct ubd_req *r)
{
	for (;;) {
		ssize_t k = write(fd, &r, sizeof(r));
		if (k == sizeof(r))
			return true;
		if (k < 0 && errno == EINTR)
			continue;
		return false;
	}
}

/* 1: a pointer; 0: end of file; -errno otherwise (EAGAIN if empty). */
static int get_ptr(int fd, struct ubd_req **r)
{
	for (;;) {
		ssize_t k = read(fd, r, sizeof(*r));
		if (k == sizeof(*r))
			return 1;
		if (k == 0)
			return 0;
		if (k < 0 && errno == EINTR)
			continue;
		return k < 0 ? -errno : -EIO;
	}
}

static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	poll(&p, 1, -1);	/* EINTR (a SIGIO, say): the caller retries */
}

/* The test hook: hold this request until the gate yields a byte. */
static void gate_wait(int *gate_fd)
{
	if (*gate_fd == -2)
		return;
	if (*gate_fd == -1)
		*gate_fd = open(gate_path, O_RDONLY | O_CLOEXEC);
	char c;
	ssize_t k;
	do
		k = *gate_fd >= 0 ? read(*gate_fd, &c, 1) : 0;
	while (k < 0 && errno == EINTR);
	if (k <= 0) {
		if (*gate_fd >= 0)
			close(*gate_fd);
		*gate_fd = -2;
	}
}

static void *io_thread_main(void *arg)
{
	struct io_thread *t = arg;
	int gate_fd = gate_path ? -1 : -2;
	struct ubd_req *r;
	while (get_ptr(t->req_r, &r) == 1) {
		gate_wait(&gate_fd);
		r->result = ubd_host_do(r);
		/* the result (and read data) before the pointer goes back */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		if (!put_ptr(t->done_w, r))
			break;
	}
	/* end of the queue (ubd_host_stop): the kernel sees end of file */
	close(t->done_w);
	if (gate_fd >= 0)
		close(gate_fd);
	return NULL;
}

/* Let device n's thread finish what is queued, so writes the guest
 * issued reach the image, then join it. The completions are read and
 * dropped: nobody waits for them (umk is exiting, or the device is
 * unplugged with nothing in flight). */
void ubd_host_thread_stop(int n)
{
	struct io_thread *t = thread_of(n);
	if (!t)
		return;
	t->running = false;
	close(t->req_w);
	struct ubd_req *r;
	int k;
	while ((k = get_ptr(t->done_r, &r)) != 0)
		if (k == -EAGAIN)
			wait_readable(t->done_r);
		else if (k < 0)
			break;
	pthread_join(t->tid, NULL);
	t->inflight = 0;
	close(t->req_r);
	close(t->done_r);
}

/* At exit (arch_halt -> exit): every device. */
static void ubd_host_stop(void)
{
	for (int n = 0; n < UBD_MAX; n++)
		ubd_host_thread_stop(n);
}

int ubd_host_thread_start(int n)
{
	if (!ubd_host_present(n))
		return -ENXIO;
	struct io_thread *t = &threads[n];
	if (t->running)
		return t->done_r;
	static bool once;
	if (!once) {
		once = true;
		gate_path = getenv("UMK_UBD_GATE");
		atexit(ubd_host_stop);
	}
	int req[2], done[2];
	if (pipe2(req, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(done, O_CLOEXEC) < 0) {
		int e = errno;
		close(req[0]);
		close(req[1]);
		return -e;
	}
	/* the kernel never blocks reading completions but in ubd_host_reap */
	fcntl(done[0], F_SETFL, O_NONBLOCK);
	*t = (struct io_thread){ .req_r = req[0], .req_w = req[1], .done_r = done[0], .done_w = done[1] };
	/* the new thread inherits a mask with every signal blocked */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&t->tid, NULL, io_thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		close(req[0]);
		close(req[1]);
		close(done[0]);
		close(done[1]);
		return -e;
	}
	char name[16] = "ubd?-io";
	name[3] = (char)('a' + n);
	pthread_setname_np(t->tid, name);	/* for ps -T, gdb */
	t->running = true;
	return t->done_r;
}

ssize_t ubd_host_try_cached(struct ubd_req *r)
{
	struct io_thread *t = thread_of(r->dev);
	/* the test gate holds every request in the thread */
	if (!t || t->inflight || gate_path)
		return -EAGAIN;
	return ubd_host_read_cached(r);
}

int ubd_host_submit(struct ubd_req *r)
{
	struct io_thread *t = thread_of(r->dev);
	if (!t)
		return -ENXIO;
	if (!put_ptr(t->req_w, r))
		return -EIO;
	t->inflight++;
	/* umk pins itself to one host CPU (pin=on) and the thread inherits
	 * it: let the thread run now, so a request the host page cache can
	 * serve is complete when we return (no idle round trip). A thread
	 * blocked on the disk is not runnable: this returns at once. */
	sched_yield();
	return 0;
}

struct ubd_req *ubd_host_reap(int n, bool wait)
{
	struct io_thread *t = thread_of(n);
	if (!t || !t->inflight)
		return NULL;
	for (;;) {
		struct ubd_req *r;
		int k = get_ptr(t->done_r, &r);
		if (k == 1) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			t->inflight--;
			return r;
		}
		if (k == -EAGAIN && wait) {
			wait_readable(t->done_r);
			continue;
		}
		if (k != -EAGAIN)
			t->inflight = 0;	/* the thread is gone: nothing more will come */
		return NULL;
	}
}
