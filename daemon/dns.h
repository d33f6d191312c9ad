/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS wire format (RFC 1035): just enough to read questions and answers of
 * untrusted messages and to build short error replies.  Every read is
 * bounds-checked; compression pointers must point backwards, so a message
 * can never make the reader loop.
 */
#ifndef DG_DNS_H
#define DG_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DG_DNS_HDR_LEN		12
#define DG_DNS_MAX_MSG		65535
#define DG_DNS_NAME_TEXT_MAX	1024	/* 255 wire bytes, each up to "\DDD" */
#define DG_DNS_MAX_LABELS	128

enum dg_dns_type {
	DG_DNS_T_A = 1,
	DG_DNS_T_CNAME = 5,
	DG_DNS_T_AAAA = 28,
	DG_DNS_T_OPT = 41,
};

enum dg_dns_rcode {
	DG_RCODE_NOERROR = 0,
	DG_RCODE_FORMERR = 1,
	DG_RCODE_SERVFAIL = 2,
	DG_RCODE_NXDOMAIN = 3,
	DG_RCODE_NOTIMP = 4,
	DG_RCODE_REFUSED = 5,
};

#define DG_DNS_F_QR	0x8000
#define DG_DNS_F_OPCODE	0x7800
#define DG_DNS_F_AA	0x0400
#define DG_DNS_F_TC	0x0200
#define DG_DNS_F_RD	0x0100
#define DG_DNS_F_RA	0x0080
#define DG_DNS_F_RCODE	0x000f

/*
 * A name in lowercase presentation form without the trailing dot ("" for
 * the root).  Bytes that are not printable, and '.' or '\' inside a label,
 * are escaped, so label_off (not the dots) says where labels begin.
 */
struct dg_dns_name {
	char text[DG_DNS_NAME_TEXT_MAX];
	size_t len;
	uint16_t label_off[DG_DNS_MAX_LABELS];
	unsigned nlabels;
};

struct dg_dns_query {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;
	struct dg_dns_name qname;
	uint16_t qtype;
	uint16_t qclass;
	size_t question_end;	/* offset just past the question */
	bool has_opt;		/* an EDNS OPT record is present */
	uint16_t opt_udp_size;
};

enum dg_dns_section {
	DG_DNS_ANSWER = 0,
	DG_DNS_AUTHORITY = 1,
	DG_DNS_ADDITIONAL = 2,
};

struct dg_dns_rr {
	enum dg_dns_section section;
	const struct dg_dns_name *name;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;
	const struct dg_dns_name *target;	/* CNAME: the name it points to */
	uint8_t addr[16];			/* A (IPv4-mapped) / AAAA */
};

/* Return non-zero to stop the walk (that value is returned). */
typedef int (*dg_dns_rr_fn)(void *arg, const struct dg_dns_rr *rr);

/* Reads the name at *off and advances *off past it.  0 or -EBADMSG. */
int dg_dns_read_name(const uint8_t *msg, size_t len, size_t *off, struct dg_dns_name *out);

/* A query: header, exactly one question, and a well-formed rest.
 * 0, or -EBADMSG (q->id is valid whenever len >= 2). */
int dg_dns_parse_query(const uint8_t *msg, size_t len, struct dg_dns_query *q);

/* A response: the question into q, then fn for every resource record.
 * 0, -EBADMSG, or what fn returned. */
int dg_dns_parse_response(const uint8_t *msg, size_t len, struct dg_dns_query *q,
			  dg_dns_rr_fn fn, void *arg);

/* An empty reply with rcode to a parsed query (question echoed, EDNS OPT
 * added when the query had one).  Returns its length, 0 if out is short. */
size_t dg_dns_build_reply(const uint8_t *query, const struct dg_dns_query *q, int rcode,
			  uint8_t *out, size_t outlen);
/* A header-only FORMERR for a query too broken to parse; 0 if len < 2. */
size_t dg_dns_build_formerr(const uint8_t *query, size_t len, uint8_t *out, size_t outlen);

/* A recursive (RD) query for name (dotted text, trailing dot optional) of
 * qtype, class IN.  Returns its length; 0 if the name cannot be encoded
 * (an empty or over-long label, over 255 octets) or out is short. */
size_t dg_dns_build_query(const char *name, uint16_t qtype, uint16_t id, uint8_t *out,
			  size_t outlen);

uint16_t dg_dns_get_id(const uint8_t *msg);
void dg_dns_set_id(uint8_t *msg, uint16_t id);
const char *dg_dns_type_str(uint16_t type, char *buf, size_t len);

#endif
