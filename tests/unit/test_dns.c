// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dns.c: queries and responses built by hand, byte by byte.  Parsing of
 * names (lowercase, escaping, label offsets, compression, every malformed
 * form: truncation, pointer loops, forward pointers, obsolete label types,
 * names over 255 wire bytes), of questions and EDNS OPT, the resource
 * record walk of responses (CNAME chains, A as IPv4-mapped, AAAA, bad
 * rdata lengths, the callback's stop value), the replies we build
 * (dg_dns_build_reply, dg_dns_build_formerr), and maximum-size and mutated
 * messages that must fail cleanly (run this under ASan too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include "deployguard.h"
#include "config.h"
#include "dns.h"
#include "util.h"
#include "suites.h"

/* ---- a tiny message builder -------------------------------------------------- */

struct msg {
	uint8_t b[DG_DNS_MAX_MSG + 64];
	size_t len;
};

static void m_u8(struct msg *m, unsigned v)
{
	ck_assert_uint_lt(m->len, sizeof(m->b));
	m->b[m->len++] = (uint8_t)v;
}

static void m_u16(struct msg *m, unsigned v)
{
	m_u8(m, (v >> 8) & 0xff);
	m_u8(m, v & 0xff);
}

static void m_u32(struct msg *m, uint32_t v)
{
	m_u16(m, v >> 16);
	m_u16(m, v & 0xffff);
}

static void m_bytes(struct msg *m, const void *p, size_t n)
{
	ck_assert_uint_le(m->len + n, sizeof(m->b));
	if (n)
		memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void m_label(struct msg *m, const void *p, size_t n)
{
	m_u8(m, (unsigned)n);
	m_bytes(m, p, n);
}

/* Labels of a dotted name, without the terminating root label. */
static void m_labels(struct msg *m, const char *dotted)
{
	while (*dotted) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);

		m_label(m, dotted, n);
		dotted += n + (dot ? 1 : 0);
	}
}

/* A full uncompressed name; returns its offset. */
static size_t m_name(struct msg *m, const char *dotted)
{
	size_t off = m->len;

	m_labels(m, dotted);
	m_u8(m, 0);
	return off;
}

static void m_ptr(struct msg *m, size_t off)
{
	m_u16(m, 0xc000 | (unsigned)off);
}

static void m_header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an,
		     unsigned ns, unsigned ar)
{
	m->len = 0;
	m_u16(m, id);
	m_u16(m, flags);
	m_u16(m, qd);
	m_u16(m, an);
	m_u16(m, ns);
	m_u16(m, ar);
}

/* An EDNS OPT record (root name), no options. */
static void m_opt(struct msg *m, unsigned udp_size)
{
	m_u8(m, 0);
	m_u16(m, DG_DNS_T_OPT);
	m_u16(m, udp_size);
	m_u32(m, 0);
	m_u16(m, 0);
}

/* RR fixed part after the owner name */
static void m_rr(struct msg *m, unsigned type, uint32_t ttl, unsigned rdlen)
{
	m_u16(m, type);
	m_u16(m, 1);
	m_u32(m, ttl);
	m_u16(m, rdlen);
}

/* The query "name type IN" with flags, and an OPT when opt_size != 0. */
static void make_query(struct msg *m, unsigned id, unsigned flags, const char *name,
		       unsigned type, unsigned opt_size)
{
	m_header(m, id, flags, 1, 0, 0, opt_size ? 1 : 0);
	m_name(m, name);
	m_u16(m, type);
	m_u16(m, 1);
	if (opt_size)
		m_opt(m, opt_size);
}

/*
 * Parse exactly len bytes from a heap copy of that size, so ASan sees any
 * read past the end.
 */
static int parse_query_exact(const uint8_t *p, size_t len, struct dg_dns_query *q)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, len);
	r = dg_dns_parse_query(copy, len, q);
	free(copy);
	return r;
}

static int parse_response_exact(const uint8_t *p, size_t len, struct dg_dns_query *q,
				dg_dns_rr_fn fn, void *arg)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, len);
	r = dg_dns_parse_response(copy, len, q, fn, arg);
	free(copy);
	return r;
}

static void expect_bad_query(const struct msg *m, const char *what)
{
	static struct dg_dns_query q;
	int r = parse_query_exact(m->b, m->len, &q);

	ck_assert_msg(r == -EBADMSG, "%s: parse_query returned %d, expected -EBADMSG", what, r);
}

/* ---- queries ----------------------------------------------------------------- */

START_TEST(test_query_basic)
{
	static struct msg m;
	static struct dg_dns_query q;

	make_query(&m, 0x1234, DG_DNS_F_RD, "WWW.Example.COM", DG_DNS_T_AAAA, 0);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_uint_eq(q.id, 0x1234);
	ck_assert_uint_eq(q.flags, DG_DNS_F_RD);
	ck_assert_uint_eq(q.qdcount, 1);
	ck_assert_uint_eq(q.ancount + q.nscount + q.arcount, 0);
	ck_assert_str_eq(q.qname.text, "www.example.com");
	ck_assert_uint_eq(q.qname.len, 15);
	ck_assert_uint_eq(q.qname.nlabels, 3);
	ck_assert_uint_eq(q.qname.label_off[0], 0);
	ck_assert_uint_eq(q.qname.label_off[1], 4);
	ck_assert_uint_eq(q.qname.label_off[2], 12);
	ck_assert_uint_eq(q.qtype, DG_DNS_T_AAAA);
	ck_assert_uint_eq(q.qclass, 1);
	ck_assert_uint_eq(q.question_end, 12 + 17 + 4);
	ck_assert(!q.has_opt);
	ck_assert_uint_eq(q.opt_udp_size, 0);
	ck_assert_uint_eq(dg_dns_get_id(m.b), 0x1234);
	dg_dns_set_id(m.b, 0xfedc);
	ck_assert_uint_eq(m.b[0], 0xfe);
	ck_assert_uint_eq(m.b[1], 0xdc);
}
END_TEST

