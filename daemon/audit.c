// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <libaudit.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit.h"
#include "audit_fmt.h"
#include "audit_seen.h"
#include "ctlmsg.h"
#include "daemon.h"
#include "decision.h"
#include "dns.h"
#include "log.h"
#include "util.h"

#define CHECK_INTERVAL_NS	(5ULL * 1000000000ULL)	/* is auditd (still) there? */
#define FLUSH_INTERVAL_NS	(600ULL * 1000000000ULL)	/* summaries of long sessions */
#define STATUS_TIMEOUT_MS	500

enum audit_state {
	AS_UNKNOWN,		/* the kernel would not say (no CAP_AUDIT_CONTROL?) */
	AS_UNAVAILABLE,		/* no audit subsystem: records cannot be written */
	AS_DISABLED,		/* auditing is off (auditctl -e 0): the kernel drops them */
	AS_NO_AUDITD,		/* on, but no auditd: kernel log / journal only */
	AS_ACTIVE,		/* auditd collects them */
};

struct dg_audit {
	int fd;			/* -1: no audit subsystem */
	enum audit_state state;
	bool state_known;	/* at least one status check done */
	bool warned;
	uint32_t auditd_pid;
	uint64_t next_check_ns, next_flush_ns;
	uint64_t sent, suppressed, unrecorded, failed;
	int last_errno;
};

struct dg_audit_sess {
	struct dg_seen_table seen;
	uint64_t records;	/* sent for this session */
	uint64_t failed;
	uint64_t flushed_sig;	/* repeats + unrecorded at the last summary */
};

static const char *state_name(enum audit_state s)
{
	switch (s) {
	case AS_UNKNOWN: return "unknown";
	case AS_UNAVAILABLE: return "unavailable";
	case AS_DISABLED: return "disabled";
	case AS_NO_AUDITD: return "no-auditd";
	case AS_ACTIVE: return "active";
	}
	return "?";
}

/* ---- is auditd there? ---------------------------------------------------------- */

/* A socket of its own, so no stray reply is ever left on the record socket. */
static int query_status(struct audit_status *out)
{
	struct audit_reply rep;
	int fd = audit_open(), rc = -ETIMEDOUT;

	if (fd < 0)
		return -errno;
	if (audit_request_status(fd) <= 0) {
		rc = errno ? -errno : -EIO;
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, STATUS_TIMEOUT_MS) <= 0)
			break;
		if (audit_get_reply(fd, &rep, GET_REPLY_NONBLOCKING, 0) <= 0)
			continue;
		if (rep.type == AUDIT_GET && rep.status) {
			*out = *rep.status;
			rc = 0;
			break;
		}
		if (rep.type == NLMSG_ERROR && rep.error && rep.error->error) {
			rc = rep.error->error;
			break;
		}
	}
out:
	audit_close(fd);
	return rc;
}

static void check_auditd(struct dg_daemon *d)
{
	struct dg_audit *a = d->audit;
	struct audit_status st = { 0 };
	enum audit_state old = a->state;
	bool first = !a->state_known;

	if (a->fd < 0) {
		a->state = AS_UNAVAILABLE;
	} else {
		int rc = query_status(&st);
		if (rc) {
			a->state = AS_UNKNOWN;
			a->last_errno = -rc;
		} else if (!st.enabled) {
			a->state = AS_DISABLED;
		} else if (!st.pid) {
			a->state = AS_NO_AUDITD;
		} else {
			a->state = AS_ACTIVE;
			a->auditd_pid = st.pid;
		}
	}
	a->state_known = true;
	if (!first && a->state == old)
		return;

	if (a->state == AS_ACTIVE) {
		dg_log(DG_LOG_INFO, "AUDIT auditd is running (pid %u): audit records go to the "
		       "audit trail", a->auditd_pid);
		return;
	}
	/*
	 * Not collected: say so once per daemon (a private `deployguard run`
	 * daemon only in its debug log), never per record.  The local log
	 * keeps every decision either way.
	 */
	{
		int level = a->warned ? DG_LOG_INFO : d->private_mode ? DG_LOG_DEBUG : DG_LOG_WARN;
		const char *why;

		switch (a->state) {
		case AS_UNAVAILABLE:
			why = "no audit subsystem (kernel without CONFIG_AUDIT?): audit records "
			      "cannot be written";
			break;
		case AS_DISABLED:
			why = "kernel auditing is disabled (auditctl -e 1): the kernel drops "
			      "audit records";
			break;
		case AS_NO_AUDITD:
			why = "auditd is not running: audit records reach the kernel log at best";
			break;
		default:
			why = "cannot ask the kernel whether auditd runs";
			break;
		}
		dg_log(level, "AUDIT %s%s%s; every decision is still in this log", why,
		       a->state == AS_UNKNOWN ? ": " : "",
		       a->state == AS_UNKNOWN ? strerror(a->last_errno) : "");
		a->warned = true;
	}
}

