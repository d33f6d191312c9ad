/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deployguardd's audit trail in the Linux audit subsystem (libaudit,
 * type TRUSTED_APP; see audit_fmt.h for the records).  Session open and
 * close, the first block and the first contact of each (name or address,
 * decision) in a session, and summaries that fold in the repeats.
 *
 * The local log (decision.c) stays the complete record; the audit trail is
 * the one that leaves the host.  Without an audit subsystem or an auditd
 * the daemon says so once and carries on.
 */
#ifndef DG_AUDIT_H
#define DG_AUDIT_H

#include <stdint.h>
#include <sys/types.h>

struct dg_ctlmsg;
struct dg_daemon;
struct dg_decision;
struct dg_sess;

/* Open the audit socket and check whether auditd is there (warns once). */
int dg_audit_open(struct dg_daemon *d);
/* Summaries of the live sessions (the daemon is stopping), then close. */
void dg_audit_close(struct dg_daemon *d);
/* Once a second: re-check auditd now and then; periodic summaries. */
void dg_audit_tick(struct dg_daemon *d);

/* The login uid and audit session id of pid (DG_AUDIT_UNSET if unknown). */
void dg_audit_login_of(pid_t pid, uint32_t *auid, uint32_t *ses);

void dg_audit_session_open(struct dg_daemon *d, struct dg_sess *s);
/* The session ended: its summaries and its close record. */
void dg_audit_session_end(struct dg_daemon *d, struct dg_sess *s);
/* Free what the audit trail keeps for s (no records). */
void dg_audit_sess_free(struct dg_sess *s);

/* Every decision, from dg_decide(). */
void dg_audit_decision(struct dg_daemon *d, const struct dg_decision *dec);

/* Fields for `deployguard status`: audit=, audit_records_sent=, ... */
void dg_audit_status(struct dg_daemon *d, struct dg_ctlmsg *r);

#endif
