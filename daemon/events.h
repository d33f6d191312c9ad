/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring buffer events from the kernel, and attribution of decisions. */
#ifndef DG_EVENTS_H
#define DG_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

struct dg_daemon;
struct dg_sess;

/* ring_buffer_sample_fn; ctx is the daemon */
int dg_events_on_sample(void *ctx, void *data, size_t size);

/*
 * Append who did it: pid, cmd, ancestry up to the session leader, uid,
 * user, session, profile, mode.  s may be NULL (session already gone).
 */
void dg_attribute(struct dg_daemon *d, struct dg_logfmt *lf, const struct dg_sess *s,
		  uint32_t session_id, uint32_t tgid, uint32_t uid, const char *comm);

#endif
