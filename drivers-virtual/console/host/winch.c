/* Host side of console resizes: SIGWINCH writes a byte to a non-blocking
 * pipe; its read end is an interrupt source (arch_irq_register_fd). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "../console_host.h"

static int winch_pipe[2] = { -1, -1 };

static void on_winch(int sig)
{
	(void)sig;
	int e = errno;
	char c = 0;
	if (write(winch_pipe[1], &c, 1) < 0) {
		/* full: a resize is already pending */
	}
	errno = e;
}

int console_winch_host_init(void)
{
	if (pipe2(winch_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -errno;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGWINCH, &sa, NULL) < 0)
		return -errno;
	return winch_pipe[0];
}

void console_winch_host_drain(int fd)
{
	char buf[64];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}
