/* SPDX-License-Identifier: GPL-2.0-or-later */
/* deployguardd's state, shared by its modules.  One thread, one epoll loop. */
#ifndef DG_DAEMON_H
#define DG_DAEMON_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "guard.h"
#include "proctab.h"
#include "session.h"
#include "watch.h"

struct dg_audit;
struct dg_proxy;
struct dg_blockres;
struct ctl_conn;

/* Counters shown by `deployguard status`. */
struct dg_counters {
	uint64_t dns_queries;
	uint64_t dns_allowed;
	uint64_t dns_blocked;
	uint64_t dns_would_block;
	uint64_t dns_unattributed;	/* queries from no guarded session: dropped */
	uint64_t dns_malformed;
	uint64_t upstream_errors;
	uint64_t upstream_timeouts;
	uint64_t addresses_learned;
	uint64_t connect_blocked;
	uint64_t connect_would_block;
	uint64_t packet_blocked;
	uint64_t socket_blocked;
	uint64_t sessions_opened;
	uint64_t sessions_closed;
	uint64_t control_refused;
};

struct dg_daemon {
	/* configuration and the BPF profile ids of its profiles */
	struct dg_config *cfg;
	uint32_t *profile_ids;		/* parallel to cfg->profiles */
	uint32_t next_profile_id;
	const char *config_path;	/* NULL: default path or embedded */

	bool private_mode;
	bool foreground;
	uint16_t proxy_port;		/* effective: private mode picks one */

	char cg_mount[PATH_MAX];	/* cgroup2 mount point */
	char cg_root[PATH_MAX];		/* guarded root */
	unsigned cg_root_level;
	char socket_path[PATH_MAX];
	char sessions_dir[PATH_MAX];	/* run_dir/sessions: state for adoption */

	struct dg_guard guard;
	struct dg_proxy *proxy;
	struct dg_blockres *blockres;
	struct dg_audit *audit;		/* audit.c: the audit trail */
	struct dg_sessions sessions;
	struct dg_proctab procs;
	struct dg_counters stats;

	struct ctl_conn *ctl_conns;	/* control connections awaiting a request */

	struct dg_loop loop;
	struct dg_watch sig_w;
	struct dg_watch timer_w;
	struct dg_watch events_w;
	struct dg_watch control_w;
	struct dg_watch inotify_w;

	bool running;
	time_t started;
};

/* Index of a profile in d->cfg, or -1. */
long dg_profile_index(const struct dg_daemon *d, const struct dg_profile *p);
uint32_t dg_profile_bpf_id(const struct dg_daemon *d, const struct dg_profile *p);

/*
 * Make cfg the active policy: give its profiles fresh BPF ids, load their
 * CIDRs, repoint every live session, drop what the old policy left behind.
 * On failure the old policy stays and err says why.
 */
int dg_policy_apply(struct dg_daemon *d, struct dg_config *cfg, char *err, size_t errlen);

/* Drop denied addresses that expired or belong to replaced profile ids. */
void dg_guard_deny_prune_current(struct dg_daemon *d);

/* Re-read the config (SIGHUP, `deployguard reload`); keeps the old one on error. */
int dg_daemon_reload(struct dg_daemon *d, char *err, size_t errlen);

/* Drain pending ring buffer events (exec/fork records) before attributing. */
void dg_events_drain(struct dg_daemon *d);

#endif
