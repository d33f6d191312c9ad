// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain_set.c (and the profile decision in config.c): label-boundary,
 * case-insensitive matching, most specific entry wins, trailing dots,
 * dg_domain_normalize's accepted and rejected forms, add's return values,
 * and a set grown to 100000 entries (resizing keeps every entry findable).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include "deployguard.h"
#include "config.h"
#include "domain_set.h"
#include "suites.h"

/* Adds a trusted, already normalized name. */
static void set_add(struct dg_domain_set *s, const char *name, uint8_t action)
{
	ck_assert_int_eq(dg_domain_set_add(s, name, strlen(name), action), 0);
}

/* match_str, asserting the action and (when matched) the matched suffix. */
static void expect_match(const struct dg_domain_set *s, const char *name, uint8_t action,
			 const char *suffix)
{
	size_t off = 9999;
	uint8_t a = dg_domain_set_match_str(s, name, &off);

	ck_assert_msg(a == action, "'%s': action %u, expected %u", name, a, action);
	if (action != DG_NAME_NONE) {
		ck_assert_msg(off < strlen(name), "'%s': match_off %zu", name, off);
		ck_assert_msg(strncasecmp(name + off, suffix, strlen(suffix)) == 0,
			      "'%s': matched at '%s', expected '%s'", name, name + off, suffix);
	}
}

/* A profile built by hand, without the config parser. */
static void profile_init(struct dg_profile *p, int mode)
{
	memset(p, 0, sizeof(*p));
	p->name = (char *)"test";
	p->mode = mode;
	dg_domain_set_init(&p->names);
}

START_TEST(test_label_boundaries)
{
	struct dg_domain_set s;

	dg_domain_set_init(&s);
	set_add(&s, "github.com", DG_NAME_BLOCK);

	expect_match(&s, "github.com", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "api.github.com", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "a.b.c.github.com", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "evilgithub.com", DG_NAME_NONE, NULL);
	expect_match(&s, "github.com.evil.net", DG_NAME_NONE, NULL);
	expect_match(&s, "github.co", DG_NAME_NONE, NULL);
	expect_match(&s, "ithub.com", DG_NAME_NONE, NULL);
	expect_match(&s, "com", DG_NAME_NONE, NULL);
	expect_match(&s, "api-github.com", DG_NAME_NONE, NULL);
	expect_match(&s, "", DG_NAME_NONE, NULL);
	expect_match(&s, ".", DG_NAME_NONE, NULL);
	dg_domain_set_free(&s);
}
END_TEST

START_TEST(test_case_and_trailing_dot)
{
	struct dg_domain_set s;
	size_t off = 0;

	dg_domain_set_init(&s);
	set_add(&s, "github.com", DG_NAME_BLOCK);

	expect_match(&s, "GitHub.COM", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "WWW.GITHUB.COM", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "github.com.", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "Raw.GitHub.Com.", DG_NAME_BLOCK, "github.com");
	ck_assert_uint_eq(dg_domain_set_match_str(&s, "x.github.com.", &off), DG_NAME_BLOCK);
	ck_assert_uint_eq(off, 2);
	/* the exact lookup does not fold case: stored names are normalized */
	ck_assert_uint_eq(dg_domain_set_get(&s, "github.com", 10), DG_NAME_BLOCK);
	ck_assert_uint_eq(dg_domain_set_get(&s, "GITHUB.COM", 10), DG_NAME_NONE);
	ck_assert_uint_eq(dg_domain_set_get(&s, "github.co", 9), DG_NAME_NONE);
	dg_domain_set_free(&s);
}
END_TEST

