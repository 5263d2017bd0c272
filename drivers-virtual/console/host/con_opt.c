/* con0=CHANNEL and con=CHANNEL (UML's syntax): "fd:N" (read and write N),
 * "fd:N,fd:M" (read N, write M) or "null". The fds must be open when umk
 * starts, else a console that loses everything would boot silently.
 * con= sets every console, con0= the system console and wins, whatever
 * the order. Consoles beyond con0 (conN=, N >= 1) do not exist yet. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umk/init.h>
#include "../console_host.h"

static int con_in = 0, con_out = 1;
static bool con0_given;
static char msg[96];

void console_host_channel(int *in, int *out)
{
	*in = con_in;
	*out = con_out;
}

/* "fd:N" of length len: the fd, or -1 with msg set. */
static int parse_fd(const char *s, size_t len)
{
	long long v = 0;
	if (len < 4 || strncmp(s, "fd:", 3))
		return -1;
	for (size_t i = 3; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 100000)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (fcntl((int)v, F_GETFD) < 0) {
		snprintf(msg, sizeof(msg), "host fd %lld is not open", v);
		return -2;
	}
	return (int)v;
}

static const char *con_option(const char *spec, bool is_con0)
{
	static const char expect[] = "expected fd:N[,fd:M] or null";
	int in = -1, out = -1;
	if (strcmp(spec, "null")) {
		const char *comma = strchr(spec, ',');
		in = parse_fd(spec, comma ? (size_t)(comma - spec) : strlen(spec));
		out = comma ? parse_fd(comma + 1, strlen(comma + 1)) : in;
		if (in == -1 || out == -1)
			return expect;
		if (in == -2 || out == -2)
			return msg;
	}
	if (is_con0 || !con0_given) {
		con_in = in;
		con_out = out;
	}
	con0_given |= is_con0;
	return NULL;
}

static const char *con0_setup(const char *spec) { return con_option(spec, true); }
static const char *con_setup(const char *spec) { return con_option(spec, false); }
__setup(con0, con0_setup, "con0=fd:N,fd:M|null", "system console channel (default fd:0,fd:1)");
__setup(con, con_setup, "con=SPEC", "channel for all consoles");

/* conN=... for N >= 1 (the whole word). */
static const char *conN_setup(const char *word)
{
	const char *p = word + 3;
	char *end;
	long n = strtol(p, &end, 10);
	if (end == p || *end != '=' || n < 1)
		return "expected con=, con0= or conN= (N a number)";
	fprintf(stderr, "umk: warning: %s: consoles other than con0 are not implemented by umk yet; ignored\n", word);
	return NULL;
}
__setup_entry(conN, "con", SETUP_PREFIX, conN_setup, NULL, NULL);
