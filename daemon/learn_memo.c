// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "learn_memo.h"

struct dg_learn_memo *dg_learn_memo_new(void)
{
	return calloc(DG_LEARN_MEMO_SLOTS, sizeof(struct dg_learn_memo));
}

struct dg_learn_memo *dg_learn_memo_slot(struct dg_learn_memo *memo, uint32_t scope,
					 const uint8_t addr[16])
{
	uint32_t h = scope * 0x9e3779b1u;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 0x01000193u;	/* FNV-1a over the address */
	return &memo[h % DG_LEARN_MEMO_SLOTS];
}

bool dg_learn_memo_fresh(const struct dg_learn_memo *m, uint32_t scope, const uint8_t addr[16],
			 uint64_t expires_ns, uint8_t verdict, uint64_t now)
{
	return m->written_ns && m->scope == scope && m->verdict == verdict &&
	       !memcmp(m->addr, addr, 16) && now - m->written_ns < DG_LEARN_SLACK_NS &&
	       m->expires_ns > now + DG_LEARN_SLACK_NS &&
	       m->expires_ns + DG_LEARN_SLACK_NS >= expires_ns;
}

void dg_learn_memo_note(struct dg_learn_memo *m, uint32_t scope, const uint8_t addr[16],
			uint64_t expires_ns, uint8_t verdict, uint64_t now)
{
	m->expires_ns = expires_ns;
	m->written_ns = now;
	m->scope = scope;
	m->verdict = verdict;
	memcpy(m->addr, addr, 16);
}
