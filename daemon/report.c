// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguard report.  Reads deployguardd's TRUSTED_APP records with
 * libauparse (the live logs, or collected files) and rebuilds each session:
 * who opened it, how, when, under which profile, how it ended, and one line
 * per (name or address, decision) with how often it happened and the first
 * command that did it.
 *
 * Counts: the first record of a key stands for one decision; summary records
 * carry the cumulative count a daemon saw.  A daemon restart (new header
 * pid) starts counting again, so per key the report takes the largest count
 * each daemon reported and adds those up.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <auparse.h>
#include <libaudit.h>

#include "audit_fmt.h"
#include "audit_seen.h"
#include "cli.h"
#include "report.h"
#include "util.h"

#define VALUE_MAX	8192
#define SESSION_BUCKETS	1024

/* per daemon instance (header pid): the largest count it reported */
struct inst_count {
	uint32_t daemon;
	uint64_t count;
};

struct counts {
	struct inst_count *v;
	size_t n;
};

struct contact {
	int kind;		/* enum dg_seen_kind */
	char *dest;
	int decision;		/* enum dg_audit_decision */
	char *at;
	unsigned dport;
	char *proto;
	char *match, *cname, *addrs, *reason, *family;
	bool have_first;	/* we saw the first record, not only a summary */
	time_t first;
	int32_t pid;
	uint32_t uid;
	char *comm, *exe, *cmd;
	struct counts counts;
};

struct totals {
	uint32_t daemon;
	uint64_t records, suppressed, unrecorded, failed;
};

struct session {
	struct session *hnext;
	char *node;
	uint32_t id;
	uint32_t open_daemon;
	bool have_open, closed;
	time_t opened, closed_at, first_ts;
	char *opener, *user, *runas, *service, *cwd, *cmd, *tty, *rhost, *profile, *mode,
		*policy;
	uint32_t auid, ases, uid;
	int32_t leader;
	int exit_status;	/* -1: unknown */
	int exit_signal;
	uint64_t duration;
	struct contact *contacts;
	size_t ncontacts, ccontacts;
	struct totals *totals;
	size_t ntotals;
};

struct report {
	struct session **all;
	size_t n, cap;
	struct session *buckets[SESSION_BUCKETS];
};

/* ---- one record's fields --------------------------------------------------------- */

#define MAX_FIELDS 64

struct rec {
	char name[MAX_FIELDS][48];
	char *val[MAX_FIELDS];
	size_t n;
};

static void rec_free(struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->val[i]);
	r->n = 0;
}

/* The first occurrence: our fields come before libaudit's. */
static const char *raw(const struct rec *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->name[i], name))
			return r->val[i];
	return NULL;
}

/* A string field as the records encode it ("quoted" or hex), decoded. */
static char *str(const struct rec *r, const char *name)
{
	const char *v = raw(r, name);
	char *out;

	if (!v || !strcmp(v, "?"))
		return NULL;
	out = malloc(VALUE_MAX);
	if (!out)
		return NULL;
	dg_audit_decode(v, out, VALUE_MAX);
	return out;
}

static bool num(const struct rec *r, const char *name, uint64_t max, uint64_t *out)
{
	const char *v = raw(r, name);

	return v && dg_parse_u64(v, 0, max, out) == 0;
}

static uint32_t u32_or(const struct rec *r, const char *name, uint32_t dflt)
{
	uint64_t v;

	return num(r, name, UINT32_MAX, &v) ? (uint32_t)v : dflt;
}

/* ---- sessions -------------------------------------------------------------------- */

static bool same_node(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static struct session *new_session(struct report *rp, const char *node, uint32_t id)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (rp->n == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 64;
		struct session **n = realloc(rp->all, cap * sizeof(*n)); // NOLINT(bugprone-sizeof-expression): an array of pointers

		if (!n) {
			free(s);
			return NULL;
		}
		rp->all = n;
		rp->cap = cap;
	}
	s->node = node ? strdup(node) : NULL;
	s->id = id;
	s->auid = s->ases = DG_AUDIT_UNSET;
	s->exit_status = -1;
	s->hnext = rp->buckets[id % SESSION_BUCKETS];
	rp->buckets[id % SESSION_BUCKETS] = s;
	rp->all[rp->n++] = s;
	return s;
}

/*
 * Which session a record belongs to.  Session ids are unique per host for
 * the system daemon, but every private `deployguard run` daemon counts from
 * 1: prefer the open session that the same daemon opened, then any open
 * one (the system daemon restarted), then the latest of that id.
 */
