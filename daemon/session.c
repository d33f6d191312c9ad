// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit.h"
#include "cgroup.h"
#include "daemon.h"
#include "log.h"
#include "session.h"
#include "util.h"

#define SESSION_JOIN_GRACE_NS (60ULL * 1000000000ULL)

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void sess_free(struct dg_sess *s)
{
	dg_audit_sess_free(s);
	free(s->cgpath);
	free(s->profile);
	free(s->opener);
	free(s->user);
	free(s->runas);
	free(s->tty);
	free(s->rhost);
	free(s->service);
	free(s->cmd);
	free(s->cwd);
	dg_limits_free(&s->lim);
	free(s);
}

static struct dg_sess **bucket(struct dg_daemon *d, uint32_t id)
{
	return &d->sessions.buckets[id % DG_SESSION_BUCKETS];
}

struct dg_sess *dg_session_find(struct dg_daemon *d, uint32_t id)
{
	for (struct dg_sess *s = *bucket(d, id); s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

static void sess_link(struct dg_daemon *d, struct dg_sess *s)
{
	struct dg_sess **b = bucket(d, s->id);

	s->next = *b;
	*b = s;
	d->sessions.count++;
}

static void sess_unlink(struct dg_daemon *d, struct dg_sess *s)
{
	for (struct dg_sess **pp = bucket(d, s->id); *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			d->sessions.count--;
			return;
		}
	}
}

int dg_sessions_init(struct dg_daemon *d)
{
	memset(&d->sessions, 0, sizeof(d->sessions));
	d->sessions.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->sessions.inotify_fd < 0)
		return -errno;
	return 0;
}

void dg_sessions_free(struct dg_daemon *d)
{
	for (size_t i = 0; i < DG_SESSION_BUCKETS; i++) {
		struct dg_sess *s = d->sessions.buckets[i], *n;

		for (; s; s = n) {
			n = s->next;
			sess_free(s);
		}
		d->sessions.buckets[i] = NULL;
	}
	d->sessions.count = 0;
	if (d->sessions.inotify_fd >= 0)
		close(d->sessions.inotify_fd);
	d->sessions.inotify_fd = -1;
}

const struct dg_profile *dg_session_profile(struct dg_daemon *d, const struct dg_sess *s)
{
	const struct dg_profile *p = dg_config_profile(d->cfg, s->profile);

	/* dg_policy_apply refuses configs that drop a live session's profile */
	return p ? p : &d->cfg->profiles[0];
}

bool dg_session_audit(struct dg_daemon *d, const struct dg_sess *s)
{
	return s->force_audit || dg_session_profile(d, s)->enforce == DG_ENFORCE_AUDIT;
}

int dg_session_push(struct dg_daemon *d, struct dg_sess *s)
{
	const struct dg_profile *p = dg_session_profile(d, s);
	struct dg_session v = {
		.session_id = s->id,
		.profile_id = dg_profile_bpf_id(d, p),
		.mode = (__u8)p->mode,
	};

	if (dg_session_audit(d, s))
		v.flags |= DG_SF_AUDIT;
	if (p->allow_loopback)
		v.flags |= DG_SF_ALLOW_LOOPBACK;
	return dg_guard_session_put(&d->guard, s->cgid, &v);
}

/* ---- session ids: never reused, also across daemon restarts ---------------- */

static int id_counter_path(struct dg_daemon *d, char *buf, size_t len)
{
	return dg_path(buf, len, "%s/last-session-id", d->cfg->state_dir);
}

/*
 * Ids are reserved on disk a block at a time: the counter file says how far
 * ids may have been handed out, so a restarted daemon (or a crashed one)
 * never reuses one, and opening a session rarely writes to disk.
 */
#define ID_BLOCK 64

static void store_reserved(struct dg_daemon *d, uint32_t upto)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], num[16];
	int fd, n;

	if (id_counter_path(d, path, sizeof(path)))
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && dg_mkdir_p(d->cfg->state_dir, 0755) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		dg_log(DG_LOG_WARN, "cannot store the session id counter in %s: %s",
		       d->cfg->state_dir, strerror(errno));
		return;
	}
	n = snprintf(num, sizeof(num), "%u\n", upto);
	if (write(fd, num, (size_t)n) == n && close(fd) == 0) {
		rename(tmp, path);
		d->sessions.reserved = upto;
	} else {
		unlink(tmp);
	}
}