int dg_audit_open(struct dg_daemon *d)
{
	struct dg_audit *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->fd = audit_open();
	if (a->fd < 0)
		a->last_errno = errno;
	d->audit = a;
	check_auditd(d);
	a->next_check_ns = dg_now_ns() + CHECK_INTERVAL_NS;
	a->next_flush_ns = dg_now_ns() + FLUSH_INTERVAL_NS;
	return 0;
}

/* ---- sending ---------------------------------------------------------------------- */

/* The session's remote host and tty in libaudit's own fields, when safe. */
struct where {
	const char *host, *addr, *tty;
};

static void where_of(const struct dg_sess *s, struct where *w)
{
	struct in6_addr scratch;

	w->host = NULL;
	w->addr = "?";	/* never empty: libaudit would resolve the host name */
	w->tty = "";	/* "": terminal=?, not the daemon's own tty */
	if (s && dg_audit_plain_safe(s->rhost)) {
		w->host = s->rhost;
		if (inet_pton(AF_INET, s->rhost, &scratch) == 1 ||
		    inet_pton(AF_INET6, s->rhost, &scratch) == 1)
			w->addr = s->rhost;
	}
	if (s && dg_audit_plain_safe(s->tty))
		w->tty = s->tty;
}

static bool send_rec(struct dg_daemon *d, const struct dg_sess *s, struct dg_audit_sess *as,
		     const struct dg_arec *r, int result)
{
	struct dg_audit *a = d->audit;
	struct where w;
	int rc;

	if (a->fd < 0) {
		a->failed++;
		if (as)
			as->failed++;
		return false;
	}
	where_of(s, &w);
	rc = audit_log_user_message(a->fd, AUDIT_TRUSTED_APP, r->buf, w.host, w.addr, w.tty,
				    result);
	if (rc <= 0) {
		int err = rc < 0 ? -rc : errno;

		if (a->failed++ == 0)
			dg_log(DG_LOG_WARN, "AUDIT the kernel refused an audit record: %s (counted "
			       "in `deployguard status`; said once)", strerror(err ? err : EIO));
		if (as)
			as->failed++;
		return false;
	}
	a->sent++;
	if (as)
		as->records++;
	return true;
}

/* ---- sessions ------------------------------------------------------------------------- */

static struct dg_audit_sess *sess_state(struct dg_sess *s)
{
	if (!s->audit) {
		s->audit = calloc(1, sizeof(*s->audit));
		if (s->audit)
			dg_seen_init(&s->audit->seen, DG_SEEN_MAX_DEFAULT);
	}
	return s->audit;
}

void dg_audit_sess_free(struct dg_sess *s)
{
	if (!s->audit)
		return;
	dg_seen_free(&s->audit->seen);
	free(s->audit);
	s->audit = NULL;
}

static void sess_id(struct dg_daemon *d, const struct dg_sess *s, struct dg_audit_sess_id *id)
{
	id->session = s->id;
	id->auid = s->login_uid;
	id->ses = s->login_ses;
	id->profile = s->profile;
	id->audit_mode = dg_session_audit(d, s);
}

