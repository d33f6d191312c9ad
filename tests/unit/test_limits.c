// SPDX-License-Identifier: GPL-2.0-or-later
/* Resource limit values: sizes, cpu_max, pids_max, io_weight, and how the
 * config reports bad ones. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cgroup.h"
#include "config.h"
#include "suites.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

START_TEST(size_suffixes)
{
	uint64_t b = 7;

	ck_assert_int_eq(dg_parse_size("1048576", &b), 0);
	ck_assert_uint_eq(b, MiB);
	ck_assert_int_eq(dg_parse_size("2048K", &b), 0);
	ck_assert_uint_eq(b, 2 * MiB);
	ck_assert_int_eq(dg_parse_size("512M", &b), 0);
	ck_assert_uint_eq(b, 512 * MiB);
	ck_assert_int_eq(dg_parse_size("512m", &b), 0);
	ck_assert_uint_eq(b, 512 * MiB);
	ck_assert_int_eq(dg_parse_size("2G", &b), 0);
	ck_assert_uint_eq(b, 2 * GiB);
	ck_assert_int_eq(dg_parse_size("1T", &b), 0);
	ck_assert_uint_eq(b, 1024 * GiB);
	ck_assert_int_eq(dg_parse_size("1048576T", &b), 0);
	ck_assert_uint_eq(b, 1ULL << 60);
}
END_TEST

START_TEST(size_max_means_unset)
{
	uint64_t b = 7;

	ck_assert_int_eq(dg_parse_size("max", &b), 0);
	ck_assert_uint_eq(b, 0);
}
END_TEST

START_TEST(size_rejects)
{
	static const char *const invalid[] = {
		"", "M", "12X", "1.5G", "-1G", "+1G", " 1G", "1G ", "0x10M", "1GB", "1 G", "MAX",
	};
	static const char *const out_of_range[] = {
		"0", "1", "512", "1023K", "1048577T", "18446744073709551615",
		"99999999999999999999999",
	};
	uint64_t b = 7;

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ck_assert_msg(dg_parse_size(invalid[i], &b) == -EINVAL, "'%s'", invalid[i]);
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++)
		ck_assert_msg(dg_parse_size(out_of_range[i], &b) == -ERANGE, "'%s'",
			      out_of_range[i]);
	ck_assert_uint_eq(b, 7);	/* untouched on error */
}
END_TEST

START_TEST(cpu_quota_period)
{
	uint64_t q = 1;
	uint32_t p = 1, pct = 1;

	ck_assert_int_eq(dg_parse_cpu_max("50000 100000", &q, &p, &pct), 0);
	ck_assert_uint_eq(q, 50000);
	ck_assert_uint_eq(p, 100000);
	ck_assert_uint_eq(pct, 0);
	/* as we print it */
	ck_assert_int_eq(dg_parse_cpu_max("25000/50000", &q, &p, &pct), 0);
	ck_assert_uint_eq(q, 25000);
	ck_assert_uint_eq(p, 50000);
	/* the quota alone keeps the kernel's default period */
	ck_assert_int_eq(dg_parse_cpu_max("200000", &q, &p, &pct), 0);
	ck_assert_uint_eq(q, 200000);
	ck_assert_uint_eq(p, DG_CPU_PERIOD_DEFAULT);
	/* more than one CPU's worth is fine */
	ck_assert_int_eq(dg_parse_cpu_max("400000 100000", &q, &p, &pct), 0);
	ck_assert_uint_eq(q, 400000);
	ck_assert_int_eq(dg_parse_cpu_max("1000 1000", &q, &p, &pct), 0);
	ck_assert_int_eq(dg_parse_cpu_max("1000 1000000", &q, &p, &pct), 0);
}
END_TEST

START_TEST(cpu_percent_and_max)
{
	uint64_t q = 1;
	uint32_t p = 1, pct = 1;

	ck_assert_int_eq(dg_parse_cpu_max("50%", &q, &p, &pct), 0);
	ck_assert_uint_eq(pct, 50);
	ck_assert_uint_eq(q, 0);
	ck_assert_int_eq(dg_parse_cpu_max("1%", &q, &p, &pct), 0);
	ck_assert_uint_eq(pct, 1);
	ck_assert_int_eq(dg_parse_cpu_max("100%", &q, &p, &pct), 0);
	ck_assert_uint_eq(pct, 100);
	ck_assert_int_eq(dg_parse_cpu_max("max", &q, &p, &pct), 0);
	ck_assert_uint_eq(q, 0);
	ck_assert_uint_eq(pct, 0);
	ck_assert_int_eq(dg_parse_cpu_max("max 100000", &q, &p, &pct), 0);
	ck_assert_uint_eq(q, 0);
}
END_TEST

