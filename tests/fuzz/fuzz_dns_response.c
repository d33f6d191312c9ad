// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An upstream answer, as the proxy reads it to decide (CNAMEs) and to learn
 * (A/AAAA), checked against a reference parser, Debian's libldns: whatever
 * we accept, ldns must accept and see the same question, the same records
 * in the same sections with the same owners, types, TTLs, addresses and
 * CNAME targets.  Where the two disagree on accepting a message at all,
 * the difference must be one of the rules below, each deliberate.
 */
#include <errno.h>
#include <stdbool.h>	/* before ldns, which has a bool of its own otherwise */
#include <ldns/ldns.h>
#include <string.h>

#include "dns.h"
#include "fuzz.h"

#define MAX_RRS 512

struct our_rr {
	int section;
	uint16_t type, rclass;
	uint32_t ttl;
	char owner[DG_DNS_NAME_TEXT_MAX];
	char target[DG_DNS_NAME_TEXT_MAX];
	uint8_t addr[16];
	size_t type_off;	/* where the type is on the wire */
};

struct ours {
	struct our_rr rr[MAX_RRS];
	unsigned n;
	bool truncated;
};

static int collect(void *arg, const struct dg_dns_rr *rr)
{
	struct ours *o = arg;
	struct our_rr *r;

	if (o->n >= MAX_RRS) {
		o->truncated = true;
		return 0;
	}
	r = &o->rr[o->n++];
	r->section = rr->section;
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->ttl = rr->ttl;
	r->type_off = rr->rdata_off - 10;
	snprintf(r->owner, sizeof(r->owner), "%s", rr->name->text);
	r->target[0] = '\0';
	if (rr->target)
		snprintf(r->target, sizeof(r->target), "%s", rr->target->text);
	memcpy(r->addr, rr->addr, 16);
	return 0;
}

/*
 * A name in ldns's wire form written the way dns.h promises to: lowercase,
 * no trailing dot, '.' and '\' escaped with '\', other bytes outside
 * '!'..'~' as \DDD.  An independent implementation of that promise.
 */
static void ref_text(const ldns_rdf *dname, char *out, size_t outlen)
{
	const uint8_t *w = ldns_rdf_data(dname);
	size_t len = ldns_rdf_size(dname), pos = 0, o = 0;

	out[0] = '\0';
	while (pos < len && w[pos]) {
		uint8_t l = w[pos++];

		if (o && o + 1 < outlen)
			out[o++] = '.';
		for (uint8_t i = 0; i < l && pos < len; i++) {
			uint8_t c = w[pos++];
			char esc[8];

			if (c >= 'A' && c <= 'Z')
				c = (uint8_t)(c + 32);
			if (c == '.' || c == '\\')
				snprintf(esc, sizeof(esc), "\\%c", c);
			else if (c <= ' ' || c >= 0x7f)
				snprintf(esc, sizeof(esc), "\\%03u", c);
			else
				snprintf(esc, sizeof(esc), "%c", c);
			for (char *e = esc; *e && o + 1 < outlen; e++)
				out[o++] = *e;
		}
	}
	out[o] = '\0';
}

/* ---- the rules under which the two may disagree on accepting ---------------- */

/*
 * An independent walk of the message's structure, interpreting nothing,
 * for the rules below.  One name at off: 1 if it uses a compression
 * pointer we refuse on purpose (into the header, or not strictly before
 * itself, or after a jump not strictly before the last one's target, or
 * a suffix that runs into the pointer that jumped to it: RFC 1035 only
 * ever produces pointers to an earlier, complete suffix, and
 * refusing the rest means no message can make a reader loop), 0 if not,
 * -1 if the walk cannot go on; *end is where the name ends in place.
 */
static uint8_t touched[DG_DNS_MAX_MSG];	/* bytes some name was read from */

static int name_refused(const uint8_t *m, size_t len, size_t off, size_t *end)
{
	size_t pos = off, start = off, bound = len;
	bool jumped = false;

	for (int hops = 0; hops < 256; hops++) {
		if (pos >= len)
			return -1;
		if (pos >= bound)
			return 1;	/* ran into the pointer that jumped here */
		if (!jumped)
			start = pos;	/* an earlier label of this same name is fine */
		if ((m[pos] & 0xc0) == 0xc0) {
			size_t t;

			if (pos + 1 >= len)
				return -1;
			touched[pos] = touched[pos + 1] = 1;
			t = (size_t)(m[pos] & 0x3f) << 8 | m[pos + 1];
			if (!jumped)
				*end = pos + 2;
			if (t < DG_DNS_HDR_LEN || t >= start)
				return 1;
			bound = pos;
			jumped = true;
			start = pos = t;
			continue;
		}
		touched[pos] = 1;
		if (!m[pos]) {
			if (!jumped)
				*end = pos + 1;
			return 0;
		}
		if (pos + 1 + m[pos] > bound)
			return pos + 1 + m[pos] > len ? -1 : 1;
		for (size_t k = pos + 1; k <= pos + m[pos] && k < len; k++)
			touched[k] = 1;
		pos += 1u + m[pos];
	}
	return 1;
}

