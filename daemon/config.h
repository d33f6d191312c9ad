/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deployguard.conf: INI with [global], [profile NAME] and [users].
 * See deployguard.conf(5).  Every problem is reported as FILE:LINE: message
 * and all of them are collected, not just the first.
 */
#ifndef DG_CONFIG_H
#define DG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "domain_set.h"

#define DG_DEFAULT_CONFIG	DG_SYSCONFDIR "/deployguard/deployguard.conf"
#define DG_EMBEDDED_NAME	"<embedded default>"
#define DG_DEFAULT_PROXY_PORT	1053
#define DG_MAX_UPSTREAMS	4

enum dg_enforce {
	DG_ENFORCE_YES = 0,
	DG_ENFORCE_AUDIT = 1,
};

struct dg_cidr_rule {
	uint8_t addr[16];	/* IPv4-mapped for IPv4 */
	uint8_t bits;		/* on 128 bits */
	uint8_t action;		/* DG_NAME_ALLOW or DG_NAME_BLOCK */
	unsigned line;
};

/*
 * Resource limits for a profile's sessions; 0 means "not set".  They are
 * applied to each session's cgroups when it opens (see cglimits.h) and keep
 * the values they had then across reloads.
 */
struct dg_limits {
	uint64_t memory_max;	/* bytes: memory.max / memory.limit_in_bytes */
	uint64_t memory_high;	/* bytes: memory.high (no v1 equivalent) */
	uint64_t cpu_quota_us;	/* with cpu_period_us, as cgroup v2's cpu.max */
	uint32_t cpu_period_us;
	uint32_t cpu_percent;	/* instead of a quota: percent of the host, 1..100 */
	uint32_t pids_max;
	uint32_t io_weight;	/* 1..10000, as cgroup v2's io.weight */
};

/* What happens when a configured limit cannot be applied on this host. */
enum dg_limits_unavailable {
	DG_LIMITS_REFUSE = 0,	/* the session is not opened */
	DG_LIMITS_WARN = 1,	/* it runs without that limit, and says so */
};

#define DG_CPU_PERIOD_DEFAULT	100000	/* us, the kernel's default */
#define DG_CPU_PERIOD_MIN	1000
#define DG_CPU_PERIOD_MAX	1000000
#define DG_CPU_QUOTA_MIN	1000
#define DG_CPU_QUOTA_MAX	(1ULL << 32)
#define DG_MEMORY_MIN		(1ULL << 20)	/* less cannot even exec a shell */
#define DG_MEMORY_MAX		(1ULL << 60)
#define DG_PIDS_MAX		4194304		/* PID_MAX_LIMIT */
#define DG_IO_WEIGHT_MAX	10000

struct dg_profile {
	char *name;
	unsigned line;
	int mode;		/* enum dg_mode (bpf/deployguard.h) */
	int enforce;		/* enum dg_enforce */
	bool allow_loopback;
	bool block_doh;		/* deny the public DoH resolvers (blocklist mode) */
	bool resolve_blocked;	/* deny the addresses of blocked names (blocklist mode) */
	struct dg_domain_set names;
	size_t nblock, nallow;	/* entries the config added of each kind */
	size_t ndoh;		/* names and CIDRs block_doh added */
	struct dg_cidr_rule *cidrs;
	size_t ncidrs;
	struct dg_limits limits;
};

struct dg_user_rule {
	char *name;		/* user, or group without the '@' */
	bool is_group;
	char *profile;
	unsigned line;
};

struct dg_config {
	char *path;		/* file name, or DG_EMBEDDED_NAME */

	/* [global] */
	struct sockaddr_storage upstream[DG_MAX_UPSTREAMS];
	socklen_t upstream_len[DG_MAX_UPSTREAMS];
	int nupstream;		/* 0: the resolver each process asked */
	uint16_t proxy_port;
	char *cgroup;		/* guarded root, relative to the cgroup2 mount */
	char *bpffs;		/* pin directory */
	char *run_dir;		/* control socket, lock, session state */
	char *state_dir;	/* session id counter */
	int blocked_rcode;	/* 3 NXDOMAIN or 5 REFUSED */
	bool forward_blocked;
	uint32_t min_ttl;
	uint32_t max_ttl;
	uint32_t upstream_timeout_ms;
	int log_level;		/* enum dg_log_level */
	int limits_unavailable;	/* enum dg_limits_unavailable */

