// SPDX-License-Identifier: GPL-2.0-or-later
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "daemon.h"
#include "decision.h"
#include "dns.h"
#include "events.h"
#include "log.h"
#include "util.h"

/* Names shared by the log line and the audit record, so both always say
 * the same thing. */
const char *dg_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	default: return "other";
	}
}

const char *dg_blocked_at_name(enum dg_decision_kind k)
{
	switch (k) {
	case DG_DEC_DNS: return "dns";
	case DG_DEC_CONNECT: return "connect";
	case DG_DEC_PACKET: return "packet";
	case DG_DEC_SOCKET: return "socket";
	}
	return "?";
}

const char *dg_reason_name(uint8_t r)
{
	switch (r) {
	case DG_REASON_DOT: return "dns-over-tls";
	case DG_REASON_RAW_SOCKET: return "raw-socket";
	case DG_REASON_PACKET_SOCKET: return "packet-socket";
	default: return NULL;
	}
}

const char *dg_family_name(uint16_t f)
{
	switch (f) {
	case AF_INET: return "inet";
	case AF_INET6: return "inet6";
	case AF_PACKET: return "packet";
	default: return "other";
	}
}

static const char *kind_name(enum dg_decision_kind k)
{
	switch (k) {
	case DG_DEC_DNS: return "DNS";
	case DG_DEC_CONNECT: return "CONNECT";
	case DG_DEC_PACKET: return "PACKET";
	case DG_DEC_SOCKET: return "SOCKET";
	}
	return "?";
}

static void count(struct dg_daemon *d, const struct dg_decision *dec)
{
	struct dg_counters *c = &d->stats;
	struct dg_sess *s = dec->sess;

	switch (dec->verdict) {
	case DG_VERDICT_ALLOW:
		if (s)
			s->n_allowed++;
		if (dec->kind == DG_DEC_DNS)
			c->dns_allowed++;
		break;
	case DG_VERDICT_BLOCK:
		if (s)
			s->n_blocked++;
		if (dec->kind == DG_DEC_DNS)
			c->dns_blocked++;
		else if (dec->kind == DG_DEC_CONNECT)
			c->connect_blocked++;
		else if (dec->kind == DG_DEC_PACKET)
			c->packet_blocked++;
		else
			c->socket_blocked++;
		break;
	case DG_VERDICT_WOULD_BLOCK:
		if (s)
			s->n_would_block++;
		if (dec->kind == DG_DEC_DNS)
			c->dns_would_block++;
		else if (dec->kind == DG_DEC_CONNECT)
			c->connect_would_block++;
		break;
	}
}

static void log_decision(struct dg_daemon *d, const struct dg_decision *dec)
{
	int level = dec->verdict == DG_VERDICT_ALLOW ? DG_LOG_INFO : DG_LOG_WARN;
	char head[48], buf[DG_DNS_NAME_TEXT_MAX + 2];
	struct dg_logfmt lf;

	if (level > dg_log_level())
		return;
	snprintf(head, sizeof(head), "%s %s", kind_name(dec->kind),
		 dec->verdict == DG_VERDICT_ALLOW ? "ALLOWED"
		 : dec->verdict == DG_VERDICT_BLOCK ? "BLOCKED" : "WOULDBLOCK");
	lf_init(&lf, head);
	if (dec->kind == DG_DEC_DNS) {
		snprintf(buf, sizeof(buf), "%s.", dec->domain ? dec->domain : "");
		lf_str(&lf, "domain", buf);
		lf_str(&lf, "type", dg_dns_type_str(dec->qtype, buf, sizeof(buf)));
	} else if (dec->kind == DG_DEC_SOCKET) {
		lf_str(&lf, "family", dg_family_name(dec->sock_family));
		lf_str(&lf, "type", dec->sock_type == SOCK_RAW ? "raw" : "other");
		lf_u64(&lf, "protocol", dec->proto);
	} else {
		lf_str(&lf, "daddr", dg_addr16_str(dec->daddr, buf, sizeof(buf)));
		if (dec->dport)
			lf_u64(&lf, "dport", dec->dport);
		lf_str(&lf, "proto", dg_proto_name(dec->proto));
	}
	dg_attribute(d, &lf, dec->sess, dec->session_id, dec->tgid, dec->uid, dec->comm);

	if (dec->verdict == DG_VERDICT_ALLOW) {
		char list[512], one[64];
		size_t n = 0;

		list[0] = '\0';
		for (unsigned i = 0; i < dec->naddrs; i++) {
			int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? "," : "",
					 dg_addr16_str(dec->addrs[i], one, sizeof(one)));

			if (w < 0 || (size_t)w >= sizeof(list) - n)
				break;
			n += (size_t)w;
		}
		if (n)
			lf_str(&lf, "addrs", list);
		if (dec->rcode)
			lf_i64(&lf, "rcode", dec->rcode);
	} else {
		if (dec->cname) {
			snprintf(buf, sizeof(buf), "%s.", dec->cname);
			lf_str(&lf, "cname", buf);
		}
		if (dec->match)
			lf_str(&lf, "match", dec->match);
		lf_str(&lf, "blockedAt", dg_blocked_at_name(dec->kind));
		if (dg_reason_name(dec->reason))
			lf_str(&lf, "reason", dg_reason_name(dec->reason));
		if (dec->verdict == DG_VERDICT_WOULD_BLOCK)
			lf_str(&lf, "enforce", "audit");
	}
	dg_log_lf(level, &lf);
}

void dg_decide(struct dg_daemon *d, const struct dg_decision *dec)
{
	count(d, dec);
	log_decision(d, dec);
	dg_audit_decision(d, dec);
}