static uint32_t next_session_id(struct dg_daemon *d)
{
	char path[PATH_MAX], *buf;
	uint32_t id;

	if (!d->sessions.counter_read) {
		/* once per daemon: what earlier daemons may have handed out */
		if (!id_counter_path(d, path, sizeof(path)) &&
		    !dg_read_file(path, &buf, NULL, 64)) {
			uint32_t stored = (uint32_t)strtoul(buf, NULL, 10);

			if (stored > d->sessions.last_id)
				d->sessions.last_id = stored;
			free(buf);
		}
		d->sessions.counter_read = true;
		d->sessions.reserved = d->sessions.last_id;
	}
	id = d->sessions.last_id + 1;
	/* last_id comes from a file on disk: it may be anything */
	/* cppcheck-suppress knownConditionTrueFalse ; UINT32_MAX + 1 wraps to 0 */
	if (id == 0 || id > DG_MAX_ID)
		id = 1;
	d->sessions.last_id = id;
	if (id > d->sessions.reserved || id < d->sessions.reserved - ID_BLOCK)
		store_reserved(d, id + ID_BLOCK - 1 > DG_MAX_ID ? DG_MAX_ID : id + ID_BLOCK - 1);
	return id;
}

/* ---- state files ----------------------------------------------------------- */

static void state_path(struct dg_daemon *d, uint32_t id, char *buf, size_t len)
{
	if (dg_path(buf, len, "%s/%u", d->sessions_dir, id))
		buf[0] = '\0';
}

void dg_session_describe(struct dg_daemon *d, const struct dg_sess *s, struct dg_ctlmsg *m,
			 bool live)
{
	const struct dg_profile *p = dg_session_profile(d, s);
	int n;

	dg_ctl_add_u64(m, "session", s->id);
	dg_ctl_add(m, "profile", s->profile);
	dg_ctl_add(m, "mode", p->mode == DG_MODE_ALLOWLIST ? "allowlist" : "blocklist");
	dg_ctl_add(m, "enforce", dg_session_audit(d, s) ? "audit" : "yes");
	dg_ctl_add(m, "opener", s->opener ? s->opener : "");
	dg_ctl_add(m, "user", s->user ? s->user : "");
	dg_ctl_add_u64(m, "uid", s->uid);
	if (s->runas)
		dg_ctl_add(m, "runas", s->runas);
	if (s->tty)
		dg_ctl_add(m, "tty", s->tty);
	if (s->rhost)
		dg_ctl_add(m, "rhost", s->rhost);
	if (s->service)
		dg_ctl_add(m, "service", s->service);
	if (s->cwd)
		dg_ctl_add(m, "cwd", s->cwd);
	if (s->cmd)
		dg_ctl_add(m, "cmd", s->cmd);
	dg_ctl_add_u64(m, "leader", (uint64_t)s->leader);
	dg_ctl_add_u64(m, "loginuid", s->login_uid);
	dg_ctl_add_u64(m, "loginses", s->login_ses);
	dg_ctl_add_u64(m, "started", (uint64_t)s->started);
	dg_ctl_add(m, "cgroup", s->cgpath);
	if (live) {
		n = dg_cgroup_nprocs(s->cgpath);
		dg_ctl_add_u64(m, "pids", n > 0 ? (uint64_t)n : 0);
	}
	dg_ctl_add(m, "state", s->closing ? "closing" : "open");
	dg_ctl_add_u64(m, "queries", s->n_queries);
	dg_ctl_add_u64(m, "allowed", s->n_allowed);
	dg_ctl_add_u64(m, "blocked", s->n_blocked);
	dg_ctl_add_u64(m, "would_block", s->n_would_block);
	dg_limits_describe(s, m, live);
}

static void state_save(struct dg_daemon *d, struct dg_sess *s)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct dg_ctlmsg *m;
	int fd;

	state_path(d, s->id, path, sizeof(path));
	if (!path[0])
		return;
	m = malloc(sizeof(*m));
	if (!m)
		return;
	dg_ctl_init(m);
	dg_session_describe(d, s, m, false);
	if (s->force_audit)
		dg_ctl_add(m, "force_audit", "1");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/* the directory exists from start-up; someone may have removed it */
	if (fd < 0 && errno == ENOENT && dg_mkdir_p(d->sessions_dir, 0700) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, m->buf, m->len) == (ssize_t)m->len && close(fd) == 0)
			rename(tmp, path);
		else
			unlink(tmp);
	}
	free(m);
}