START_TEST(test_query_root_and_type)
{
	static struct msg m;
	static struct dg_dns_query q;
	char buf[16];

	make_query(&m, 7, 0, "", 2, 0);	/* ". NS" */
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_str_eq(q.qname.text, "");
	ck_assert_uint_eq(q.qname.len, 0);
	ck_assert_uint_eq(q.qname.nlabels, 0);
	ck_assert_uint_eq(q.qtype, 2);
	ck_assert_uint_eq(q.question_end, 12 + 1 + 4);

	ck_assert_str_eq(dg_dns_type_str(1, buf, sizeof(buf)), "A");
	ck_assert_str_eq(dg_dns_type_str(28, buf, sizeof(buf)), "AAAA");
	ck_assert_str_eq(dg_dns_type_str(65, buf, sizeof(buf)), "HTTPS");
	ck_assert_str_eq(dg_dns_type_str(999, buf, sizeof(buf)), "TYPE999");
}
END_TEST

START_TEST(test_query_edns)
{
	static struct msg m;
	static struct dg_dns_query q;

	make_query(&m, 1, DG_DNS_F_RD, "example.com", DG_DNS_T_A, 4096);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert(q.has_opt);
	ck_assert_uint_eq(q.opt_udp_size, 4096);
	ck_assert_uint_eq(q.arcount, 1);
	ck_assert_uint_eq(q.question_end, 12 + 13 + 4);

	/* an OPT carrying an option (a cookie): still found, rdata skipped */
	m_header(&m, 2, 0, 1, 0, 0, 1);
	m_name(&m, "example.com");
	m_u16(&m, DG_DNS_T_A);
	m_u16(&m, 1);
	m_u8(&m, 0);
	m_rr(&m, DG_DNS_T_OPT, 0, 12);
	m_u16(&m, 10);	/* COOKIE */
	m_u16(&m, 8);
	m_bytes(&m, "\1\2\3\4\5\6\7\10", 8);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert(q.has_opt);
	ck_assert_uint_eq(q.opt_udp_size, 1);	/* the class field: m_rr writes IN */

	/* two OPT records */
	m_header(&m, 3, 0, 1, 0, 0, 2);
	m_name(&m, "example.com");
	m_u16(&m, 1);
	m_u16(&m, 1);
	m_opt(&m, 1232);
	m_opt(&m, 1232);
	expect_bad_query(&m, "two OPT records");

	/* OPT outside the additional section */
	m_header(&m, 4, 0, 1, 1, 0, 0);
	m_name(&m, "example.com");
	m_u16(&m, 1);
	m_u16(&m, 1);
	m_opt(&m, 1232);
	expect_bad_query(&m, "OPT in the answer section");

	/* OPT with a non-root owner name */
	m_header(&m, 5, 0, 1, 0, 0, 1);
	m_name(&m, "example.com");
	m_u16(&m, 1);
	m_u16(&m, 1);
	m_name(&m, "x");
	m_rr(&m, DG_DNS_T_OPT, 0, 0);
	expect_bad_query(&m, "OPT with a name");

	/* OPT whose rdata runs past the end */
	m_header(&m, 6, 0, 1, 0, 0, 1);
	m_name(&m, "example.com");
	m_u16(&m, 1);
	m_u16(&m, 1);
	m_u8(&m, 0);
	m_rr(&m, DG_DNS_T_OPT, 0, 4);
	m_u16(&m, 10);
	expect_bad_query(&m, "OPT rdata truncated");

	/* arcount says 1 but there is nothing */
	make_query(&m, 7, 0, "example.com", 1, 0);
	m.b[11] = 1;
	expect_bad_query(&m, "missing additional record");
}
END_TEST

START_TEST(test_query_rejects_header)
{
	static struct msg m;
	static struct dg_dns_query q;

	make_query(&m, 0xabcd, 0, "example.com", 1, 0);
	for (size_t len = 0; len < DG_DNS_HDR_LEN; len++) {
		ck_assert_int_eq(parse_query_exact(m.b, len, &q), -EBADMSG);
		if (len >= 2)	/* the id is known as soon as it is there */
			ck_assert_uint_eq(q.id, 0xabcd);
	}
	/* every truncation of a valid query fails cleanly */
	for (size_t len = DG_DNS_HDR_LEN; len < m.len; len++)
		ck_assert_msg(parse_query_exact(m.b, len, &q) == -EBADMSG, "len %zu", len);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);

	make_query(&m, 1, 0, "example.com", 1, 0);
	m.b[5] = 0;
	expect_bad_query(&m, "qdcount 0");
	m.b[5] = 2;
	expect_bad_query(&m, "qdcount 2");
	m.b[4] = 1;
	m.b[5] = 1;
	expect_bad_query(&m, "qdcount 257");

	make_query(&m, 1, DG_DNS_F_QR, "example.com", 1, 0);
	expect_bad_query(&m, "QR set");
	make_query(&m, 1, DG_DNS_F_QR | DG_DNS_F_RD, "example.com", 1, 0);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), -EBADMSG);
	/* ... but the same bytes are a fine response */
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, NULL, NULL), 0);
}
END_TEST

