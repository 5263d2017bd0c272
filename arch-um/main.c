/* umk entry point: parse the command line, set up the host side of the
 * machine (memory file, stub image, interrupts) and start the kernel. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/init.h>
#include "um.h"
#include "mmu.h"
#include "trap_mode.h"
#include "umid.h"
#include "placement.h"
#include <umk/arch.h>

/* A stop request (SIGTERM, SIGHUP, SIGINT) that comes before irq_init has
 * its handler waits for it, blocked: umk is then never ended by the
 * default action (and the trap-mode probe's child is not orphaned). */
static void hold_stop_requests(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGINT);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

int main(int argc, char **argv)
{
	hold_stop_requests();
	boot_cfg.mem_bytes = 64ULL << 20;
	parse_cmdline(argc, argv);
	trap_mode_init();
	umid_init();
	placement_init();
	physmem_init(boot_cfg.mem_bytes);
	stub_init();
	irq_init();
	start_kernel();
}