/* ---- the opener ---------------------------------------------------------------- */

static bool maybe_end(struct dg_daemon *d, struct dg_sess *s);

static void opener_unwatch(struct dg_daemon *d, struct dg_sess *s)
{
	if (s->opener_w.fd < 0)
		return;
	dg_watch_del(d, &s->opener_w);
	close(s->opener_w.fd);
	s->opener_w.fd = -1;
}

static void on_opener_exit(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct dg_sess *s = dg_container_of(w, struct dg_sess, opener_w);

	opener_unwatch(d, s);
	s->opener_gone = true;
	maybe_end(d, s);
}

/* A pidfd turns readable when the process exits; without one (old kernel,
 * opener already gone) the session ends as soon as its cgroup is empty. */
static void opener_watch(struct dg_daemon *d, struct dg_sess *s)
{
	int fd = s->leader > 0 ? (int)syscall(SYS_pidfd_open, s->leader, 0) : -1;

	s->opener_w.fd = fd;
	s->opener_w.fn = on_opener_exit;
	if (fd < 0 || dg_watch_add(d, &s->opener_w, EPOLLIN)) {
		if (fd >= 0)
			close(fd);
		s->opener_w.fd = -1;
		s->opener_gone = true;
	}
}

/* ---- open / close ----------------------------------------------------------- */

static const struct dg_profile *choose_profile(struct dg_daemon *d,
					       const struct dg_open_req *req, char *err,
					       size_t errlen, int *rc)
{
	const struct dg_config *cfg = d->cfg;
	const struct dg_profile *p = NULL;

	*rc = 0;
	if (req->designated_only) {
		if (req->runas)
			p = dg_config_profile_for_user(cfg, req->runas);
		if (!p)
			p = dg_config_profile_for_user(cfg, req->user);
		if (!p)
			return NULL;	/* not designated: nothing to do */
	}
	if (req->profile && *req->profile) {
		p = dg_config_profile(cfg, req->profile);
		if (!p) {
			snprintf(err, errlen, "unknown profile '%s'", req->profile);
			*rc = -ENOENT;
			return NULL;
		}
		return p;
	}
	if (p)
		return p;
	p = dg_config_profile_for_user(cfg, req->user);
	if (!p)
		p = dg_config_profile(cfg, "default");
	if (!p)
		p = &cfg->profiles[0];
	return p;
}

static void log_session(struct dg_daemon *d, const char *what, const struct dg_sess *s)
{
	const struct dg_profile *p = dg_session_profile(d, s);
	struct dg_logfmt lf;

	lf_init(&lf, what);
	lf_u64(&lf, "session", s->id);
	lf_str(&lf, "opener", s->opener);
	lf_str(&lf, "user", s->user);
	if (s->runas)
		lf_str(&lf, "runas", s->runas);
	lf_str(&lf, "profile", s->profile);
	lf_str(&lf, "mode", p->mode == DG_MODE_ALLOWLIST ? "allowlist" : "blocklist");
	lf_str(&lf, "enforce", dg_session_audit(d, s) ? "audit" : "yes");
	if (s->tty)
		lf_str(&lf, "tty", s->tty);
	if (s->rhost)
		lf_str(&lf, "rhost", s->rhost);
	if (s->cmd)
		lf_str(&lf, "cmd", s->cmd);
	lf_i64(&lf, "pid", s->leader);
	lf_str(&lf, "cgroup", s->cgpath);
	dg_limits_lf(s, &lf);
	dg_log_lf(DG_LOG_INFO, &lf);
}

static int watch_cgroup(struct dg_daemon *d, struct dg_sess *s)
{
	char path[PATH_MAX];

	if (dg_path(path, sizeof(path), "%s/cgroup.events", s->cgpath))
		return -ENAMETOOLONG;
	s->wd = inotify_add_watch(d->sessions.inotify_fd, path, IN_MODIFY);
	return s->wd < 0 ? -errno : 0;
}