START_TEST(cpu_rejects)
{
	static const char *const invalid[] = {
		"", "%", "50 %", "half", "50.5%", "-5%", "50000 100000 1", "50000,100000",
		"0x100 100000", "max max",
	};
	static const char *const out_of_range[] = {
		"0%", "101%", "999", "0", "50000 999", "50000 1000001", "4294967297 1000000",
		"max 10", "99999999999999999999999",
	};
	uint64_t q = 7;
	uint32_t p = 7, pct = 7;

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ck_assert_msg(dg_parse_cpu_max(invalid[i], &q, &p, &pct) == -EINVAL, "'%s'",
			      invalid[i]);
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++)
		ck_assert_msg(dg_parse_cpu_max(out_of_range[i], &q, &p, &pct) == -ERANGE, "'%s'",
			      out_of_range[i]);
}
END_TEST

START_TEST(pids_and_io)
{
	uint32_t v = 7;

	ck_assert_int_eq(dg_parse_pids_max("1", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(dg_parse_pids_max("4194304", &v), 0);
	ck_assert_uint_eq(v, 4194304);
	ck_assert_int_eq(dg_parse_pids_max("max", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(dg_parse_pids_max("0", &v), -ERANGE);
	ck_assert_int_eq(dg_parse_pids_max("4194305", &v), -ERANGE);
	ck_assert_int_eq(dg_parse_pids_max("64k", &v), -EINVAL);
	ck_assert_int_eq(dg_parse_pids_max("-1", &v), -EINVAL);

	ck_assert_int_eq(dg_parse_io_weight("1", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(dg_parse_io_weight("10000", &v), 0);
	ck_assert_uint_eq(v, 10000);
	ck_assert_int_eq(dg_parse_io_weight("0", &v), -ERANGE);
	ck_assert_int_eq(dg_parse_io_weight("10001", &v), -ERANGE);
	ck_assert_int_eq(dg_parse_io_weight("max", &v), -EINVAL);
	ck_assert_int_eq(dg_parse_io_weight("default", &v), -EINVAL);
}
END_TEST

START_TEST(formatting)
{
	struct dg_limits l = { 0 };
	char buf[256];

	ck_assert_str_eq(dg_size_str(64 * MiB, buf, sizeof(buf)), "64M");
	ck_assert_str_eq(dg_size_str((uint64_t)1536 * 1024, buf, sizeof(buf)), "1536K");
	ck_assert_str_eq(dg_size_str(2 * GiB, buf, sizeof(buf)), "2G");
	ck_assert_str_eq(dg_size_str(1ULL << 40, buf, sizeof(buf)), "1T");
	ck_assert_str_eq(dg_size_str(MiB + 1, buf, sizeof(buf)), "1048577");

	ck_assert(!dg_limits_any(&l));
	ck_assert_str_eq(dg_limits_str(&l, buf, sizeof(buf)), "");
	l.memory_max = 2 * GiB;
	l.cpu_quota_us = 50000;
	l.cpu_period_us = 100000;
	l.pids_max = 512;
	ck_assert(dg_limits_any(&l));
	ck_assert_str_eq(dg_limits_str(&l, buf, sizeof(buf)),
			 "memory_max=2G cpu_max=50000/100000 pids_max=512");
	l.cpu_percent = 25;
	l.io_weight = 50;
	l.memory_high = 1536 * MiB;
	ck_assert_str_eq(dg_limits_str(&l, buf, sizeof(buf)),
			 "memory_max=2G memory_high=1536M cpu_max=25% pids_max=512 io_weight=50");
	/* cut short, never overrun */
	ck_assert_str_eq(dg_limits_str(&l, buf, 14), "memory_max=2G");
	ck_assert_str_eq(dg_limits_str(&l, buf, 1), "");
}
END_TEST

START_TEST(config_keys)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg = dg_config_load_string(
		"t.conf",
		"[global]\n"
		"limits_unavailable = warn\n"
		"[profile a]\n"
		"memory_max = 2G\n"
		"memory_high = 1536M\n"
		"cpu_max = 50000 100000\n"
		"pids_max = 512\n"
		"io_weight = 200\n"
		"[profile b]\n"
		"cpu_max = 50%   ; half the host\n"
		"memory_max = max\n",
		&diag);
	const struct dg_profile *a, *b;

	dg_diag_print(&diag, stderr);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(cfg->limits_unavailable, DG_LIMITS_WARN);
	a = dg_config_profile(cfg, "a");
	b = dg_config_profile(cfg, "b");
	ck_assert_uint_eq(a->limits.memory_max, 2 * GiB);
	ck_assert_uint_eq(a->limits.memory_high, 1536 * MiB);
	ck_assert_uint_eq(a->limits.cpu_quota_us, 50000);
	ck_assert_uint_eq(a->limits.cpu_period_us, 100000);
	ck_assert_uint_eq(a->limits.pids_max, 512);
	ck_assert_uint_eq(a->limits.io_weight, 200);
	ck_assert_uint_eq(b->limits.cpu_percent, 50);
	ck_assert_uint_eq(b->limits.memory_max, 0);
	dg_config_free(cfg);
	dg_diag_free(&diag);

	/* the default: refuse; no limits unless configured */
	cfg = dg_config_load_string("t.conf", "[profile a]\n", &diag);
	ck_assert_ptr_nonnull(cfg);
	ck_assert_int_eq(cfg->limits_unavailable, DG_LIMITS_REFUSE);
	ck_assert(!dg_limits_any(&cfg->profiles[0].limits));
	dg_config_free(cfg);
	dg_diag_free(&diag);
}
END_TEST

static bool has_msg(const struct dg_diag *d, const char *prefix)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strncmp(d->msgs[i], prefix, strlen(prefix)))
			return true;
	return false;
}

START_TEST(config_errors)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg = dg_config_load_string(
		"t.conf",
		"[global]\n"
		"limits_unavailable = ignore\n"
		"[profile a]\n"
		"memory_max = 12X\n"
		"memory_high = 512\n"
		"cpu_max = 150%\n"
		"cpu_max = 50000 100\n"
		"cpu_max = lots\n"
		"pids_max = 0\n"
		"io_weight = 20000\n"
		"[profile b]\n"
		"memory_max = 1G\n"
		"memory_high = 2G\n",
		&diag);

	ck_assert_ptr_null(cfg);
	ck_assert(has_msg(&diag, "t.conf:2: limits_unavailable must be refuse or warn, not 'ignore'"));
	ck_assert(has_msg(&diag, "t.conf:4: memory_max must be a size like 512M or 2G"));
	ck_assert(has_msg(&diag, "t.conf:5: memory_high must be between 1M and "));
	ck_assert(has_msg(&diag, "t.conf:6: cpu_max out of range"));
	ck_assert(has_msg(&diag, "t.conf:7: cpu_max out of range"));
	ck_assert(has_msg(&diag, "t.conf:8: cpu_max must be 'QUOTA PERIOD' in microseconds"));
	ck_assert(has_msg(&diag, "t.conf:9: pids_max must be 1..4194304 or max, not '0'"));
	ck_assert(has_msg(&diag, "t.conf:10: io_weight must be 1..10000, not '20000'"));
	ck_assert(has_msg(&diag, "t.conf:11: profile 'b': memory_high (2G) is above memory_max (1G)"));
	ck_assert_uint_eq(diag.n, 9);
	dg_diag_free(&diag);
}
END_TEST

START_TEST(controller_names)
{
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("cpuset cpu io memory hugetlb pids rdma misc\n", false),
			  DG_CTRL_ALL);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("cpuset hugetlb", false), 0);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("", false), 0);
	/* v1 mount options: blkio is the io controller; cpuacct and cpuset are not cpu */
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("rw,relatime,cpu,cpuacct", true), DG_CTRL_CPU);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("rw,relatime,cpuacct", true), 0);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("rw,nosuid,blkio", true), DG_CTRL_IO);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("rw,io", true), 0);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("rw,relatime,name=systemd", true), 0);
	ck_assert_uint_eq(dg_cgroup_ctrl_parse("rw,memory,pids", true),
			  DG_CTRL_MEMORY | DG_CTRL_PIDS);
	ck_assert_str_eq(dg_cgroup_ctrl_name(DG_CTRL_IO, false), "io");
	ck_assert_str_eq(dg_cgroup_ctrl_name(DG_CTRL_IO, true), "blkio");
}
END_TEST

Suite *limits_suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, size_suffixes);
	tcase_add_test(tc, size_max_means_unset);
	tcase_add_test(tc, size_rejects);
	tcase_add_test(tc, cpu_quota_period);
	tcase_add_test(tc, cpu_percent_and_max);
	tcase_add_test(tc, cpu_rejects);
	tcase_add_test(tc, pids_and_io);
	tcase_add_test(tc, formatting);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_test(tc, config_keys);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, controller_names);
	suite_add_tcase(s, tc);
	return s;
}