void dg_audit_login_of(pid_t pid, uint32_t *auid, uint32_t *ses)
{
	char path[64], *buf;
	uint64_t v;

	*auid = *ses = DG_AUDIT_UNSET;
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/loginuid", (int)pid);
	if (dg_read_file(path, &buf, NULL, 64) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (!dg_parse_u64(buf, 0, UINT32_MAX, &v))
			*auid = (uint32_t)v;
		free(buf);
	}
	snprintf(path, sizeof(path), "/proc/%d/sessionid", (int)pid);
	if (dg_read_file(path, &buf, NULL, 64) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (!dg_parse_u64(buf, 0, UINT32_MAX, &v))
			*ses = (uint32_t)v;
		free(buf);
	}
}

void dg_audit_session_open(struct dg_daemon *d, struct dg_sess *s)
{
	const struct dg_profile *p = dg_session_profile(d, s);
	struct dg_audit_sess_id id;
	struct dg_audit_open_info o = {
		.leader = s->leader,
		.uid = (uint32_t)s->uid,
		.opener = s->opener,
		.user = s->user,
		.runas = s->runas,
		.service = s->service,
		.policy = p->mode == DG_MODE_ALLOWLIST ? "allowlist" : "blocklist",
		.cwd = s->cwd,
		.cmd = s->cmd,
	};
	struct dg_audit_sess *as;
	struct dg_arec *r;

	if (!d->audit)
		return;
	as = sess_state(s);
	r = malloc(sizeof(*r));
	if (!r) {
		d->audit->failed++;
		return;
	}
	sess_id(d, s, &id);
	dg_audit_fmt_open(r, &id, &o);
	/* what libaudit cannot carry safely goes in encoded fields of our own */
	if (s->rhost && !dg_audit_plain_safe(s->rhost))
		dg_arec_str(r, "rhost", s->rhost);
	if (s->tty && !dg_audit_plain_safe(s->tty))
		dg_arec_str(r, "tty", s->tty);
	send_rec(d, s, as, r, 1);
	free(r);
}

/* Counts the trail does not have yet: one summary per key, then the totals. */
static void flush_session(struct dg_daemon *d, struct dg_sess *s, bool final)
{
	struct dg_audit_sess *as = s->audit;
	struct dg_audit_sess_id id;
	struct dg_arec *r = malloc(sizeof(*r));

	if (!r) {
		d->audit->failed++;
		return;
	}
	sess_id(d, s, &id);
	if (as) {
		dg_seen_for_each(&as->seen, e) {
			char addr[INET6_ADDRSTRLEN];
			struct dg_audit_key_summary k = {
				.decision = e->decision,
				.count = e->count,
				.leader = s->leader,
			};
			int res;

			if (e->count <= e->reported)
				continue;
			k.domain = e->kind == DG_SEEN_DOMAIN ? e->name : NULL;
			k.sock = e->kind == DG_SEEN_SOCKET ? e->name : NULL;
			k.daddr = e->kind == DG_SEEN_ADDR ? dg_addr16_str(e->addr, addr, sizeof(addr))
							  : NULL;
			res = dg_audit_fmt_key_summary(r, &id, &k);
			if (send_rec(d, s, as, r, res))
				e->reported = e->count;
		}
		as->flushed_sig = as->seen.repeats + as->seen.unrecorded;
	}
	{
		struct dg_audit_totals t = {
			.leader = s->leader,
			.records = as ? as->records : 0,
			.suppressed = as ? as->seen.repeats : 0,
			.unrecorded = as ? as->seen.unrecorded : 0,
			.failed = as ? as->failed : 0,
			.queries = s->n_queries,
			.allowed = s->n_allowed,
			.blocked = s->n_blocked,
			.would_block = s->n_would_block,
			.final = final,
		};

		dg_audit_fmt_totals(r, &id, &t);
		send_rec(d, s, as, r, 1);
	}
	free(r);
}