int dg_session_open(struct dg_daemon *d, const struct dg_open_req *req, struct dg_sess **out,
		    char *err, size_t errlen)
{
	const struct dg_profile *p;
	struct dg_sess *s;
	char path[PATH_MAX];
	int rc;

	p = choose_profile(d, req, err, errlen, &rc);
	if (!p)
		return rc;

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->wd = -1;
	s->opener_w.fd = -1;
	s->exit_status = -1;
	s->id = next_session_id(d);
	s->profile = strdup(p->name);
	s->force_audit = req->audit;
	s->opener = xstrdup(req->opener ? req->opener : "run");
	s->user = xstrdup(req->user);
	s->runas = xstrdup(req->runas);
	s->tty = xstrdup(req->tty);
	s->rhost = xstrdup(req->rhost);
	s->service = xstrdup(req->service);
	s->cmd = xstrdup(req->cmd);
	s->cwd = xstrdup(req->cwd);
	s->uid = req->uid;
	s->leader = req->pid;
	dg_audit_login_of(s->leader, &s->login_uid, &s->login_ses);
	s->started = time(NULL);
	s->started_ns = dg_now_ns();

	if (dg_path(path, sizeof(path), "%s/s%u", d->cg_root, s->id)) {
		snprintf(err, errlen, "cgroup path too long");
		rc = -ENAMETOOLONG;
		goto fail;
	}
	s->cgpath = strdup(path);
	if (!s->profile || !s->opener || !s->cgpath) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	if (mkdir(path, 0755) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "creating cgroup %s: %s", path, strerror(errno));
		goto fail;
	}
	rc = dg_cgroup_id(path, &s->cgid);
	if (rc) {
		snprintf(err, errlen, "cgroup id of %s: %s", path, strerror(-rc));
		goto fail_rmdir;
	}
	/* before anyone joins: the session never runs unlimited, not even briefly */
	rc = dg_limits_apply(d, s, &p->limits, err, errlen);
	if (rc)
		goto fail_rmdir;
	rc = watch_cgroup(d, s);
	if (rc) {
		snprintf(err, errlen, "watching %s: %s", path, strerror(-rc));
		goto fail_rmdir;
	}
	rc = dg_session_push(d, s);
	if (rc) {
		snprintf(err, errlen, "adding session to the kernel map: %s", strerror(-rc));
		goto fail_rmdir;
	}
	sess_link(d, s);
	opener_watch(d, s);
	state_save(d, s);
	if (s->leader > 0)
		dg_proctab_note(&d->procs, s->leader, s->id);
	d->stats.sessions_opened++;
	log_session(d, "SESSION OPEN", s);
	/* the audit record is the caller's to send, once the opener has its
	 * answer: libaudit waits for the kernel's ack, and a login or sudo
	 * should not wait for that too */
	*out = s;
	return 1;

fail_rmdir:
	opener_unwatch(d, s);
	if (s->wd >= 0)
		inotify_rm_watch(d->sessions.inotify_fd, s->wd);
	rmdir(path);
	dg_limits_remove(s);
fail:
	sess_free(s);
	return rc;
}

static void session_end(struct dg_daemon *d, struct dg_sess *s)
{
	struct dg_logfmt lf;
	char path[PATH_MAX];
	int err;

	/* out of the kernel map first: the cgroup is empty, nothing can race */
	dg_guard_session_del(&d->guard, s->cgid);
	if (s->wd >= 0)
		inotify_rm_watch(d->sessions.inotify_fd, s->wd);
	s->wd = -1;
	opener_unwatch(d, s);
	/* what the session used dies with its cgroups: the log and audit get it */
	dg_limits_usage(s, &s->lim.used);
	if (rmdir(s->cgpath) && errno != ENOENT) {
		err = errno;
		dg_log(DG_LOG_WARN, "removing %s: %s", s->cgpath, strerror(err));
	}
	dg_limits_remove(s);
	state_path(d, s->id, path, sizeof(path));
	if (path[0])
		unlink(path);
	dg_proctab_drop_session(&d->procs, s->id, dg_now_ns());

	lf_init(&lf, "SESSION CLOSE");
	lf_u64(&lf, "session", s->id);
	lf_str(&lf, "user", s->user);
	lf_str(&lf, "profile", s->profile);
	if (s->exit_signal)
		lf_i64(&lf, "signal", s->exit_signal);
	else if (s->exit_status >= 0)
		lf_i64(&lf, "exit", s->exit_status);
	else
		lf_str(&lf, "exit", "unknown");
	lf_u64(&lf, "duration", (uint64_t)(time(NULL) - s->started));
	lf_u64(&lf, "queries", s->n_queries);
	lf_u64(&lf, "allowed", s->n_allowed);
	lf_u64(&lf, "blocked", s->n_blocked);
	lf_u64(&lf, "would_block", s->n_would_block);
	dg_usage_lf(&s->lim.used, &lf);
	dg_log_lf(DG_LOG_INFO, &lf);
	dg_audit_session_end(d, s);

	d->stats.sessions_closed++;
	sess_unlink(d, s);
	sess_free(s);
}