static struct session *find_session(struct report *rp, const char *node, uint32_t id,
				    uint32_t daemon)
{
	struct session *best = NULL, *open_any = NULL, *latest = NULL;

	/* buckets are newest first */
	for (struct session *s = rp->buckets[id % SESSION_BUCKETS]; s; s = s->hnext) {
		if (s->id != id || !same_node(s->node, node))
			continue;
		if (!latest)
			latest = s;
		if (s->closed)
			continue;
		if (!open_any)
			open_any = s;
		if (s->open_daemon == daemon && !best)
			best = s;
	}
	if (best)
		return best;
	if (open_any)
		return open_any;
	if (latest)
		return latest;
	return new_session(rp, node, id);
}

static void count_max(struct counts *c, uint32_t daemon, uint64_t count)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].daemon == daemon) {
			if (count > c->v[i].count)
				c->v[i].count = count;
			return;
		}
	}
	{
		struct inst_count *n = realloc(c->v, (c->n + 1) * sizeof(*n));

		if (!n)
			return;
		c->v = n;
		c->v[c->n].daemon = daemon;
		c->v[c->n].count = count;
		c->n++;
	}
}

static uint64_t count_total(const struct counts *c)
{
	uint64_t t = 0;

	for (size_t i = 0; i < c->n; i++)
		t += c->v[i].count;
	return t;
}

static struct contact *find_contact(struct session *s, int kind, const char *dest, int decision)
{
	struct contact *c;

	for (size_t i = 0; i < s->ncontacts; i++) {
		c = &s->contacts[i];
		if (c->kind == kind && c->decision == decision && !strcmp(c->dest, dest))
			return c;
	}
	if (s->ncontacts == s->ccontacts) {
		size_t cap = s->ccontacts ? s->ccontacts * 2 : 16;
		struct contact *n = realloc(s->contacts, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->contacts = n;
		s->ccontacts = cap;
	}
	c = &s->contacts[s->ncontacts];
	memset(c, 0, sizeof(*c));
	c->dest = strdup(dest);
	if (!c->dest)
		return NULL;
	c->kind = kind;
	c->decision = decision;
	s->ncontacts++;
	return c;
}

static struct totals *find_totals(struct session *s, uint32_t daemon)
{
	struct totals *n;

