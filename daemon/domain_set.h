/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A set of domain names with an action each (allow/block), matched at label
 * boundaries: an entry "github.com" matches "github.com" and "a.github.com"
 * but never "evilgithub.com".  The most specific entry wins.  Lookups cost
 * one hash probe per label of the queried name, independent of set size.
 */
#ifndef DG_DOMAIN_SET_H
#define DG_DOMAIN_SET_H

#include <stddef.h>
#include <stdint.h>

#define DG_NAME_MAX 253		/* text form, no trailing dot */

enum dg_name_action {
	DG_NAME_NONE = 0,
	DG_NAME_ALLOW = 1,
	DG_NAME_BLOCK = 2,
};

/* One cache line holds eight: a probe touches one slot, then the string. */
struct dg_domain_slot {
	uint32_t hash;
	uint32_t off;		/* 1 + offset of the entry in arena; 0 = empty */
};

struct dg_domain_set {
	struct dg_domain_slot *slots;
	size_t cap;		/* power of two */
	size_t count;
	char *arena;		/* entries: action byte, name, NUL */
	size_t arena_len;
	size_t arena_cap;
};

void dg_domain_set_init(struct dg_domain_set *s);
void dg_domain_set_free(struct dg_domain_set *s);
/* Make room for n more entries of bytes characters in all, at once (a list
 * file about to be read): no rehashing, no arena copies while it loads. */
int dg_domain_set_reserve(struct dg_domain_set *s, size_t n, size_t bytes);

/*
 * name: normalized (see dg_domain_normalize).  Returns 0 when added, 1 when
 * already present with the same action, -EEXIST when present with the other
 * action, -ENOMEM.
 */
int dg_domain_set_add(struct dg_domain_set *s, const char *name, size_t len, uint8_t action);
uint8_t dg_domain_set_get(const struct dg_domain_set *s, const char *name, size_t len);

/*
 * Most specific entry matching name (lowercase, no trailing dot) whose
 * labels start at label_off[0..nlabels).  Returns the action, and the
 * offset of the matched suffix in *match_off.
 */
uint8_t dg_domain_set_match(const struct dg_domain_set *s, const char *name, size_t len,
			    const uint16_t *label_off, unsigned nlabels, size_t *match_off);
/* The same for a trusted dotted name (labels split at every dot). */
uint8_t dg_domain_set_match_str(const struct dg_domain_set *s, const char *name,
				size_t *match_off);

/* Calls fn for every entry until fn returns non-zero (that value is returned). */
int dg_domain_set_each(const struct dg_domain_set *s,
		       int (*fn)(void *arg, const char *name, uint8_t action), void *arg);

/*
 * Turn a configured entry into the stored form: lowercase, without a
 * leading "*." or "." and without the trailing dot.  Returns the length,
 * or -EINVAL with *why explaining.
 */
int dg_domain_normalize(const char *in, char *out, size_t outlen, const char **why);

#endif