START_TEST(test_query_rejects_names)
{
	static struct msg m;
	static struct dg_dns_query q;

	/* a label says 7 bytes, 3 remain */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_u8(&m, 7);
	m_bytes(&m, "exa", 3);
	expect_bad_query(&m, "label past the end");

	/* name without its root label, message ends */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_labels(&m, "example.com");
	expect_bad_query(&m, "unterminated name");

	/* name fine, but type/class missing */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_name(&m, "example.com");
	m_u16(&m, 1);
	expect_bad_query(&m, "truncated question");

	/* pointer to itself */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_ptr(&m, 12);
	m_u16(&m, 1);
	m_u16(&m, 1);
	expect_bad_query(&m, "pointer to itself");

	/* pointer forward to a perfectly good name */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_ptr(&m, 18);
	m_u16(&m, 1);
	m_u16(&m, 1);
	m_name(&m, "example.com");
	expect_bad_query(&m, "forward pointer");

	/* a pointer cut in half */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_u8(&m, 0xc0);
	expect_bad_query(&m, "half a pointer");

	/*
	 * Label types 0x40 and 0x80, followed by enough bytes that they would
	 * parse if taken as lengths (65 and 129).
	 */
	{
		char filler[129];

		memset(filler, 'a', sizeof(filler));
		m_header(&m, 1, 0, 1, 0, 0, 0);
		m_u8(&m, 0x41);
		m_bytes(&m, filler, 65);
		m_u8(&m, 0);
		m_u16(&m, 1);
		m_u16(&m, 1);
		expect_bad_query(&m, "label type 0x40");

		m_header(&m, 1, 0, 1, 0, 0, 0);
		m_u8(&m, 0x81);
		m_bytes(&m, filler, 129);
		m_u8(&m, 0);
		m_u16(&m, 1);
		m_u16(&m, 1);
		expect_bad_query(&m, "label type 0x80");

		/* 63, the longest plain label, is fine */
		m_header(&m, 1, 0, 1, 0, 0, 0);
		m_u8(&m, 63);
		m_bytes(&m, filler, 63);
		m_u8(&m, 0);
		m_u16(&m, 1);
		m_u16(&m, 1);
		ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
		ck_assert_uint_eq(q.qname.len, 63);
	}
}
END_TEST

/* Two pointers pointing at each other, read directly at either one. */
START_TEST(test_pointer_loop)
{
	static struct msg m;
	static struct dg_dns_name n;
	static struct dg_dns_query q;
	size_t a, b, off;

	m_header(&m, 1, DG_DNS_F_QR, 1, 1, 0, 0);
	m_name(&m, "a");
	m_u16(&m, 1);
	m_u16(&m, 1);
	a = m.len;
	m_ptr(&m, a + 2);
	b = m.len;
	m_ptr(&m, a);
	m_rr(&m, 1, 1, 4);
	m_u32(&m, 0x01020304);

	off = a;
	ck_assert_int_eq(dg_dns_read_name(m.b, m.len, &off, &n), -EBADMSG);
	off = b;
	ck_assert_int_eq(dg_dns_read_name(m.b, m.len, &off, &n), -EBADMSG);
	ck_assert_uint_eq(off, b);	/* not advanced on error */

	/* a chain of backward pointers is fine and ends where the first one does */
	m_header(&m, 1, DG_DNS_F_QR, 1, 0, 0, 0);
	a = m_name(&m, "example.com");
	b = m.len;
	m_label(&m, "www", 3);
	m_ptr(&m, a);
	off = m.len;
	m_label(&m, "x", 1);
	m_ptr(&m, b);
	m_u16(&m, 0xdead);
	ck_assert_int_eq(dg_dns_read_name(m.b, m.len, &off, &n), 0);
	ck_assert_str_eq(n.text, "x.www.example.com");
	ck_assert_uint_eq(n.nlabels, 4);
	ck_assert_uint_eq(off, m.len - 2);

	/* into the header: refused (found by the differential fuzzer; ldns
	 * refuses it too), whether the question or a record points there */
	m_header(&m, 1, DG_DNS_F_QR, 1, 1, 0, 0);
	m_name(&m, "a");
	m_u16(&m, 1);
	m_u16(&m, 1);
	a = m.len;
	m_ptr(&m, 0);
	m_rr(&m, 1, 1, 4);
	m_u32(&m, 0x01020304);
	off = a;
	ck_assert_int_eq(dg_dns_read_name(m.b, m.len, &off, &n), -EBADMSG);
	ck_assert_int_eq(dg_dns_parse_response(m.b, m.len, &q, NULL, NULL), -EBADMSG);
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_ptr(&m, 4);
	m_u16(&m, 1);
	m_u16(&m, 1);
	ck_assert_int_eq(dg_dns_parse_query(m.b, m.len, &q), -EBADMSG);

	/* a pointer to an earlier label that runs on past the pointer itself:
	 * the name would take in bytes after its own end (found by the query
	 * fuzz target: the refusal built from such a query, which copies only
	 * the question, did not parse).  The owner below points at the low
	 * byte of the qtype, 10, a label that runs over the pointer, the RR's
	 * type and class, up to a zero in its TTL. */
	{
		static const uint8_t crossing[] = {
			0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
			6, 'a', 'b', 'c', 'd', 'e', 'f', 0, 0, 10, 0, 1,	/* question */
			0xc0, 21, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 77, 0, 1,	/* answer */
		};

		ck_assert_int_eq(dg_dns_parse_response(crossing, sizeof(crossing), &q, NULL, NULL),
				 -EBADMSG);
		off = 24;
		ck_assert_int_eq(dg_dns_read_name(crossing, sizeof(crossing), &off, &n), -EBADMSG);
	}
}
END_TEST