START_TEST(test_most_specific_wins)
{
	struct dg_domain_set s;

	dg_domain_set_init(&s);
	set_add(&s, "github.com", DG_NAME_BLOCK);
	set_add(&s, "api.github.com", DG_NAME_ALLOW);
	set_add(&s, "deep.api.github.com", DG_NAME_BLOCK);

	expect_match(&s, "github.com", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "www.github.com", DG_NAME_BLOCK, "github.com");
	expect_match(&s, "api.github.com", DG_NAME_ALLOW, "api.github.com");
	expect_match(&s, "x.api.github.com", DG_NAME_ALLOW, "api.github.com");
	expect_match(&s, "deep.api.github.com", DG_NAME_BLOCK, "deep.api.github.com");
	expect_match(&s, "z.deep.api.github.com", DG_NAME_BLOCK, "deep.api.github.com");
	expect_match(&s, "xapi.github.com", DG_NAME_BLOCK, "github.com");
	dg_domain_set_free(&s);
}
END_TEST

START_TEST(test_profile_decide_str)
{
	struct dg_profile p;
	long off = 1234;

	profile_init(&p, DG_MODE_BLOCKLIST);
	set_add(&p.names, "github.com", DG_NAME_BLOCK);
	set_add(&p.names, "api.github.com", DG_NAME_ALLOW);

	ck_assert_uint_eq(dg_profile_decide_str(&p, "api.github.com", &off), DG_NAME_ALLOW);
	ck_assert_int_eq(off, 0);
	ck_assert_uint_eq(dg_profile_decide_str(&p, "x.api.github.com", &off), DG_NAME_ALLOW);
	ck_assert_int_eq(off, 2);
	ck_assert_uint_eq(dg_profile_decide_str(&p, "github.com", &off), DG_NAME_BLOCK);
	ck_assert_int_eq(off, 0);
	ck_assert_uint_eq(dg_profile_decide_str(&p, "Codeload.GitHub.com.", &off), DG_NAME_BLOCK);
	ck_assert_int_eq(off, 9);
	ck_assert_uint_eq(dg_profile_decide_str(&p, "evilgithub.com", &off), DG_NAME_ALLOW);
	ck_assert_int_eq(off, -1);	/* decided by the mode */
	ck_assert_uint_eq(dg_profile_decide_str(&p, "example.com", NULL), DG_NAME_ALLOW);

	/* allowlist: anything without an entry is blocked */
	p.mode = DG_MODE_ALLOWLIST;
	ck_assert_uint_eq(dg_profile_decide_str(&p, "example.com", &off), DG_NAME_BLOCK);
	ck_assert_int_eq(off, -1);
	ck_assert_uint_eq(dg_profile_decide_str(&p, "v2.api.github.com", &off), DG_NAME_ALLOW);
	ck_assert_int_eq(off, 3);
	ck_assert_uint_eq(dg_profile_decide_str(&p, "github.com", &off), DG_NAME_BLOCK);
	ck_assert_int_eq(off, 0);
	dg_domain_set_free(&p.names);
}
END_TEST

/*
 * dg_domain_set_match trusts label_off, not the dots: a DNS label may
 * contain an (escaped) dot, and "github.com" inside it is not a suffix
 * at a label boundary.
 */
START_TEST(test_match_uses_label_offsets)
{
	struct dg_domain_set s;
	/* wire labels "evil.github" and "com" in presentation form */
	const char *name = "evil\\.github.com";
	const uint16_t offs[] = { 0, 13 };
	size_t off = 77;

	dg_domain_set_init(&s);
	set_add(&s, "github.com", DG_NAME_BLOCK);
	set_add(&s, "example.org", DG_NAME_ALLOW);
	ck_assert_uint_eq(dg_domain_set_match(&s, name, strlen(name), offs, 2, &off),
			  DG_NAME_NONE);
	ck_assert_uint_eq(off, 77);	/* untouched without a match */

	{
		const char *n2 = "a.b.example.org";
		const uint16_t o2[] = { 0, 2, 4, 12 };

		ck_assert_uint_eq(dg_domain_set_match(&s, n2, strlen(n2), o2, 4, &off),
				  DG_NAME_ALLOW);
		ck_assert_uint_eq(off, 4);
		/* with fewer labels given, the shorter suffixes are not tried */
		ck_assert_uint_eq(dg_domain_set_match(&s, n2, strlen(n2), o2, 2, &off),
				  DG_NAME_NONE);
	}
	dg_domain_set_free(&s);
}
END_TEST

