/* umk entry point: parse the command line, set up the host side of the
 * machine (memory file, stub image, interrupts) and start the kernel. */
#include <stdio.h>
#include <stdlib.h>
#include "um.h"
#include <umk/arch.h>

int main(int argc, char **argv)
{
	parse_cmdline(argc, argv);
	printk_quiet = boot_cfg.quiet;
	physmem_init(boot_cfg.mem_bytes);
	stub_init();
	irq_init();
	start_kernel();
}