START_TEST(test_name_length_limits)
{
	static struct msg m;
	static struct dg_dns_query q;
	char l63[63], l62[62], l61[61];

	memset(l63, 'a', sizeof(l63));
	memset(l62, 'b', sizeof(l62));
	memset(l61, 'c', sizeof(l61));

	/* 63+63+63+61 label bytes + 4 length bytes + root = 255 wire bytes: ok */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_label(&m, l63, 63);
	m_label(&m, l63, 63);
	m_label(&m, l63, 63);
	m_label(&m, l61, 61);
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_uint_eq(q.qname.len, 63 * 3 + 61 + 3);
	ck_assert_uint_eq(q.qname.nlabels, 4);
	ck_assert_uint_eq(q.qname.label_off[3], (size_t)64 * 3);

	/* one more byte: 256 wire bytes */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_label(&m, l63, 63);
	m_label(&m, l63, 63);
	m_label(&m, l63, 63);
	m_label(&m, l62, 62);
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	expect_bad_query(&m, "256 wire bytes");

	/* far longer, and through compression: each pointer adds labels */
	m_header(&m, 1, DG_DNS_F_QR, 1, 0, 0, 0);
	m_name(&m, "q");
	m_u16(&m, 1);
	m_u16(&m, 1);
	{
		size_t prev = m.len, off;
		static struct dg_dns_name n;

		m_label(&m, l63, 63);
		m_u8(&m, 0);
		for (int i = 0; i < 4; i++) {
			size_t here = m.len;

			m_label(&m, l63, 63);
			m_ptr(&m, prev);
			prev = here;
		}
		off = prev;
		ck_assert_int_eq(dg_dns_read_name(m.b, m.len, &off, &n), -EBADMSG);
	}

	/* 127 one-byte labels: 254 + root = 255 wire bytes, ok */
	m_header(&m, 1, 0, 1, 0, 0, 0);
	for (int i = 0; i < 127; i++)
		m_label(&m, "z", 1);
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_uint_eq(q.qname.nlabels, 127);
	ck_assert_uint_eq(q.qname.len, 127 * 2 - 1);
	ck_assert_uint_eq(q.qname.label_off[126], 252);
}
END_TEST

/*
 * Bytes that are not plain hostname characters are escaped, so label_off,
 * not the dots, tells where labels start.
 */
START_TEST(test_name_escaping)
{
	static struct msg m;
	static struct dg_dns_query q;
	const char bin[2] = { 0x00, (char)0xff };

	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_label(&m, "A.b", 3);		/* a dot inside a label */
	m_label(&m, bin, 2);		/* NUL and 0xff */
	m_label(&m, "x\\ y", 4);	/* backslash and space */
	m_label(&m, "COM", 3);
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_str_eq(q.qname.text, "a\\.b.\\000\\255.x\\\\\\032y.com");
	ck_assert_uint_eq(q.qname.len, strlen(q.qname.text));
	ck_assert_uint_eq(q.qname.nlabels, 4);
	ck_assert_uint_eq(q.qname.label_off[0], 0);
	ck_assert_uint_eq(q.qname.label_off[1], 5);
	ck_assert_uint_eq(q.qname.label_off[2], 14);
	ck_assert_uint_eq(q.qname.label_off[3], 23);
	ck_assert_int_eq(strncmp(q.qname.text + q.qname.label_off[1], "\\000", 4), 0);
	ck_assert_int_eq(strncmp(q.qname.text + q.qname.label_off[2], "x\\\\", 3), 0);
	ck_assert_str_eq(q.qname.text + q.qname.label_off[3], "com");
	for (unsigned i = 1; i < q.qname.nlabels; i++)
		ck_assert_uint_eq(q.qname.text[q.qname.label_off[i] - 1], '.');
}
END_TEST

/*
 * The parsed name feeds the profile decision: a label "evil.github" is not
 * a subdomain of github.com, while "x.github.com" is.
 */
START_TEST(test_name_decision)
{
	static struct msg m;
	static struct dg_dns_query q;
	struct dg_profile p;
	long off = 0;

	memset(&p, 0, sizeof(p));
	p.mode = DG_MODE_BLOCKLIST;
	dg_domain_set_init(&p.names);
	ck_assert_int_eq(dg_domain_set_add(&p.names, "github.com", 10, DG_NAME_BLOCK), 0);

	m_header(&m, 1, 0, 1, 0, 0, 0);
	m_label(&m, "Evil.GitHub", 11);
	m_label(&m, "com", 3);
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_str_eq(q.qname.text, "evil\\.github.com");
	ck_assert_uint_eq(dg_profile_decide(&p, q.qname.text, q.qname.len, q.qname.label_off,
					    q.qname.nlabels, &off), DG_NAME_ALLOW);
	ck_assert_int_eq(off, -1);

	make_query(&m, 1, 0, "X.GitHub.Com", 1, 0);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	ck_assert_uint_eq(dg_profile_decide(&p, q.qname.text, q.qname.len, q.qname.label_off,
					    q.qname.nlabels, &off), DG_NAME_BLOCK);
	ck_assert_int_eq(off, 2);
	dg_domain_set_free(&p.names);
}
END_TEST

/* ---- responses --------------------------------------------------------------- */

struct seen_rr {
	enum dg_dns_section section;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;
	char name[DG_DNS_NAME_TEXT_MAX];
	char target[DG_DNS_NAME_TEXT_MAX];
	bool has_target;
	uint8_t addr[16];
};

struct seen {
	struct seen_rr rr[8];
	unsigned n;
	unsigned total;
	unsigned stop_at;	/* return stop_ret at this record (1-based); 0 never */
	int stop_ret;
};

static int record_rr(void *arg, const struct dg_dns_rr *rr)
{
	struct seen *s = arg;

	s->total++;
	if (s->n < DG_ARRAY_SIZE(s->rr)) {
		struct seen_rr *r = &s->rr[s->n++];

		r->section = rr->section;
		r->type = rr->type;
		r->ttl = rr->ttl;
		r->rdlen = rr->rdlen;
		r->rdata_off = rr->rdata_off;
		snprintf(r->name, sizeof(r->name), "%s", rr->name->text);
		r->has_target = rr->target != NULL;
		if (rr->target)
			snprintf(r->target, sizeof(r->target), "%s", rr->target->text);
		memcpy(r->addr, rr->addr, 16);
	}
	if (s->stop_at && s->total == s->stop_at)
		return s->stop_ret;
	return 0;
}

