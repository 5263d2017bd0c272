/* umk entry point: parse the command line, set up the host side of the
 * machine (memory file, stub image, interrupts) and start the kernel. */
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

int main(int argc, char **argv)
{
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