	for (size_t i = 0; i < s->ntotals; i++)
		if (s->totals[i].daemon == daemon)
			return &s->totals[i];
	n = realloc(s->totals, (s->ntotals + 1) * sizeof(*n));
	if (!n)
		return NULL;
	s->totals = n;
	n = &s->totals[s->ntotals++];
	memset(n, 0, sizeof(*n));
	n->daemon = daemon;
	return n;
}

static int decision_of(const char *v)
{
	if (!v)
		return 0;
	if (!strcmp(v, "allowed"))
		return DG_ADEC_ALLOWED;
	if (!strcmp(v, "blocked"))
		return DG_ADEC_BLOCKED;
	if (!strcmp(v, "would-block"))
		return DG_ADEC_WOULD_BLOCK;
	return 0;
}

static void set_str(char **dst, char *v)
{
	if (v) {
		free(*dst);
		*dst = v;
	}
}

/* The session-wide fields every record carries. */
static void take_ident(struct session *s, const struct rec *r)
{
	s->auid = u32_or(r, "oauid", s->auid);
	s->ases = u32_or(r, "oses", s->ases);
	set_str(&s->profile, str(r, "profile"));
	set_str(&s->mode, str(r, "mode"));
}

static void on_open(struct session *s, const struct rec *r, time_t t, uint32_t daemon)
{
	uint64_t v;

	s->have_open = true;
	s->opened = t;
	s->open_daemon = daemon;
	if (num(r, "opid", INT32_MAX, &v))
		s->leader = (int32_t)v;
	s->uid = u32_or(r, "ouid", DG_AUDIT_UNSET);
	set_str(&s->opener, str(r, "opener"));
	set_str(&s->user, str(r, "acct"));
	set_str(&s->runas, str(r, "runas"));
	set_str(&s->service, str(r, "service"));
	set_str(&s->cwd, str(r, "cwd"));
	set_str(&s->cmd, str(r, "cmd"));
	set_str(&s->policy, str(r, "policy"));
	/* our own encoded field when libaudit's could not carry it safely */
	set_str(&s->tty, raw(r, "tty") ? str(r, "tty") : str(r, "terminal"));
	set_str(&s->rhost, raw(r, "rhost") ? str(r, "rhost") : str(r, "hostname"));
}

static void on_close(struct session *s, const struct rec *r, time_t t)
{
	const char *ex = raw(r, "exit");
	uint64_t v;

	s->closed = true;
	s->closed_at = t;
	if (num(r, "signal", 255, &v))
		s->exit_signal = (int)v;
	else if (ex && !dg_parse_u64(ex, 0, 255, &v))
		s->exit_status = (int)v;
	if (num(r, "duration", UINT64_MAX, &v))
		s->duration = v;
}

/* What a decision or summary is about: a name, an address or a kind of socket. */
static char *key_of(const struct rec *r, int *kind)
{
	const char *v;

	if (raw(r, "domain")) {
		*kind = DG_SEEN_DOMAIN;
		return str(r, "domain");
	}
	v = raw(r, "sock");
	if (v) {
		*kind = DG_SEEN_SOCKET;
		return strdup(v);
	}
	v = raw(r, "daddr");
	if (v) {
		*kind = DG_SEEN_ADDR;
		return strdup(v);
	}
	return NULL;
}

static void on_decision(struct session *s, const struct rec *r, time_t t, uint32_t daemon)
{
	int decision = decision_of(raw(r, "decision")), kind;
	char *dest = decision ? key_of(r, &kind) : NULL;
	struct contact *c;
	uint64_t v;

	if (!dest)
		return;
	c = find_contact(s, kind, dest, decision);
	free(dest);
	if (!c)
		return;
	count_max(&c->counts, daemon, 1);
	if (c->have_first)
		return;		/* another daemon's first: the first command stays */
	c->have_first = true;
	c->first = t;
	c->at = str(r, "blocked_at");
	if (!c->at)
		c->at = strdup(c->kind == DG_SEEN_DOMAIN ? "dns" : "connect");
	if (num(r, "dport", 65535, &v))
		c->dport = (unsigned)v;
	c->proto = str(r, "proto");
	c->match = str(r, "match");
	c->cname = str(r, "cname");
	c->addrs = str(r, "addrs");
	c->reason = str(r, "reason");
	c->family = str(r, "family");
	if (num(r, "opid", INT32_MAX, &v))
		c->pid = (int32_t)v;
	c->uid = u32_or(r, "ouid", DG_AUDIT_UNSET);
	c->comm = str(r, "ocomm");
	c->exe = str(r, "oexe");
	c->cmd = str(r, "cmd");
}

static void on_summary(struct session *s, const struct rec *r, time_t t, uint32_t daemon)
{
	int decision = decision_of(raw(r, "decision"));
	uint64_t v;

	if (decision) {
		int kind;
		char *dest = key_of(r, &kind);
		struct contact *c = NULL;

		if (dest && num(r, "count", UINT64_MAX, &v))
			c = find_contact(s, kind, dest, decision);
		free(dest);
		if (c) {
			count_max(&c->counts, daemon, v);
			if (!c->have_first && !c->first)
				c->first = t;	/* no first record: at least a time */
		}
		return;
	}
	{
		struct totals *tt = find_totals(s, daemon);

		if (!tt)
			return;
		if (num(r, "records", UINT64_MAX, &v) && v > tt->records)
			tt->records = v;
		if (num(r, "suppressed", UINT64_MAX, &v) && v > tt->suppressed)
			tt->suppressed = v;
		if (num(r, "unrecorded", UINT64_MAX, &v) && v > tt->unrecorded)
			tt->unrecorded = v;
		if (num(r, "failed", UINT64_MAX, &v) && v > tt->failed)
			tt->failed = v;
	}
}

static bool known_op(const char *op)
{
	static const enum dg_audit_op ops[] = { DG_AOP_SESSION_OPEN, DG_AOP_SESSION_CLOSE,
						DG_AOP_BLOCK, DG_AOP_CONTACT, DG_AOP_SUMMARY };

	for (size_t i = 0; i < DG_ARRAY_SIZE(ops); i++)
		if (strcmp(op, dg_audit_op_name(ops[i])) == 0)
			return true;
	return false;
}

static void on_record(struct report *rp, const struct rec *r, const char *node, time_t t)
{
	const char *op = raw(r, "op");
	uint32_t daemon = u32_or(r, "pid", 0);
	struct session *s;
	uint64_t id;

	if (!op || !num(r, "dg_session", UINT32_MAX, &id) || !known_op(op))
		return;		/* another program's record, or a future op */
	if (!strcmp(op, "deployguard-session-open"))
		s = new_session(rp, node, (uint32_t)id);
	else
		s = find_session(rp, node, (uint32_t)id, daemon);
	if (!s)
		return;
	if (!s->first_ts || t < s->first_ts)
		s->first_ts = t;
	take_ident(s, r);
	if (!strcmp(op, "deployguard-session-open"))
		on_open(s, r, t, daemon);
	else if (!strcmp(op, "deployguard-session-close"))
		on_close(s, r, t);
	else if (!strcmp(op, "deployguard-block") || !strcmp(op, "deployguard-contact"))
		on_decision(s, r, t, daemon);
	else if (!strcmp(op, "deployguard-summary"))
		on_summary(s, r, t, daemon);
}

static void free_session(struct session *s)
{
	for (size_t i = 0; i < s->ncontacts; i++) {
		struct contact *c = &s->contacts[i];

		free(c->dest);
		free(c->at);
		free(c->proto);
		free(c->match);
		free(c->cname);
		free(c->addrs);
		free(c->reason);
		free(c->family);
		free(c->comm);
		free(c->exe);
		free(c->cmd);
		free(c->counts.v);
	}
	free(s->contacts);
	free(s->totals);
	free(s->node);
	free(s->opener);
	free(s->user);
	free(s->runas);
	free(s->service);
	free(s->cwd);
	free(s->cmd);
	free(s->tty);
	free(s->rhost);
	free(s->profile);
	free(s->mode);
	free(s->policy);
	free(s);
}

/* ---- reading ------------------------------------------------------------------------ */

static int read_trail(struct report *rp, const struct dg_report_opts *o, FILE *err)
{
	auparse_state_t *au;
	struct rec r = { 0 };
	int rc = 0;

	if (o->ninputs == 0)
		au = auparse_init(AUSOURCE_LOGS, NULL);
	else if (o->ninputs == 1 && !strcmp(o->inputs[0], "-"))
		au = auparse_init(AUSOURCE_FILE_POINTER, stdin);
	else if (o->ninputs == 1)
		au = auparse_init(AUSOURCE_FILE, o->inputs[0]);
	else
		au = auparse_init(AUSOURCE_FILE_ARRAY, o->inputs);
	if (!au) {
		int e = errno;

		fprintf(err, "deployguard report: cannot read %s: %s%s\n",
			o->ninputs ? o->inputs[0] : "the audit logs", strerror(e),
			e == EACCES || e == EPERM ? " (the audit logs are for root and the adm group)"
						  : "");
		return 1;
	}
	/* our values are quoted or hex already; keep auparse from re-escaping */
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);

