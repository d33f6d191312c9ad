// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain_set.h"

/*
 * FNV-1a, fed from the last character to the first: walking a queried name
 * from its TLD outwards extends one hash, instead of hashing every suffix
 * from scratch.
 */
#define HASH_INIT 2166136261u

static uint32_t hash_step(uint32_t h, char c)
{
	return (h ^ (unsigned char)c) * 16777619u;
}

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = HASH_INIT;

	while (len)
		h = hash_step(h, s[--len]);
	return h;
}

void dg_domain_set_init(struct dg_domain_set *s)
{
	memset(s, 0, sizeof(*s));
}

void dg_domain_set_free(struct dg_domain_set *s)
{
	free(s->slots);
	free(s->arena);
	memset(s, 0, sizeof(*s));
}

static const char *entry_name(const struct dg_domain_set *s, uint32_t off)
{
	return s->arena + off;	/* off is 1 + offset of the action byte */
}

static size_t find_slot(const struct dg_domain_set *s, const char *name, size_t len, uint32_t h)
{
	size_t mask = s->cap - 1, i = h & mask;

	while (s->slots[i].off) {
		if (s->slots[i].hash == h) {
			const char *e = entry_name(s, s->slots[i].off);

			if (memcmp(e, name, len) == 0 && e[len] == '\0')
				return i;
		}
		i = (i + 1) & mask;
	}
	return i;
}

static int resize(struct dg_domain_set *s, size_t ncap)
{
	struct dg_domain_slot *n = calloc(ncap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		size_t j;

		if (!s->slots[i].off)
			continue;
		j = s->slots[i].hash & (ncap - 1);
		while (n[j].off)
			j = (j + 1) & (ncap - 1);
		n[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = n;
	s->cap = ncap;
	return 0;
}

int dg_domain_set_reserve(struct dg_domain_set *s, size_t n, size_t bytes)
{
	size_t want = s->count + n, cap = s->cap ? s->cap : 64;
	size_t arena = s->arena_len + bytes + 2 * n;

	/* load factor under 3/4 */
	while (want * 4 > cap * 3)
		cap *= 2;
	if (cap != s->cap && resize(s, cap))
		return -ENOMEM;
	if (arena > s->arena_cap && arena < UINT32_MAX) {
		char *na = realloc(s->arena, arena);

		if (!na)
			return -ENOMEM;
		s->arena = na;
		s->arena_cap = arena;
	}
	return 0;
}

int dg_domain_set_add(struct dg_domain_set *s, const char *name, size_t len, uint8_t action)
{
	uint32_t h = name_hash(name, len);
	size_t i, need;

	if ((s->count + 1) * 4 > s->cap * 3 && resize(s, s->cap ? s->cap * 2 : 64))
		return -ENOMEM;
	i = find_slot(s, name, len, h);
	if (s->slots[i].off) {
		uint8_t old = (uint8_t)s->arena[s->slots[i].off - 1];

		return old == action ? 1 : -EEXIST;
	}

	need = s->arena_len + len + 2;
	if (need > UINT32_MAX - 1)
		return -ENOMEM;
	if (need > s->arena_cap) {
		size_t ncap = s->arena_cap ? s->arena_cap : 4096;
		char *na;

		while (ncap < need)
			ncap *= 2;
		na = realloc(s->arena, ncap);
		if (!na)
			return -ENOMEM;
		s->arena = na;
		s->arena_cap = ncap;
	}
	s->arena[s->arena_len] = (char)action;
	memcpy(s->arena + s->arena_len + 1, name, len);
	s->arena[s->arena_len + 1 + len] = '\0';
	s->slots[i].off = (uint32_t)(s->arena_len + 1);
	s->slots[i].hash = h;
	s->arena_len = need;
	s->count++;
	return 0;
}

static uint8_t get_hashed(const struct dg_domain_set *s, const char *name, size_t len, uint32_t h)
{
	size_t i = find_slot(s, name, len, h);

	return s->slots[i].off ? (uint8_t)s->arena[s->slots[i].off - 1] : DG_NAME_NONE;
}

uint8_t dg_domain_set_get(const struct dg_domain_set *s, const char *name, size_t len)
{
	if (!s->count)
		return DG_NAME_NONE;
	return get_hashed(s, name, len, name_hash(name, len));
}

uint8_t dg_domain_set_match(const struct dg_domain_set *s, const char *name, size_t len,
			    const uint16_t *label_off, unsigned nlabels, size_t *match_off)
{
	uint32_t h = HASH_INIT;
	uint8_t found = DG_NAME_NONE;
	size_t pos = len;

	if (!s->count)
		return DG_NAME_NONE;
	/* from the shortest suffix (the TLD) to the whole name; the last hit
	 * is the most specific entry */
	for (unsigned i = nlabels; i-- > 0;) {
		size_t off = label_off[i];
		uint8_t a;

		if (off >= pos)
			continue;
		while (pos > off)
			h = hash_step(h, name[--pos]);
		a = get_hashed(s, name + off, len - off, h);
		if (a != DG_NAME_NONE) {
			found = a;
			if (match_off)
				*match_off = off;
		}
	}
	return found;
}

uint8_t dg_domain_set_match_str(const struct dg_domain_set *s, const char *name,
				size_t *match_off)
{
	char lower[DG_NAME_MAX + 1];
	uint16_t offs[DG_NAME_MAX / 2 + 1];
	unsigned n = 0;
	size_t len = strlen(name);

	if (len && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DG_NAME_MAX)
		return DG_NAME_NONE;
	offs[n++] = 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		lower[i] = (char)((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
		if (c == '.' && n < sizeof(offs) / sizeof(offs[0]))
			offs[n++] = (uint16_t)(i + 1);
	}
	lower[len] = '\0';
	return dg_domain_set_match(s, lower, len, offs, n, match_off);
}

int dg_domain_set_each(const struct dg_domain_set *s,
		       int (*fn)(void *arg, const char *name, uint8_t action), void *arg)
{
	for (size_t i = 0; i < s->cap; i++) {
		int r;

		if (!s->slots[i].off)
			continue;
		r = fn(arg, entry_name(s, s->slots[i].off), (uint8_t)s->arena[s->slots[i].off - 1]);
		if (r)
			return r;
	}
	return 0;
}

static bool label_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int dg_domain_normalize(const char *in, char *out, size_t outlen, const char **why)
{
	size_t len, label = 0, n = 0;

	if (strncmp(in, "*.", 2) == 0)
		in += 2;
	else if (in[0] == '.')
		in++;
	len = strlen(in);
	if (len && in[len - 1] == '.')
		len--;
	if (len == 0) {
		*why = "empty domain name";
		return -EINVAL;
	}
	if (len > DG_NAME_MAX || len >= outlen) {
		*why = "domain name longer than 253 characters";
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0) {
				*why = "empty label in domain name";
				return -EINVAL;
			}
			label = 0;
		} else if (!label_char_ok(c)) {
			*why = "invalid character in domain name (letters, digits, '-', '_' and dots only)";
			return -EINVAL;
		} else if (++label > 63) {
			*why = "label longer than 63 characters in domain name";
			return -EINVAL;
		}
		out[n++] = c;
	}
	if (label == 0) {	/* "x.com.." lost only one trailing dot */
		*why = "empty label in domain name";
		return -EINVAL;
	}
	out[n] = '\0';
	return (int)n;
}
