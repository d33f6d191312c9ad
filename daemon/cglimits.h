/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resource limits of a session (a profile's memory_max, memory_high,
 * cpu_max, pids_max, io_weight).
 *
 * Every session has its cgroup v2 leaf: that is what the guard is attached
 * to.  A limit whose controller the unified hierarchy offers is set on that
 * leaf, once the controller is enabled in the guarded root's
 * cgroup.subtree_control (and in its ancestors').  On hybrid hosts, where
 * memory, cpu, pids or blkio are still cgroup v1 hierarchies, the session
 * also gets a cgroup of the same name in each hierarchy it needs
 * (<v1 mount>/<guarded root>/s<ID>), and every opener joins those too,
 * through dg_session_enter().  A limit that cannot be applied either
 * refuses the session or is reported, as [global] limits_unavailable says;
 * a session never runs silently unlimited.
 */
#ifndef DG_CGLIMITS_H
#define DG_CGLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "config.h"
#include "ctlmsg.h"
#include "log.h"

struct dg_daemon;
struct dg_sess;

/* What the kernel says a session used; has_* when it said. */
struct dg_usage {
	uint64_t memory_peak;		/* bytes */
	uint64_t cpu_usec;
	uint64_t oom_kills;
	bool has_memory_peak, has_cpu, has_oom_kills;
};

/* A session's limits and where they live. */
struct dg_sess_limits {
	struct dg_limits set;		/* as applied: a cpu percentage is resolved */
	unsigned v2_ctrls;		/* controllers limited on the v2 leaf */
	char *v1[DG_CG1_MAX];		/* the session's v1 cgroups */
	unsigned v1_ctrls[DG_CG1_MAX];	/* DG_CTRL_* each of them limits */
	unsigned nv1;
	char *unapplied;		/* "memory_high,io_weight": not in force (warn) */
	char *warning;			/* why, for the opener; not kept across restarts */
	struct dg_usage used;		/* read as the session ends, for its close records */
};

/*
 * Give a new session (whose v2 leaf exists) the limits of its profile.
 * Returns 0, or -errno with err set when a limit cannot be applied and
 * limits_unavailable is refuse; then nothing it created is left behind.
 * In warn mode the session's limits say what is not in force and why.
 */
int dg_limits_apply(struct dg_daemon *d, struct dg_sess *s, const struct dg_limits *want,
		    char *err, size_t errlen);
/* A session a previous daemon opened: its limits from its state file
 * (state may be NULL) and its v1 cgroups from the hierarchies. */
void dg_limits_adopt(struct dg_daemon *d, struct dg_sess *s, const struct dg_ctlmsg *state);
/* The session is over: remove its v1 cgroups. */
void dg_limits_remove(struct dg_sess *s);
void dg_limits_free(struct dg_sess_limits *l);

/* Peak memory, CPU time and OOM kills as far as the kernel reports them. */
void dg_limits_usage(const struct dg_sess *s, struct dg_usage *u);

/* Fields for `deployguard sessions` and the state file. */
void dg_limits_describe(const struct dg_sess *s, struct dg_ctlmsg *m, bool live);
/* "cgroup_v1=PATH" for each v1 cgroup: what openers must join. */
void dg_limits_reply(const struct dg_sess *s, struct dg_ctlmsg *m);
/* SESSION OPEN fields (limits) and SESSION CLOSE fields (usage). */
void dg_limits_lf(const struct dg_sess *s, struct dg_logfmt *lf);
void dg_usage_lf(const struct dg_usage *u, struct dg_logfmt *lf);

/* Where each controller is on this host: "memory=v1 cpu=v1 pids=v2 io=none". */
void dg_limits_where(const struct dg_daemon *d, char *buf, size_t len);

/* v1 session cgroups below the guarded root no live session owns. */
void dg_limits_sweep(struct dg_daemon *d);
/*
 * Remove the v1 copies of a guarded root (relative to each v1 mount) and
 * the session cgroups in them: a private daemon's exit, --uninstall.
 * Returns how many session cgroups still had processes.
 */
int dg_limits_remove_v1_root(const char *root_rel);
/* v1 roots of private daemons (deployguard-run-PID) whose PID is gone. */
void dg_limits_cleanup_stale_private(void);

#endif
