// SPDX-License-Identifier: GPL-2.0-or-later
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_fmt.h"

const char *dg_audit_op_name(enum dg_audit_op op)
{
	switch (op) {
	case DG_AOP_SESSION_OPEN: return "deployguard-session-open";
	case DG_AOP_SESSION_CLOSE: return "deployguard-session-close";
	case DG_AOP_BLOCK: return "deployguard-block";
	case DG_AOP_CONTACT: return "deployguard-contact";
	case DG_AOP_SUMMARY: return "deployguard-summary";
	}
	return "deployguard-unknown";
}

const char *dg_audit_decision_name(int decision)
{
	switch (decision) {
	case DG_ADEC_ALLOWED: return "allowed";
	case DG_ADEC_BLOCKED: return "blocked";
	case DG_ADEC_WOULD_BLOCK: return "would-block";
	default: return "unknown";
	}
}

/* Append " key=val" whole or not at all: a record never ends mid-field. */
static void put(struct dg_arec *r, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val), need = (r->len ? 1 : 0) + kl + 1 + vl;

	if (r->len + need + 1 > sizeof(r->buf)) {
		r->overflow = true;
		return;
	}
	if (r->len)
		r->buf[r->len++] = ' ';
	memcpy(r->buf + r->len, key, kl);
	r->len += kl;
	r->buf[r->len++] = '=';
	memcpy(r->buf + r->len, val, vl);
	r->len += vl;
	r->buf[r->len] = '\0';
}

void dg_arec_init(struct dg_arec *r, enum dg_audit_op op)
{
	r->len = 0;
	r->overflow = false;
	r->buf[0] = '\0';
	put(r, "op", dg_audit_op_name(op));
}

void dg_arec_word(struct dg_arec *r, const char *key, const char *val)
{
	put(r, key, val);
}

void dg_arec_u64(struct dg_arec *r, const char *key, uint64_t val)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)val);
	put(r, key, num);
}

void dg_arec_str(struct dg_arec *r, const char *key, const char *val)
{
	char *nv;

	if (!val)
		return;
	nv = audit_encode_nv_string(key, val, 0);
	if (!nv) {
		r->overflow = true;
		return;
	}
	/* nv is "key=value" already; put() wants them apart */
	put(r, key, nv + strlen(key) + 1);
	free(nv);
}

/* A command line cut to DG_AUDIT_CMD_MAX bytes, marked with "...". */
static void put_cmd(struct dg_arec *r, const char *key, const char *cmd)
{
	char cut[DG_AUDIT_CMD_MAX + 4];
	size_t n;

	if (!cmd)
		return;
	n = strlen(cmd);
	if (n <= DG_AUDIT_CMD_MAX) {
		dg_arec_str(r, key, cmd);
		return;
	}
	memcpy(cut, cmd, DG_AUDIT_CMD_MAX);
	memcpy(cut + DG_AUDIT_CMD_MAX, "...", 4);
	dg_arec_str(r, key, cut);
}

static void put_id(struct dg_arec *r, const struct dg_audit_sess_id *id, int32_t opid)
{
	dg_arec_u64(r, "oauid", id->auid);
	dg_arec_u64(r, "oses", id->ses);
	dg_arec_u64(r, "opid", opid > 0 ? (uint64_t)opid : 0);
	dg_arec_u64(r, "dg_session", id->session);
	dg_arec_str(r, "profile", id->profile ? id->profile : "?");
	dg_arec_word(r, "mode", id->audit_mode ? "audit" : "enforce");
}

int dg_audit_fmt_open(struct dg_arec *r, const struct dg_audit_sess_id *id,
		      const struct dg_audit_open_info *o)
{
	dg_arec_init(r, DG_AOP_SESSION_OPEN);
	put_id(r, id, o->leader);
	dg_arec_word(r, "policy", o->policy ? o->policy : "blocklist");
	dg_arec_str(r, "opener", o->opener ? o->opener : "?");
	dg_arec_str(r, "acct", o->user ? o->user : "?");
	dg_arec_u64(r, "ouid", o->uid);
	dg_arec_str(r, "runas", o->runas);
	dg_arec_str(r, "service", o->service);
	dg_arec_str(r, "cwd", o->cwd);
	put_cmd(r, "cmd", o->cmd);
	return 1;
}

int dg_audit_fmt_close(struct dg_arec *r, const struct dg_audit_sess_id *id,
		       const struct dg_audit_close_info *c)
{
	dg_arec_init(r, DG_AOP_SESSION_CLOSE);
	put_id(r, id, c->leader);
	if (c->exit_signal > 0)
		dg_arec_u64(r, "signal", (uint64_t)c->exit_signal);
	else if (c->exit_status >= 0)
		dg_arec_u64(r, "exit", (uint64_t)c->exit_status);
	else
		dg_arec_word(r, "exit", "unknown");
	dg_arec_u64(r, "duration", c->duration);
	if (c->has_memory_peak)
		dg_arec_u64(r, "memory_peak", c->memory_peak);
	if (c->has_cpu)
		dg_arec_u64(r, "cpu_usec", c->cpu_usec);
	if (c->has_oom_kills)
		dg_arec_u64(r, "oom_kills", c->oom_kills);
	return c->exit_signal <= 0 && c->exit_status == 0;
}

