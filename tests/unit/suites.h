/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Check suites of the unit tests; unit_main.c runs them all. */
#ifndef DG_TEST_SUITES_H
#define DG_TEST_SUITES_H

#include <check.h>

Suite *domain_set_suite(void);
Suite *dns_suite(void);
Suite *config_suite(void);
Suite *ctlmsg_suite(void);
Suite *util_suite(void);
Suite *audit_fmt_suite(void);
Suite *audit_seen_suite(void);
Suite *audit_report_suite(void);
Suite *limits_suite(void);
Suite *watch_suite(void);
Suite *learn_memo_suite(void);

#endif