/*
 * www.example.com A?  ->  CNAME edge.example.com (compressed)
 *                         CNAME edge2.cdn.net
 *                         A 192.0.2.7, AAAA 2001:db8::1
 *                         NS ns1.example.com (authority), OPT (additional)
 */
static void make_response(struct msg *m, size_t *cname_rdata)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 1 };
	size_t q, example, edge, edge2;

	m_header(m, 0xbeef, DG_DNS_F_QR | DG_DNS_F_RD | DG_DNS_F_RA, 1, 4, 1, 1);
	q = m_name(m, "www.example.com");
	example = q + 4;
	m_u16(m, DG_DNS_T_A);
	m_u16(m, 1);

	m_ptr(m, q);
	m_rr(m, DG_DNS_T_CNAME, 300, 7);
	edge = m->len;
	if (cname_rdata)
		*cname_rdata = edge;
	m_label(m, "edge", 4);
	m_ptr(m, example);

	m_ptr(m, edge);
	m_rr(m, DG_DNS_T_CNAME, 60, 15);
	edge2 = m_name(m, "edge2.cdn.net");

	m_ptr(m, edge2);
	m_rr(m, DG_DNS_T_A, 30, 4);
	m_bytes(m, "\xc0\x00\x02\x07", 4);

	m_ptr(m, edge2);
	m_rr(m, DG_DNS_T_AAAA, 20, 16);
	m_bytes(m, v6, 16);

	m_ptr(m, example);
	m_rr(m, 2, 3600, 6);
	m_label(m, "ns1", 3);
	m_ptr(m, example);

	m_opt(m, 1232);
}

START_TEST(test_response_walk)
{
	static struct msg m;
	static struct dg_dns_query q;
	static struct seen s;
	static const uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
					    192, 0, 2, 7 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 1 };
	size_t cname_rdata;

	memset(&s, 0, sizeof(s));
	make_response(&m, &cname_rdata);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, record_rr, &s), 0);
	ck_assert_uint_eq(q.id, 0xbeef);
	ck_assert_str_eq(q.qname.text, "www.example.com");
	ck_assert_uint_eq(q.qtype, DG_DNS_T_A);
	ck_assert(q.has_opt);
	ck_assert_uint_eq(q.opt_udp_size, 1232);
	ck_assert_uint_eq(s.total, 6);

	ck_assert_uint_eq(s.rr[0].section, DG_DNS_ANSWER);
	ck_assert_uint_eq(s.rr[0].type, DG_DNS_T_CNAME);
	ck_assert_uint_eq(s.rr[0].ttl, 300);
	ck_assert_str_eq(s.rr[0].name, "www.example.com");
	ck_assert(s.rr[0].has_target);
	ck_assert_str_eq(s.rr[0].target, "edge.example.com");
	ck_assert_uint_eq(s.rr[0].rdlen, 7);
	ck_assert_uint_eq(s.rr[0].rdata_off, cname_rdata);

	ck_assert_uint_eq(s.rr[1].type, DG_DNS_T_CNAME);
	ck_assert_uint_eq(s.rr[1].ttl, 60);
	ck_assert_str_eq(s.rr[1].name, "edge.example.com");
	ck_assert_str_eq(s.rr[1].target, "edge2.cdn.net");

	ck_assert_uint_eq(s.rr[2].section, DG_DNS_ANSWER);
	ck_assert_uint_eq(s.rr[2].type, DG_DNS_T_A);
	ck_assert_uint_eq(s.rr[2].ttl, 30);
	ck_assert_str_eq(s.rr[2].name, "edge2.cdn.net");
	ck_assert(!s.rr[2].has_target);
	ck_assert_mem_eq(s.rr[2].addr, mapped, 16);

	ck_assert_uint_eq(s.rr[3].type, DG_DNS_T_AAAA);
	ck_assert_uint_eq(s.rr[3].ttl, 20);
	ck_assert_str_eq(s.rr[3].name, "edge2.cdn.net");
	ck_assert_mem_eq(s.rr[3].addr, v6, 16);

	ck_assert_uint_eq(s.rr[4].section, DG_DNS_AUTHORITY);
	ck_assert_uint_eq(s.rr[4].type, 2);
	ck_assert_uint_eq(s.rr[4].ttl, 3600);
	ck_assert_str_eq(s.rr[4].name, "example.com");
	ck_assert(!s.rr[4].has_target);	/* only CNAME targets are decoded */

	ck_assert_uint_eq(s.rr[5].section, DG_DNS_ADDITIONAL);
	ck_assert_uint_eq(s.rr[5].type, DG_DNS_T_OPT);
	ck_assert_str_eq(s.rr[5].name, "");

	/* no callback: still validated */
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, NULL, NULL), 0);
	/* every truncation fails cleanly */
	for (size_t len = 0; len < m.len; len++)
		ck_assert_msg(parse_response_exact(m.b, len, &q, NULL, NULL) == -EBADMSG,
			      "len %zu", len);
}
END_TEST

START_TEST(test_response_stop)
{
	static struct msg m;
	static struct dg_dns_query q;
	static struct seen s;

	make_response(&m, NULL);
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	s.stop_ret = 42;
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, record_rr, &s), 42);
	ck_assert_uint_eq(s.total, 2);

	memset(&s, 0, sizeof(s));
	s.stop_at = 6;
	s.stop_ret = -7;
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, record_rr, &s), -7);
	ck_assert_uint_eq(s.total, 6);

	/* a query is not a response */
	make_query(&m, 1, DG_DNS_F_RD, "example.com", 1, 0);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, record_rr, &s), -EBADMSG);
}
END_TEST

