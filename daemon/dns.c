// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t dg_dns_get_id(const uint8_t *msg)
{
	return get16(msg);
}

void dg_dns_set_id(uint8_t *msg, uint16_t id)
{
	put16(msg, id);
}

static int name_putc(struct dg_dns_name *n, char c)
{
	if (n->len + 1 >= sizeof(n->text))
		return -EBADMSG;
	n->text[n->len++] = c;
	return 0;
}

static int name_put_label(struct dg_dns_name *n, const uint8_t *label, unsigned len)
{
	if (n->nlabels >= DG_DNS_MAX_LABELS)
		return -EBADMSG;
	if (n->nlabels && name_putc(n, '.'))
		return -EBADMSG;
	n->label_off[n->nlabels++] = (uint16_t)n->len;
	for (unsigned i = 0; i < len; i++) {
		uint8_t c = label[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c == '.' || c == '\\') {
			if (name_putc(n, '\\') || name_putc(n, (char)c))
				return -EBADMSG;
		} else if (c <= ' ' || c >= 0x7f) {
			char esc[5];

			snprintf(esc, sizeof(esc), "\\%03u", c);
			for (int k = 0; k < 4; k++)
				if (name_putc(n, esc[k]))
					return -EBADMSG;
		} else if (name_putc(n, (char)c)) {
			return -EBADMSG;
		}
	}
	return 0;
}

int dg_dns_read_name(const uint8_t *msg, size_t len, size_t *off, struct dg_dns_name *out)
{
	size_t pos = *off, end = 0, wire = 0;
	size_t limit = pos;	/* pointers must go strictly before this */
	size_t bound = len;	/* after a jump: what we read ends before the pointer */
	bool jumped = false;

	out->len = 0;
	out->nlabels = 0;
	out->text[0] = '\0';
	for (;;) {
		uint8_t l;

		if (pos >= bound)
			return -EBADMSG;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= bound)
				return -EBADMSG;
			target = ((size_t)(l & 0x3f) << 8) | msg[pos + 1];
			if (target >= limit)
				return -EBADMSG;	/* forward or self: could loop */
			/* into the header: no name is there, and a reply that
			 * copies the question would point at its own header */
			if (target < DG_DNS_HDR_LEN)
				return -EBADMSG;
			if (!jumped) {
				end = pos + 2;
				jumped = true;
			}
			/* a pointer names an earlier suffix: it lies wholly before
			 * the pointer, or the name would take in bytes from after
			 * it (which a reply copying just the question lacks) */
			bound = pos;
			limit = target;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG;	/* 0x40/0x80: obsolete label types */
		if (l == 0) {
			if (!jumped)
				end = pos + 1;
			break;
		}
		wire += (size_t)l + 1;
		if (wire > 254 || pos + 1 + l > bound)
			return -EBADMSG;
		if (name_put_label(out, msg + pos + 1, l))
			return -EBADMSG;
		pos += 1 + (size_t)l;
		if (!jumped && pos > limit)
			limit = pos;
	}
	out->text[out->len] = '\0';
	*off = end;
	return 0;
}

static int parse_header(const uint8_t *msg, size_t len, struct dg_dns_query *q)
{
	memset(q, 0, offsetof(struct dg_dns_query, qname));
	q->qname.len = 0;
	q->qname.nlabels = 0;
	q->qname.text[0] = '\0';
	q->qtype = q->qclass = 0;
	q->question_end = 0;
	q->has_opt = false;
	q->opt_udp_size = 0;
	if (len < 2)
		return -EBADMSG;
	q->id = get16(msg);
	if (len < DG_DNS_HDR_LEN)
		return -EBADMSG;
	q->flags = get16(msg + 2);
	q->qdcount = get16(msg + 4);
	q->ancount = get16(msg + 6);
	q->nscount = get16(msg + 8);
	q->arcount = get16(msg + 10);
	return 0;
}

static int parse_question(const uint8_t *msg, size_t len, struct dg_dns_query *q)
{
	size_t off = DG_DNS_HDR_LEN;

	if (q->qdcount != 1)
		return -EBADMSG;
	if (dg_dns_read_name(msg, len, &off, &q->qname))
		return -EBADMSG;
	if (off + 4 > len)
		return -EBADMSG;
	q->qtype = get16(msg + off);
	q->qclass = get16(msg + off + 2);
	q->question_end = off + 4;
	return 0;
}

