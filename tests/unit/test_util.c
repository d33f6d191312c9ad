// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c and the logfmt part of log.c: address parsing and printing
 * (dg_sockaddr_parse/str, dg_cidr_parse, dg_addr16_*), command lines from
 * NUL-separated arguments, dg_parse_u64, dg_path, small file helpers (in a
 * mkdtemp directory under /tmp, removed by the tcase teardown); logfmt
 * quoting and escaping (a value can never forge a field or a line), lf_*
 * truncation at the 4096-byte buffer, and what dg_log writes to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "suites.h"
#include "tmpdir.h"

/* ---- addresses --------------------------------------------------------------- */

static void expect_sockaddr(const char *s, uint16_t def, int family, const char *host,
			    uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char buf[INET6_ADDRSTRLEN];
	int r = dg_sockaddr_parse(s, def, &ss, &len);

	ck_assert_msg(r == 0, "'%s': %d", s, r);
	ck_assert_int_eq(ss.ss_family, family);
	if (family == AF_INET) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)&ss;

		ck_assert_uint_eq(len, sizeof(*in4));
		ck_assert_str_eq(inet_ntop(AF_INET, &in4->sin_addr, buf, sizeof(buf)), host);
		ck_assert_uint_eq(ntohs(in4->sin_port), port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		ck_assert_uint_eq(len, sizeof(*in6));
		ck_assert_str_eq(inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf)), host);
		ck_assert_uint_eq(ntohs(in6->sin6_port), port);
	}
}

static void expect_sockaddr_bad(const char *s)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;

	ck_assert_msg(dg_sockaddr_parse(s, 53, &ss, &len) == -EINVAL, "'%s' accepted", s);
}

START_TEST(test_sockaddr_parse)
{
	expect_sockaddr("1.2.3.4", 53, AF_INET, "1.2.3.4", 53);
	expect_sockaddr("1.2.3.4", 0, AF_INET, "1.2.3.4", 0);
	expect_sockaddr("1.2.3.4:53", 99, AF_INET, "1.2.3.4", 53);
	expect_sockaddr("127.0.0.1:65535", 53, AF_INET, "127.0.0.1", 65535);
	expect_sockaddr("::1", 53, AF_INET6, "::1", 53);
	expect_sockaddr("[::1]:5353", 53, AF_INET6, "::1", 5353);
	expect_sockaddr("[2001:db8::1]", 53, AF_INET6, "2001:db8::1", 53);
	expect_sockaddr("fe80::1:2", 53, AF_INET6, "fe80::1:2", 53);	/* no port without [] */

	expect_sockaddr_bad("1.2.3.4:0");
	expect_sockaddr_bad("1.2.3.4:70000");
	expect_sockaddr_bad("1.2.3.4:65536");
	expect_sockaddr_bad("1.2.3.4:");
	expect_sockaddr_bad("1.2.3.4:53x");
	expect_sockaddr_bad("1.2.3.4:-1");
	expect_sockaddr_bad("[::1");
	expect_sockaddr_bad("[::1]:");
	expect_sockaddr_bad("[::1]53");
	expect_sockaddr_bad("[::1]:0");
	expect_sockaddr_bad("[]:53");
	expect_sockaddr_bad("host.name");
	expect_sockaddr_bad("host.name:53");
	expect_sockaddr_bad("");
	expect_sockaddr_bad("1.2.3");
	expect_sockaddr_bad("1.2.3.256");
	expect_sockaddr_bad("[0000:0000:0000:0000:0000:0000:0000:0000:0000:0001]:53");
}
END_TEST

START_TEST(test_sockaddr_str)
{
	struct sockaddr_storage ss;
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	socklen_t len;
	char buf[64];

	ck_assert_int_eq(dg_sockaddr_parse("10.1.2.3:5300", 53, &ss, &len), 0);
	ck_assert_str_eq(dg_sockaddr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
			 "10.1.2.3:5300");
	ck_assert_int_eq(dg_sockaddr_parse("[fd00::53]:53", 53, &ss, &len), 0);
	ck_assert_str_eq(dg_sockaddr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
			 "[fd00::53]:53");
	ck_assert_str_eq(dg_sockaddr_str((struct sockaddr *)&un, buf, sizeof(buf)), "?");
}
END_TEST

