/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What one session's audit trail already says: one entry per (name or
 * address, decision).  The first decision about a key gets an audit record
 * of its own; repeats only count, and the counts go into the session's
 * summary records.  A session that reaches the limit of distinct keys has
 * the rest counted as "unrecorded" (the local log still has every one), so a
 * script that retries 10,000 times, or asks for 10,000 random names, costs
 * the audit backlog a bounded number of records and nothing goes uncounted.
 */
#ifndef DG_AUDIT_SEEN_H
#define DG_AUDIT_SEEN_H

#include <stddef.h>
#include <stdint.h>

#define DG_SEEN_MAX_DEFAULT	512	/* distinct keys with records, per session */

enum dg_seen_kind {
	DG_SEEN_DOMAIN = 1,
	DG_SEEN_ADDR = 2,
	DG_SEEN_SOCKET = 3,		/* a kind of socket: "raw", "packet" */
};

struct dg_seen {
	struct dg_seen *next;		/* hash chain */
	struct dg_seen *later;		/* insertion order, for the summaries */
	uint64_t count;			/* decisions, the first one included */
	uint64_t reported;		/* the count the audit trail already has */
	uint8_t kind;			/* enum dg_seen_kind */
	uint8_t decision;		/* enum dg_audit_decision */
	uint8_t addr[16];		/* DG_SEEN_ADDR */
	char name[];			/* DG_SEEN_DOMAIN: lowercase, no trailing dot;
					   DG_SEEN_SOCKET: the kind of socket */
};

struct dg_seen_table {
	struct dg_seen **buckets;
	size_t nbuckets;
	size_t n, max;
	struct dg_seen *first, *last;
	uint64_t repeats;		/* decisions folded into an entry's count */
	uint64_t unrecorded;		/* decisions about keys past the limit */
};

void dg_seen_init(struct dg_seen_table *t, size_t max);
void dg_seen_free(struct dg_seen_table *t);

/*
 * Count one decision about a name (kind DG_SEEN_DOMAIN, name), an address
 * (DG_SEEN_ADDR, addr) or a kind of socket (DG_SEEN_SOCKET, name).  Returns 1 for the first of its key (*out: the new
 * entry; the caller records it), 0 for a repeat (*out: the entry),
 * -ENOSPC past the limit or -ENOMEM (*out NULL; counted as unrecorded).
 */
int dg_seen_note(struct dg_seen_table *t, int kind, int decision, const char *name,
		 const uint8_t addr[16], struct dg_seen **out);

/* e is the loop variable's name: it cannot be parenthesized */
#define dg_seen_for_each(t, e) for (struct dg_seen *e = (t)->first; e; e = e->later) // NOLINT(bugprone-macro-parentheses)

#endif
