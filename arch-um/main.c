/* umk entry point: parse the command line, set up the host side of the
 * machine (memory file, stub image, interrupts) and start the kernel. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/init.h>
#include "um.h"
#include "mmu.h"
#include "trap_mode.h"
#include "umid.h"
#include <umk/arch.h>

/* The kernel and its guest never run at the same time (one virtual CPU),
 * and every trap is a hand-off between them: on one host CPU that costs a
 * same-CPU switch instead of a cross-CPU wakeup, several times cheaper.
 * Stub processes inherit the affinity. */
static void pin_to_current_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;
	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("umk: pinning to one host CPU (continuing unpinned)");
}

static bool pin = true;

static const char *pin_setup(const char *v)
{
	if (strcmp(v, "on") && strcmp(v, "off"))
		return "expected pin=on or pin=off";
	pin = !strcmp(v, "on");
	return NULL;
}
__setup(pin, pin_setup, "pin=on|off",
	"keep the kernel and its guest processes on one\nhost CPU (default on: traps are much cheaper)");

int main(int argc, char **argv)
{
	boot_cfg.mem_bytes = 64ULL << 20;
	parse_cmdline(argc, argv);
	trap_mode_init();
	umid_init();
	if (pin)
		pin_to_current_cpu();
	physmem_init(boot_cfg.mem_bytes);
	stub_init();
	irq_init();
	start_kernel();
}
