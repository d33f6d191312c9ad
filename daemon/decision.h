/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every decision deployguard makes about a guarded session's traffic goes
 * through dg_decide(): the log line, the counters, and whatever else must
 * see each decision all hang off this one place.
 */
#ifndef DG_DECISION_H
#define DG_DECISION_H

#include <stdint.h>

struct dg_daemon;
struct dg_sess;

enum dg_decision_kind {
	DG_DEC_DNS = 1,		/* a name, checked by the proxy */
	DG_DEC_CONNECT,		/* a destination, checked at connect/sendmsg */
	DG_DEC_PACKET,		/* a destination, checked per packet (backstop) */
	DG_DEC_SOCKET,		/* a socket that may not be created (raw, packet) */
};

struct dg_decision {
	enum dg_decision_kind kind;
	uint8_t verdict;	/* DG_VERDICT_ALLOW, _BLOCK or _WOULD_BLOCK */
	uint32_t session_id;
	struct dg_sess *sess;	/* NULL when the session is already gone */
	uint32_t tgid;
	uint32_t uid;
	const char *comm;	/* kernel's comm, when the process is unknown */

	/* DG_DEC_DNS */
	const char *domain;	/* text form without the trailing dot */
	uint16_t qtype;
	const char *match;	/* the entry that decided, or NULL */
	const char *cname;	/* the CNAME that decided, or NULL */
	const uint8_t (*addrs)[16];	/* addresses in an allowed answer */
	unsigned naddrs;
	int rcode;		/* upstream's rcode for an allowed answer */

	/* DG_DEC_CONNECT, DG_DEC_PACKET, DG_DEC_SOCKET */
	const uint8_t *daddr;	/* 16 bytes, IPv4-mapped for IPv4 */
	uint16_t dport;
	uint8_t proto;
	uint8_t reason;		/* enum dg_reason: why, when not the profile */
	uint16_t sock_family;	/* DG_DEC_SOCKET */
	uint8_t sock_type;
};

void dg_decide(struct dg_daemon *d, const struct dg_decision *dec);

/* Text for the log line and the audit record: "tcp", "dns"/"connect"/...,
 * "dns-over-tls" (NULL when the profile decided), "inet6". */
const char *dg_proto_name(uint8_t proto);
const char *dg_blocked_at_name(enum dg_decision_kind k);
const char *dg_reason_name(uint8_t reason);
const char *dg_family_name(uint16_t family);

#endif
