/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guarded processes as the kernel reported them (exec, fork, exit events):
 * command line and parent of each, kept for a while after exit so a
 * request from a process that is already gone is still attributed.
 */
#ifndef DG_PROCTAB_H
#define DG_PROCTAB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DG_PROCTAB_BUCKETS	4096
#define DG_PROC_LINGER_NS	(120ULL * 1000000000ULL)

struct dg_proc {
	struct dg_proc *next;
	pid_t tgid;
	pid_t ppid;
	uint32_t session;
	uid_t uid;
	char comm[16];
	char *cmd;		/* command line, args joined by spaces */
	uint64_t exited_ns;	/* 0 while alive */
};

struct dg_proctab {
	struct dg_proc *buckets[DG_PROCTAB_BUCKETS];
	size_t count;
};

void dg_proctab_init(struct dg_proctab *t);
void dg_proctab_free(struct dg_proctab *t);

void dg_proctab_exec(struct dg_proctab *t, pid_t tgid, pid_t ppid, uint32_t session, uid_t uid,
		     const char *comm, const char *args, size_t args_len, int truncated);
void dg_proctab_fork(struct dg_proctab *t, pid_t child, pid_t parent, uint32_t session,
		     uid_t uid, const char *comm);
void dg_proctab_exit(struct dg_proctab *t, pid_t tgid, uint64_t now_ns);
/* A process the daemon learns of another way (a session's leader). */
void dg_proctab_note(struct dg_proctab *t, pid_t tgid, uint32_t session);

/* The process, reading /proc when the kernel never told us of it. */
struct dg_proc *dg_proctab_get(struct dg_proctab *t, pid_t tgid, uint32_t session);

/* "pid:comm<pid:comm<..." from tgid's parent up to and including leader. */
void dg_proctab_ancestry(struct dg_proctab *t, pid_t tgid, pid_t leader, char *buf, size_t len);

void dg_proctab_gc(struct dg_proctab *t, uint64_t now_ns);
void dg_proctab_drop_session(struct dg_proctab *t, uint32_t session, uint64_t now_ns);

#endif
