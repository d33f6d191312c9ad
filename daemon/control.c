// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket: a unix SOCK_SEQPACKET socket, one request and one
 * reply per connection (see ctlmsg.h).  Anyone may connect so that refusals
 * can be logged, but only root (SO_PEERCRED) is served.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "audit.h"
#include "blockres.h"
#include "control.h"
#include "ctlmsg.h"
#include "daemon.h"
#include "cglimits.h"
#include "log.h"
#include "proxy.h"
#include "session.h"
#include "util.h"


#define CONN_TIMEOUT_NS (5ULL * 1000000000ULL)

struct ctl_conn {
	struct dg_watch w;
	struct ctl_conn *prev, *next;
	struct ucred cred;
	uint64_t deadline;
};

static void reply_error(struct dg_ctlmsg *r, const char *msg)
{
	dg_ctl_init(r);
	dg_ctl_add(r, "status", "error");
	dg_ctl_add(r, "message", msg);
}

/* argv fields joined for logs; the exec record gives the exact one later */
static char *join_args(const struct dg_ctlmsg *m)
{
	struct dg_ctl_field f;
	size_t pos = 0, len = 0;
	char *out = NULL;

	while (dg_ctl_next(m, &pos, &f)) {
		size_t vl;
		char *n;

		if (!dg_ctl_field_is(&f, "arg"))
			continue;
		vl = strlen(f.val);
		n = realloc(out, len + vl + 2);
		if (!n)
			break;
		out = n;
		if (len)
			out[len++] = ' ';
		memcpy(out + len, f.val, vl + 1);
		len += vl;
	}
	return out;
}

/* *opened: the session opened, whose audit record is due once r is sent */
static void op_open(struct dg_daemon *d, const struct ctl_conn *c, const struct dg_ctlmsg *m,
		    struct dg_ctlmsg *r, struct dg_sess **opened)
{
	struct dg_open_req req = { 0 };
	const struct dg_profile *p;
	struct dg_sess *s = NULL;
	const char *guard = dg_ctl_get(m, "guard");
	char err[512] = "", *joined = NULL;
	uint64_t v;
	int rc;

	req.opener = dg_ctl_get(m, "opener");
	req.user = dg_ctl_get(m, "user");
	req.runas = dg_ctl_get(m, "runas");
	req.profile = dg_ctl_get(m, "profile");
	req.tty = dg_ctl_get(m, "tty");
	req.rhost = dg_ctl_get(m, "rhost");
	req.service = dg_ctl_get(m, "service");
	req.cwd = dg_ctl_get(m, "cwd");
	req.cmd = dg_ctl_get(m, "cmd");
	req.audit = dg_ctl_get(m, "audit") && !strcmp(dg_ctl_get(m, "audit"), "1");
	req.pid = c->cred.pid;
	req.uid = c->cred.uid;
	if (!dg_ctl_get_u64(m, "uid", UINT32_MAX - 1, &v))
		req.uid = (uid_t)v;

	if (!req.user || !*req.user) {
		reply_error(r, "missing field 'user'");
		return;
	}
	if (!req.opener || (strcmp(req.opener, "run") && strcmp(req.opener, "ssh") &&
			    strcmp(req.opener, "sudo") && strcmp(req.opener, "pam"))) {
		reply_error(r, "field 'opener' must be run, ssh, sudo or pam");
		return;
	}
	if (!guard || !strcmp(guard, "always"))
		req.designated_only = false;
	else if (!strcmp(guard, "designated"))
		req.designated_only = true;
	else {
		reply_error(r, "field 'guard' must be always or designated");
		return;
	}
	if (!req.cmd) {
		joined = join_args(m);
		req.cmd = joined;
	}

