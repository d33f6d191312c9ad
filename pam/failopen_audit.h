/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record of a session that runs unguarded because of failmode=open.
 * deployguardd normally records sessions, but it is the thing that is
 * missing, so the module writes this one to the audit log itself.
 */
#ifndef DG_PAM_FAILOPEN_AUDIT_H
#define DG_PAM_FAILOPEN_AUDIT_H

#include <stdbool.h>
#include <sys/types.h>
#include <security/pam_modules.h>

/* Who logged in, as the module saw it (any string may be NULL). */
struct dgpam_login {
	const char *user;
	uid_t uid;
	const char *service;
	const char *rhost;
	const char *tty;
};

/*
 * An AUDIT_TRUSTED_APP record "op=deployguard-failopen acct=... uid=...
 * service=... reason=... res=failed" (user-supplied strings encoded the
 * libaudit way).  Returns 0, or -errno after saying why to syslog; a kernel
 * without audit support is not an error worth more than a debug line.
 */
int dgpam_audit_failopen(pam_handle_t *pamh, const struct dgpam_login *who, const char *why,
			 bool debug);

#endif