	while (auparse_next_event(au) > 0) {
		time_t t = auparse_get_time(au);
		char *node = NULL;

		do {
			if (auparse_get_type(au) != AUDIT_TRUSTED_APP)
				continue;
			if (auparse_first_field(au) <= 0)
				continue;
			rec_free(&r);
			do {
				const char *name = auparse_get_field_name(au);
				const char *val = auparse_get_field_str(au);

				if (!name || !val || r.n == MAX_FIELDS)
					continue;
				snprintf(r.name[r.n], sizeof(r.name[r.n]), "%s", name);
				r.val[r.n] = strdup(val);
				if (r.val[r.n])
					r.n++;
			} while (auparse_next_field(au) > 0);
			free(node);
			node = (char *)auparse_get_node(au);
			on_record(rp, &r, node, t);
		} while (auparse_next_record(au) > 0);
		free(node);
	}
	rec_free(&r);
	auparse_destroy(au);
	return rc;
}

/* ---- selecting ----------------------------------------------------------------------- */

static bool user_matches(const struct session *s, const char *u)
{
	struct passwd *pw;
	uint64_t v;

	if (s->user && !strcmp(s->user, u))
		return true;
	if (s->runas && !strcmp(s->runas, u))
		return true;
	if (!dg_parse_u64(u, 0, UINT32_MAX - 1, &v))
		return s->auid == v || (s->have_open && s->uid == v);
	pw = getpwnam(u);
	return pw && (s->auid == pw->pw_uid || (s->have_open && s->uid == pw->pw_uid));
}

static bool selected(const struct session *s, const struct dg_report_opts *o)
{
	time_t start = s->have_open ? s->opened : s->first_ts;

	if (o->have_session && s->id != o->session)
		return false;
	if (o->user && !user_matches(s, o->user))
		return false;
	/* sessions that overlap the window; one never closed may still run */
	if (o->have_until && start > o->until)
		return false;
	if (o->have_since && s->closed && s->closed_at < o->since)
		return false;
	return true;
}

/* ---- output helpers ---------------------------------------------------------------------- */

static const char *iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char off[8];
	size_t n;

	if (!t || !localtime_r(&t, &tm))
		return NULL;
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(off, sizeof(off), "%z", &tm);
	/* +hhmm -> +hh:mm (RFC 3339) */
	if (n && strlen(off) == 5)
		snprintf(buf + n, len - n, "%.3s:%s", off, off + 3);
	return buf;
}

static const char *text_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !localtime_r(&t, &tm))
		return "?";
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