START_TEST(test_addr16)
{
	uint8_t a[16], b[16];
	char buf[INET6_ADDRSTRLEN], tiny[4];
	struct sockaddr_in in4 = { .sin_family = AF_INET };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	dg_addr16_from_v4(a, htonl(0x01020304));
	ck_assert_mem_eq(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04", 16);
	ck_assert(dg_addr16_is_v4(a));
	ck_assert_str_eq(dg_addr16_str(a, buf, sizeof(buf)), "1.2.3.4");
	ck_assert_str_eq(dg_addr16_str(a, tiny, sizeof(tiny)), "?");

	inet_pton(AF_INET6, "2001:db8::1", b);
	ck_assert(!dg_addr16_is_v4(b));
	ck_assert_str_eq(dg_addr16_str(b, buf, sizeof(buf)), "2001:db8::1");
	inet_pton(AF_INET6, "::1", b);
	ck_assert(!dg_addr16_is_v4(b));
	ck_assert_str_eq(dg_addr16_str(b, buf, sizeof(buf)), "::1");
	/* an IPv4-compatible (not mapped) address is IPv6 */
	inet_pton(AF_INET6, "::1.2.3.4", b);
	ck_assert(!dg_addr16_is_v4(b));

	in4.sin_addr.s_addr = htonl(0xc0000207);
	dg_addr16_from_sockaddr(b, (struct sockaddr *)&in4);
	ck_assert_str_eq(dg_addr16_str(b, buf, sizeof(buf)), "192.0.2.7");
	inet_pton(AF_INET6, "fd00::7", &in6.sin6_addr);
	dg_addr16_from_sockaddr(b, (struct sockaddr *)&in6);
	ck_assert_str_eq(dg_addr16_str(b, buf, sizeof(buf)), "fd00::7");
	memset(b, 0xee, sizeof(b));
	dg_addr16_from_sockaddr(b, (struct sockaddr *)&un);
	ck_assert_mem_eq(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}
END_TEST

static void expect_cidr(const char *s, const char *addr6, unsigned bits)
{
	uint8_t a[16], want[16];
	unsigned b = 9999;
	int r = dg_cidr_parse(s, a, &b);

	ck_assert_msg(r == 0, "'%s': %d", s, r);
	ck_assert_int_eq(inet_pton(AF_INET6, addr6, want), 1);
	ck_assert_mem_eq(a, want, 16);
	ck_assert_uint_eq(b, bits);
}

static void expect_cidr_err(const char *s, int err)
{
	uint8_t a[16];
	unsigned b;
	int r = dg_cidr_parse(s, a, &b);

	ck_assert_msg(r == err, "'%s': %d, expected %d", s, r, err);
}

START_TEST(test_cidr_parse)
{
	uint8_t a[16];
	unsigned b;

	expect_cidr("10.0.0.0/8", "::ffff:10.0.0.0", 96 + 8);
	expect_cidr("192.0.2.1", "::ffff:192.0.2.1", 128);
	expect_cidr("192.0.2.1/32", "::ffff:192.0.2.1", 128);
	expect_cidr("0.0.0.0/0", "::ffff:0.0.0.0", 96);
	expect_cidr("fd00::/8", "fd00::", 8);
	expect_cidr("2001:db8::1", "2001:db8::1", 128);
	expect_cidr("::/0", "::", 0);
	expect_cidr("2001:db8::/32", "2001:db8::", 32);

	expect_cidr_err("10.1.0.0/8", -EDOM);
	expect_cidr_err("192.0.2.1/24", -EDOM);
	expect_cidr_err("fd00::1/8", -EDOM);
	expect_cidr_err("2001:db8::/16", -EDOM);
	expect_cidr_err("10.0.0.0/33", -ERANGE);
	expect_cidr_err("fd00::/129", -ERANGE);
	expect_cidr_err("garbage", -EINVAL);
	expect_cidr_err("garbage/8", -EINVAL);
	expect_cidr_err("", -EINVAL);
	expect_cidr_err("/8", -EINVAL);
	expect_cidr_err("10.0.0/8", -EINVAL);
	expect_cidr_err("10.0.0.0.0/8", -EINVAL);
	/* a garbage prefix length is an error too (reported as -ERANGE) */
	ck_assert_int_lt(dg_cidr_parse("10.0.0.0/x", a, &b), 0);
	ck_assert_int_lt(dg_cidr_parse("10.0.0.0/", a, &b), 0);
	ck_assert_int_lt(dg_cidr_parse("10.0.0.0/-8", a, &b), 0);
	ck_assert_int_lt(dg_cidr_parse("10.0.0.0/ 8", a, &b), 0);
	ck_assert_int_lt(dg_cidr_parse("10.0.0.0/8/8", a, &b), 0);
}
END_TEST

/* ---- command lines, numbers, paths ------------------------------------------ */

static void expect_cmdline(const char *args, size_t len, const char *want)
{
	char *s = dg_args_to_cmdline(args, len);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	free(s);
}

START_TEST(test_args_to_cmdline)
{
	expect_cmdline("curl\0-s\0https://github.com/\0", 28, "curl -s https://github.com/");
	expect_cmdline("a\0\0b\0\0\0", 7, "a  b");
	expect_cmdline("sh\0-c\0echo hi", 13, "sh -c echo hi");
	expect_cmdline("", 0, "");
	expect_cmdline("\0\0\0", 3, "");
	expect_cmdline("x", 1, "x");
	/* len, not the NULs, bounds it */
	expect_cmdline("abc\0def", 2, "ab");
}
END_TEST

START_TEST(test_proc_cmdline)
{
	char *s = dg_proc_cmdline(getpid());

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(strstr(s, "unit_tests"));
	ck_assert_uint_gt(strlen(s), 0);
	free(s);
	ck_assert_ptr_null(dg_proc_cmdline(0x7ffffff0));
}
END_TEST

START_TEST(test_parse_u64)
{
	uint64_t v = 42;

	ck_assert_int_eq(dg_parse_u64("0", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(dg_parse_u64("10", 1, 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(dg_parse_u64("1", 1, 10, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(dg_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	v = 42;
	ck_assert_int_eq(dg_parse_u64("11", 1, 10, &v), -ERANGE);
	ck_assert_int_eq(dg_parse_u64("0", 1, 10, &v), -ERANGE);
	ck_assert_int_eq(dg_parse_u64("", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64(NULL, 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("-1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("+1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64(" 1", 0, 10, &v), -EINVAL);
	/* any white space strtoull would skip (the fuzzer found "\v") */
	ck_assert_int_eq(dg_parse_u64("\t1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("\v1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("\n1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("\f-1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("1 ", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("0x1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("1e3", 0, 10000, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("five", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dg_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), -EINVAL);
	ck_assert_uint_eq(v, 42);	/* untouched on error */
}
END_TEST

START_TEST(test_path_and_clock)
{
	char buf[8];
	uint64_t t1, t2;

	ck_assert_int_eq(dg_path(buf, sizeof(buf), "%s/%d", "ab", 12), 0);
	ck_assert_str_eq(buf, "ab/12");
	ck_assert_int_eq(dg_path(buf, sizeof(buf), "%s", "1234567"), 0);
	ck_assert_int_eq(dg_path(buf, sizeof(buf), "%s", "12345678"), -ENAMETOOLONG);

	t1 = dg_now_ns();
	t2 = dg_now_ns();
	ck_assert_uint_gt(t1, 0);
	ck_assert_uint_ge(t2, t1);
}
END_TEST

/* ---- files (in a temporary directory) ---------------------------------------- */

START_TEST(test_files)
{
	char path[256], dir[256], *data = NULL;
	size_t len = 0;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/knob", unit_tmpdir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(dg_write_file(path, "max 100\n"), 0);
	ck_assert_int_eq(dg_read_file(path, &data, &len, 1024), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_str_eq(data, "max 100\n");
	free(data);
	ck_assert_int_eq(dg_read_file(path, &data, &len, 4), -EFBIG);
	ck_assert_int_eq(dg_read_file(path, &data, NULL, 8), 0);	/* len optional */
	free(data);

	/* bigger than the first read buffer */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 3000; i++)
		fputs("0123456789", f);
	fclose(f);
	ck_assert_int_eq(dg_read_file(path, &data, &len, 1 << 20), 0);
	ck_assert_uint_eq(len, 30000);
	ck_assert_uint_eq(strlen(data), 30000);
	free(data);

	snprintf(path, sizeof(path), "%s/missing", unit_tmpdir);
	ck_assert_int_eq(dg_read_file(path, &data, &len, 1024), -ENOENT);
	ck_assert_int_eq(dg_write_file(path, "x"), -ENOENT);	/* no O_CREAT: knobs exist */

	snprintf(dir, sizeof(dir), "%s/a/b/c", unit_tmpdir);
	ck_assert_int_eq(dg_mkdir_p(dir, 0700), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(dg_mkdir_p(dir, 0700), 0);		/* exists: fine */
	ck_assert_int_eq(dg_mkdir_p("", 0700), -ENAMETOOLONG);
	snprintf(dir, sizeof(dir), "%s/knob/x", unit_tmpdir);
	ck_assert_int_eq(dg_mkdir_p(dir, 0700), -ENOTDIR);	/* knob is a file */
}
END_TEST

/* ---- logfmt ------------------------------------------------------------------ */

static void expect_value(const char *val, const char *want)
{
	char buf[256];
	size_t n = dg_logfmt_value(buf, sizeof(buf), val);

	ck_assert_str_eq(buf, want);
	ck_assert_uint_eq(n, strlen(want));
}

START_TEST(test_logfmt_quoting)
{
	expect_value("plain", "plain");
	expect_value("github.com.", "github.com.");
	expect_value("/usr/bin/curl", "/usr/bin/curl");
	expect_value("", "\"\"");
	expect_value(NULL, "\"\"");
	expect_value("curl github.com", "\"curl github.com\"");
	expect_value("a=b", "\"a=b\"");
	expect_value("say \"hi\"", "\"say \\\"hi\\\"\"");
	expect_value("back\\slash", "\"back\\\\slash\"");
	expect_value("tab\there", "\"tab\\x09here\"");
	expect_value("x\ry", "\"x\\x0dy\"");
	expect_value("\x1b[31mred", "\"\\x1b[31mred\"");
	expect_value("del\x7f", "\"del\\x7f\"");
	expect_value("caf\xc3\xa9", "\"caf\xc3\xa9\"");	/* UTF-8 kept, but quoted */
	/* a newline cannot start a forged line */
	expect_value("x\nWARN DNS BLOCKED domain=evil.com",
		     "\"x\\x0aWARN DNS BLOCKED domain=evil.com\"");
	expect_value("x\" forged=\"1", "\"x\\\" forged=\\\"1\"");
}
END_TEST

START_TEST(test_logfmt_no_control_bytes)
{
	char in[256], out[1200];
	size_t n;
	int k = 0;

	for (int c = 1; c < 256; c++)
		in[k++] = (char)c;
	in[k] = '\0';
	n = dg_logfmt_value(out, sizeof(out), in);
	ck_assert_uint_lt(n, sizeof(out));
	ck_assert_uint_eq(strlen(out), n);
	ck_assert_uint_eq(out[0], '"');
	ck_assert_uint_eq(out[n - 1], '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];

		ck_assert_msg(c >= 0x20 && c != 0x7f, "raw control byte %#x at %zu", c, i);
		/* every '"' inside is escaped */
		if (c == '"' && i && i != n - 1) {
			size_t bs = 0;

			for (size_t j = i; j > 0 && out[j - 1] == '\\'; j--)
				bs++;
			ck_assert_msg(bs % 2 == 1, "unescaped quote at %zu", i);
		}
	}
}
END_TEST

START_TEST(test_logfmt_value_truncation)
{
	char buf[8];
	size_t n;

	memset(buf, 'Z', sizeof(buf));
	n = dg_logfmt_value(buf, 5, "abcdefgh");
	ck_assert_uint_eq(n, 8);		/* the length it wanted */
	ck_assert_str_eq(buf, "abcd");
	ck_assert_uint_eq(buf[5], 'Z');

	memset(buf, 'Z', sizeof(buf));
	n = dg_logfmt_value(buf, 6, "a\nb");
	ck_assert_uint_eq(n, 8);		/* "a\x0ab" quoted */
	ck_assert_str_eq(buf, "\"a\\x0");
	ck_assert_uint_eq(buf[6], 'Z');

	memset(buf, 'Z', sizeof(buf));
	ck_assert_uint_eq(dg_logfmt_value(buf, 1, "abc"), 3);
	ck_assert_uint_eq(buf[0], '\0');
	ck_assert_uint_eq(buf[1], 'Z');
	ck_assert_uint_eq(dg_logfmt_value(buf, 0, "abc"), 3);	/* nothing written */
	ck_assert_uint_eq(buf[0], '\0');
	ck_assert_uint_eq(buf[1], 'Z');
}
END_TEST

START_TEST(test_lf_line)
{
	struct dg_logfmt l;

	lf_init(&l, "DNS BLOCKED");
	lf_str(&l, "domain", "github.com.");
	lf_u64(&l, "pid", 266767);
	lf_str(&l, "cmd", "curl github.com");
	lf_i64(&l, "delta", -5);
	lf_str(&l, "user", "");
	ck_assert_str_eq(l.buf, "DNS BLOCKED domain=github.com. pid=266767 "
				"cmd=\"curl github.com\" delta=-5 user=\"\"");
	ck_assert_uint_eq(l.len, strlen(l.buf));

	lf_init(&l, NULL);
	ck_assert_str_eq(l.buf, "");
	lf_str(&l, "a", "b");
	ck_assert_str_eq(l.buf, "a=b");		/* no leading space */
	lf_u64(&l, "max", UINT64_MAX);
	lf_i64(&l, "min", INT64_MIN);
	ck_assert_str_eq(l.buf, "a=b max=18446744073709551615 min=-9223372036854775808");
}
END_TEST

/* The logfmt buffer with a canary right after it. */
struct guarded_lf {
	struct dg_logfmt l;
	char canary[256];
};

static void check_lf(const struct guarded_lf *g)
{
	ck_assert_uint_lt(g->l.len, sizeof(g->l.buf));
	ck_assert_uint_eq(g->l.buf[g->l.len], '\0');
	ck_assert_uint_eq(strlen(g->l.buf), g->l.len);
	ck_assert_ptr_null(memchr(g->l.buf, '\n', g->l.len));
	for (size_t i = 0; i < sizeof(g->canary); i++)
		ck_assert_msg(g->canary[i] == 'C', "canary overwritten at %zu", i);
}

START_TEST(test_lf_truncation)
{
	static struct guarded_lf g;
	char *big = malloc(10001), head[5000];
	size_t len;

	ck_assert_ptr_nonnull(big);
	memset(g.canary, 'C', sizeof(g.canary));

	/* a 10000-character plain value */
	memset(big, 'v', 10000);
	big[10000] = '\0';
	lf_init(&g.l, "EXEC");
	lf_u64(&g.l, "pid", 1);
	lf_str(&g.l, "cmd", big);
	check_lf(&g);
	ck_assert_uint_eq(g.l.len, sizeof(g.l.buf) - 1);
	ck_assert_int_eq(strncmp(g.l.buf, "EXEC pid=1 cmd=vvv", 18), 0);
	/* a full line takes nothing more */
	len = g.l.len;
	lf_str(&g.l, "more", "x");
	lf_u64(&g.l, "n", 5);
	check_lf(&g);
	ck_assert_uint_eq(g.l.len, len);

	/* 10000 characters that all need escaping */
	memset(big, '\n', 10000);
	lf_init(&g.l, "EXEC");
	lf_str(&g.l, "cmd", big);
	check_lf(&g);
	ck_assert_uint_eq(g.l.len, sizeof(g.l.buf) - 1);

	/* a key that no longer fits is dropped whole */
	memset(big, 'w', 4080);
	big[4080] = '\0';
	lf_init(&g.l, NULL);
	lf_str(&g.l, "k", big);
	len = g.l.len;
	ck_assert_uint_eq(len, 4082);
	lf_str(&g.l, "a_rather_long_key", "v");
	check_lf(&g);
	ck_assert_uint_eq(g.l.len, len);
	lf_str(&g.l, "ab", "vvvvvvvvvvvvvvvvvvvv");	/* key fits, value cut */
	check_lf(&g);
	ck_assert_uint_eq(g.l.len, sizeof(g.l.buf) - 1);

	/* a head longer than the buffer */
	memset(head, 'h', sizeof(head) - 1);
	head[sizeof(head) - 1] = '\0';
	lf_init(&g.l, head);
	check_lf(&g);
	ck_assert_uint_eq(g.l.len, sizeof(g.l.buf) - 1);
	free(big);
}
END_TEST

/* What dg_log and dg_log_lf write to stderr, with the level filter. */
START_TEST(test_log_emit)
{
	struct dg_logfmt l;
	char out[512] = "";
	FILE *tmp = tmpfile();
	int saved;
	size_t n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);

	dg_log_init("unit", DG_LOG_STDERR, DG_LOG_WARN);
	dg_log(DG_LOG_ERR, "first %d", 1);
	dg_log(DG_LOG_INFO, "filtered out");
	lf_init(&l, "DNS BLOCKED");
	lf_str(&l, "cmd", "a\nb");
	dg_log_lf(DG_LOG_WARN, &l);
	dg_log_lf(DG_LOG_DEBUG, &l);
	dg_log_set_level(DG_LOG_DEBUG);
	ck_assert_int_eq(dg_log_level(), DG_LOG_DEBUG);
	dg_log(DG_LOG_DEBUG, "now shown");
	fflush(stderr);

	dup2(saved, STDERR_FILENO);
	close(saved);
	dg_log_set_level(DG_LOG_INFO);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	ck_assert_str_eq(out, "ERROR first 1\nWARN DNS BLOCKED cmd=\"a\\x0ab\"\nDEBUG now shown\n");
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("addresses");

	tcase_add_test(tc, test_sockaddr_parse);
	tcase_add_test(tc, test_sockaddr_str);
	tcase_add_test(tc, test_addr16);
	tcase_add_test(tc, test_cidr_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, test_args_to_cmdline);
	tcase_add_test(tc, test_proc_cmdline);
	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_path_and_clock);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_unchecked_fixture(tc, unit_tmpdir_setup, unit_tmpdir_teardown);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("logfmt");
	tcase_add_test(tc, test_logfmt_quoting);
	tcase_add_test(tc, test_logfmt_no_control_bytes);
	tcase_add_test(tc, test_logfmt_value_truncation);
	tcase_add_test(tc, test_lf_line);
	tcase_add_test(tc, test_lf_truncation);
	tcase_add_test(tc, test_log_emit);
	suite_add_tcase(s, tc);
	return s;
}