/* Ends the session when it is over; true when it did (s is freed then). */
static bool maybe_end(struct dg_daemon *d, struct dg_sess *s)
{
	int pop = dg_cgroup_populated(s->cgpath);

	if (pop == 1) {
		s->ever_populated = true;
		return false;
	}
	/* empty: over once closed, or once nobody is left to close it */
	if (s->closing || s->opener_gone || pop < 0) {
		session_end(d, s);
		return true;
	}
	return false;
}

void dg_session_close(struct dg_daemon *d, struct dg_sess *s, int exit_status, int exit_signal)
{
	s->closing = true;
	s->exit_status = exit_status;
	s->exit_signal = exit_signal;
	/* usually the session is over now; only one that lives on (processes
	 * left behind) needs its closing state on disk for a restart */
	if (!maybe_end(d, s))
		state_save(d, s);
}

void dg_sessions_close_all(struct dg_daemon *d)
{
	for (size_t i = 0; i < DG_SESSION_BUCKETS; i++) {
		while (d->sessions.buckets[i]) {
			struct dg_sess *s = d->sessions.buckets[i];

			if (!s->closing)
				s->closing = true;
			session_end(d, s);
		}
	}
}

void dg_sessions_on_inotify(struct dg_daemon *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(d->sessions.inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			dg_sessions_for_each(d, s) {
				if (s->wd == ev->wd) {
					maybe_end(d, s);
					goto next_event;	/* s may be freed */
				}
			}
next_event:;
		}
	}
}

void dg_sessions_tick(struct dg_daemon *d)
{
	uint64_t now = dg_now_ns();
	bool again = true;

	while (again) {
		again = false;
		dg_sessions_for_each(d, s) {
			int pop = dg_cgroup_populated(s->cgpath);

			if (pop == 1) {
				s->ever_populated = true;
				continue;
			}
			/* the opener never joined (it crashed between open and join) */
			if (pop < 0 || s->closing || s->opener_gone ||
			    (!s->ever_populated && now - s->started_ns > SESSION_JOIN_GRACE_NS)) {
				session_end(d, s);
				again = true;
				break;
			}
		}
	}
}

/* ---- adoption after a restart ---------------------------------------------- */

static struct dg_sess *adopt_one(struct dg_daemon *d, uint32_t id, const char *cgpath)
{
	struct dg_ctlmsg *m = malloc(sizeof(*m));
	char path[PATH_MAX], *buf = NULL;
	struct dg_sess *s = calloc(1, sizeof(*s));
	bool parsed;
	uint64_t v;
	size_t len;