/* Untrusted text on a terminal: control characters shown, not obeyed. */
static void put_text(FILE *f, const char *s)
{
	if (!s) {
		fputc('?', f);
		return;
	}
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void put_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_csv(FILE *f, const char *s, bool last)
{
	if (s) {
		bool quote = strpbrk(s, ",\"\r\n") != NULL;

		if (quote)
			fputc('"', f);
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;

			if (c == '"')
				fputs("\"\"", f);
			else if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
		if (quote)
			fputc('"', f);
	}
	fputc(last ? '\n' : ',', f);
}

static void put_csv_u(FILE *f, bool have, uint64_t v)
{
	if (have)
		fprintf(f, "%llu", (unsigned long long)v);
	fputc(',', f);
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case DG_SEEN_DOMAIN: return "domain";
	case DG_SEEN_SOCKET: return "socket";
	default: return "address";
	}
}

static const char *dest_text(const struct contact *c, char *buf, size_t len)
{
	if (c->kind == DG_SEEN_SOCKET) {
		snprintf(buf, len, "%s socket (%s)", c->dest, c->family ? c->family : "?");
		return buf;
	}
	if (c->kind == DG_SEEN_DOMAIN || !c->dport)
		return c->dest;
	snprintf(buf, len, "%s%s%s:%u/%s%s%s%s", strchr(c->dest, ':') ? "[" : "", c->dest,
		 strchr(c->dest, ':') ? "]" : "", c->dport, c->proto ? c->proto : "?",
		 c->reason ? " (" : "", c->reason ? c->reason : "", c->reason ? ")" : "");
	return buf;
}

/* Numbers only: a name from this host's passwd may be wrong for a collected log. */
static const char *id_text(uint32_t id, char *buf, size_t len)
{
	if (id == DG_AUDIT_UNSET)
		return "unset";
	snprintf(buf, len, "%u", id);
	return buf;
}

static struct totals sum_totals(const struct session *s)
{
	struct totals t = { 0 };

	for (size_t i = 0; i < s->ntotals; i++) {
		t.records += s->totals[i].records;
		t.suppressed += s->totals[i].suppressed;
		t.unrecorded += s->totals[i].unrecorded;
		t.failed += s->totals[i].failed;
	}
	return t;
}

/* ---- text ------------------------------------------------------------------------------- */