	rc = dg_session_open(d, &req, &s, err, sizeof(err));
	free(joined);
	dg_ctl_init(r);
	if (rc < 0) {
		dg_log(DG_LOG_ERR, "session open for user %s failed: %s", req.user, err);
		reply_error(r, err);
		return;
	}
	if (rc == 0) {
		dg_ctl_add(r, "status", "unguarded");
		return;
	}
	*opened = s;
	p = dg_session_profile(d, s);
	dg_ctl_add(r, "status", "ok");
	dg_ctl_add_u64(r, "session", s->id);
	dg_ctl_add(r, "cgroup", s->cgpath);
	dg_ctl_add(r, "profile", p->name);
	dg_ctl_add(r, "mode", p->mode == DG_MODE_ALLOWLIST ? "allowlist" : "blocklist");
	dg_ctl_add(r, "enforce", dg_session_audit(d, s) ? "audit" : "yes");
	dg_limits_reply(s, r);
}

static void op_close(struct dg_daemon *d, const struct dg_ctlmsg *m, struct dg_ctlmsg *r)
{
	uint64_t id, v;
	int status = -1, sig = 0;
	struct dg_sess *s;

	if (dg_ctl_get_u64(m, "session", UINT32_MAX, &id)) {
		reply_error(r, "missing or invalid field 'session'");
		return;
	}
	s = dg_session_find(d, (uint32_t)id);
	if (!s) {
		reply_error(r, "no such session");
		return;
	}
	if (!dg_ctl_get_u64(m, "exit", 255, &v))
		status = (int)v;
	if (!dg_ctl_get_u64(m, "signal", 127, &v))
		sig = (int)v;
	dg_session_close(d, s, status, sig);
	dg_ctl_init(r);
	dg_ctl_add(r, "status", "ok");
}

/* Sessions from offset on, as many as fit; "more=1" asks for another call. */
static void op_list(struct dg_daemon *d, const struct dg_ctlmsg *m, struct dg_ctlmsg *r)
{
	struct dg_ctlmsg *one = malloc(sizeof(*one));
	uint64_t offset = 0, i = 0;
	bool more = false;

	dg_ctl_init(r);
	if (!one) {
		reply_error(r, "out of memory");
		return;
	}
	dg_ctl_get_u64(m, "offset", UINT32_MAX, &offset);
	dg_ctl_add(r, "status", "ok");
	dg_sessions_for_each(d, s) {
		if (more)
			break;
		if (i++ < offset)
			continue;
		dg_ctl_init(one);
		dg_session_describe(d, s, one, true);
		if (r->len + one->len + 16 > sizeof(r->buf)) {
			more = true;
			continue;
		}
		memcpy(r->buf + r->len, one->buf, one->len);
		r->len += one->len;
		r->nfields += one->nfields;
	}
	if (more)
		dg_ctl_add(r, "more", "1");
	free(one);
}