	if (!s || !m)
		goto fail;
	s->id = id;
	s->wd = -1;
	s->opener_w.fd = -1;
	s->exit_status = -1;
	s->login_uid = s->login_ses = UINT32_MAX;
	s->adopted = true;
	s->cgpath = strdup(cgpath);
	state_path(d, id, path, sizeof(path));
	parsed = path[0] && dg_read_file(path, &buf, &len, DG_CTL_MAX_MSG) == 0 &&
		 dg_ctl_parse(m, buf, len) == 0;
	if (parsed) {
		s->profile = xstrdup(dg_ctl_get(m, "profile"));
		s->opener = xstrdup(dg_ctl_get(m, "opener"));
		s->user = xstrdup(dg_ctl_get(m, "user"));
		s->runas = xstrdup(dg_ctl_get(m, "runas"));
		s->tty = xstrdup(dg_ctl_get(m, "tty"));
		s->rhost = xstrdup(dg_ctl_get(m, "rhost"));
		s->service = xstrdup(dg_ctl_get(m, "service"));
		s->cmd = xstrdup(dg_ctl_get(m, "cmd"));
		s->cwd = xstrdup(dg_ctl_get(m, "cwd"));
		s->force_audit = dg_ctl_get(m, "force_audit") != NULL;
		s->closing = dg_ctl_get(m, "state") && !strcmp(dg_ctl_get(m, "state"), "closing");
		if (!dg_ctl_get_u64(m, "uid", UINT32_MAX, &v))
			s->uid = (uid_t)v;
		if (!dg_ctl_get_u64(m, "leader", INT32_MAX, &v))
			s->leader = (pid_t)v;
		if (!dg_ctl_get_u64(m, "loginuid", UINT32_MAX, &v))
			s->login_uid = (uint32_t)v;
		if (!dg_ctl_get_u64(m, "loginses", UINT32_MAX, &v))
			s->login_ses = (uint32_t)v;
		if (!dg_ctl_get_u64(m, "started", INT64_MAX, &v))
			s->started = (time_t)v;
		if (!dg_ctl_get_u64(m, "queries", UINT64_MAX, &v))
			s->n_queries = v;
		if (!dg_ctl_get_u64(m, "allowed", UINT64_MAX, &v))
			s->n_allowed = v;
		if (!dg_ctl_get_u64(m, "blocked", UINT64_MAX, &v))
			s->n_blocked = v;
		if (!dg_ctl_get_u64(m, "would_block", UINT64_MAX, &v))
			s->n_would_block = v;
	}
	dg_limits_adopt(d, s, parsed ? m : NULL);
	free(buf);
	free(m);
	m = NULL;
	if (!s->profile || !dg_config_profile(d->cfg, s->profile)) {
		dg_log(DG_LOG_WARN, "adopted session %u: profile '%s' is gone, using '%s'", id,
		       s->profile ? s->profile : "?", d->cfg->profiles[0].name);
		free(s->profile);
		s->profile = strdup(d->cfg->profiles[0].name);
	}
	if (!s->opener)
		s->opener = strdup("unknown");
	if (!s->started)
		s->started = time(NULL);
	s->started_ns = dg_now_ns();
	if (!s->cgpath || !s->profile || !s->opener || dg_cgroup_id(cgpath, &s->cgid))
		goto fail;
	return s;
fail:
	free(m);
	if (s)
		sess_free(s);
	return NULL;
}

struct stale_ctx {
	struct dg_daemon *d;
	uint64_t *doomed;
	size_t n, cap;
};

static void collect_stale(void *arg, uint64_t cgid, const struct dg_session *v)
{
	struct stale_ctx *c = arg;

	dg_sessions_for_each(c->d, s)
		if (s->cgid == cgid)
			return;
	if (c->n == c->cap) {
		uint64_t *n;

		c->cap = c->cap ? c->cap * 2 : 16;
		n = realloc(c->doomed, c->cap * sizeof(*n));
		if (!n)
			return;
		c->doomed = n;
	}
	c->doomed[c->n++] = cgid;
}

int dg_sessions_adopt(struct dg_daemon *d)
{
	struct stale_ctx stale = { .d = d };
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int adopted = 0;

	dir = opendir(d->cg_root);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		struct dg_sess *s;
		char *end;
		unsigned long id;

		if (de->d_name[0] != 's')
			continue;
		id = strtoul(de->d_name + 1, &end, 10);
		if (*end || id == 0 || id > DG_MAX_ID)
			continue;
		if (dg_path(path, sizeof(path), "%s/%s", d->cg_root, de->d_name))
			continue;
		s = adopt_one(d, (uint32_t)id, path);
		if (!s) {
			dg_log(DG_LOG_WARN, "cannot adopt session cgroup %s", path);
			continue;
		}
		if (s->id > d->sessions.last_id)
			d->sessions.last_id = s->id;
		if (watch_cgroup(d, s) || dg_session_push(d, s)) {
			dg_log(DG_LOG_WARN, "cannot adopt session %u", s->id);
			sess_free(s);
			continue;
		}
		sess_link(d, s);
		opener_watch(d, s);
		adopted++;
		log_session(d, "SESSION ADOPTED", s);
	}
	closedir(dir);

	/* kernel entries whose cgroup is gone */
	dg_guard_session_each(&d->guard, collect_stale, &stale);
	for (size_t i = 0; i < stale.n; i++)
		dg_guard_session_del(&d->guard, stale.doomed[i]);
	free(stale.doomed);

	/* sessions that ended while no daemon watched */
	dg_sessions_tick(d);
	dg_limits_sweep(d);
	return adopted;
}