static void text_session(FILE *f, const struct session *s)
{
	char tb[64], db[128];
	struct totals t = sum_totals(s);

	fprintf(f, "Session %u", s->id);
	if (s->node)
		fprintf(f, " on %s", s->node);
	fputc('\n', f);
	if (s->have_open) {
		char lb[32];

		fprintf(f, "  opened   %s by ", text_time(s->opened, tb, sizeof(tb)));
		put_text(f, s->opener);
		fputs(", user ", f);
		put_text(f, s->user);
		if (s->runas) {
			fputs(" as ", f);
			put_text(f, s->runas);
		}
		fprintf(f, ", login uid %s", id_text(s->auid, lb, sizeof(lb)));
		fprintf(f, ", audit session %s\n", id_text(s->ases, lb, sizeof(lb)));
		if (s->tty || s->rhost) {
			fputs("  from    ", f);
			if (s->tty) {
				fputs(" tty ", f);
				put_text(f, s->tty);
			}
			if (s->rhost) {
				fputs(" host ", f);
				put_text(f, s->rhost);
			}
			fputc('\n', f);
		}
		if (s->cmd) {
			fputs("  command  ", f);
			put_text(f, s->cmd);
			fputc('\n', f);
		}
	} else {
		fprintf(f, "  opened   ? (no session-open record; first record %s)\n",
			text_time(s->first_ts, tb, sizeof(tb)));
	}
	fputs("  profile  ", f);
	put_text(f, s->profile);
	fprintf(f, ", %s", s->mode ? s->mode : "?");
	if (s->policy)
		fprintf(f, " (%s)", s->policy);
	fputc('\n', f);
	if (s->closed) {
		fprintf(f, "  closed   %s, ", text_time(s->closed_at, tb, sizeof(tb)));
		if (s->exit_signal)
			fprintf(f, "signal %d", s->exit_signal);
		else if (s->exit_status >= 0)
			fprintf(f, "exit %d", s->exit_status);
		else
			fputs("exit unknown", f);
		fprintf(f, ", after %llus\n", (unsigned long long)s->duration);
	} else {
		fputs("  closed   - (no session-close record: still running, or the log ends)\n", f);
	}
	if (s->ntotals)
		fprintf(f, "  records  %llu sent, %llu repeats counted, %llu past the per-session "
			"limit, %llu failed\n", (unsigned long long)t.records,
			(unsigned long long)t.suppressed, (unsigned long long)t.unrecorded,
			(unsigned long long)t.failed);
	if (!s->ncontacts) {
		fputs("  no names or addresses contacted\n\n", f);
		return;
	}
	fprintf(f, "  %-11s %-7s %7s  %-32s %-19s %7s  %s\n", "DECISION", "AT", "COUNT",
		"DESTINATION", "FIRST SEEN", "PID", "COMMAND");
	for (size_t i = 0; i < s->ncontacts; i++) {
		const struct contact *c = &s->contacts[i];
		const char *dest = dest_text(c, db, sizeof(db));

		fprintf(f, "  %-11s %-7s %7llu  ", dg_audit_decision_name(c->decision),
			c->at ? c->at : "?", (unsigned long long)count_total(&c->counts));
		put_text(f, dest);
		for (size_t w = strlen(dest); w < 32; w++)
			fputc(' ', f);
		fprintf(f, " %-19s ", text_time(c->first, tb, sizeof(tb)));
		if (c->pid)
			fprintf(f, "%7d  ", c->pid);
		else
			fprintf(f, "%7s  ", "?");
		put_text(f, c->cmd ? c->cmd : c->comm);
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void json_kv_str(FILE *f, const char *k, const char *v, bool comma)
{
	fprintf(f, "\"%s\":", k);
	put_json_str(f, v);
	if (comma)
		fputc(',', f);
}

static void json_kv_u(FILE *f, const char *k, bool have, uint64_t v, bool comma)
{
	if (have)
		fprintf(f, "\"%s\":%llu", k, (unsigned long long)v);
	else
		fprintf(f, "\"%s\":null", k);
	if (comma)
		fputc(',', f);
}

static void json_session(FILE *f, const struct session *s, bool first)
{
	char tb[64];
	struct totals t = sum_totals(s);

	fprintf(f, "%s  {", first ? "" : ",\n");
	json_kv_u(f, "session", true, s->id, true);
	json_kv_str(f, "node", s->node, true);
	json_kv_str(f, "opened", s->have_open ? iso_time(s->opened, tb, sizeof(tb)) : NULL, true);
	json_kv_str(f, "opener", s->opener, true);
	json_kv_str(f, "user", s->user, true);
	json_kv_str(f, "runas", s->runas, true);
	json_kv_u(f, "uid", s->have_open && s->uid != DG_AUDIT_UNSET, s->uid, true);
	json_kv_u(f, "login_uid", s->auid != DG_AUDIT_UNSET, s->auid, true);
	json_kv_u(f, "login_session", s->ases != DG_AUDIT_UNSET, s->ases, true);
	json_kv_u(f, "leader", s->leader > 0, (uint64_t)s->leader, true);
	json_kv_str(f, "tty", s->tty, true);
	json_kv_str(f, "rhost", s->rhost, true);
	json_kv_str(f, "service", s->service, true);
	json_kv_str(f, "cwd", s->cwd, true);
	json_kv_str(f, "command", s->cmd, true);
	json_kv_str(f, "profile", s->profile, true);
	json_kv_str(f, "mode", s->mode, true);
	json_kv_str(f, "policy", s->policy, true);
	json_kv_str(f, "closed", s->closed ? iso_time(s->closed_at, tb, sizeof(tb)) : NULL, true);
	json_kv_u(f, "exit", s->closed && !s->exit_signal && s->exit_status >= 0,
		  (uint64_t)s->exit_status, true);
	json_kv_u(f, "signal", s->exit_signal > 0, (uint64_t)s->exit_signal, true);
	json_kv_u(f, "duration", s->closed, s->duration, true);
	json_kv_u(f, "records", s->ntotals, t.records, true);
	json_kv_u(f, "suppressed", s->ntotals, t.suppressed, true);
	json_kv_u(f, "unrecorded", s->ntotals, t.unrecorded, true);
	json_kv_u(f, "failed", s->ntotals, t.failed, true);
	fputs("\"contacts\":[", f);
	for (size_t i = 0; i < s->ncontacts; i++) {
		const struct contact *c = &s->contacts[i];

		fprintf(f, "%s\n    {", i ? "," : "");
		json_kv_str(f, "type", kind_name(c->kind), true);
		json_kv_str(f, "destination", c->dest, true);
		json_kv_u(f, "port", c->dport, c->dport, true);
		json_kv_str(f, "proto", c->proto, true);
		json_kv_str(f, "family", c->family, true);
		json_kv_str(f, "decision", dg_audit_decision_name(c->decision), true);
		json_kv_str(f, "at", c->at, true);
		json_kv_str(f, "reason", c->reason, true);
		json_kv_u(f, "count", true, count_total(&c->counts), true);
		json_kv_str(f, "first_seen", iso_time(c->first, tb, sizeof(tb)), true);
		json_kv_u(f, "pid", c->pid > 0, (uint64_t)c->pid, true);
		json_kv_u(f, "uid", c->have_first && c->uid != DG_AUDIT_UNSET, c->uid, true);
		json_kv_str(f, "comm", c->comm, true);
		json_kv_str(f, "exe", c->exe, true);
		json_kv_str(f, "command", c->cmd, true);
		json_kv_str(f, "match", c->match, true);
		json_kv_str(f, "cname", c->cname, true);
		json_kv_str(f, "addrs", c->addrs, false);
		fputc('}', f);
	}
	fputs(s->ncontacts ? "\n  ]}" : "]}", f);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static void csv_session(FILE *f, const struct session *s)
{
	char tb[64], ex[16];
	size_t n = s->ncontacts ? s->ncontacts : 1;

	if (s->exit_signal)
		snprintf(ex, sizeof(ex), "signal %d", s->exit_signal);
	else if (s->closed && s->exit_status >= 0)
		snprintf(ex, sizeof(ex), "%d", s->exit_status);
	else
		ex[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct contact *c = s->ncontacts ? &s->contacts[i] : NULL;

		put_csv_u(f, true, s->id);
		put_csv(f, s->node, false);
		put_csv(f, s->have_open ? iso_time(s->opened, tb, sizeof(tb)) : NULL, false);
		put_csv(f, s->closed ? iso_time(s->closed_at, tb, sizeof(tb)) : NULL, false);
		put_csv(f, s->opener, false);
		put_csv(f, s->user, false);
		put_csv(f, s->runas, false);
		put_csv_u(f, s->auid != DG_AUDIT_UNSET, s->auid);
		put_csv_u(f, s->ases != DG_AUDIT_UNSET, s->ases);
		put_csv(f, s->profile, false);
		put_csv(f, s->mode, false);
		put_csv(f, ex, false);
		if (!c) {
			fputs(",,,,,,,,,,,\n", f);
			continue;
		}
		put_csv(f, kind_name(c->kind), false);
		put_csv(f, c->dest, false);
		put_csv_u(f, c->dport, c->dport);
		put_csv(f, c->proto, false);
		put_csv(f, dg_audit_decision_name(c->decision), false);
		put_csv(f, c->at, false);
		put_csv(f, c->reason, false);
		put_csv_u(f, true, count_total(&c->counts));
		put_csv(f, iso_time(c->first, tb, sizeof(tb)), false);
		put_csv_u(f, c->pid > 0, (uint64_t)c->pid);
		put_csv(f, c->cmd, false);
		put_csv(f, c->exe, true);
	}
}

/* ---- the report -------------------------------------------------------------------------------- */

int dg_report(const struct dg_report_opts *o, FILE *out, FILE *err)
{
	struct report *rp = calloc(1, sizeof(*rp));
	size_t shown = 0;
	int rc;

	if (!rp) {
		fprintf(err, "deployguard report: out of memory\n");
		return 1;
	}
	rc = read_trail(rp, o, err);
	if (rc)
		goto out;

	if (o->format == DG_REPORT_JSON)
		fputs("[\n", out);
	else if (o->format == DG_REPORT_CSV)
		fputs("session,node,opened,closed,opener,user,runas,login_uid,login_session,profile,"
		      "mode,exit,type,destination,port,proto,decision,at,reason,count,first_seen,pid,"
		      "command,exe\n", out);
	for (size_t i = 0; i < rp->n; i++) {
		const struct session *s = rp->all[i];

		if (!selected(s, o))
			continue;
		if (o->format == DG_REPORT_JSON)
			json_session(out, s, shown == 0);
		else if (o->format == DG_REPORT_CSV)
			csv_session(out, s);
		else
			text_session(out, s);
		shown++;
	}
	if (o->format == DG_REPORT_JSON)
		fputs(shown ? "\n]\n" : "]\n", out);
	else if (o->format == DG_REPORT_TEXT && !shown)
		fputs("No deployguard sessions in the audit trail match.\n", out);
out:
	for (size_t i = 0; i < rp->n; i++)
		free_session(rp->all[i]);
	free(rp->all);
	free(rp);
	return rc;
}

/* ---- options ------------------------------------------------------------------------------------ */

int dg_report_parse_time(const char *s, time_t now, time_t *out)
{
	struct tm tm;
	char *end;
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;

	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (!strcmp(s, "recent")) {
		*out = now - 600;
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		if (!localtime_r(&now, &tm))
			return -EINVAL;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		if (s[0] == 'y')
			tm.tm_mday--;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
		return 0;
	}
	if (s[0] == '@') {
		long long v;

		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end)
			return -EINVAL;
		*out = (time_t)v;
		return 0;
	}
	if (s[0] == '-') {
		unsigned long long v;
		unsigned long long mult;

		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (errno || end == s + 1 || !end[0] || end[1])
			return -EINVAL;
		switch (end[0]) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -EINVAL;
		}
		*out = now - (time_t)(v * mult);
		return 0;
	}
	/* fixed-width fields, %n makes sure nothing trails, and the values are
	 * range-checked below: sscanf's silent overflow cannot happen here */
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) // NOLINT(cert-err34-c)
		return -EINVAL;
	if (s[n]) {
		int m = 0;

		if ((s[n] != ' ' && s[n] != 'T') ||
		    (sscanf(s + n + 1, "%2d:%2d:%2d%n", &h, &mi, &se, &m) != 3 && // NOLINT(cert-err34-c)
		     (se = 0, sscanf(s + n + 1, "%2d:%2d%n", &h, &mi, &m) != 2)) || // NOLINT(cert-err34-c)
		    s[n + 1 + m])
			return -EINVAL;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -EINVAL : 0;
}

static void report_usage(FILE *f)
{
	fprintf(f,
		"Usage: deployguard report [--session ID] [--user USER] [--since TIME] [--until TIME]\n"
		"                          [--input FILE]... [--format text|json|csv]\n"
		"\n"
		"Every domain and address each guarded session contacted, allowed or blocked,\n"
		"how often, and the first command that did it, from the audit trail.\n"
		"\n"
		"  --session ID     only this session\n"
		"  --user USER      sessions of this user, run-as user or login uid (name or number)\n"
		"  --since TIME     sessions still running at or after TIME\n"
		"  --until TIME     sessions opened at or before TIME\n"
		"                   TIME: now, recent, today, yesterday, -30m, -2h, -7d, @EPOCH,\n"
		"                   YYYY-MM-DD or 'YYYY-MM-DD HH:MM[:SS]' (local time)\n"
		"  --input FILE     read collected audit logs (repeatable; - for stdin) instead of\n"
		"                   the live logs of auditd.conf's log_file\n"
		"  --format FORMAT  text (default), json or csv\n");
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	enum { OPT_SESSION = 256, OPT_USER, OPT_SINCE, OPT_UNTIL, OPT_INPUT, OPT_FORMAT, OPT_JSON };
	static const struct option longopts[] = {
		{ "session", required_argument, NULL, OPT_SESSION },
		{ "user", required_argument, NULL, OPT_USER },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct dg_report_opts o = { .format = c->json ? DG_REPORT_JSON : DG_REPORT_TEXT };
	time_t now = time(NULL);
	uint64_t v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_SESSION:
			if (dg_parse_u64(optarg, 1, UINT32_MAX, &v)) {
				fprintf(stderr, "deployguard report: invalid session id '%s'\n", optarg);
				return 2;
			}
			o.have_session = true;
			o.session = (uint32_t)v;
			break;
		case OPT_USER:
			o.user = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (dg_report_parse_time(optarg, now, opt == OPT_SINCE ? &o.since : &o.until)) {
				fprintf(stderr, "deployguard report: invalid time '%s' (try --help)\n",
					optarg);
				return 2;
			}
			if (opt == OPT_SINCE)
				o.have_since = true;
			else
				o.have_until = true;
			break;
		case OPT_INPUT:
			if (o.ninputs == DG_REPORT_MAX_INPUTS) {
				fprintf(stderr, "deployguard report: at most %d --input files\n",
					DG_REPORT_MAX_INPUTS);
				return 2;
			}
			o.inputs[o.ninputs++] = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				o.format = DG_REPORT_TEXT;
			else if (!strcmp(optarg, "json"))
				o.format = DG_REPORT_JSON;
			else if (!strcmp(optarg, "csv"))
				o.format = DG_REPORT_CSV;
			else {
				fprintf(stderr, "deployguard report: --format must be text, json or "
					"csv\n");
				return 2;
			}
			break;
		case OPT_JSON:
			o.format = DG_REPORT_JSON;
			break;
		case 'h':
			report_usage(stdout);
			return 0;
		default:
			report_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "deployguard report: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o.ninputs > 1) {
		for (size_t i = 0; i < o.ninputs; i++) {
			if (!strcmp(o.inputs[i], "-")) {
				fprintf(stderr, "deployguard report: --input - cannot be combined with "
					"other inputs\n");
				return 2;
			}
		}
	}
	o.inputs[o.ninputs] = NULL;
	return dg_report(&o, stdout, stderr);
}
