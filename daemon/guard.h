/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel side as the daemon sees it: load the skeleton, pin maps and
 * links under the bpffs directory, attach to the guarded root cgroup, and
 * the typed map accessors the rest of the daemon uses.
 *
 * Pinned mode (the system daemon): links and maps outlive the process, so
 * a crash or stop never opens the firewall; a new daemon re-uses the maps
 * and swaps its programs into the existing links atomically.
 * Private mode (deployguard run without a daemon): nothing is pinned and
 * everything goes away with the process.
 */
#ifndef DG_GUARD_H
#define DG_GUARD_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <bpf/libbpf.h>
#include <linux/types.h>

#include "deployguard.h"

struct deployguard_bpf;

enum dg_guard_prog {
	DG_PROG_CONNECT4,
	DG_PROG_CONNECT6,
	DG_PROG_SENDMSG4,
	DG_PROG_SENDMSG6,
	DG_PROG_RECVMSG4,
	DG_PROG_RECVMSG6,
	DG_PROG_GETPEERNAME4,
	DG_PROG_GETPEERNAME6,
	DG_PROG_EGRESS,
	DG_PROG_SOCK_CREATE,
	DG_PROG_SOCKET_LSM,	/* optional: needs the bpf LSM (see has_lsm) */
	DG_PROG_EXEC,
	DG_PROG_FORK,
	DG_PROG_EXIT,
	DG_PROG_COUNT,
};

struct dg_learn_memo;

struct dg_guard {
	struct deployguard_bpf *skel;
	struct dg_learn_memo *learn_memo;	/* what was learned lately */
	struct bpf_link *links[DG_PROG_COUNT];
	struct ring_buffer *rb;
	int cgroup_fd;
	char pin_dir[PATH_MAX];	/* "" in private mode */
	bool adopted;		/* maps and links were already pinned */
	bool has_lsm;		/* packet sockets are denied through the bpf LSM */
	char lsm_missing[160];	/* why not, when not */
};

struct dg_guard_opts {
	const char *root_cgroup;	/* path of the guarded root */
	unsigned root_level;
	const char *pin_dir;		/* NULL: private mode */
	ring_buffer_sample_fn on_event;
	void *ctx;
};

int dg_guard_open(struct dg_guard *g, const struct dg_guard_opts *o);
/* Drops our references; pinned programs stay attached. */
void dg_guard_close(struct dg_guard *g);
/* Detach and unpin everything under pin_dir: the one way to open the guard. */
int dg_guard_uninstall(const char *pin_dir);

/* Route libbpf's messages to our log. */
void dg_guard_setup_libbpf_log(void);

int dg_guard_set_config(struct dg_guard *g, const struct dg_kconfig *c);
int dg_guard_session_put(struct dg_guard *g, uint64_t cgid, const struct dg_session *s);
int dg_guard_session_del(struct dg_guard *g, uint64_t cgid);
/* Iterate the pinned session map: fn(cgid, session) for each. */
int dg_guard_session_each(struct dg_guard *g,
			  void (*fn)(void *arg, uint64_t cgid, const struct dg_session *s),
			  void *arg);
int dg_guard_cidr_put(struct dg_guard *g, uint32_t profile_id, const uint8_t addr[16],
		      unsigned bits128, uint8_t action);
/* Delete every CIDR whose profile id fails keep(); returns the highest id seen. */
uint32_t dg_guard_cidr_prune(struct dg_guard *g, bool (*keep)(void *arg, uint32_t id),
			     void *arg);
/* Allow (or deny) addr to the session until expires_ns: 0 when written,
 * 1 when the kernel already has it (learn_memo.h), or -errno. */
int dg_guard_learn(struct dg_guard *g, uint32_t session_id, const uint8_t addr[16],
		   uint64_t expires_ns, uint8_t verdict);
/* Deny addr to every session of the profile until expires_ns. */
int dg_guard_deny(struct dg_guard *g, uint32_t profile_id, const uint8_t addr[16],
		  uint64_t expires_ns);
/* Delete denied addresses whose profile id fails keep(). */
void dg_guard_deny_prune(struct dg_guard *g, bool (*keep)(void *arg, uint32_t id), void *arg);
int dg_guard_flow_take(struct dg_guard *g, const struct dg_flow_key *k, struct dg_flow *out);
int dg_guard_stats(struct dg_guard *g, uint64_t out[DG_STAT_MAX]);
int dg_guard_events_fd(struct dg_guard *g);
int dg_guard_poll_events(struct dg_guard *g);

#endif
