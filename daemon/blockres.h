/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The addresses of blocked names.  In blocklist mode a session can find a
 * blocked service's address without asking our proxy (/etc/hosts, nscd, a
 * resolver over varlink, an IP cached in a config file).  So the daemon
 * resolves the blocked names itself, through the configured upstream (or
 * its own resolv.conf), refreshes them by TTL, and has the kernel deny those
 * addresses to every session of the profile at connect time.
 *
 * Names come from the profile's block lists (up to DG_BLOCKRES_LISTED per
 * profile) and, on demand, from blocked queries sessions make.  When the
 * upstream stops answering, denials are extended, never dropped: a
 * resolver outage must not open the guard.
 */
#ifndef DG_BLOCKRES_H
#define DG_BLOCKRES_H

#include <stdint.h>

struct dg_daemon;
struct dg_config;
struct dg_profile;

#define DG_BLOCKRES_LISTED	512	/* listed names resolved per profile */
#define DG_BLOCKRES_ON_DEMAND	4096	/* names learned from blocked queries */

int dg_blockres_start(struct dg_daemon *d);
void dg_blockres_stop(struct dg_daemon *d);

/* Before a new policy takes over: deny known addresses under its ids. */
void dg_blockres_prepare(struct dg_daemon *d, const struct dg_config *cfg, const uint32_t *ids);
/* After it took over: follow its block lists. */
void dg_blockres_rebuild(struct dg_daemon *d);

/* A session asked for a blocked name: deny its addresses too. */
void dg_blockres_note(struct dg_daemon *d, const struct dg_profile *p, const char *name);

/* Every second: send due queries, expire lost ones. */
void dg_blockres_tick(struct dg_daemon *d);

unsigned dg_blockres_names(const struct dg_daemon *d);
unsigned dg_blockres_addrs(const struct dg_daemon *d);

#endif
