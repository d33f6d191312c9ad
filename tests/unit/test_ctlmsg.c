// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlmsg.c: building control messages (add/addf/add_u64, key validation,
 * the sticky overflow flag), reading them back (get, get_u64, next, with
 * repeated keys kept in order), and validating untrusted bytes with
 * dg_ctl_parse, including parsing in place.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlmsg.h"
#include "suites.h"

/* 64 KiB each: never on the stack */
static struct dg_ctlmsg m1, m2;

static int parse_bytes(struct dg_ctlmsg *m, const char *data, size_t len)
{
	/* an exactly sized heap copy, so reading past len is caught by ASan */
	char *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, data, len);
	r = dg_ctl_parse(m, copy, len);
	free(copy);
	return r;
}

/* sizeof - 1: string literals carry their own final NUL */
#define PARSE(m, lit) parse_bytes((m), (lit), sizeof(lit) - 1)

START_TEST(test_round_trip)
{
	static const char want[] = "op=open\0user=deploy\0argv=a\0argv=b c\0argv=\0pid=12345\0"
				   "msg=x=5\0";
	struct dg_ctl_field f;
	const char *argv[3];
	size_t pos = 0, nargv = 0, nf = 0;
	uint64_t v = 0;

	dg_ctl_init(&m1);
	ck_assert_int_eq(dg_ctl_add(&m1, "op", "open"), 0);
	ck_assert_int_eq(dg_ctl_add(&m1, "user", "deploy"), 0);
	ck_assert_int_eq(dg_ctl_add(&m1, "argv", "a"), 0);
	ck_assert_int_eq(dg_ctl_add(&m1, "argv", "b c"), 0);
	ck_assert_int_eq(dg_ctl_add(&m1, "argv", NULL), 0);	/* NULL: empty value */
	ck_assert_int_eq(dg_ctl_add_u64(&m1, "pid", 12345), 0);
	ck_assert_int_eq(dg_ctl_addf(&m1, "msg", "x=%d", 5), 0);
	ck_assert(!m1.overflow);
	ck_assert_uint_eq(m1.nfields, 7);
	ck_assert_uint_eq(m1.len, sizeof(want) - 1);
	ck_assert_mem_eq(m1.buf, want, sizeof(want) - 1);

	ck_assert_str_eq(dg_ctl_get(&m1, "op"), "open");
	ck_assert_str_eq(dg_ctl_get(&m1, "argv"), "a");	/* the first one */
	ck_assert_str_eq(dg_ctl_get(&m1, "msg"), "x=5");
	ck_assert_ptr_null(dg_ctl_get(&m1, "o"));
	ck_assert_ptr_null(dg_ctl_get(&m1, "ops"));
	ck_assert_ptr_null(dg_ctl_get(&m1, "missing"));

	ck_assert_int_eq(dg_ctl_get_u64(&m1, "pid", UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, 12345);
	v = 7;
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "pid", 12344, &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "pid", 12345, &v), 0);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "nope", 10, &v), -ENOENT);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "op", 10, &v), -EINVAL);
	{
		/* digits only: no white space strtoull would skip, no sign */
		static const char *const bad[] = { "\v1214", "\t1", " 1", "\n1", "+1", "-1", "1 ", "" };
		static struct dg_ctlmsg mb;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			dg_ctl_init(&mb);
			ck_assert_int_eq(dg_ctl_add(&mb, "pid", bad[i]), 0);
			ck_assert_msg(dg_ctl_get_u64(&mb, "pid", UINT64_MAX, &v) == -EINVAL,
				      "pid=\"%s\" was read as a number", bad[i]);
		}
	}

	while (dg_ctl_next(&m1, &pos, &f)) {
		nf++;
		if (dg_ctl_field_is(&f, "argv")) {
			ck_assert_uint_lt(nargv, 3);
			argv[nargv++] = f.val;
		}
		ck_assert_uint_eq(f.keylen, strcspn(f.key, "="));
	}
	ck_assert_uint_eq(nf, 7);
	ck_assert_uint_eq(pos, m1.len);
	ck_assert_uint_eq(nargv, 3);
	ck_assert_str_eq(argv[0], "a");
	ck_assert_str_eq(argv[1], "b c");
	ck_assert_str_eq(argv[2], "");
	ck_assert(!dg_ctl_next(&m1, &pos, &f));	/* stays at the end */

	/* what was built parses back to the same thing */
	ck_assert_int_eq(dg_ctl_parse(&m2, m1.buf, m1.len), 0);
	ck_assert_uint_eq(m2.nfields, 7);
	ck_assert_uint_eq(m2.len, m1.len);
	ck_assert_mem_eq(m2.buf, m1.buf, m1.len);
	ck_assert_str_eq(dg_ctl_get(&m2, "user"), "deploy");

	/* init empties it */
	dg_ctl_init(&m1);
	pos = 0;
	ck_assert(!dg_ctl_next(&m1, &pos, &f));
	ck_assert_ptr_null(dg_ctl_get(&m1, "op"));
}
END_TEST

