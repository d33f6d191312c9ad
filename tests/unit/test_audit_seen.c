// SPDX-License-Identifier: GPL-2.0-or-later
/* The per-session table that decides which decisions get a record. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit_fmt.h"
#include "audit_seen.h"
#include "suites.h"

static const uint8_t addr_a[16] = { [10] = 0xff, [11] = 0xff, 10, 77, 0, 1 };
static const uint8_t addr_b[16] = { [10] = 0xff, [11] = 0xff, 10, 77, 0, 2 };

START_TEST(first_then_repeats)
{
	struct dg_seen_table t;
	struct dg_seen *e, *again;

	dg_seen_init(&t, 8);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, "github.com", NULL, &e),
			 1);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->name, "github.com");
	ck_assert_uint_eq(e->count, 1);
	for (int i = 1; i < 10000; i++)
		ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, "github.com",
					      NULL, &again), 0);
	ck_assert_ptr_eq(again, e);
	/* every one of the 10,000 is counted; 9,999 of them needed no record */
	ck_assert_uint_eq(e->count, 10000);
	ck_assert_uint_eq(t.repeats, 9999);
	ck_assert_uint_eq(t.unrecorded, 0);
	ck_assert_uint_eq(t.n, 1);
	dg_seen_free(&t);
}
END_TEST

START_TEST(names_are_case_insensitive)
{
	struct dg_seen_table t;
	struct dg_seen *e;

	dg_seen_init(&t, 8);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, "GitHub.COM", NULL, &e),
			 1);
	ck_assert_str_eq(e->name, "github.com");
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, "github.com.", NULL, &e),
			 0);
	ck_assert_uint_eq(e->count, 2);
	dg_seen_free(&t);
}
END_TEST

START_TEST(decision_and_kind_are_part_of_the_key)
{
	struct dg_seen_table t;
	struct dg_seen *e;

	dg_seen_init(&t, 8);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, "x.test", NULL, &e), 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_ALLOWED, "x.test", NULL, &e), 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_WOULD_BLOCK, "x.test", NULL, &e),
			 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_ADDR, DG_ADEC_ALLOWED, NULL, addr_a, &e), 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_ADDR, DG_ADEC_ALLOWED, NULL, addr_b, &e), 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_ADDR, DG_ADEC_ALLOWED, NULL, addr_a, &e), 0);
	ck_assert(!memcmp(e->addr, addr_a, 16));
	/* a kind of socket is a key of its own, even when it shares a name */
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_SOCKET, DG_ADEC_BLOCKED, "x.test", NULL, &e), 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_SOCKET, DG_ADEC_BLOCKED, "raw", NULL, &e), 1);
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_SOCKET, DG_ADEC_BLOCKED, "raw", NULL, &e), 0);
	ck_assert_str_eq(e->name, "raw");
	ck_assert_uint_eq(t.n, 7);
	dg_seen_free(&t);
}
END_TEST

START_TEST(insertion_order)
{
	static const char *const names[] = { "c.test", "a.test", "b.test" };
	struct dg_seen_table t;
	struct dg_seen *e;
	size_t i = 0;

	dg_seen_init(&t, 8);
	for (size_t k = 0; k < 3; k++)
		dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, names[k], NULL, &e);
	dg_seen_for_each(&t, it) {
		ck_assert_uint_lt(i, 3);
		ck_assert_str_eq(it->name, names[i++]);
	}
	ck_assert_uint_eq(i, 3);
	dg_seen_free(&t);
}
END_TEST

START_TEST(limit_counts_the_rest)
{
	struct dg_seen_table t;
	struct dg_seen *e;
	char name[32];

	dg_seen_init(&t, 4);
	for (int i = 0; i < 1000; i++) {
		int rc;

		snprintf(name, sizeof(name), "r%d.github.com", i);
		rc = dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, name, NULL, &e);
		ck_assert_int_eq(rc, i < 4 ? 1 : -ENOSPC);
	}
	/* known keys still count after the limit */
	ck_assert_int_eq(dg_seen_note(&t, DG_SEEN_DOMAIN, DG_ADEC_BLOCKED, "r0.github.com", NULL,
				      &e), 0);
	ck_assert_uint_eq(t.n, 4);
	ck_assert_uint_eq(t.unrecorded, 996);
	ck_assert_uint_eq(t.repeats, 1);
	dg_seen_free(&t);
}
END_TEST

Suite *audit_seen_suite(void)
{
	Suite *s = suite_create("audit_seen");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, first_then_repeats);
	tcase_add_test(tc, names_are_case_insensitive);
	tcase_add_test(tc, decision_and_kind_are_part_of_the_key);
	tcase_add_test(tc, insertion_order);
	tcase_add_test(tc, limit_counts_the_rest);
	suite_add_tcase(s, tc);
	return s;
}