	struct dg_profile *profiles;
	size_t nprofiles;
	struct dg_user_rule *users;
	size_t nusers;
};

/* Diagnostics collected while loading. */
struct dg_diag {
	char **msgs;
	size_t n;
};

void dg_diag_free(struct dg_diag *d);
void dg_diag_add(struct dg_diag *d, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void dg_diag_print(const struct dg_diag *d, FILE *f);

/*
 * Load a config.  path NULL: the default path if it exists, else the
 * embedded default.  Returns the config (NULL on any error) and fills diag.
 */
struct dg_config *dg_config_load(const char *path, struct dg_diag *diag);
struct dg_config *dg_config_load_string(const char *name, const char *text, struct dg_diag *diag);
void dg_config_free(struct dg_config *cfg);

const struct dg_profile *dg_config_profile(const struct dg_config *cfg, const char *name);
/*
 * The profile a user is designated with: a [users] entry for the user
 * first, then the first @group entry the user is a member of.  NULL when
 * the user is not designated.
 */
const struct dg_profile *dg_config_profile_for_user(const struct dg_config *cfg,
						    const char *user);

/* Path of the control socket for this config. */
int dg_config_socket_path(const struct dg_config *cfg, char *buf, size_t len);
/*
 * The control socket path named by a config file even when the rest of the
 * file has errors: the CLI must reach the daemon to tell it to reload a
 * file the operator is still fixing.  path NULL: the default file.
 */
int dg_config_peek_socket_path(const char *path, char *buf, size_t len);

/*
 * The decision for a name: DG_NAME_ALLOW or DG_NAME_BLOCK.  The most
 * specific entry decides; with none, the profile's mode does.  *match_off
 * is set to the offset of the deciding entry in name, or -1 for the mode.
 */
uint8_t dg_profile_decide(const struct dg_profile *p, const char *name, size_t len,
			  const uint16_t *label_off, unsigned nlabels, long *match_off);
/* The same for trusted text (tests, the CLI); name may end in '.'. */
uint8_t dg_profile_decide_str(const struct dg_profile *p, const char *name, long *match_off);

/* "N profiles, N user/group mappings, N domain entries, N CIDRs (+N public
 * DoH resolvers)": what --check and check-config report. */
void dg_config_summary(const struct dg_config *cfg, char *buf, size_t len);
/* `deployguardd --check` and `deployguard check-config`: loads path,
 * prints every diagnostic to err and "PATH: OK (summary)" to out.
 * 0 when the file loads, 1 when it does not. */
int dg_config_check(const char *path, FILE *out, FILE *err);

/*
 * Limit values.  Sizes: bytes, or a number with a K, M, G or T suffix
 * (powers of 1024).  cpu_max: "QUOTA [PERIOD]" in microseconds as in
 * cgroup v2's cpu.max, or "N%" of the host's CPUs.  "max" means no limit
 * and leaves the value 0.  0, -EINVAL (not a value of that kind) or
 * -ERANGE (out of bounds; see DG_* above).
 */
int dg_parse_size(const char *s, uint64_t *bytes);
int dg_parse_cpu_max(const char *s, uint64_t *quota_us, uint32_t *period_us, uint32_t *percent);
int dg_parse_pids_max(const char *s, uint32_t *pids);
int dg_parse_io_weight(const char *s, uint32_t *weight);

bool dg_limits_any(const struct dg_limits *l);
/* "64M", "1536K", "1G"; bytes when no suffix is exact. */
const char *dg_size_str(uint64_t bytes, char *buf, size_t len);
/* The set limits as "memory_max=64M cpu_max=50000/100000 ..."; "" when none. */
const char *dg_limits_str(const struct dg_limits *l, char *buf, size_t len);

extern const char dg_embedded_config[];
/* etc/doh-resolvers.txt, compiled in: names, addresses and CIDRs */
extern const char dg_doh_list[];

#endif
