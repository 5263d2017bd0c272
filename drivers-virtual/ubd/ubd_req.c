/* ubd requests, kernel side: ubd_read/write/flush queue a request
 * to the device's host I/O thread (host/ubd_thread.c) and sleep until its
 * completion interrupt, so other tasks run meanwhile. Where the current
 * context cannot sleep (boot, interrupt handlers, halt) the request runs
 * at once, after the queued ones: a device's requests stay in order. */
#include <umk/arch.h>
#include <umk/kernel.h>
#include <umk/sched.h>
#include <umk/wait.h>
#include "ubd.h"

static struct wait_queue_head ubd_wq[UBD_MAX];
static bool threaded[UBD_MAX];
static int irq_fd[UBD_MAX];	/* the completion pipe, while threaded */

static void complete(struct ubd_req *r)
{
	r->done = true;
	wake_up(&ubd_wq[r->dev]);
}

/* Completion interrupt: finish whatever the thread has posted, and let
 * the woken tasks run now rather than after the current slice (else a
 * task doing I/O beside a busy one gets one request per 10 ms slice). */
static void ubd_irq(void *data)
{
	struct ubd_req *r;
	bool any = false;
	while ((r = ubd_host_reap((int)(long)data, false))) {
		complete(r);
		any = true;
	}
	if (any)
		set_need_resched();
}

static ssize_t run(struct ubd_req *r)
{
	int n = r->dev;
	bool queued = n >= 0 && n < UBD_MAX && threaded[n];
	struct ubd_req *q;
	if (queued && r->op == UBD_OP_READ) {
		ssize_t got = ubd_host_try_cached(r);
		if (got != -EAGAIN)
			return got;
	}
	if (queued && can_sleep() && ubd_host_submit(r) == 0) {
		/* often done already (ubd_host_submit lets the thread run) */
		while (!r->done && (q = ubd_host_reap(n, false)))
			complete(q);
		/* uninterruptible: the thread owns r (and its buffer) until done */
		wait_event(ubd_wq[n], r->done);
		return r->result;
	}
	if (queued)
		while ((q = ubd_host_reap(n, true)))
			complete(q);
	return ubd_host_do(r);
}

ssize_t ubd_read(int n, void *buf, size_t len, uint64_t off)
{
	struct ubd_req r = { .dev = n, .op = UBD_OP_READ, .buf = buf, .len = len, .off = off };
	return run(&r);
}

ssize_t ubd_write(int n, const void *buf, size_t len, uint64_t off)
{
	struct ubd_req r = { .dev = n, .op = UBD_OP_WRITE, .buf = (void *)buf, .len = len, .off = off };
	return run(&r);
}

int ubd_flush(int n)
{
	struct ubd_req r = { .dev = n, .op = UBD_OP_FLUSH };
	return (int)run(&r);
}

/* A thread per device (from ubd_init). Without one (the host refused a
 * thread) the device still works, synchronously. */
void ubd_req_init(int n)
{
	init_waitqueue_head(&ubd_wq[n]);
	int fd = ubd_host_thread_start(n);
	if (fd < 0 || arch_irq_register_fd(fd, false, ubd_irq, (void *)(long)n)) {
		printk(KERN_WARNING "ubd%c: no host I/O thread (error %d); synchronous I/O\n", 'a' + n,
		       fd < 0 ? -fd : ENOSPC);
		return;
	}
	threaded[n] = true;
	irq_fd[n] = fd;
}

void ubd_req_exit(int n)
{
	if (!threaded[n])
		return;
	arch_irq_unregister_fd(irq_fd[n]);
	threaded[n] = false;
}
