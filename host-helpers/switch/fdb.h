/* The learning table (forwarding database): source MAC -> port, with
 * aging. Bounded in size so a MAC flood degrades to flooding instead of
 * eating memory. */
#ifndef UMK_SWITCH_FDB_H
#define UMK_SWITCH_FDB_H

#include <stddef.h>
#include <stdint.h>

struct fdb;

struct fdb *fdb_new(unsigned max_entries, uint64_t age_ms);
void fdb_free(struct fdb *f);

/* Returns 1 if the MAC was new or moved to another port, 0 if refreshed,
 * -1 if the table is full and it was not learned. */
int fdb_learn(struct fdb *f, const uint8_t mac[6], int port, uint64_t now_ms);
/* Port for mac, or -1 when unknown or expired. */
int fdb_lookup(const struct fdb *f, const uint8_t mac[6], uint64_t now_ms);
/* Drop expired entries; returns how many. */
unsigned fdb_age(struct fdb *f, uint64_t now_ms);
/* Forget everything learned on port (it went away). */
unsigned fdb_flush_port(struct fdb *f, int port);
unsigned fdb_count(const struct fdb *f);

typedef void (*fdb_visit_fn)(void *ctx, const uint8_t mac[6], int port,
			     uint64_t age_ms);
void fdb_foreach(const struct fdb *f, uint64_t now_ms, fdb_visit_fn fn, void *ctx);

static inline int mac_is_group(const uint8_t mac[6])
{
	return mac[0] & 1; /* broadcast and multicast */
}

#endif
