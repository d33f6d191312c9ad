/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the proxy last taught the kernel for each (session, address).
 *
 * A name a deploy resolves over and over (a retry loop, forty curl calls)
 * would cost a BPF map update per answer, the proxy's single biggest cost.
 * An answer that would move an address's expiry by less than a second (the
 * resolution of a TTL; an upstream cache counts the same expiry down) is not
 * written again, as long as the last write is under a second old (so the
 * LRU map cannot have evicted it meanwhile) and the entry has more than a
 * second to live.  At worst an address stays allowed a second less than
 * its TTL said.  Direct-mapped: a collision only costs a write.
 */
#ifndef DG_LEARN_MEMO_H
#define DG_LEARN_MEMO_H

#include <stdbool.h>
#include <stdint.h>

#define DG_LEARN_MEMO_SLOTS 1024
#define DG_LEARN_SLACK_NS 1000000000ULL

struct dg_learn_memo {
	uint64_t expires_ns;
	uint64_t written_ns;	/* 0: empty */
	uint32_t scope;
	uint8_t verdict;
	uint8_t addr[16];
};

/* Allocates DG_LEARN_MEMO_SLOTS empty slots; NULL when out of memory. */
struct dg_learn_memo *dg_learn_memo_new(void);
/* The slot for (scope, addr). */
struct dg_learn_memo *dg_learn_memo_slot(struct dg_learn_memo *memo, uint32_t scope,
					 const uint8_t addr[16]);
/* Does the kernel already hold what writing this would give it? */
bool dg_learn_memo_fresh(const struct dg_learn_memo *slot, uint32_t scope, const uint8_t addr[16],
			 uint64_t expires_ns, uint8_t verdict, uint64_t now);
/* After a successful write. */
void dg_learn_memo_note(struct dg_learn_memo *slot, uint32_t scope, const uint8_t addr[16],
			uint64_t expires_ns, uint8_t verdict, uint64_t now);

#endif
