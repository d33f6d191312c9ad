// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctab.h"
#include "util.h"

void dg_proctab_init(struct dg_proctab *t)
{
	memset(t, 0, sizeof(*t));
}

static void proc_free(struct dg_proc *p)
{
	free(p->cmd);
	free(p);
}

void dg_proctab_free(struct dg_proctab *t)
{
	for (size_t i = 0; i < DG_PROCTAB_BUCKETS; i++) {
		struct dg_proc *p = t->buckets[i], *n;

		for (; p; p = n) {
			n = p->next;
			proc_free(p);
		}
		t->buckets[i] = NULL;
	}
	t->count = 0;
}

static struct dg_proc **slot(struct dg_proctab *t, pid_t tgid)
{
	struct dg_proc **pp = &t->buckets[(uint32_t)tgid % DG_PROCTAB_BUCKETS];

	while (*pp && (*pp)->tgid != tgid)
		pp = &(*pp)->next;
	return pp;
}

/* Find or create; a reused pid replaces the old entry's contents. */
static struct dg_proc *upsert(struct dg_proctab *t, pid_t tgid)
{
	struct dg_proc **pp = slot(t, tgid), *p = *pp;

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	p->next = t->buckets[(uint32_t)tgid % DG_PROCTAB_BUCKETS];
	t->buckets[(uint32_t)tgid % DG_PROCTAB_BUCKETS] = p;
	t->count++;
	return p;
}

static void set_comm(struct dg_proc *p, const char *comm)
{
	if (comm)
		snprintf(p->comm, sizeof(p->comm), "%.*s", 15, comm);
}

void dg_proctab_exec(struct dg_proctab *t, pid_t tgid, pid_t ppid, uint32_t session, uid_t uid,
		     const char *comm, const char *args, size_t args_len, int truncated)
{
	struct dg_proc *p = upsert(t, tgid);
	char *cmd;

	if (!p)
		return;
	p->ppid = ppid;
	p->session = session;
	p->uid = uid;
	p->exited_ns = 0;
	set_comm(p, comm);
	cmd = dg_args_to_cmdline(args, args_len);
	if (cmd && truncated) {
		char *longer = NULL;

		if (asprintf(&longer, "%s...", cmd) >= 0) {
			free(cmd);
			cmd = longer;
		}
	}
	if (cmd && !*cmd) {
		free(cmd);
		cmd = NULL;
	}
	free(p->cmd);
	p->cmd = cmd;
}

void dg_proctab_fork(struct dg_proctab *t, pid_t child, pid_t parent, uint32_t session,
		     uid_t uid, const char *comm)
{
	struct dg_proc *pp = *slot(t, parent), *c;
	char *cmd = NULL;

	/* a fork runs the parent's program until it execs */
	if (pp && pp->cmd)
		cmd = strdup(pp->cmd);
	else
		cmd = dg_proc_cmdline(child);
	c = upsert(t, child);
	if (!c) {
		free(cmd);
		return;
	}
	c->ppid = parent;
	c->session = session;
	c->uid = uid;
	c->exited_ns = 0;
	set_comm(c, pp ? pp->comm : comm);
	free(c->cmd);
	c->cmd = cmd;
}

void dg_proctab_exit(struct dg_proctab *t, pid_t tgid, uint64_t now_ns)
{
	struct dg_proc *p = *slot(t, tgid);

	if (p)
		p->exited_ns = now_ns ? now_ns : 1;
}

static void fill_from_proc(struct dg_proc *p)
{
	char path[64], *buf, *line;

	p->cmd = dg_proc_cmdline(p->tgid);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->tgid);
	if (dg_read_file(path, &buf, NULL, 65536) < 0)
		return;
	for (line = buf; line && *line; ) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = '\0';
		if (!strncmp(line, "Name:\t", 6))
			set_comm(p, line + 6);
		else if (!strncmp(line, "PPid:\t", 6))
			p->ppid = (pid_t)strtol(line + 6, NULL, 10);	/* the kernel's number */
		else if (!strncmp(line, "Uid:\t", 5))
			p->uid = (uid_t)strtoul(line + 5, NULL, 10);
		line = next;
	}
	free(buf);
}

void dg_proctab_note(struct dg_proctab *t, pid_t tgid, uint32_t session)
{
	struct dg_proc *p = upsert(t, tgid);

	if (!p)
		return;
	p->session = session;
	p->exited_ns = 0;
	free(p->cmd);
	p->cmd = NULL;
	fill_from_proc(p);
}

struct dg_proc *dg_proctab_get(struct dg_proctab *t, pid_t tgid, uint32_t session)
{
	struct dg_proc *p;

	if (tgid <= 0)
		return NULL;
	p = *slot(t, tgid);
	if (p)
		return p;
	/* started before the daemon did (adopted session), or events lost */
	p = upsert(t, tgid);
	if (!p)
		return NULL;
	p->session = session;
	fill_from_proc(p);
	return p;
}

void dg_proctab_ancestry(struct dg_proctab *t, pid_t tgid, pid_t leader, char *buf, size_t len)
{
	struct dg_proc *p = *slot(t, tgid);
	size_t n = 0;

	buf[0] = '\0';
	for (int hops = 0; p && p->ppid > 1 && hops < 32 && p->tgid != leader; hops++) {
		struct dg_proc *parent = *slot(t, p->ppid);
		int w;

		w = snprintf(buf + n, len - n, "%s%d:%s", n ? "<" : "", (int)p->ppid,
			     parent && parent->comm[0] ? parent->comm : "?");
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
		if (!parent || (parent->session && p->session && parent->session != p->session))
			break;
		p = parent;
	}
}

void dg_proctab_gc(struct dg_proctab *t, uint64_t now_ns)
{
	for (size_t i = 0; i < DG_PROCTAB_BUCKETS; i++) {
		struct dg_proc **pp = &t->buckets[i];

		while (*pp) {
			struct dg_proc *p = *pp;
			bool gone = p->exited_ns && now_ns - p->exited_ns > DG_PROC_LINGER_NS;

			/* an exit event may have been lost: ask the kernel */
			if (!p->exited_ns && kill(p->tgid, 0) && errno == ESRCH)
				p->exited_ns = now_ns;
			if (gone) {
				*pp = p->next;
				proc_free(p);
				t->count--;
			} else {
				pp = &p->next;
			}
		}
	}
}

void dg_proctab_drop_session(struct dg_proctab *t, uint32_t session, uint64_t now_ns)
{
	/* not freed at once: late events and DNS replies may still name them */
	for (size_t i = 0; i < DG_PROCTAB_BUCKETS; i++)
		for (struct dg_proc *p = t->buckets[i]; p; p = p->next)
			if (p->session == session && !p->exited_ns)
				p->exited_ns = now_ns;
}