/* One-answer response "a.example A?" with the given answer record. */
static void response_with(struct msg *m, unsigned type, unsigned rdlen, const void *rdata,
			  size_t n)
{
	m_header(m, 9, DG_DNS_F_QR, 1, 1, 0, 0);
	m_name(m, "a.example");
	m_u16(m, DG_DNS_T_A);
	m_u16(m, 1);
	m_ptr(m, 12);
	m_rr(m, type, 60, rdlen);
	m_bytes(m, rdata, n);
}

static void expect_bad_response(const struct msg *m, const char *what)
{
	static struct dg_dns_query q;
	static struct seen s;
	int r;

	memset(&s, 0, sizeof(s));
	r = parse_response_exact(m->b, m->len, &q, record_rr, &s);
	ck_assert_msg(r == -EBADMSG, "%s: returned %d, expected -EBADMSG", what, r);
	ck_assert_msg(s.total == 0, "%s: callback saw the bad record", what);
}

START_TEST(test_response_rejects)
{
	static struct msg m;
	static struct dg_dns_query q;
	static const uint8_t z[32];
	uint8_t cname[16];
	size_t cl;

	response_with(&m, DG_DNS_T_A, 4, "\1\2\3\4", 4);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, NULL, NULL), 0);	/* sanity */

	response_with(&m, DG_DNS_T_A, 5, z, 5);
	expect_bad_response(&m, "A rdlen 5");
	response_with(&m, DG_DNS_T_A, 3, z, 3);
	expect_bad_response(&m, "A rdlen 3");
	response_with(&m, DG_DNS_T_AAAA, 4, z, 4);
	expect_bad_response(&m, "AAAA rdlen 4");
	response_with(&m, DG_DNS_T_AAAA, 17, z, 17);
	expect_bad_response(&m, "AAAA rdlen 17");
	response_with(&m, DG_DNS_T_AAAA, 16, z, 16);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, NULL, NULL), 0);

	/* CNAME "b" + pointer to "example" (offset 14): 5 bytes of rdata */
	memcpy(cname, "\1b\xc0\x0e", 4);	// NOLINT(bugprone-not-null-terminated-result): wire bytes, not a string
	cl = 4;
	response_with(&m, DG_DNS_T_CNAME, (unsigned)cl, cname, cl);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, NULL, NULL), 0);
	response_with(&m, DG_DNS_T_CNAME, (unsigned)cl + 1, cname, cl + 1);
	expect_bad_response(&m, "CNAME rdata longer than the name");
	response_with(&m, DG_DNS_T_CNAME, (unsigned)cl - 1, cname, cl);
	expect_bad_response(&m, "CNAME rdata shorter than the name");
	response_with(&m, DG_DNS_T_CNAME, 0, NULL, 0);
	expect_bad_response(&m, "empty CNAME rdata");
	/* CNAME target pointing forward */
	{
		size_t at;

		response_with(&m, DG_DNS_T_CNAME, 2, NULL, 0);
		at = m.len;
		m_ptr(&m, at + 2);
		m_name(&m, "x");
		expect_bad_response(&m, "CNAME with a forward pointer");
	}

	/* rdata past the end, for a type that is otherwise not looked at */
	response_with(&m, 16, 100, "\5hello", 6);
	expect_bad_response(&m, "TXT rdata past the end");
	response_with(&m, 16, 6, "\5hello", 6);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, NULL, NULL), 0);

	/* a record cut inside its fixed part */
	response_with(&m, DG_DNS_T_A, 4, "\1\2\3\4", 4);
	m.len -= 4 + 3;
	expect_bad_response(&m, "truncated RR header");

	/* ancount larger than what is there */
	response_with(&m, DG_DNS_T_A, 4, "\1\2\3\4", 4);
	m.b[7] = 2;
	{
		static struct seen s;

		memset(&s, 0, sizeof(s));
		ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, record_rr, &s), -EBADMSG);
		ck_assert_uint_eq(s.total, 1);	/* the good one was seen */
	}
}
END_TEST

/* ---- replies we build -------------------------------------------------------- */

START_TEST(test_build_reply_edns)
{
	static struct msg m;
	static struct dg_dns_query q, r;
	static struct seen s;
	uint8_t out[512];
	size_t n, need;
	static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };

	make_query(&m, 0x4242, DG_DNS_F_RD | DG_DNS_F_AA | DG_DNS_F_TC | 0x0070, "GitHub.com",
		   DG_DNS_T_AAAA, 4096);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	need = q.question_end + 11;

	memset(out, 0xaa, sizeof(out));
	n = dg_dns_build_reply(m.b, &q, DG_RCODE_REFUSED, out, sizeof(out));
	ck_assert_uint_eq(n, need);
	ck_assert_uint_eq(out[0], 0x42);
	ck_assert_uint_eq(out[1], 0x42);
	/* QR | RD | RA | REFUSED; AA, TC, Z, AD, CD not copied */
	ck_assert_uint_eq((out[2] << 8) | out[3], 0x8185);
	ck_assert_mem_eq(out + 4, "\0\1\0\0\0\0\0\1", 8);
	ck_assert_mem_eq(out + 12, m.b + 12, q.question_end - 12);
	ck_assert_mem_eq(out + q.question_end, opt, 11);
	ck_assert_uint_eq(out[n], 0xaa);	/* nothing written past the end */

	/* what we built parses as a response */
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(parse_response_exact(out, n, &r, record_rr, &s), 0);
	ck_assert_str_eq(r.qname.text, "github.com");
	ck_assert_uint_eq(r.flags & DG_DNS_F_RCODE, DG_RCODE_REFUSED);
	ck_assert(r.has_opt);
	ck_assert_uint_eq(r.opt_udp_size, 1232);
	ck_assert_uint_eq(s.total, 1);

	/* exactly enough room works, one byte less does not */
	ck_assert_uint_eq(dg_dns_build_reply(m.b, &q, 3, out, need), need);
	ck_assert_uint_eq(dg_dns_build_reply(m.b, &q, 3, out, need - 1), 0);
	ck_assert_uint_eq(dg_dns_build_reply(m.b, &q, 3, out, 0), 0);
}
END_TEST