START_TEST(test_field_is)
{
	struct dg_ctl_field f = { .key = "argv=x", .keylen = 4, .val = "x" };

	ck_assert(dg_ctl_field_is(&f, "argv"));
	ck_assert(!dg_ctl_field_is(&f, "arg"));
	ck_assert(!dg_ctl_field_is(&f, "argvs"));
	ck_assert(!dg_ctl_field_is(&f, "ARGV"));
}
END_TEST

START_TEST(test_add_rejects_keys)
{
	char k32[33], k33[34];

	memset(k32, 'k', 32);
	k32[32] = '\0';
	memset(k33, 'k', 33);
	k33[33] = '\0';

	dg_ctl_init(&m1);
	ck_assert_int_eq(dg_ctl_add(&m1, "", "v"), -EINVAL);
	ck_assert_int_eq(dg_ctl_add(&m1, "Op", "v"), -EINVAL);
	ck_assert_int_eq(dg_ctl_add(&m1, "o p", "v"), -EINVAL);
	ck_assert_int_eq(dg_ctl_add(&m1, "a=b", "v"), -EINVAL);
	ck_assert_int_eq(dg_ctl_add(&m1, "a-b", "v"), -EINVAL);
	ck_assert_int_eq(dg_ctl_add(&m1, "a\n", "v"), -EINVAL);
	ck_assert_int_eq(dg_ctl_add(&m1, k33, "v"), -EINVAL);
	ck_assert_uint_eq(m1.len, 0);
	ck_assert_uint_eq(m1.nfields, 0);
	ck_assert(!m1.overflow);	/* a bad key is the caller's bug, not an overflow */

	ck_assert_int_eq(dg_ctl_add(&m1, k32, "v"), 0);
	ck_assert_int_eq(dg_ctl_add(&m1, "a_b_09", "v"), 0);
	ck_assert_str_eq(dg_ctl_get(&m1, k32), "v");
	ck_assert_uint_eq(m1.nfields, 2);
}
END_TEST

START_TEST(test_overflow)
{
	char *big = malloc(30001);
	size_t len;

	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 30000);
	big[30000] = '\0';

	dg_ctl_init(&m1);
	ck_assert_int_eq(dg_ctl_add(&m1, "a", big), 0);
	ck_assert_int_eq(dg_ctl_add(&m1, "b", big), 0);
	len = m1.len;
	ck_assert_int_eq(dg_ctl_add(&m1, "c", big), -E2BIG);
	ck_assert(m1.overflow);
	ck_assert_uint_eq(m1.len, len);		/* nothing half-written */
	ck_assert_uint_eq(m1.nfields, 2);
	/* sticky: even a small field is refused now */
	ck_assert_int_eq(dg_ctl_add(&m1, "d", "1"), -E2BIG);
	ck_assert_uint_eq(m1.len, len);
	dg_ctl_init(&m1);
	ck_assert(!m1.overflow);

	/* exactly full is fine: key "k", '=', value, NUL = 65536 bytes */
	{
		char *grown = realloc(big, DG_CTL_MAX_MSG);

		ck_assert_ptr_nonnull(grown);
		big = grown;
	}
	memset(big, 'y', DG_CTL_MAX_MSG - 4);
	big[DG_CTL_MAX_MSG - 4] = '\0';
	ck_assert_int_eq(dg_ctl_add(&m1, "k", big), 0);
	ck_assert_uint_eq(m1.len, DG_CTL_MAX_MSG - 1);
	dg_ctl_init(&m1);
	big[DG_CTL_MAX_MSG - 4] = 'y';
	big[DG_CTL_MAX_MSG - 3] = '\0';
	ck_assert_int_eq(dg_ctl_add(&m1, "k", big), 0);
	ck_assert_uint_eq(m1.len, DG_CTL_MAX_MSG);
	ck_assert_int_eq(dg_ctl_parse(&m2, m1.buf, m1.len), 0);
	ck_assert_uint_eq(strlen(dg_ctl_get(&m2, "k")), DG_CTL_MAX_MSG - 3);
	dg_ctl_init(&m1);
	big[DG_CTL_MAX_MSG - 3] = 'y';
	big[DG_CTL_MAX_MSG - 2] = '\0';
	ck_assert_int_eq(dg_ctl_add(&m1, "k", big), -E2BIG);
	ck_assert(m1.overflow);
	free(big);

	/* too many fields */
	dg_ctl_init(&m1);
	for (int i = 0; i < DG_CTL_MAX_FIELDS; i++)
		ck_assert_int_eq(dg_ctl_add(&m1, "a", ""), 0);
	ck_assert(!m1.overflow);
	ck_assert_int_eq(dg_ctl_add(&m1, "a", ""), -E2BIG);
	ck_assert(m1.overflow);
	ck_assert_uint_eq(m1.nfields, DG_CTL_MAX_FIELDS);
}
END_TEST