START_TEST(test_add_return_values)
{
	struct dg_domain_set s;

	dg_domain_set_init(&s);
	ck_assert_uint_eq(dg_domain_set_get(&s, "x.com", 5), DG_NAME_NONE);	/* empty set */
	ck_assert_int_eq(dg_domain_set_add(&s, "x.com", 5, DG_NAME_BLOCK), 0);
	ck_assert_int_eq(dg_domain_set_add(&s, "x.com", 5, DG_NAME_BLOCK), 1);
	ck_assert_int_eq(dg_domain_set_add(&s, "x.com", 5, DG_NAME_ALLOW), -EEXIST);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_uint_eq(dg_domain_set_get(&s, "x.com", 5), DG_NAME_BLOCK);
	/* the length, not the NUL, delimits the name */
	ck_assert_int_eq(dg_domain_set_add(&s, "y.com.extra", 5, DG_NAME_ALLOW), 0);
	ck_assert_uint_eq(dg_domain_set_get(&s, "y.com", 5), DG_NAME_ALLOW);
	ck_assert_uint_eq(dg_domain_set_get(&s, "y.com.extra", 11), DG_NAME_NONE);
	ck_assert_int_eq(dg_domain_set_add(&s, "y.com", 5, DG_NAME_BLOCK), -EEXIST);
	ck_assert_uint_eq(s.count, 2);
	/* a prefix of a stored name is a different name */
	ck_assert_uint_eq(dg_domain_set_get(&s, "x.co", 4), DG_NAME_NONE);
	dg_domain_set_free(&s);
	ck_assert_ptr_null(s.slots);
	ck_assert_uint_eq(s.count, 0);
	/* usable again after free */
	ck_assert_int_eq(dg_domain_set_add(&s, "x.com", 5, DG_NAME_ALLOW), 0);
	ck_assert_uint_eq(dg_domain_set_get(&s, "x.com", 5), DG_NAME_ALLOW);
	dg_domain_set_free(&s);
}
END_TEST

START_TEST(test_large_set)
{
	enum { N = 100000 };
	struct dg_domain_set s;
	char name[64], q[80];

	dg_domain_set_init(&s);
	for (int i = 0; i < N; i++) {
		int len = snprintf(name, sizeof(name), "host%d.zone%d.example", i, i % 97);

		ck_assert_int_eq(dg_domain_set_add(&s, name, (size_t)len,
						   i % 3 ? DG_NAME_BLOCK : DG_NAME_ALLOW), 0);
	}
	ck_assert_uint_eq(s.count, N);
	ck_assert_uint_eq(s.cap & (s.cap - 1), 0);		/* power of two */
	ck_assert_uint_le(s.count * 4, s.cap * 3);		/* load factor kept */

	for (int i = 0; i < N; i++) {
		uint8_t want = i % 3 ? DG_NAME_BLOCK : DG_NAME_ALLOW;
		int len = snprintf(name, sizeof(name), "host%d.zone%d.example", i, i % 97);
		size_t off = 0;

		ck_assert_msg(dg_domain_set_get(&s, name, (size_t)len) == want, "lost %s", name);
		/* and as a suffix of a longer name */
		snprintf(q, sizeof(q), "www.%s", name);
		ck_assert_uint_eq(dg_domain_set_match_str(&s, q, &off), want);
		ck_assert_uint_eq(off, 4);
		/* re-adding finds the existing entry */
		if (i % 1000 == 0)
			ck_assert_int_eq(dg_domain_set_add(&s, name, (size_t)len, want), 1);
	}
	ck_assert_uint_eq(s.count, N);
	ck_assert_uint_eq(dg_domain_set_get(&s, "host100000.zone0.example", 24), DG_NAME_NONE);
	ck_assert_uint_eq(dg_domain_set_match_str(&s, "zone1.example", NULL), DG_NAME_NONE);
	dg_domain_set_free(&s);
}
END_TEST

