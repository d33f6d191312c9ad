/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup v2 helpers.  The cgroup2 mount is found, never assumed. */
#ifndef DG_CGROUP_H
#define DG_CGROUP_H

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

#endif