struct walk {
	bool refused_pointer;	/* see name_refused() */
	bool misplaced_opt;	/* OPT outside the additional section, named, or twice */
	bool bad_cname;		/* CNAME rdata that is not exactly one name
				 * (ldns takes empty rdata, as above) */
	bool bad_addr;		/* A/AAAA rdata that is not one address (ldns
				 * takes empty rdata, as RFC 2136 updates use) */
	unsigned nopaque;	/* records of types we do not interpret */
	size_t opaque_type_off[MAX_RRS];
};

/* false when the walk could not finish (then no rule can be claimed) */
static bool walk(const uint8_t *m, size_t len, struct walk *w)
{
	unsigned counts[4];
	size_t off = DG_DNS_HDR_LEN, end = 0;
	unsigned opts = 0;

	memset(w, 0, sizeof(*w));
	memset(touched, 0, len);
	if (len < DG_DNS_HDR_LEN)
		return false;
	for (int i = 0; i < 4; i++)
		counts[i] = (unsigned)(m[4 + 2 * i] << 8 | m[5 + 2 * i]);
	for (int sec = 0; sec < 4; sec++) {
		for (unsigned i = 0; i < counts[sec]; i++) {
			uint16_t type;
			size_t rdlen, owner = off;
			int r = name_refused(m, len, off, &end);

			if (r < 0)
				return false;
			if (r > 0)
				w->refused_pointer = true;
			off = end;
			if (sec == 0) {
				off += 4;
				continue;
			}
			if (off + 10 > len)
				return false;
			type = (uint16_t)(m[off] << 8 | m[off + 1]);
			rdlen = (size_t)(m[off + 8] << 8 | m[off + 9]);
			if (type == DG_DNS_T_OPT &&
			    (sec != 3 || opts++ || m[owner] != 0))
				w->misplaced_opt = true;
			if ((type == DG_DNS_T_A && rdlen != 4) || (type == DG_DNS_T_AAAA && rdlen != 16))
				w->bad_addr = true;
			if (type == DG_DNS_T_CNAME) {
				if (!rdlen || off + 10 + rdlen > len) {
					w->bad_cname = true;
					return false;
				}
				r = name_refused(m, len, off + 10, &end);
				if (r < 0)
					return false;
				if (r > 0)
					w->refused_pointer = true;
				if (end != off + 10 + rdlen)
					w->bad_cname = true;
			}
			if (type != DG_DNS_T_A && type != DG_DNS_T_AAAA && type != DG_DNS_T_CNAME &&
			    type != DG_DNS_T_OPT && w->nopaque < MAX_RRS)
				w->opaque_type_off[w->nopaque++] = off;
			off += 10 + rdlen;
			if (off > len)
				return false;
		}
	}
	return true;
}

/*
 * We refuse a message ldns accepts: allowed for what the proxy must not
 * forward or cannot trust, each rule deliberate.  (The proxy answers
 * SERVFAIL rather than forward what it could not check.)
 */
static bool we_refuse_on_purpose(const uint8_t *m, size_t len)
{
	struct walk w;

	if (len >= DG_DNS_HDR_LEN && !(m[2] & 0x80))
		return true;	/* not a response */
	if (len >= DG_DNS_HDR_LEN && (m[4] || m[5] != 1))
		return true;	/* one question, or we cannot tell what was asked */
	/* a rule met before the walk had to stop is why we stopped there too */
	walk(m, len, &w);
	return w.refused_pointer || w.misplaced_opt || w.bad_cname || w.bad_addr;
}

/*
 * The proxy interprets A, AAAA, CNAME and OPT and forwards every other
 * record unchanged, rdata unread, as any resolver would.  ldns interprets
 * the rdata of every type it knows (and reads a name in rdata past its
 * rdlength).  So ldns gets the message with every other record's type made
 * private-use (65280), whose rdata it takes as opaque, exactly as we do.
 */
static const uint8_t *opaque_copy(const uint8_t *m, size_t len, const struct walk *w)
{
	static uint8_t copy[DG_DNS_MAX_MSG];

	/* a name made of another record's type bytes (through a pointer; no
	 * server writes one) would change with them: no reference then */
	for (unsigned i = 0; i < w->nopaque; i++)
		if (touched[w->opaque_type_off[i]] || touched[w->opaque_type_off[i] + 1])
			return NULL;
	memcpy(copy, m, len);
	for (unsigned i = 0; i < w->nopaque; i++) {
		copy[w->opaque_type_off[i]] = 0xff;
		copy[w->opaque_type_off[i] + 1] = 0x00;
	}
	return copy;
}

/* ---- both accept: both must see the same --------------------------------------- */