/* ---- dg_domain_normalize ----------------------------------------------------- */

static void expect_norm(const char *in, const char *want)
{
	char out[DG_NAME_MAX + 1];
	const char *why = NULL;
	int r;

	memset(out, 'X', sizeof(out));
	r = dg_domain_normalize(in, out, sizeof(out), &why);
	ck_assert_msg(r == (int)strlen(want), "'%s': returned %d (%s)", in, r, why ? why : "-");
	ck_assert_str_eq(out, want);
}

static void expect_norm_error(const char *in, const char *why_part)
{
	char out[DG_NAME_MAX + 1];
	const char *why = NULL;
	int r = dg_domain_normalize(in, out, sizeof(out), &why);

	ck_assert_msg(r == -EINVAL, "'%s': returned %d, expected -EINVAL", in, r);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, why_part), "'%s': why '%s' does not mention '%s'", in, why,
		      why_part);
}

START_TEST(test_normalize_accepts)
{
	char label63[64], name253[300];

	expect_norm("github.com", "github.com");
	expect_norm("*.x.com", "x.com");
	expect_norm(".x.com", "x.com");
	expect_norm("X.COM.", "x.com");
	expect_norm("*.Sub.Example.ORG.", "sub.example.org");
	expect_norm("a-b_c.d9", "a-b_c.d9");
	expect_norm("localhost", "localhost");

	memset(label63, 'a', 63);
	label63[63] = '\0';
	expect_norm(label63, label63);

	/* 253 characters: 3 labels of 63 and one of 61, with dots */
	snprintf(name253, sizeof(name253), "%s.%s.%s.%.61s", label63, label63, label63, label63);
	ck_assert_uint_eq(strlen(name253), 253);
	expect_norm(name253, name253);
}
END_TEST

START_TEST(test_normalize_rejects)
{
	char label64[65], name254[300], label63[64], out[8];
	const char *why = NULL;

	expect_norm_error("", "empty");
	expect_norm_error(".", "empty");
	expect_norm_error("*.", "empty");
	expect_norm_error("a..b", "empty label");
	expect_norm_error("..x.com", "empty label");
	expect_norm_error("x.com..", "empty label");
	expect_norm_error("*..x.com", "empty label");
	expect_norm_error("a b.com", "invalid character");
	expect_norm_error("exa!mple.com", "invalid character");
	expect_norm_error("*", "invalid character");
	expect_norm_error("*.*.x.com", "invalid character");
	expect_norm_error("10.0.0.0/8", "invalid character");
	expect_norm_error("\xc3\xa4.com", "invalid character");

	memset(label64, 'a', 64);
	label64[64] = '\0';
	expect_norm_error(label64, "63");

	memset(label63, 'a', 63);
	label63[63] = '\0';
	snprintf(name254, sizeof(name254), "%s.%s.%s.%.62s", label63, label63, label63, label63);
	ck_assert_uint_eq(strlen(name254), 254);
	expect_norm_error(name254, "253");

	/* an output buffer too small is an error, not an overflow */
	ck_assert_int_eq(dg_domain_normalize("example.com", out, sizeof(out), &why), -EINVAL);
}
END_TEST

Suite *domain_set_suite(void)
{
	Suite *s = suite_create("domain_set");
	TCase *tc = tcase_create("match");

	tcase_add_test(tc, test_label_boundaries);
	tcase_add_test(tc, test_case_and_trailing_dot);
	tcase_add_test(tc, test_most_specific_wins);
	tcase_add_test(tc, test_profile_decide_str);
	tcase_add_test(tc, test_match_uses_label_offsets);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_add_test(tc, test_add_return_values);
	tcase_add_test(tc, test_large_set);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("normalize");
	tcase_add_test(tc, test_normalize_accepts);
	tcase_add_test(tc, test_normalize_rejects);
	suite_add_tcase(s, tc);
	return s;
}