static void op_status(struct dg_daemon *d, struct dg_ctlmsg *r)
{
	const struct dg_counters *c = &d->stats;
	uint64_t bpf[DG_STAT_MAX] = { 0 };
	char addr[128];

	dg_ctl_init(r);
	dg_ctl_add(r, "status", "ok");
	dg_ctl_add(r, "version", DG_VERSION);
	dg_ctl_add_u64(r, "pid", (uint64_t)getpid());
	dg_ctl_add_u64(r, "started", (uint64_t)d->started);
	dg_ctl_add(r, "config", d->cfg->path);
	dg_ctl_add(r, "private", d->private_mode ? "1" : "0");
	dg_ctl_add(r, "cgroup", d->cg_root);
	dg_ctl_add(r, "bpffs", d->private_mode ? "" : d->guard.pin_dir);
	dg_ctl_add(r, "adopted", d->guard.adopted ? "1" : "0");
	dg_ctl_add_u64(r, "programs", DG_PROG_COUNT - (d->guard.has_lsm ? 0 : 1));
	dg_ctl_add(r, "packet_sockets", d->guard.has_lsm ? "denied" : d->guard.lsm_missing);
	dg_ctl_add_u64(r, "proxy_port", d->proxy_port);
	/* none: each query goes to the resolver the process asked */
	for (int i = 0; i < d->cfg->nupstream; i++)
		dg_ctl_add(r, "upstream", dg_sockaddr_str((const struct sockaddr *)&d->cfg->upstream[i],
							  addr, sizeof(addr)));
	for (size_t i = 0; i < d->cfg->nprofiles; i++) {
		const struct dg_profile *p = &d->cfg->profiles[i];
		char lim[256];

		dg_limits_str(&p->limits, lim, sizeof(lim));
		dg_ctl_addf(r, "profile", "%s mode=%s enforce=%s domains=%zu cidrs=%zu%s%s", p->name,
			    p->mode == DG_MODE_ALLOWLIST ? "allowlist" : "blocklist",
			    p->enforce == DG_ENFORCE_AUDIT ? "audit" : "yes",
			    p->names.count, p->ncidrs, lim[0] ? " " : "", lim);
	}
	{
		char where[128];

		dg_limits_where(d, where, sizeof(where));
		dg_ctl_add(r, "controllers", where);
		dg_ctl_add(r, "limits_unavailable",
			   d->cfg->limits_unavailable == DG_LIMITS_WARN ? "warn" : "refuse");
	}
	dg_ctl_add_u64(r, "sessions", d->sessions.count);
	dg_ctl_add_u64(r, "blocked_names_resolved", dg_blockres_names(d));
	dg_ctl_add_u64(r, "blocked_addresses_denied", dg_blockres_addrs(d));
	dg_ctl_add_u64(r, "processes_tracked", d->procs.count);
	dg_ctl_add_u64(r, "dns_pending", d->proxy ? dg_proxy_pending(d->proxy) : 0);
#define C(name) dg_ctl_add_u64(r, #name, c->name)
	C(dns_queries);
	C(dns_allowed);
	C(dns_blocked);
	C(dns_would_block);
	C(dns_unattributed);
	C(dns_malformed);
	C(upstream_errors);
	C(upstream_timeouts);
	C(addresses_learned);
	C(connect_blocked);
	C(connect_would_block);
	C(packet_blocked);
	C(socket_blocked);
	C(sessions_opened);
	C(sessions_closed);
	C(control_refused);
#undef C
	dg_audit_status(d, r);
	if (!dg_guard_stats(&d->guard, bpf)) {
		dg_ctl_add_u64(r, "kernel_dns_redirected", bpf[DG_STAT_DNS_REDIRECTED]);
		dg_ctl_add_u64(r, "kernel_connect_blocked", bpf[DG_STAT_CONNECT_BLOCKED]);
		dg_ctl_add_u64(r, "kernel_connect_would_block", bpf[DG_STAT_CONNECT_WOULD_BLOCK]);
		dg_ctl_add_u64(r, "kernel_packet_blocked", bpf[DG_STAT_PACKET_BLOCKED]);
		dg_ctl_add_u64(r, "kernel_socket_blocked", bpf[DG_STAT_SOCK_BLOCKED]);
		dg_ctl_add_u64(r, "kernel_events_dropped", bpf[DG_STAT_EVENTS_DROPPED]);
		dg_ctl_add_u64(r, "kernel_lsm_runs", bpf[DG_STAT_LSM_RUNS]);
	}
}

static void dispatch(struct dg_daemon *d, const struct ctl_conn *c, const struct dg_ctlmsg *m,
		     struct dg_ctlmsg *r, struct dg_sess **opened)
{
	const char *op = dg_ctl_get(m, "op");

	if (!op)
		reply_error(r, "missing field 'op'");
	else if (!strcmp(op, "open"))
		op_open(d, c, m, r, opened);
	else if (!strcmp(op, "close"))
		op_close(d, m, r);
	else if (!strcmp(op, "list"))
		op_list(d, m, r);
	else if (!strcmp(op, "status"))
		op_status(d, r);
	else if (!strcmp(op, "reload")) {
		char err[512];

		if (dg_daemon_reload(d, err, sizeof(err))) {
			reply_error(r, err);
		} else {
			dg_ctl_init(r);
			dg_ctl_add(r, "status", "ok");
		}
	} else
		reply_error(r, "unknown op");
}

