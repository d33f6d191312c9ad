// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "audit_seen.h"

#define SEEN_BUCKETS 256

void dg_seen_init(struct dg_seen_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

void dg_seen_free(struct dg_seen_table *t)
{
	struct dg_seen *e = t->first, *n;

	for (; e; e = n) {
		n = e->later;
		free(e);
	}
	free(t->buckets);
	t->buckets = NULL;
	t->first = t->last = NULL;
	t->n = 0;
}

/* FNV-1a */
static uint32_t hash_bytes(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t key_hash(int kind, int decision, const char *lname, const uint8_t *addr)
{
	uint8_t kd[2] = { (uint8_t)kind, (uint8_t)decision };
	uint32_t h = hash_bytes(2166136261u, kd, sizeof(kd));

	return kind != DG_SEEN_ADDR ? hash_bytes(h, lname, strlen(lname))
				    : hash_bytes(h, addr, 16);
}

static bool key_eq(const struct dg_seen *e, int kind, int decision, const char *lname,
		   const uint8_t *addr)
{
	if (e->kind != kind || e->decision != decision)
		return false;
	return kind != DG_SEEN_ADDR ? !strcmp(e->name, lname) : !memcmp(e->addr, addr, 16);
}

int dg_seen_note(struct dg_seen_table *t, int kind, int decision, const char *name,
		 const uint8_t addr[16], struct dg_seen **out)
{
	char lname[256];
	struct dg_seen *e;
	uint32_t h;
	size_t len = 0;

	*out = NULL;
	if (kind != DG_SEEN_ADDR) {
		/* names are case-insensitive, and a trailing dot changes nothing */
		for (; name && name[len] && len < sizeof(lname) - 1; len++)
			lname[len] = (char)tolower((unsigned char)name[len]);
		while (len > 1 && lname[len - 1] == '.')
			len--;
		lname[len] = '\0';
	} else {
		lname[0] = '\0';
	}
	h = key_hash(kind, decision, lname, addr);

	if (t->buckets) {
		for (e = t->buckets[h % t->nbuckets]; e; e = e->next) {
			if (key_eq(e, kind, decision, lname, addr)) {
				e->count++;
				t->repeats++;
				*out = e;
				return 0;
			}
		}
	}
	if (t->n >= t->max) {
		t->unrecorded++;
		return -ENOSPC;
	}
	if (!t->buckets) {
		/* an array of pointers, on purpose */
		t->buckets = calloc(SEEN_BUCKETS, sizeof(*t->buckets)); // NOLINT(bugprone-sizeof-expression)
		if (!t->buckets) {
			t->unrecorded++;
			return -ENOMEM;
		}
		t->nbuckets = SEEN_BUCKETS;
	}
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e) {
		t->unrecorded++;
		return -ENOMEM;
	}
	e->kind = (uint8_t)kind;
	e->decision = (uint8_t)decision;
	e->count = 1;
	if (kind != DG_SEEN_ADDR)
		memcpy(e->name, lname, len + 1);
	else
		memcpy(e->addr, addr, 16);
	e->next = t->buckets[h % t->nbuckets];
	t->buckets[h % t->nbuckets] = e;
	if (t->last)
		t->last->later = e;
	else
		t->first = e;
	t->last = e;
	t->n++;
	*out = e;
	return 1;
}
