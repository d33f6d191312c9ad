// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The learn memo decides when the proxy may skip teaching the kernel an
 * address again.  Skipping wrongly would block an allowed connection, so
 * every rule that makes it write is tested at its edge.
 */
#include <stdlib.h>
#include <string.h>

#include "learn_memo.h"
#include "suites.h"

#define S 1000000000ULL

static const uint8_t A[16] = { [10] = 0xff, [11] = 0xff, 10, 77, 0, 1 };
static const uint8_t B[16] = { [10] = 0xff, [11] = 0xff, 10, 77, 0, 2 };

START_TEST(test_memo_rules)
{
	struct dg_learn_memo *memo = dg_learn_memo_new(), *m;
	uint64_t t = 1000 * S;

	ck_assert_ptr_nonnull(memo);
	m = dg_learn_memo_slot(memo, 7, A);
	ck_assert_ptr_eq(m, dg_learn_memo_slot(memo, 7, A));
	/* empty: write */
	ck_assert(!dg_learn_memo_fresh(m, 7, A, t + 60 * S, 1, t));
	dg_learn_memo_note(m, 7, A, t + 60 * S, 1, t);
	/* the same answer again, or one counted down by an upstream cache */
	ck_assert(dg_learn_memo_fresh(m, 7, A, t + 60 * S, 1, t + S / 2));
	ck_assert(dg_learn_memo_fresh(m, 7, A, t + 59 * S, 1, t + S / 2));
	/* a later expiry within the slack: still the same to a second */
	ck_assert(dg_learn_memo_fresh(m, 7, A, t + 61 * S, 1, t + S / 2));
	/* ... beyond it: write */
	ck_assert(!dg_learn_memo_fresh(m, 7, A, t + 61 * S + 1, 1, t + S / 2));
	/* another session, address or verdict: write */
	ck_assert(!dg_learn_memo_fresh(m, 8, A, t + 60 * S, 1, t + S / 2));
	ck_assert(!dg_learn_memo_fresh(m, 7, B, t + 60 * S, 1, t + S / 2));
	ck_assert(!dg_learn_memo_fresh(m, 7, A, t + 60 * S, 2, t + S / 2));
	/* the last write a second old: the LRU map may have evicted it */
	ck_assert(!dg_learn_memo_fresh(m, 7, A, t + 60 * S, 1, t + S));
	/* an entry about to expire is always rewritten */
	dg_learn_memo_note(m, 7, A, t + S + S / 2, 1, t);
	ck_assert(dg_learn_memo_fresh(m, 7, A, t + S + S / 2, 1, t + S / 4));
	ck_assert(!dg_learn_memo_fresh(m, 7, A, t + S + S / 2, 1, t + S / 2));
	free(memo);
}
END_TEST

Suite *learn_memo_suite(void)
{
	Suite *s = suite_create("learn_memo");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, test_memo_rules);
	suite_add_tcase(s, tc);
	return s;
}