void dg_audit_session_end(struct dg_daemon *d, struct dg_sess *s)
{
	const struct dg_usage *u = &s->lim.used;
	struct dg_audit_close_info c = {
		.leader = s->leader,
		.exit_status = s->exit_status,
		.exit_signal = s->exit_signal,
		.has_memory_peak = u->has_memory_peak,
		.has_cpu = u->has_cpu,
		.has_oom_kills = u->has_oom_kills,
		.memory_peak = u->memory_peak,
		.cpu_usec = u->cpu_usec,
		.oom_kills = u->oom_kills,
	};
	struct dg_audit_sess_id id;
	struct dg_arec *r;
	time_t now = time(NULL);

	if (!d->audit)
		return;
	flush_session(d, s, true);
	r = malloc(sizeof(*r));
	if (r) {
		c.duration = now > s->started ? (uint64_t)(now - s->started) : 0;
		sess_id(d, s, &id);
		send_rec(d, s, s->audit, r, dg_audit_fmt_close(r, &id, &c));
		free(r);
	} else {
		d->audit->failed++;
	}
	dg_audit_sess_free(s);
}

/* ---- decisions --------------------------------------------------------------------------- */

/* Is this /proc/PID/cgroup line the session's cgroup, or one below it? */
static bool in_cgroup(const char *cg, const char *want)
{
	size_t wl = strlen(want);

	for (const char *line = cg; line && *line;) {
		const char *nl = strchr(line, '\n');

		if (!strncmp(line, want, wl) &&
		    (line[wl] == '\n' || line[wl] == '/' || line[wl] == '\0'))
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

/* The executable of a process that is still in the session (pids get reused). */
static char *exe_of(struct dg_daemon *d, const struct dg_sess *s, uint32_t tgid)
{
	char path[64], want[PATH_MAX], exe[PATH_MAX], *cg = NULL;
	size_t mlen = strlen(d->cg_mount);
	bool inside;
	ssize_t n;

	if (!tgid || strncmp(s->cgpath, d->cg_mount, mlen) != 0 ||
	    dg_path(want, sizeof(want), "0::%s", s->cgpath + mlen))
		return NULL;
	snprintf(path, sizeof(path), "/proc/%u/cgroup", tgid);
	if (dg_read_file(path, &cg, NULL, 65536))
		return NULL;
	inside = in_cgroup(cg, want);
	free(cg);
	if (!inside)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%u/exe", tgid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	return strdup(exe);
}

static int seen_kind(enum dg_decision_kind k)
{
	switch (k) {
	case DG_DEC_DNS: return DG_SEEN_DOMAIN;
	case DG_DEC_SOCKET: return DG_SEEN_SOCKET;
	case DG_DEC_CONNECT:
	case DG_DEC_PACKET: break;
	}
	return DG_SEEN_ADDR;
}

static void join_addrs(const struct dg_decision *dec, char *list, size_t len)
{
	char one[INET6_ADDRSTRLEN];
	size_t n = 0;

	list[0] = '\0';
	for (unsigned i = 0; i < dec->naddrs; i++) {
		int w = snprintf(list + n, len - n, "%s%s", n ? "," : "",
				 dg_addr16_str(dec->addrs[i], one, sizeof(one)));

		if (w < 0 || (size_t)w >= len - n) {
			list[n] = '\0';
			break;
		}
		n += (size_t)w;
	}
}

void dg_audit_decision(struct dg_daemon *d, const struct dg_decision *dec)
{
	struct dg_audit *a = d->audit;
	struct dg_sess *s = dec->sess;
	struct dg_audit_sess *as;
	struct dg_audit_sess_id id;
	struct dg_audit_dec_info info = { 0 };
	struct dg_proc *p;
	struct dg_seen *e;
	struct dg_arec *r;
	struct {
		char qtype[16], daddr[INET6_ADDRSTRLEN], addrs[512];
	} text;		/* what info points into */
	int kind = seen_kind(dec->kind), rc, res;
	const char *name = dec->domain;
	char *exe;

	if (!a)
		return;
	if (kind == DG_SEEN_SOCKET)
		name = dec->sock_family == AF_PACKET ? "packet" : "raw";
	if (!s || !(as = sess_state(s)) || (kind == DG_SEEN_ADDR && !dec->daddr)) {
		/* a late event of a session that is gone: no trail to add it to */
		a->suppressed++;
		a->unrecorded++;
		return;
	}
	rc = dg_seen_note(&as->seen, kind, dec->verdict, name, dec->daddr, &e);
	if (rc <= 0) {
		/* a repeat (counted in its key) or past the limit (counted as unrecorded) */
		a->suppressed++;
		if (rc < 0)
			a->unrecorded++;
		return;
	}

	r = malloc(sizeof(*r));
	if (!r) {
		a->failed++;
		return;
	}
	info.decision = dec->verdict;
	info.at = dg_blocked_at_name(dec->kind);
	info.pid = (int32_t)dec->tgid;
	info.uid = dec->uid;
	info.reason = dg_reason_name(dec->reason);
	if (kind == DG_SEEN_DOMAIN) {
		info.domain = e->name;
		info.qtype = dg_dns_type_str(dec->qtype, text.qtype, sizeof(text.qtype));
		info.match = dec->match;
		info.cname = dec->cname;
		if (dec->verdict == DG_VERDICT_ALLOW && dec->naddrs) {
			join_addrs(dec, text.addrs, sizeof(text.addrs));
			info.addrs = text.addrs;
		}
	} else if (kind == DG_SEEN_SOCKET) {
		info.sock = e->name;
		info.family = dg_family_name(dec->sock_family);
		info.protocol = dec->proto;
	} else {
		info.daddr = dg_addr16_str(dec->daddr, text.daddr, sizeof(text.daddr));
		info.dport = dec->dport;
		info.proto = dg_proto_name(dec->proto);
	}
	p = dec->tgid ? dg_proctab_get(&d->procs, (pid_t)dec->tgid, dec->session_id) : NULL;
	if (p) {
		info.uid = (uint32_t)p->uid;
		info.cmd = p->cmd;
		info.comm = p->comm[0] ? p->comm : NULL;
	}
	if (!info.comm && dec->comm && dec->comm[0])
		info.comm = dec->comm;
	exe = exe_of(d, s, dec->tgid);
	info.exe = exe;

	sess_id(d, s, &id);
	res = dg_audit_fmt_decision(r, &id, &info);
	e->reported = send_rec(d, s, as, r, res) ? 1 : 0;
	free(exe);
	free(r);
}

/* ---- housekeeping ------------------------------------------------------------------------- */

void dg_audit_tick(struct dg_daemon *d)
{
	struct dg_audit *a = d->audit;
	uint64_t now = dg_now_ns();

	if (!a)
		return;
	if (now >= a->next_check_ns) {
		check_auditd(d);
		a->next_check_ns = now + CHECK_INTERVAL_NS;
	}
	if (now >= a->next_flush_ns) {
		/* a session that runs for days still gets its counts into the trail */
		dg_sessions_for_each(d, s) {
			if (s->audit && s->audit->seen.repeats + s->audit->seen.unrecorded !=
						s->audit->flushed_sig)
				flush_session(d, s, false);
		}
		a->next_flush_ns = now + FLUSH_INTERVAL_NS;
	}
}

void dg_audit_close(struct dg_daemon *d)
{
	struct dg_audit *a = d->audit;

	if (!a)
		return;
	/* the sessions go on without us: what their trail lacks goes in now */
	dg_sessions_for_each(d, s) {
		if (s->audit)
			flush_session(d, s, false);
	}
	if (a->fd >= 0)
		audit_close(a->fd);
	free(a);
	d->audit = NULL;
}

void dg_audit_status(struct dg_daemon *d, struct dg_ctlmsg *r)
{
	struct dg_audit *a = d->audit;

	if (!a)
		return;
	dg_ctl_add(r, "audit", state_name(a->state));
	if (a->state == AS_ACTIVE)
		dg_ctl_add_u64(r, "auditd_pid", a->auditd_pid);
	dg_ctl_add_u64(r, "audit_records_sent", a->sent);
	dg_ctl_add_u64(r, "audit_records_suppressed", a->suppressed);
	dg_ctl_add_u64(r, "audit_records_unrecorded", a->unrecorded);
	dg_ctl_add_u64(r, "audit_records_failed", a->failed);
}
