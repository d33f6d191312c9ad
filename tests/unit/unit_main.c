// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The unit test runner: one SRunner over every suite in suites.h.
 * Exits non-zero when any test fails.  CK_FORK, CK_RUN_SUITE, CK_RUN_CASE
 * and CK_VERBOSITY work as Check documents them.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(domain_set_suite());
	int failed;

	srunner_add_suite(sr, dns_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, ctlmsg_suite());
	srunner_add_suite(sr, util_suite());
	srunner_add_suite(sr, audit_fmt_suite());
	srunner_add_suite(sr, audit_seen_suite());
	srunner_add_suite(sr, audit_report_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_add_suite(sr, watch_suite());
	srunner_add_suite(sr, learn_memo_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