START_TEST(test_build_reply_plain)
{
	static struct msg m;
	static struct dg_dns_query q;
	uint8_t out[512];
	size_t n;

	/* opcode 2 (STATUS), no RD, no OPT */
	make_query(&m, 0x0102, 0x1000, "example.com", DG_DNS_T_A, 0);
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), 0);
	n = dg_dns_build_reply(m.b, &q, DG_RCODE_NXDOMAIN, out, sizeof(out));
	ck_assert_uint_eq(n, q.question_end);
	ck_assert_uint_eq(n, m.len);
	ck_assert_uint_eq(out[0], 0x01);
	ck_assert_uint_eq(out[1], 0x02);
	ck_assert_uint_eq((out[2] << 8) | out[3], 0x8000 | 0x1000 | 0x0080 | 3);
	ck_assert_mem_eq(out + 4, "\0\1\0\0\0\0\0\0", 8);
	ck_assert_mem_eq(out + 12, m.b + 12, n - 12);
	ck_assert_uint_eq(dg_dns_build_reply(m.b, &q, 3, out, n - 1), 0);

	/* rcode is masked to its 4 bits */
	n = dg_dns_build_reply(m.b, &q, 0x15, out, sizeof(out));
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(out[3] & 0x0f, 5);
	ck_assert_uint_eq(out[3] & 0x70, 0);
}
END_TEST

/* The query builder the blocked-name resolver and the test tools share:
 * what it builds parses back; what DNS cannot carry is refused. */
START_TEST(test_build_query)
{
	uint8_t buf[512];
	struct dg_dns_query q;
	char label64[65], longname[300];
	size_t n;

	n = dg_dns_build_query("Www.Example.com.", 28, 0x1234, buf, sizeof(buf));
	ck_assert_uint_eq(n, 12 + 17 + 4);
	ck_assert_int_eq(dg_dns_parse_query(buf, n, &q), 0);
	ck_assert_uint_eq(q.id, 0x1234);
	ck_assert_uint_eq(q.flags, 0x0100);
	ck_assert_uint_eq(q.qtype, 28);
	ck_assert_uint_eq(q.qclass, 1);
	ck_assert_uint_eq(q.qname.nlabels, 3);
	ck_assert_str_eq(q.qname.text, "www.example.com");
	ck_assert_uint_eq(dg_dns_build_query("example.com", 1, 1, buf, 12 + 13 + 3), 0);
	ck_assert_uint_eq(dg_dns_build_query("example.com", 1, 1, buf, 12 + 13 + 4), 12 + 13 + 4);

	ck_assert_uint_eq(dg_dns_build_query("a..b", 1, 1, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(dg_dns_build_query(".a", 1, 1, buf, sizeof(buf)), 0);
	memset(label64, 'x', 64);
	label64[64] = '\0';
	ck_assert_uint_eq(dg_dns_build_query(label64, 1, 1, buf, sizeof(buf)), 0);
	label64[63] = '\0';
	ck_assert_uint_ne(dg_dns_build_query(label64, 1, 1, buf, sizeof(buf)), 0);
	/* 127 labels "a" are 255 octets on the wire, the most there may be */
	for (size_t i = 0; i < 128; i++)
		memcpy(longname + 2 * i, "a.", 2);
	longname[(size_t)2 * 128] = '\0';
	ck_assert_uint_eq(dg_dns_build_query(longname, 1, 1, buf, sizeof(buf)), 0);
	longname[(size_t)2 * 127] = '\0';
	ck_assert_uint_eq(dg_dns_build_query(longname, 1, 1, buf, sizeof(buf)), 12 + 255 + 4);
}
END_TEST

START_TEST(test_build_formerr)
{
	static const uint8_t q[] = { 0x12, 0x34, 0x01, 0x20, 0xff, 0xff };
	uint8_t out[64];

	memset(out, 0xaa, sizeof(out));
	ck_assert_uint_eq(dg_dns_build_formerr(q, 0, out, sizeof(out)), 0);
	ck_assert_uint_eq(dg_dns_build_formerr(q, 1, out, sizeof(out)), 0);
	ck_assert_uint_eq(out[0], 0xaa);

	ck_assert_uint_eq(dg_dns_build_formerr(q, 2, out, sizeof(out)), 12);
	ck_assert_uint_eq(out[0], 0x12);
	ck_assert_uint_eq(out[1], 0x34);
	ck_assert_uint_eq((out[2] << 8) | out[3], 0x8081);	/* flags unknown: no RD */
	ck_assert_mem_eq(out + 4, "\0\0\0\0\0\0\0\0", 8);
	ck_assert_uint_eq(out[12], 0xaa);

	/* RD copied, AD (0x20) not */
	ck_assert_uint_eq(dg_dns_build_formerr(q, sizeof(q), out, sizeof(out)), 12);
	ck_assert_uint_eq((out[2] << 8) | out[3], 0x8181);
	ck_assert_mem_eq(out + 4, "\0\0\0\0\0\0\0\0", 8);

	ck_assert_uint_eq(dg_dns_build_formerr(q, sizeof(q), out, 11), 0);
}
END_TEST

/* ---- big and broken messages -------------------------------------------------- */

static int count_rr(void *arg, const struct dg_dns_rr *rr)
{
	unsigned *n = arg;

	ck_assert_uint_lt(rr->name->len, DG_DNS_NAME_TEXT_MAX);
	ck_assert_uint_eq(strlen(rr->name->text), rr->name->len);
	(*n)++;
	return 0;
}

START_TEST(test_oversized_message)
{
	static struct msg m;
	static struct dg_dns_query q;
	unsigned n, records = 0;

	m_header(&m, 1, DG_DNS_F_QR, 1, 0, 0, 0);
	m_name(&m, "a");
	m_u16(&m, 1);
	m_u16(&m, 1);
	while (m.len + 16 <= DG_DNS_MAX_MSG) {
		m_ptr(&m, 12);
		m_rr(&m, DG_DNS_T_A, 1, 4);
		m_u32(&m, 0x0a000000u + records);
		records++;
	}
	while (m.len < DG_DNS_MAX_MSG)
		m_u8(&m, 0xc0);	/* trailing garbage: half pointers */
	ck_assert_uint_eq(m.len, DG_DNS_MAX_MSG);
	ck_assert_uint_eq(records, (DG_DNS_MAX_MSG - 19) / 16);

	m.b[6] = (uint8_t)(records >> 8);
	m.b[7] = (uint8_t)records;
	n = 0;
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, count_rr, &n), 0);
	ck_assert_uint_eq(n, records);

	/* one record more than there is: runs into the garbage */
	m.b[6] = (uint8_t)((records + 1) >> 8);
	m.b[7] = (uint8_t)(records + 1);
	n = 0;
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, count_rr, &n), -EBADMSG);
	ck_assert_uint_eq(n, records);

	/* all counts at their maximum */
	memset(m.b + 6, 0xff, 6);
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, count_rr, &n), -EBADMSG);
	m.b[2] &= 0x7f;	/* and as a query */
	ck_assert_int_eq(parse_query_exact(m.b, m.len, &q), -EBADMSG);
}
END_TEST

