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

extern const char dg_embedded_config[];
/* etc/doh-resolvers.txt, compiled in: names, addresses and CIDRs */
extern const char dg_doh_list[];

#endif