/* Walks every RR after the question; fn may be NULL. */
static int walk_records(const uint8_t *msg, size_t len, struct dg_dns_query *q, dg_dns_rr_fn fn,
			void *arg)
{
	const unsigned counts[3] = { q->ancount, q->nscount, q->arcount };
	struct dg_dns_name name, target;
	size_t off = q->question_end;

	for (int sec = 0; sec < 3; sec++) {
		for (unsigned i = 0; i < counts[sec]; i++) {
			struct dg_dns_rr rr = { .section = (enum dg_dns_section)sec, .name = &name };
			int r;

			if (dg_dns_read_name(msg, len, &off, &name))
				return -EBADMSG;
			if (off + 10 > len)
				return -EBADMSG;
			rr.type = get16(msg + off);
			rr.rclass = get16(msg + off + 2);
			rr.ttl = get32(msg + off + 4);
			rr.rdlen = get16(msg + off + 8);
			off += 10;
			if (off + rr.rdlen > len)
				return -EBADMSG;
			rr.rdata_off = off;

			switch (rr.type) {
			case DG_DNS_T_A:
				if (rr.rdlen != 4)
					return -EBADMSG;
				memset(rr.addr, 0, 10);
				rr.addr[10] = rr.addr[11] = 0xff;
				memcpy(rr.addr + 12, msg + off, 4);
				break;
			case DG_DNS_T_AAAA:
				if (rr.rdlen != 16)
					return -EBADMSG;
				memcpy(rr.addr, msg + off, 16);
				break;
			case DG_DNS_T_CNAME: {
				size_t toff = off;

				if (dg_dns_read_name(msg, len, &toff, &target) ||
				    toff != off + rr.rdlen)
					return -EBADMSG;
				rr.target = &target;
				break;
			}
			case DG_DNS_T_OPT:
				if (sec != DG_DNS_ADDITIONAL || name.nlabels || q->has_opt)
					return -EBADMSG;
				q->has_opt = true;
				q->opt_udp_size = rr.rclass;
				break;
			default:
				break;
			}
			off += rr.rdlen;
			if (fn) {
				r = fn(arg, &rr);
				if (r)
					return r;
			}
		}
	}
	/* trailing garbage is tolerated, as most resolvers do */
	return 0;
}

int dg_dns_parse_query(const uint8_t *msg, size_t len, struct dg_dns_query *q)
{
	if (parse_header(msg, len, q))
		return -EBADMSG;
	if (q->flags & DG_DNS_F_QR)
		return -EBADMSG;
	if (parse_question(msg, len, q))
		return -EBADMSG;
	return walk_records(msg, len, q, NULL, NULL);
}

int dg_dns_parse_response(const uint8_t *msg, size_t len, struct dg_dns_query *q,
			  dg_dns_rr_fn fn, void *arg)
{
	if (parse_header(msg, len, q))
		return -EBADMSG;
	if (!(q->flags & DG_DNS_F_QR))
		return -EBADMSG;
	if (parse_question(msg, len, q))
		return -EBADMSG;
	return walk_records(msg, len, q, fn, arg);
}

size_t dg_dns_build_reply(const uint8_t *query, const struct dg_dns_query *q, int rcode,
			  uint8_t *out, size_t outlen)
{
	size_t qlen = q->question_end - DG_DNS_HDR_LEN;
	size_t need = q->question_end + (q->has_opt ? 11 : 0);
	uint16_t flags;

	if (need > outlen || q->question_end < DG_DNS_HDR_LEN)
		return 0;
	flags = (uint16_t)(DG_DNS_F_QR | (q->flags & (DG_DNS_F_OPCODE | DG_DNS_F_RD)) |
			   DG_DNS_F_RA | (rcode & DG_DNS_F_RCODE));
	put16(out, q->id);
	put16(out + 2, flags);
	put16(out + 4, 1);
	put16(out + 6, 0);
	put16(out + 8, 0);
	put16(out + 10, q->has_opt ? 1 : 0);
	memmove(out + DG_DNS_HDR_LEN, query + DG_DNS_HDR_LEN, qlen);
	if (q->has_opt) {
		uint8_t *o = out + q->question_end;

		o[0] = 0;			/* root name */
		put16(o + 1, DG_DNS_T_OPT);
		put16(o + 3, 1232);		/* our UDP payload size */
		memset(o + 5, 0, 4);		/* ext rcode, version, flags */
		put16(o + 9, 0);		/* no options */
	}
	return need;
}

size_t dg_dns_build_formerr(const uint8_t *query, size_t len, uint8_t *out, size_t outlen)
{
	uint16_t flags = 0;

	if (len < 2 || outlen < DG_DNS_HDR_LEN)
		return 0;
	if (len >= 4)
		flags = get16(query + 2) & (DG_DNS_F_OPCODE | DG_DNS_F_RD);
	put16(out, get16(query));
	/* cppcheck-suppress badBitmaskCheck ; flags may be 0, the others are not */
	put16(out + 2, (uint16_t)(DG_DNS_F_QR | flags | DG_DNS_F_RA | DG_RCODE_FORMERR));
	memset(out + 4, 0, 8);
	return DG_DNS_HDR_LEN;
}

const char *dg_dns_type_str(uint16_t type, char *buf, size_t len)
{
	static const struct {
		uint16_t t;
		const char *s;
	} names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" },
		{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 35, "NAPTR" },
		{ 39, "DNAME" }, { 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" }, { 48, "DNSKEY" },
		{ 64, "SVCB" }, { 65, "HTTPS" }, { 255, "ANY" }, { 257, "CAA" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return names[i].s;
	snprintf(buf, len, "TYPE%u", type);
	return buf;
}

size_t dg_dns_build_query(const char *name, uint16_t qtype, uint16_t id, uint8_t *out,
			  size_t outlen)
{
	size_t n = DG_DNS_HDR_LEN, wire = 1;	/* wire: the name's encoded length */
	const char *p = name;

	if (outlen < DG_DNS_HDR_LEN + 1 + 4)
		return 0;
	memset(out, 0, DG_DNS_HDR_LEN);
	dg_dns_set_id(out, id);
	out[2] = 0x01;		/* RD */
	out[5] = 1;		/* one question */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63)
			return 0;
		wire += l + 1;
		if (wire > 255 || n + 1 + l + 1 + 4 > outlen)
			return 0;
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	out[n++] = (uint8_t)(qtype >> 8);
	out[n++] = (uint8_t)qtype;
	out[n++] = 0;
	out[n++] = 1;		/* IN */
	return n;
}