static void compare_rr(const struct our_rr *o, const ldns_rr *r)
{
	char text[DG_DNS_NAME_TEXT_MAX];

	FUZZ_ASSERT(o->type == ldns_rr_get_type(r) ||
		    (ldns_rr_get_type(r) == 65280 && o->type != DG_DNS_T_A &&
		     o->type != DG_DNS_T_AAAA && o->type != DG_DNS_T_CNAME));
	FUZZ_ASSERT(o->rclass == ldns_rr_get_class(r));
	FUZZ_ASSERT(o->ttl == ldns_rr_ttl(r));
	ref_text(ldns_rr_owner(r), text, sizeof(text));
	FUZZ_ASSERT_STREQ(o->owner, text);
	if (o->type == DG_DNS_T_A) {
		FUZZ_ASSERT(ldns_rr_rd_count(r) == 1 && ldns_rdf_size(ldns_rr_rdf(r, 0)) == 4);
		FUZZ_ASSERT(memcmp(o->addr + 12, ldns_rdf_data(ldns_rr_rdf(r, 0)), 4) == 0);
	} else if (o->type == DG_DNS_T_AAAA) {
		FUZZ_ASSERT(ldns_rr_rd_count(r) == 1 && ldns_rdf_size(ldns_rr_rdf(r, 0)) == 16);
		FUZZ_ASSERT(memcmp(o->addr, ldns_rdf_data(ldns_rr_rdf(r, 0)), 16) == 0);
	} else if (o->type == DG_DNS_T_CNAME) {
		FUZZ_ASSERT(ldns_rr_rd_count(r) == 1);
		ref_text(ldns_rr_rdf(r, 0), text, sizeof(text));
		FUZZ_ASSERT_STREQ(o->target, text);
	}
}

static void compare(const struct dg_dns_query *q, const struct ours *o, const ldns_pkt *pkt)
{
	const ldns_rr_list *lists[3] = { ldns_pkt_answer(pkt), ldns_pkt_authority(pkt),
					 ldns_pkt_additional(pkt) };
	const ldns_rr_list *qs = ldns_pkt_question(pkt);
	char text[DG_DNS_NAME_TEXT_MAX];
	size_t next[3] = { 0, 0, 0 };

	FUZZ_ASSERT(q->id == ldns_pkt_id(pkt));
	FUZZ_ASSERT((q->flags & DG_DNS_F_RCODE) == ldns_pkt_get_rcode(pkt));
	FUZZ_ASSERT(!!(q->flags & DG_DNS_F_TC) == ldns_pkt_tc(pkt));
	FUZZ_ASSERT(ldns_rr_list_rr_count(qs) == 1);
	ref_text(ldns_rr_owner(ldns_rr_list_rr(qs, 0)), text, sizeof(text));
	FUZZ_ASSERT_STREQ(q->qname.text, text);
	FUZZ_ASSERT(q->qtype == ldns_rr_get_type(ldns_rr_list_rr(qs, 0)));
	FUZZ_ASSERT(q->qclass == ldns_rr_get_class(ldns_rr_list_rr(qs, 0)));
	if (o->truncated)
		return;
	for (unsigned i = 0; i < o->n; i++) {
		const struct our_rr *r = &o->rr[i];

		/* ldns keeps the EDNS OPT record out of the additional section */
		if (r->type == DG_DNS_T_OPT)
			continue;
		FUZZ_ASSERT(next[r->section] < ldns_rr_list_rr_count(lists[r->section]));
		compare_rr(r, ldns_rr_list_rr(lists[r->section], next[r->section]++));
	}
	for (int s = 0; s < 3; s++)
		FUZZ_ASSERT(next[s] == ldns_rr_list_rr_count(lists[s]));
	FUZZ_ASSERT(q->has_opt == (ldns_pkt_edns(pkt) || ldns_pkt_edns_udp_size(pkt)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ours o;
	const uint8_t *ref = data;
	struct dg_dns_query q;
	ldns_pkt *pkt = NULL;
	ldns_status st;
	struct walk w;
	int ours;

	if (size > DG_DNS_MAX_MSG)
		return 0;
	o.n = 0;
	o.truncated = false;
	ours = dg_dns_parse_response(data, size, &q, collect, &o);
	FUZZ_ASSERT(ours == 0 || ours == -EBADMSG);
	/* a walk that stops early still knows the records before that */
	walk(data, size, &w);
	if (w.nopaque)
		ref = opaque_copy(data, size, &w);
	if (!ref)
		return 0;
	st = ldns_wire2pkt(&pkt, ref, size);
	if (ours == 0) {
		FUZZ_ASSERT(st == LDNS_STATUS_OK);
		compare(&q, &o, pkt);
	} else if (st == LDNS_STATUS_OK) {
		FUZZ_ASSERT(we_refuse_on_purpose(data, size));
	}
	ldns_pkt_free(pkt);
	return 0;
}
