/* The trap mode: choosing it (mode=, or the best one this host can run),
 * and the mode-neutral part of running guest code: flush the address
 * space's queued mapping changes, give the stub's thread the right FPU
 * state, and let the mode run the task to its next trap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "um.h"
#include "trap_mode.h"
#include <umk/arch.h>
#include <umk/mm.h>
#include <umk/sched.h>

umk_section_declare(const struct trap_mode *const, umk_trap_modes);

const struct trap_mode *um_trap;
static const char *asked;	/* mode= as given */

static const struct trap_mode *find_mode(const char *name)
{
	umk_section_foreach(const struct trap_mode *const, umk_trap_modes, m)
		if (!strcmp((*m)->name, name) || ((*m)->alias && !strcmp((*m)->alias, name)))
			return *m;
	return NULL;
}

static const char *mode_setup(const char *v)
{
	static char expect[128];
	if (find_mode(v)) {
		asked = v;
		return NULL;
	}
	size_t n = 0;
	umk_section_foreach(const struct trap_mode *const, umk_trap_modes, m)
		if (n < sizeof(expect))
			n += snprintf(expect + n, sizeof(expect) - n, "%s%s", n ? " or mode=" : "expected mode=",
				      (*m)->name);
	return expect;
}
/* For --help: each registered mode, best first. */
static const char *mode_describe(void)
{
	static char text[1024];
	size_t n = snprintf(text, sizeof(text), "trap mode (default: the first this host can run):");
	for (int rank = 1 << 30;;) {
		const struct trap_mode *next = NULL;
		umk_section_foreach(const struct trap_mode *const, umk_trap_modes, m)
			if ((*m)->rank < rank && (!next || (*m)->rank > next->rank))
				next = *m;
		if (!next || n >= sizeof(text))
			break;
		n += snprintf(text + n, sizeof(text) - n, "\n%s = %s", next->name, next->help);
		rank = next->rank;
	}
	return text;
}
__setup_described(mode, mode_setup, "mode=NAME", mode_describe);

/* UML 6.16's switch for its seccomp mode; mode= wins over it. */
static const char *uml_choice;
static const char *seccomp_setup(const char *v)
{
	if (!strcmp(v, "on"))
		uml_choice = "seccomp";
	else if (!strcmp(v, "off"))
		uml_choice = "skas";
	else if (!strcmp(v, "auto"))
		uml_choice = NULL;
	else
		return "expected seccomp=on, seccomp=off or seccomp=auto";
	return NULL;
}
__setup(seccomp, seccomp_setup, "seccomp=on|off|auto", "UML's name for mode=seccomp (on), mode=skas (off)\nor the default (auto)");

/* The mode asked for, which must work here; else the usable mode of
 * highest rank. Boot stops (status 2) if there is none. */
void trap_mode_init(void)
{
	if (!asked)
		asked = uml_choice;
	if (asked) {
		const struct trap_mode *m = find_mode(asked);
		const char *why = m->probe ? m->probe() : NULL;
		if (why) {
			fprintf(stderr, "umk: mode=%s: this host cannot run it: %s\n", asked, why);
			exit(2);
		}
		um_trap = m;
		boot_cfg.mode_name = asked;
		return;
	}
	const struct trap_mode *best = NULL;
	char whynot[512] = "";
	for (;;) {
		const struct trap_mode *next = NULL;
		umk_section_foreach(const struct trap_mode *const, umk_trap_modes, m)
			if ((!best || (*m)->rank < best->rank) && (!next || (*m)->rank > next->rank))
				next = *m;
		if (!next)
			break;
		best = next;
		const char *why = next->probe ? next->probe() : NULL;
		if (!why) {
			/* one line when the best mode is not the one we run in */
			if (whynot[0])
				fprintf(stderr, "umk: %s; using mode=%s\n", whynot, next->name);
			um_trap = next;
			boot_cfg.mode_name = next->name;
			return;
		}
		size_t n = strlen(whynot);
		snprintf(whynot + n, sizeof(whynot) - n, "%smode=%s unavailable: %s", n ? "; " : "", next->name, why);
	}
	fprintf(stderr, "umk: no trap mode works on this host (%s)\n", whynot);
	exit(2);
}

void arch_run_user(struct task *t, struct trap_info *ti)
{
	struct um_mm *m = t->mm->arch;
	memset(ti, 0, sizeof(*ti));
	um_trap->flush(m, &t->regs);
	fpu_load(t, m);
	debugregs_load(t, m);
	um_trap->run(t, m, ti);
}