static void conn_close(struct dg_daemon *d, struct ctl_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		d->ctl_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	dg_watch_del(d, &c->w);
	close(c->w.fd);
	free(c);
}

void dg_control_tick(struct dg_daemon *d)
{
	uint64_t now = dg_now_ns();

	for (struct ctl_conn *c = d->ctl_conns, *n; c; c = n) {
		n = c->next;
		if (now >= c->deadline) {
			dg_log(DG_LOG_WARN, "control: pid %d connected but sent nothing; closed",
			       (int)c->cred.pid);
			conn_close(d, c);
		}
	}
}

static void on_conn(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct ctl_conn *c = dg_container_of(w, struct ctl_conn, w);
	struct dg_ctlmsg *m = malloc(sizeof(*m)), *r = malloc(sizeof(*r));
	struct dg_sess *opened = NULL;
	ssize_t n;

	if (!m || !r)
		goto out;
	n = recv(w->fd, m->buf, sizeof(m->buf), MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		goto keep;
	if (n <= 0)
		goto out;
	if (c->cred.uid != 0) {
		/* read before refusing: closing on an unread request could reset
		 * the peer before it reads why */
		d->stats.control_refused++;
		dg_log(DG_LOG_WARN, "CONTROL REFUSED pid=%d uid=%d reason=\"not root\"",
		       (int)c->cred.pid, (int)c->cred.uid);
		reply_error(r, "refused: only root may use deployguardd's control socket");
	} else if (dg_ctl_parse(m, m->buf, (size_t)n)) {
		dg_log(DG_LOG_WARN, "control: malformed request from pid %d (%zd bytes)",
		       (int)c->cred.pid, n);
		reply_error(r, "malformed request");
	} else {
		dispatch(d, c, m, r, &opened);
	}
	if (r->overflow)
		reply_error(r, "reply too large");
	if (send(w->fd, r->buf, r->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		dg_log(DG_LOG_DEBUG, "control: reply to pid %d: %s", (int)c->cred.pid,
		       strerror(errno));
	/* before anything else can happen to the session: nothing has run yet */
	if (opened)
		dg_audit_session_open(d, opened);
out:
	conn_close(d, c);
keep:
	free(m);
	free(r);
}

static void on_listen(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	for (int i = 0; i < 64; i++) {
		struct ctl_conn *c;
		socklen_t len = sizeof(struct ucred);
		int fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->w.fd = fd;
		c->w.fn = on_conn;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len)) {
			close(fd);
			free(c);
			continue;
		}
		c->deadline = dg_now_ns() + CONN_TIMEOUT_NS;
		if (dg_watch_add(d, &c->w, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = d->ctl_conns;
		if (c->next)
			c->next->prev = c;
		d->ctl_conns = c;
	}
}

int dg_control_start(struct dg_daemon *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, err;

	size_t plen = strlen(d->socket_path);

	if (plen >= sizeof(sun.sun_path)) {
		dg_log(DG_LOG_ERR, "control socket path too long: %s", d->socket_path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, d->socket_path, plen + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* we hold the run-dir lock, so a socket file left here is stale */
	unlink(d->socket_path);
	old = umask(0);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	/* deploys start in bursts: a full backlog makes openers wait */
	if (err || listen(fd, 1024)) {
		err = -errno;
		dg_log(DG_LOG_ERR, "control socket %s: %s", d->socket_path, strerror(-err));
		close(fd);
		return err;
	}
	/* world-connectable so refusals are seen and logged; served to root only */
	chmod(d->socket_path, 0666);
	d->control_w.fd = fd;
	d->control_w.fn = on_listen;
	err = dg_watch_add(d, &d->control_w, EPOLLIN);
	if (err) {
		close(fd);
		d->control_w.fd = -1;
	}
	return err;
}

void dg_control_stop(struct dg_daemon *d)
{
	while (d->ctl_conns)
		conn_close(d, d->ctl_conns);
	if (d->control_w.fd < 0)
		return;
	dg_watch_del(d, &d->control_w);
	close(d->control_w.fd);
	d->control_w.fd = -1;
	unlink(d->socket_path);
}
