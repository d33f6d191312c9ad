// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <security/pam_ext.h>

#include "failopen_audit.h"

/* longest daemon message we copy into a record (it is hex-encoded, twice the size) */
#define REASON_MAX 256

static bool is_address(const char *s)
{
	unsigned char buf[16];

	return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* audit_open()'s errors for a kernel built without audit, or a namespace it refuses */
static bool no_audit_here(int err)
{
	return err == EINVAL || err == EPROTONOSUPPORT || err == EAFNOSUPPORT ||
	       err == ECONNREFUSED;
}

int dgpam_audit_failopen(pam_handle_t *pamh, const struct dgpam_login *who, const char *why,
			 bool debug)
{
	char reason[REASON_MAX], msg[2048], *acct = NULL, *svc = NULL, *rsn = NULL;
	const char *addr;
	int fd, rc, err = 0;

	snprintf(reason, sizeof(reason), "%s", why);
	acct = audit_encode_nv_string("acct", who->user ? who->user : "?", 0);
	svc = audit_encode_nv_string("service", who->service ? who->service : "?", 0);
	rsn = audit_encode_nv_string("reason", reason, 0);
	if (!acct || !svc || !rsn) {
		err = -ENOMEM;
		goto out;
	}
	snprintf(msg, sizeof(msg), "op=deployguard-failopen %s uid=%u %s %s", acct,
		 (unsigned)who->uid, svc, rsn);

	fd = audit_open();
	if (fd < 0) {
		err = -errno;
		if (no_audit_here(errno)) {
			if (debug)
				pam_syslog(pamh, LOG_DEBUG, "no audit support here: %s", strerror(errno));
		} else {
			pam_syslog(pamh, LOG_WARNING, "cannot record the fail-open in the audit log: %s",
				   strerror(errno));
		}
		goto out;
	}
	/*
	 * libaudit resolves the host name when no address is given: never do
	 * a DNS lookup here (the login may be waiting on this); "?" is the
	 * audit convention for unknown.
	 */
	addr = is_address(who->rhost) ? who->rhost : "?";
	rc = audit_log_user_message(fd, AUDIT_TRUSTED_APP, msg, who->rhost, addr, who->tty, 0);
	if (rc <= 0) {
		err = rc < 0 ? rc : -EIO;
		pam_syslog(pamh, LOG_WARNING, "cannot record the fail-open in the audit log: %s",
			   strerror(-err));
	} else if (debug) {
		pam_syslog(pamh, LOG_DEBUG, "audit record written: %s", msg);
	}
	audit_close(fd);
out:
	free(acct);
	free(svc);
	free(rsn);
	return err;
}
