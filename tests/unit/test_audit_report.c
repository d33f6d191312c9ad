// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguard report against a checked-in audit log (tests/data/audit/
 * sample.log): two daemons and a restart, sudo in audit mode with a
 * 10,000-try burst, two private `deployguard run` daemons reusing session
 * id 1, a session whose open record was rotated away, a collector's record
 * from another node with hostile values, and other programs' records
 * in between.  The outputs are golden files next to it.
 *
 * Regenerate after an intended change (then read the diff!):
 *   cd tests/unit && DG_REPORT_REGEN=1 ../../build/tests/unit_tests
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "suites.h"

#define DATA "../data/audit/"

static char *run_report(struct dg_report_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc;

	ck_assert_ptr_nonnull(out);
	o->inputs[0] = DATA "sample.log";
	o->ninputs = 1;
	rc = dg_report(o, out, stderr);
	fclose(out);
	ck_assert_int_eq(rc, 0);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void check_golden(enum dg_report_format fmt, const char *golden)
{
	struct dg_report_opts o = { .format = fmt };
	char *got = run_report(&o), *want;

	if (getenv("DG_REPORT_REGEN")) {
		FILE *f = fopen(golden, "w");

		ck_assert_ptr_nonnull(f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp(golden);
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
}

static void setup(void)
{
	/* golden times are UTC */
	setenv("TZ", "UTC", 1);
	tzset();
}

START_TEST(golden_text)
{
	check_golden(DG_REPORT_TEXT, DATA "sample.txt");
}
END_TEST

START_TEST(golden_json)
{
	check_golden(DG_REPORT_JSON, DATA "sample.json");
}
END_TEST

START_TEST(golden_csv)
{
	check_golden(DG_REPORT_CSV, DATA "sample.csv");
}
END_TEST

static int count_sessions(const char *text)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, "Session ")); p++)
		if (p == text || p[-1] == '\n')
			n++;
	return n;
}

START_TEST(filter_session)
{
	struct dg_report_opts o = { .have_session = true, .session = 42 };
	char *got = run_report(&o);

	ck_assert_int_eq(count_sessions(got), 1);
	ck_assert_ptr_nonnull(strstr(got, "Session 42\n"));
	ck_assert_ptr_nonnull(strstr(got, "would-block dns       10000  api.github.com"));
	free(got);

	/* both private sessions numbered 1, kept apart */
	o.session = 1;
	got = run_report(&o);
	ck_assert_int_eq(count_sessions(got), 2);
	ck_assert_ptr_nonnull(strstr(got, "objects.githubusercontent.com"));
	ck_assert_ptr_nonnull(strstr(got, "127.0.0.1:8080/tcp"));
	ck_assert_ptr_null(strstr(strstr(got, "127.0.0.1:8080"), "objects.github"));
	free(got);
}
END_TEST

START_TEST(filter_user)
{
	struct dg_report_opts o = { .user = "alice" };
	char *got = run_report(&o);

	ck_assert_int_eq(count_sessions(got), 1);
	ck_assert_ptr_nonnull(strstr(got, "Session 42\n"));
	free(got);

	o.user = "deploy";	/* alice ran as deploy; deploy logged in itself too */
	got = run_report(&o);
	ck_assert_ptr_nonnull(strstr(got, "Session 41\n"));
	ck_assert_ptr_nonnull(strstr(got, "Session 42\n"));
	free(got);

	o.user = "1003";	/* a login uid: the session without an open record */
	got = run_report(&o);
	ck_assert_int_eq(count_sessions(got), 1);
	ck_assert_ptr_nonnull(strstr(got, "Session 43\n"));
	free(got);
}
END_TEST

START_TEST(filter_time)
{
	struct dg_report_opts o = { 0 };
	char *got;

	/* 2025-11-24 16:08:20 UTC: sessions 41 and 42 are over, the rest not yet begun */
	ck_assert_int_eq(dg_report_parse_time("2025-11-24 16:08:20", 0, &o.since), 0);
	o.have_since = true;
	got = run_report(&o);
	ck_assert_int_eq(count_sessions(got), 4);
	ck_assert_ptr_null(strstr(got, "Session 41\n"));
	ck_assert_ptr_null(strstr(got, "Session 42\n"));
	free(got);

	o.have_since = false;
	ck_assert_int_eq(dg_report_parse_time("2025-11-24T16:01:00", 0, &o.until), 0);
	o.have_until = true;
	got = run_report(&o);
	ck_assert_int_eq(count_sessions(got), 1);
	ck_assert_ptr_nonnull(strstr(got, "Session 41\n"));
	free(got);
}
END_TEST

START_TEST(no_match)
{
	struct dg_report_opts o = { .have_session = true, .session = 999, .format = DG_REPORT_JSON };
	char *got = run_report(&o);

	ck_assert_str_eq(got, "[\n]\n");
	free(got);
}
END_TEST

START_TEST(parse_time)
{
	time_t now = 1764000000, t;	/* 2025-11-24 16:00:00 UTC */

	ck_assert_int_eq(dg_report_parse_time("now", now, &t), 0);
	ck_assert_int_eq(t, now);
	ck_assert_int_eq(dg_report_parse_time("recent", now, &t), 0);
	ck_assert_int_eq(t, now - 600);
	ck_assert_int_eq(dg_report_parse_time("today", now, &t), 0);
	ck_assert_int_eq(t, 1763942400);
	ck_assert_int_eq(dg_report_parse_time("yesterday", now, &t), 0);
	ck_assert_int_eq(t, 1763942400 - 86400);
	ck_assert_int_eq(dg_report_parse_time("@1700000000", now, &t), 0);
	ck_assert_int_eq(t, 1700000000);
	ck_assert_int_eq(dg_report_parse_time("-90m", now, &t), 0);
	ck_assert_int_eq(t, now - 5400);
	ck_assert_int_eq(dg_report_parse_time("-2d", now, &t), 0);
	ck_assert_int_eq(t, now - 172800);
	ck_assert_int_eq(dg_report_parse_time("2025-11-24", now, &t), 0);
	ck_assert_int_eq(t, 1763942400);
	ck_assert_int_eq(dg_report_parse_time("2025-11-24 16:00", now, &t), 0);
	ck_assert_int_eq(t, now);
	ck_assert_int_eq(dg_report_parse_time("2025-11-24T16:00:05", now, &t), 0);
	ck_assert_int_eq(t, now + 5);
	ck_assert_int_ne(dg_report_parse_time("", now, &t), 0);
	ck_assert_int_ne(dg_report_parse_time("2025-13-01", now, &t), 0);
	ck_assert_int_ne(dg_report_parse_time("2025-11-24 25:00", now, &t), 0);
	ck_assert_int_ne(dg_report_parse_time("2025-11-24x", now, &t), 0);
	ck_assert_int_ne(dg_report_parse_time("-5y", now, &t), 0);
	ck_assert_int_ne(dg_report_parse_time("@12abc", now, &t), 0);
	ck_assert_int_ne(dg_report_parse_time("tomorrow", now, &t), 0);
}
END_TEST

Suite *audit_report_suite(void)
{
	Suite *s = suite_create("audit_report");
	TCase *tc = tcase_create("report");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, golden_text);
	tcase_add_test(tc, golden_json);
	tcase_add_test(tc, golden_csv);
	tcase_add_test(tc, filter_session);
	tcase_add_test(tc, filter_user);
	tcase_add_test(tc, filter_time);
	tcase_add_test(tc, no_match);
	tcase_add_test(tc, parse_time);
	suite_add_tcase(s, tc);
	return s;
}
