/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guarded sessions: one cgroup leaf below the guarded root each, an entry
 * in the kernel's session map, and a state file so a restarted daemon can
 * adopt it.  A session ends when its cgroup is empty and it was closed or
 * its opener is gone: a leftover background process stays guarded, and a
 * `deployguard run` waiting outside the cgroup still gets to close it.
 */
#ifndef DG_SESSION_H
#define DG_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "ctlmsg.h"
#include "cglimits.h"
#include "watch.h"

struct dg_audit_sess;
struct dg_daemon;
struct dg_profile;

#define DG_SESSION_BUCKETS 1024

struct dg_sess {
	struct dg_sess *next;
	uint32_t id;
	uint64_t cgid;
	char *cgpath;
	char *profile;		/* profile name: survives reloads */
	bool force_audit;	/* opened with --audit */
	char *opener;		/* run, ssh, sudo, pam */
	char *user;		/* who opened it */
	char *runas;		/* sudo's run-as user */
	char *tty;
	char *rhost;
	char *service;
	char *cmd;
	char *cwd;
	uid_t uid;
	pid_t leader;
	uint32_t login_uid;	/* the opener's loginuid and audit session, */
	uint32_t login_ses;	/* read when the session opened (audit.h) */
	struct dg_audit_sess *audit;	/* what its audit trail already says */
	time_t started;
	uint64_t started_ns;
	int wd;			/* inotify watch on cgroup.events */
	struct dg_watch opener_w;	/* pidfd of the process that opened it */
	bool opener_gone;
	bool closing;
	bool ever_populated;
	bool adopted;
	int exit_status;	/* -1 unknown */
	int exit_signal;	/* 0 none */
	uint64_t n_queries, n_allowed, n_blocked, n_would_block;
	struct dg_sess_limits lim;	/* resource limits, v1 cgroups on hybrid hosts */
};

struct dg_sessions {
	struct dg_sess *buckets[DG_SESSION_BUCKETS];
	size_t count;
	uint32_t last_id;
	uint32_t reserved;	/* ids up to this are recorded as handed out */
	bool counter_read;
	int inotify_fd;
};

struct dg_open_req {
	const char *opener;
	const char *user;
	const char *runas;
	const char *profile;	/* explicit choice, or NULL */
	bool audit;
	bool designated_only;	/* guard only designated users (PAM, sudo) */
	const char *tty;
	const char *rhost;
	const char *service;
	const char *cmd;
	const char *cwd;
	uid_t uid;
	pid_t pid;
};

int dg_sessions_init(struct dg_daemon *d);
void dg_sessions_free(struct dg_daemon *d);

struct dg_sess *dg_session_find(struct dg_daemon *d, uint32_t id);

/*
 * Open a session.  Returns 1 and *out on success, 0 when the request is for
 * a user who is not designated (nothing to guard), -errno with err set.
 * The caller sends the session-open audit record (dg_audit_session_open),
 * after it has answered the opener.
 */
int dg_session_open(struct dg_daemon *d, const struct dg_open_req *req, struct dg_sess **out,
		    char *err, size_t errlen);
/* The opener says the session's command ended. */
void dg_session_close(struct dg_daemon *d, struct dg_sess *s, int exit_status, int exit_signal);

/* The profile a session runs under in the current policy (never NULL). */
const struct dg_profile *dg_session_profile(struct dg_daemon *d, const struct dg_sess *s);
bool dg_session_audit(struct dg_daemon *d, const struct dg_sess *s);
/* Write the session's entry in the kernel's session map. */
int dg_session_push(struct dg_daemon *d, struct dg_sess *s);

/* inotify said some cgroup.events changed. */
void dg_sessions_on_inotify(struct dg_daemon *d);
/* Periodic: end sessions whose opener never joined and whose cgroup vanished. */
void dg_sessions_tick(struct dg_daemon *d);
/* At start: take over sessions a previous daemon left running. */
int dg_sessions_adopt(struct dg_daemon *d);
/* On exit in private mode: end everything. */
void dg_sessions_close_all(struct dg_daemon *d);

/* live: with what the session uses now (processes, memory, CPU); state
 * files for adoption need only who and what it is */
void dg_session_describe(struct dg_daemon *d, const struct dg_sess *s, struct dg_ctlmsg *m,
			 bool live);

/* s is the loop variable's name: it cannot be parenthesized */
// NOLINTBEGIN(bugprone-macro-parentheses)
#define dg_sessions_for_each(d, s)						\
	for (size_t _b = 0; _b < DG_SESSION_BUCKETS; _b++)			\
		for (struct dg_sess *s = (d)->sessions.buckets[_b]; s; s = s->next)
// NOLINTEND(bugprone-macro-parentheses)

#endif