/* A 64 KiB message of records whose names are ever longer pointer chains. */
START_TEST(test_oversized_pointer_chains)
{
	static struct msg m;
	static struct dg_dns_query q;
	unsigned n = 0, records = 0;
	size_t prev = 12;

	m_header(&m, 1, DG_DNS_F_QR, 1, 0, 0, 0);
	m_name(&m, "a");
	m_u16(&m, 1);
	m_u16(&m, 1);
	while (m.len + 2 + 2 + 10 <= DG_DNS_MAX_MSG) {
		size_t here = m.len;

		m_label(&m, "x", 1);
		m_ptr(&m, prev < 0x4000 ? prev : 12);
		m_rr(&m, 99, 1, 0);
		if (here < 0x4000)
			prev = here;
		records++;
	}
	while (m.len < DG_DNS_MAX_MSG)
		m_u8(&m, 0);
	m.b[6] = (uint8_t)(records >> 8);
	m.b[7] = (uint8_t)records;
	/* names grow by one label per record: past 255 wire bytes it must stop */
	ck_assert_int_eq(parse_response_exact(m.b, m.len, &q, count_rr, &n), -EBADMSG);
	ck_assert_uint_eq(n, 126);	/* "a" + 126 "x" labels = 255 wire bytes */
}
END_TEST

/*
 * Every single-byte mutation and truncation of a response parses or fails
 * cleanly; names handed out are always consistent.  Valgrind/ASan do the
 * real checking here.
 */
START_TEST(test_mutations)
{
	static struct msg m;
	static struct dg_dns_query q;
	static const uint8_t vals[] = { 0x00, 0x01, 0x3f, 0x40, 0x80, 0xc0, 0xc3, 0xff };
	uint8_t *copy;
	unsigned n, ok = 0, bad = 0;

	make_response(&m, NULL);
	copy = malloc(m.len);
	ck_assert_ptr_nonnull(copy);
	for (size_t i = 0; i < m.len; i++) {
		for (size_t v = 0; v < sizeof(vals); v++) {
			int r;

			memcpy(copy, m.b, m.len);
			copy[i] = vals[v];
			n = 0;
			r = dg_dns_parse_response(copy, m.len, &q, count_rr, &n);
			ck_assert_msg(r == 0 || r == -EBADMSG, "byte %zu = %#x: %d", i, vals[v], r);
			if (r) {
				bad++;
			} else {
				ok++;
				ck_assert_uint_eq(strlen(q.qname.text), q.qname.len);
			}
			copy[2] &= 0x7f;
			r = dg_dns_parse_query(copy, m.len, &q);
			ck_assert(r == 0 || r == -EBADMSG);
		}
	}
	free(copy);
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(bad, 0);
}
END_TEST

Suite *dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("query");

	tcase_add_test(tc, test_query_basic);
	tcase_add_test(tc, test_query_root_and_type);
	tcase_add_test(tc, test_query_edns);
	tcase_add_test(tc, test_query_rejects_header);
	tcase_add_test(tc, test_query_rejects_names);
	tcase_add_test(tc, test_pointer_loop);
	tcase_add_test(tc, test_name_length_limits);
	tcase_add_test(tc, test_name_escaping);
	tcase_add_test(tc, test_name_decision);
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_test(tc, test_response_walk);
	tcase_add_test(tc, test_response_stop);
	tcase_add_test(tc, test_response_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("build");
	tcase_add_test(tc, test_build_reply_edns);
	tcase_add_test(tc, test_build_reply_plain);
	tcase_add_test(tc, test_build_formerr);
	tcase_add_test(tc, test_build_query);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_add_test(tc, test_oversized_message);
	tcase_add_test(tc, test_oversized_pointer_chains);
	tcase_add_test(tc, test_mutations);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
