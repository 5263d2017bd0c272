/* The kernel half of the management console: its commands, spread over
 * a few files by what they touch. */
#ifndef MC_INTERNAL_H
#define MC_INTERNAL_H
#include <umk/kernel.h>
#include "mconsole.h"

struct mc_cmd {
	const char *name;
	/* arg: the rest of the line after the name and its blanks ("" if none) */
	void (*fn)(struct mc_req *r, const char *arg);
	bool while_stopped;	/* may run while the machine is stopped */
	const char *help;	/* "NAME ARGS - what it does" */
};
const struct mc_cmd *mc_find(const char *name, size_t len);
extern const struct mc_cmd mc_cmds[];
extern const size_t mc_ncmds;

/* Answer r (the whole text; split into datagrams by the host half). */
void mc_reply(struct mc_req *r, bool err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void mc_reply_text(struct mc_req *r, bool err, const char *text, size_t len);

/* Commands that live in their own files. */
void mc_cmd_stop(struct mc_req *r, const char *arg);	/* mconsole.c */
void mc_cmd_go(struct mc_req *r, const char *arg);
void mc_cmd_proc(struct mc_req *r, const char *arg);	/* mc_proc.c */
void mc_cmd_config(struct mc_req *r, const char *arg);	/* mc_config.c */
void mc_cmd_remove(struct mc_req *r, const char *arg);
/* An errno as a few words, for replies. */
const char *mc_strerror(int err);
#endif