int dg_audit_fmt_decision(struct dg_arec *r, const struct dg_audit_sess_id *id,
			  const struct dg_audit_dec_info *dec)
{
	bool allowed = dec->decision == DG_ADEC_ALLOWED;

	dg_arec_init(r, allowed ? DG_AOP_CONTACT : DG_AOP_BLOCK);
	put_id(r, id, dec->pid);
	dg_arec_word(r, "decision", dg_audit_decision_name(dec->decision));
	if (!allowed)
		dg_arec_word(r, "blocked_at", dec->at ? dec->at : "?");
	if (dec->reason)
		dg_arec_word(r, "reason", dec->reason);
	if (dec->domain) {
		dg_arec_str(r, "domain", dec->domain);
		dg_arec_str(r, "qtype", dec->qtype);
		if (allowed) {
			dg_arec_str(r, "addrs", dec->addrs);
		} else {
			dg_arec_str(r, "match", dec->match);
			dg_arec_str(r, "cname", dec->cname);
		}
	} else if (dec->sock) {
		dg_arec_word(r, "sock", dec->sock);
		dg_arec_word(r, "family", dec->family ? dec->family : "?");
		dg_arec_u64(r, "protocol", dec->protocol);
	} else {
		dg_arec_word(r, "daddr", dec->daddr ? dec->daddr : "?");
		if (dec->dport)
			dg_arec_u64(r, "dport", dec->dport);
		dg_arec_word(r, "proto", dec->proto ? dec->proto : "?");
	}
	dg_arec_u64(r, "ouid", dec->uid);
	dg_arec_str(r, "ocomm", dec->comm);
	dg_arec_str(r, "oexe", dec->exe);
	put_cmd(r, "cmd", dec->cmd);
	/* the request failed unless the session only watches */
	return dec->decision != DG_ADEC_BLOCKED;
}

int dg_audit_fmt_key_summary(struct dg_arec *r, const struct dg_audit_sess_id *id,
			     const struct dg_audit_key_summary *k)
{
	dg_arec_init(r, DG_AOP_SUMMARY);
	put_id(r, id, k->leader);
	dg_arec_word(r, "decision", dg_audit_decision_name(k->decision));
	if (k->domain)
		dg_arec_str(r, "domain", k->domain);
	else if (k->sock)
		dg_arec_word(r, "sock", k->sock);
	else
		dg_arec_word(r, "daddr", k->daddr ? k->daddr : "?");
	dg_arec_u64(r, "count", k->count);
	return k->decision != DG_ADEC_BLOCKED;
}

int dg_audit_fmt_totals(struct dg_arec *r, const struct dg_audit_sess_id *id,
			const struct dg_audit_totals *t)
{
	dg_arec_init(r, DG_AOP_SUMMARY);
	put_id(r, id, t->leader);
	dg_arec_word(r, "final", t->final ? "yes" : "no");
	dg_arec_u64(r, "records", t->records);
	dg_arec_u64(r, "suppressed", t->suppressed);
	dg_arec_u64(r, "unrecorded", t->unrecorded);
	dg_arec_u64(r, "failed", t->failed);
	dg_arec_u64(r, "queries", t->queries);
	dg_arec_u64(r, "allowed", t->allowed);
	dg_arec_u64(r, "blocked", t->blocked);
	dg_arec_u64(r, "would_block", t->would_block);
	return 1;
}

bool dg_audit_plain_safe(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++) {
		char c = *s;

		if (n >= 128)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("._:/@%+-", c)))
			return false;
	}
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *dg_audit_decode(const char *val, char *out, size_t outlen)
{
	size_t n = strlen(val);

	if (!outlen)
		return out;
	if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
		snprintf(out, outlen, "%.*s", (int)(n - 2), val + 1);
		return out;
	}
	if (n && n % 2 == 0) {
		size_t i;

		for (i = 0; i < n; i++)
			if (hexval(val[i]) < 0)
				break;
		if (i == n) {
			size_t o = 0;

			for (i = 0; i + 1 < n && o + 1 < outlen; i += 2) {
				char c = (char)(hexval(val[i]) << 4 | hexval(val[i + 1]));

				if (!c)
					break;
				out[o++] = c;
			}
			out[o] = '\0';
			return out;
		}
	}
	snprintf(out, outlen, "%s", val);
	return out;
}