/* A value addf cannot format is a field that did not fit, too. */
START_TEST(test_addf_too_long)
{
	char big[5000];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dg_ctl_init(&m1);
	ck_assert_int_eq(dg_ctl_addf(&m1, "a", "%s", "short"), 0);
	ck_assert_int_eq(dg_ctl_addf(&m1, "b", "%s", big), -E2BIG);
	ck_assert_uint_eq(m1.nfields, 1);
	ck_assert_ptr_null(dg_ctl_get(&m1, "b"));
	/* the message lacks a field: callers checking ->overflow must see it */
	ck_assert(m1.overflow);
	/* a valid big field still fits through dg_ctl_add */
	dg_ctl_init(&m1);
	ck_assert_int_eq(dg_ctl_add(&m1, "b", big), 0);
	ck_assert_uint_eq(strlen(dg_ctl_get(&m1, "b")), sizeof(big) - 1);
}
END_TEST

START_TEST(test_get_u64_forms)
{
	uint64_t v = 99;

	ck_assert_int_eq(PARSE(&m1, "a=+5\0b=-1\0c= 5\0d=5 \0e=\0f=0x10\0"
				   "g=18446744073709551615\0h=18446744073709551616\0i=007\0"), 0);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "a", UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "b", UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "c", UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "d", UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "e", UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "f", UINT64_MAX, &v), -EINVAL);
	ck_assert_uint_eq(v, 99);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "g", UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "h", UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "i", 7, &v), 0);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_rejects)
{
	char *many;
	size_t len;

	ck_assert_int_eq(parse_bytes(&m1, "", 0), -EBADMSG);
	ck_assert_int_eq(parse_bytes(&m1, "a=b", 3), -EBADMSG);		/* no final NUL */
	ck_assert_int_eq(PARSE(&m1, "a=b\0c=d"), -EBADMSG);		/* last field unterminated */
	ck_assert_int_eq(PARSE(&m1, "\0"), -EBADMSG);			/* empty field */
	ck_assert_int_eq(PARSE(&m1, "a=b\0\0"), -EBADMSG);		/* empty field at the end */
	ck_assert_int_eq(PARSE(&m1, "ab\0"), -EBADMSG);			/* no '=' */
	ck_assert_int_eq(PARSE(&m1, "a=b\0cd\0"), -EBADMSG);
	ck_assert_int_eq(PARSE(&m1, "=b\0"), -EBADMSG);			/* empty key */
	ck_assert_int_eq(PARSE(&m1, "Op=b\0"), -EBADMSG);		/* uppercase */
	ck_assert_int_eq(PARSE(&m1, "o p=b\0"), -EBADMSG);		/* space */
	ck_assert_int_eq(PARSE(&m1, " op=b\0"), -EBADMSG);
	ck_assert_int_eq(PARSE(&m1, "op-x=b\0"), -EBADMSG);
	ck_assert_int_eq(PARSE(&m1, "\xc3\xa9=b\0"), -EBADMSG);
	ck_assert_int_eq(PARSE(&m1, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=b\0"), -EBADMSG); /* 33 */
	ck_assert_int_eq(PARSE(&m1, "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=b\0"), 0);	  /* 32 */
	/* a failed parse leaves an empty message */
	ck_assert_int_eq(PARSE(&m1, "op=x\0BAD=y\0"), -EBADMSG);
	ck_assert_uint_eq(m1.len, 0);
	ck_assert_uint_eq(m1.nfields, 0);
	ck_assert_ptr_null(dg_ctl_get(&m1, "op"));

	/* too long */
	many = calloc(1, DG_CTL_MAX_MSG + 2);
	ck_assert_ptr_nonnull(many);
	memset(many, 'v', DG_CTL_MAX_MSG + 1);
	memcpy(many, "k=", 2);
	many[DG_CTL_MAX_MSG] = '\0';
	ck_assert_int_eq(parse_bytes(&m1, many, DG_CTL_MAX_MSG + 1), -EBADMSG);
	ck_assert_int_eq(parse_bytes(&m1, many + 1, DG_CTL_MAX_MSG), -EBADMSG);	/* "=vvv" */
	many[1] = '=';
	many[DG_CTL_MAX_MSG - 1] = '\0';
	ck_assert_int_eq(parse_bytes(&m1, many, DG_CTL_MAX_MSG), 0);		/* exactly max */
	free(many);

	/* too many fields: DG_CTL_MAX_FIELDS is fine, one more is not */
	len = (size_t)(DG_CTL_MAX_FIELDS + 1) * 4;
	many = malloc(len);
	ck_assert_ptr_nonnull(many);
	for (size_t i = 0; i <= DG_CTL_MAX_FIELDS; i++)
		memcpy(many + i * 4, "a=1", 4);
	ck_assert_int_eq(parse_bytes(&m1, many, len - 4), 0);
	ck_assert_uint_eq(m1.nfields, DG_CTL_MAX_FIELDS);
	ck_assert_int_eq(parse_bytes(&m1, many, len), -EBADMSG);
	free(many);
}
END_TEST

START_TEST(test_parse_accepts)
{
	static const char bytes[] = "k=a=b=c\0e=\0bin=\x01\x02\n\r\x1b\x7f\xff\0k=2\0";
	struct dg_ctl_field f;
	size_t pos = 0;

	ck_assert_int_eq(PARSE(&m1, bytes), 0);
	ck_assert_uint_eq(m1.nfields, 4);
	ck_assert_uint_eq(m1.len, sizeof(bytes) - 1);
	ck_assert_str_eq(dg_ctl_get(&m1, "k"), "a=b=c");
	ck_assert_str_eq(dg_ctl_get(&m1, "e"), "");
	ck_assert_str_eq(dg_ctl_get(&m1, "bin"), "\x01\x02\n\r\x1b\x7f\xff");
	ck_assert(dg_ctl_next(&m1, &pos, &f));
	ck_assert(dg_ctl_field_is(&f, "k"));
	ck_assert_str_eq(f.val, "a=b=c");
	ck_assert(dg_ctl_next(&m1, &pos, &f));
	ck_assert(dg_ctl_next(&m1, &pos, &f));
	ck_assert(dg_ctl_field_is(&f, "bin"));
	ck_assert(dg_ctl_next(&m1, &pos, &f));
	ck_assert(dg_ctl_field_is(&f, "k"));
	ck_assert_str_eq(f.val, "2");
	ck_assert(!dg_ctl_next(&m1, &pos, &f));
}
END_TEST

/* The daemon receives into m->buf and validates there. */
START_TEST(test_parse_in_place)
{
	static const char bytes[] = "op=status\0n=42\0argv=x\0argv=y\0";
	uint64_t n = 0;

	dg_ctl_init(&m1);
	memcpy(m1.buf, bytes, sizeof(bytes) - 1);
	ck_assert_int_eq(dg_ctl_parse(&m1, m1.buf, sizeof(bytes) - 1), 0);
	ck_assert_uint_eq(m1.nfields, 4);
	ck_assert_uint_eq(m1.len, sizeof(bytes) - 1);
	ck_assert_str_eq(dg_ctl_get(&m1, "op"), "status");
	ck_assert_int_eq(dg_ctl_get_u64(&m1, "n", 100, &n), 0);
	ck_assert_uint_eq(n, 42);
	ck_assert_mem_eq(m1.buf, bytes, sizeof(bytes) - 1);

	/* in place and invalid */
	memcpy(m1.buf, "op=x\0y\0", 7);
	ck_assert_int_eq(dg_ctl_parse(&m1, m1.buf, 7), -EBADMSG);
	ck_assert_uint_eq(m1.len, 0);

	/* overlapping: the data a little further in the buffer */
	memcpy(m1.buf + 3, bytes, sizeof(bytes) - 1);
	ck_assert_int_eq(dg_ctl_parse(&m1, m1.buf + 3, sizeof(bytes) - 1), 0);
	ck_assert_mem_eq(m1.buf, bytes, sizeof(bytes) - 1);
	ck_assert_str_eq(dg_ctl_get(&m1, "argv"), "x");
}
END_TEST

Suite *ctlmsg_suite(void)
{
	Suite *s = suite_create("ctlmsg");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_field_is);
	tcase_add_test(tc, test_add_rejects_keys);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_addf_too_long);
	tcase_add_test(tc, test_get_u64_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_parse_accepts);
	tcase_add_test(tc, test_parse_in_place);
	suite_add_tcase(s, tc);
	return s;
}
