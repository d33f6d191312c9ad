/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2 helpers.  The cgroup2 mount is found, never assumed. */
#ifndef DG_CGROUP_H
#define DG_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Mount point of the cgroup2 hierarchy from /proc/self/mounts; -ENOENT. */
int dg_cgroup2_mount(char *buf, size_t len);
/* Hierarchy level of a directory inside the cgroup2 mount (root = 0). */
int dg_cgroup_level(const char *mount, const char *path, unsigned *level);
/* The kernel's cgroup id (what bpf_get_current_cgroup_id() returns). */
int dg_cgroup_id(const char *path, uint64_t *id);
/* 1 populated, 0 empty, -errno. */
int dg_cgroup_populated(const char *path);
/* Number of processes directly in the cgroup, -errno. */
int dg_cgroup_nprocs(const char *path);
/* First pid in cgroup.procs, 0 if none, -errno. */
pid_t dg_cgroup_first_pid(const char *path);

/* The controllers resource limits use, as a bit mask. */
enum {
	DG_CTRL_MEMORY	= 1 << 0,
	DG_CTRL_CPU	= 1 << 1,
	DG_CTRL_PIDS	= 1 << 2,
	DG_CTRL_IO	= 1 << 3,	/* "io" in cgroup v2, "blkio" in v1 */
};
#define DG_CTRL_ALL	(DG_CTRL_MEMORY | DG_CTRL_CPU | DG_CTRL_PIDS | DG_CTRL_IO)

/* The controllers named in a list: cgroup.controllers ("cpu io memory"),
 * or v1 mount options ("rw,relatime,cpu,cpuacct") when v1 is true. */
unsigned dg_cgroup_ctrl_parse(const char *list, bool v1);
/* "memory", "cpu", "pids", "io" (v2) or "blkio" (v1) for one bit. */
const char *dg_cgroup_ctrl_name(unsigned bit, bool v1);
/* Controllers listed in DIR/FILE (cgroup.controllers, cgroup.subtree_control); -errno. */
int dg_cgroup2_ctrls(const char *dir, const char *file, unsigned *mask);

/* A cgroup v1 hierarchy carrying controllers we use (hybrid hosts). */
#define DG_CG1_MAX 8
struct dg_cg1_mount {
	char dir[PATH_MAX];
	unsigned ctrls;		/* DG_CTRL_* */
};

/* The v1 hierarchies from /proc/self/mounts that carry any DG_CTRL_*
 * controller: their number (at most max), or -errno. */
int dg_cgroup1_mounts(struct dg_cg1_mount *out, int max);

#endif
