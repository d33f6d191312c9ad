/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of deployguard's audit records (type TRUSTED_APP), with no I/O:
 * audit.c sends what these functions build, the unit tests compare it with
 * golden strings, and report.c reads it back.
 *
 * A record is the "msg" part that audit_log_user_message() sends; libaudit
 * appends exe= (deployguardd's), hostname=, addr=, terminal= and res=, and
 * the kernel prefixes the daemon's own pid=, uid=, auid= and ses=.  The
 * deploy session's identity therefore goes in fields of its own:
 *
 *   op=deployguard-...  oauid= oses= (the opener's login uid and audit
 *   session)  opid= (the session leader, or the process that was decided
 *   about)  dg_session= profile= mode=enforce|audit  ...
 *
 * Every string that comes from a process, a user or the network is encoded
 * with audit_encode_nv_string(): "quoted" when it is safe, hex otherwise, so
 * no value can forge a field.  Numbers and our own keywords go as they are.
 */
#ifndef DG_AUDIT_FMT_H
#define DG_AUDIT_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel rejects larger user messages (MAX_AUDIT_MESSAGE_LENGTH 8970,
 * less the room libaudit needs for its own fields). */
#define DG_AUDIT_MSG_MAX	7680
/* Command lines longer than this are cut (and end in "...") before encoding. */
#define DG_AUDIT_CMD_MAX	1024

#define DG_AUDIT_UNSET		4294967295u	/* (uid_t)-1: loginuid/sessionid not set */

enum dg_audit_op {
	DG_AOP_SESSION_OPEN,
	DG_AOP_SESSION_CLOSE,
	DG_AOP_BLOCK,		/* blocked, or would-be blocked in audit mode */
	DG_AOP_CONTACT,		/* first contact with an allowed name or address */
	DG_AOP_SUMMARY,
};

const char *dg_audit_op_name(enum dg_audit_op op);

/* What the decision was, as records and the report spell it. */
enum dg_audit_decision {
	DG_ADEC_ALLOWED = 1,
	DG_ADEC_BLOCKED = 2,
	DG_ADEC_WOULD_BLOCK = 3,	/* same values as enum dg_verdict */
};

const char *dg_audit_decision_name(int decision);

/* One record under construction. */
struct dg_arec {
	char buf[DG_AUDIT_MSG_MAX];
	size_t len;
	bool overflow;		/* something did not fit and was left out */
};

void dg_arec_init(struct dg_arec *r, enum dg_audit_op op);
/* A trusted token (our own keyword or a number in text): key=val. */
void dg_arec_word(struct dg_arec *r, const char *key, const char *val);
void dg_arec_u64(struct dg_arec *r, const char *key, uint64_t val);
/* An untrusted string: key="val" or key=HEX (audit_encode_nv_string). */
void dg_arec_str(struct dg_arec *r, const char *key, const char *val);

/* The session, as every record of it names it. */
struct dg_audit_sess_id {
	uint32_t session;
	uint32_t auid;		/* DG_AUDIT_UNSET when unknown */
	uint32_t ses;
	const char *profile;
	bool audit_mode;	/* mode=audit: nothing is blocked */
};

struct dg_audit_open_info {
	int32_t leader;		/* the opener's pid */
	uint32_t uid;		/* the user's uid */
	const char *opener;	/* run, ssh, sudo, pam */
	const char *user;
	const char *runas;	/* or NULL */
	const char *service;	/* PAM service, or NULL */
	const char *policy;	/* blocklist or allowlist */
	const char *cwd;	/* or NULL */
	const char *cmd;	/* or NULL */
};

struct dg_audit_close_info {
	int32_t leader;
	int exit_status;	/* -1: unknown */
	int exit_signal;	/* 0: none */
	uint64_t duration;	/* seconds */
	/* what the session used, where the kernel reported it (cglimits.h) */
	bool has_memory_peak, has_cpu, has_oom_kills;
	uint64_t memory_peak;	/* bytes */
	uint64_t cpu_usec;
	uint64_t oom_kills;
};

/* A decision about one name or one address. */
struct dg_audit_dec_info {
	int decision;		/* enum dg_audit_decision */
	const char *at;		/* dns, connect, packet */
	int32_t pid;		/* the process, 0 when unknown */
	uint32_t uid;
	const char *domain;	/* a DNS decision: the name, no trailing dot */
	const char *qtype;	/* "A", "AAAA", ... */
	const char *match;	/* blocks: the list entry that decided, or NULL */
	const char *cname;	/* blocks: the CNAME that decided, or NULL */
	const char *addrs;	/* contacts: the answer's addresses "a,b,c", or NULL */
	const char *daddr;	/* an address decision: text form */
	uint16_t dport;
	const char *proto;	/* tcp, udp, ... */
	const char *sock;	/* a socket decision: "raw", "packet" */
	const char *family;	/* its address family: inet, inet6, packet */
	unsigned protocol;	/* its protocol number */
	const char *reason;	/* why, when not the profile: dns-over-tls, raw-socket, ... */
	const char *comm;	/* the kernel's comm, or NULL */
	const char *exe;	/* or NULL */
	const char *cmd;	/* or NULL */
};

/* The count a repeated (name or address, decision) reached, cumulative. */
struct dg_audit_key_summary {
	int decision;
	const char *domain;	/* one of domain, daddr, sock */
	const char *daddr;
	const char *sock;
	uint64_t count;
	int32_t leader;
};

struct dg_audit_totals {
	int32_t leader;
	uint64_t records;	/* records sent for the session before this one */
	uint64_t suppressed;	/* repeats, folded into counts */
	uint64_t unrecorded;	/* decisions over the per-session limit of names */
	uint64_t failed;	/* records the kernel refused */
	uint64_t queries, allowed, blocked, would_block;
	bool final;		/* the session ended (else the daemon is stopping) */
};

/* Each returns the libaudit result (1 success, 0 failed) for res=. */
int dg_audit_fmt_open(struct dg_arec *r, const struct dg_audit_sess_id *id,
		      const struct dg_audit_open_info *o);
int dg_audit_fmt_close(struct dg_arec *r, const struct dg_audit_sess_id *id,
		       const struct dg_audit_close_info *c);
int dg_audit_fmt_decision(struct dg_arec *r, const struct dg_audit_sess_id *id,
			  const struct dg_audit_dec_info *dec);
int dg_audit_fmt_key_summary(struct dg_arec *r, const struct dg_audit_sess_id *id,
			     const struct dg_audit_key_summary *k);
int dg_audit_fmt_totals(struct dg_arec *r, const struct dg_audit_sess_id *id,
			const struct dg_audit_totals *t);

/*
 * Is s safe to hand to libaudit's hostname=/addr=/terminal=, which it
 * writes without encoding?  Only short strings of [A-Za-z0-9._:/@%+-].
 */
bool dg_audit_plain_safe(const char *s);

/*
 * Decode a value as the records encode it: "quoted" text, or hex.  Writes a
 * NUL-terminated string into out (at most outlen bytes); returns out, or
 * the raw value copied when it is neither.
 */
char *dg_audit_decode(const char *val, char *out, size_t outlen);

#endif
