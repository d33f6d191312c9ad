// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_deployguard: puts the logins of designated deploy users into a
 * deployguard session.
 *
 *   session required pam_deployguard.so [profile=NAME] [failmode=closed|open]
 *                                       [socket=PATH] [debug]
 *
 * pam_sm_open_session asks deployguardd for a session ("guard=designated":
 * the daemon's [users] decide who is guarded) and moves the calling process
 * into the session's cgroup.  OpenSSH opens the PAM session in the process
 * that later forks the user's shell, so everything the login starts is
 * guarded.  pam_sm_close_session tells the daemon the session ended; the
 * daemon removes the cgroup once it is empty.
 *
 * Users who are not designated cost one request on a local socket and get
 * PAM_IGNORE.  When the daemon cannot be reached, failmode decides:
 * closed (the default) refuses the session and says why through the
 * conversation, open lets it run unguarded, warns in syslog and writes an
 * audit record.
 */
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "dgclient.h"
#include "failopen_audit.h"
#include "pam_options.h"

/* pam_set_data key: the session this handle opened, for close */
#define SESSION_DATA "deployguard_session"
/* PAM environment variable the login's processes see */
#define SESSION_ENV "DEPLOYGUARD_SESSION"

struct dgpam_session {
	uint32_t id;
};

static void log_rejected_option(void *ctx, const char *arg, const char *why)
{
	pam_syslog((pam_handle_t *)ctx, LOG_ERR, "ignoring option \"%s\": %s", arg, why);
}

/* A string item, or NULL when unset or empty. */
static const char *get_str_item(pam_handle_t *pamh, int type)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || !v || !*(const char *)v)
		return NULL;
	return v;
}

/* A login over SSH: sshd names the remote host, or the service is sshd's. */
static const char *opener_of(const struct dgpam_login *who)
{
	if (who->rhost || (who->service && !strncmp(who->service, "sshd", 4)))
		return "ssh";
	return "pam";
}

static void session_data_free(pam_handle_t *pamh, void *data, int error_status)
{
	free(data);
}

/*
 * The daemon could not guard this session.  failmode=closed refuses it,
 * with the reason in syslog and on the user's screen; failmode=open lets it
 * run and records that it is unguarded.
 */
static int cannot_guard(pam_handle_t *pamh, const struct dgpam_opts *o, int flags,
			const struct dgpam_login *who, const char *why)
{
	if (o->failmode == DGPAM_FAIL_OPEN) {
		pam_syslog(pamh, LOG_WARNING,
			   "%s: the session of user %s runs UNGUARDED (failmode=open)", why,
			   who->user);
		dgpam_audit_failopen(pamh, who, why, o->debug);
		if (!(flags & PAM_SILENT))
			pam_info(pamh, "deployguard: %s; this session is NOT guarded.", why);
		return PAM_SUCCESS;
	}
	pam_syslog(pamh, LOG_ERR, "%s: session of user %s refused (failmode=closed)", why,
		   who->user);
	if (!(flags & PAM_SILENT))
		pam_error(pamh,
			  "deployguard: %s.\n"
			  "Logins of this user must run in a guarded deploy session, so this one "
			  "was refused.\nAsk an administrator to check deployguardd.",
			  why);
	return PAM_SESSION_ERR;
}

static int build_open_request(struct dg_ctlmsg *req, const struct dgpam_opts *o,
			      const struct dgpam_login *who)
{
	dg_ctl_init(req);
	dg_ctl_add(req, "op", "open");
	dg_ctl_add(req, "opener", opener_of(who));
	dg_ctl_add(req, "guard", "designated");
	dg_ctl_add(req, "user", who->user);
	dg_ctl_add_u64(req, "uid", who->uid);
	if (who->tty)
		dg_ctl_add(req, "tty", who->tty);
	if (who->rhost)
		dg_ctl_add(req, "rhost", who->rhost);
	if (who->service)
		dg_ctl_add(req, "service", who->service);
	if (o->profile)
		dg_ctl_add(req, "profile", o->profile);
	return req->overflow ? -E2BIG : 0;
}

/* Tell the daemon a session is over; errors only go to syslog. */
static void close_session(pam_handle_t *pamh, const char *socket_path, uint32_t id)
{
	struct dg_ctlmsg *req = malloc(sizeof(*req)), *reply = malloc(sizeof(*reply));
	const char *status;
	int err;

	if (!req || !reply) {
		pam_syslog(pamh, LOG_ERR, "closing session %u: out of memory", id);
		goto out;
	}
	dg_ctl_init(req);
	dg_ctl_add(req, "op", "close");
	dg_ctl_add_u64(req, "session", id);
	err = dg_client_call(socket_path, req, reply, DG_CLIENT_TIMEOUT_MS);
	if (err) {
		/* the daemon ends the session anyway once this process is gone */
		pam_syslog(pamh, LOG_WARNING, "closing session %u: %s", id,
			   dg_client_strerror(err));
		goto out;
	}
	status = dg_ctl_get(reply, "status");
	if (!status || strcmp(status, "ok")) {
		const char *msg = dg_ctl_get(reply, "message");

		pam_syslog(pamh, LOG_WARNING, "closing session %u: %s", id,
			   msg ? msg : "unexpected reply");
	}
out:
	free(req);
	free(reply);
}

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct dg_ctlmsg *req = NULL, *reply = NULL;
	struct dgpam_session *sess = NULL;
	struct dgpam_login who = { 0 };
	const struct passwd *pw;
	struct dgpam_opts o;
	const char *status, *msg;
	char why[512], env[64];
	uint64_t id;
	int err, rc;

	dgpam_parse_options(&o, argc, argv, log_rejected_option, pamh);

	who.user = get_str_item(pamh, PAM_USER);
	if (!who.user) {
		pam_syslog(pamh, LOG_ERR, "no user name: is this module in the session stack?");
		return PAM_SESSION_ERR;
	}
	pw = pam_modutil_getpwnam(pamh, who.user);
	if (!pw) {
		pam_syslog(pamh, LOG_ERR, "unknown user %s", who.user);
		return PAM_USER_UNKNOWN;
	}
	who.uid = pw->pw_uid;
	who.service = get_str_item(pamh, PAM_SERVICE);
	who.rhost = get_str_item(pamh, PAM_RHOST);
	who.tty = get_str_item(pamh, PAM_TTY);

	req = malloc(sizeof(*req));
	reply = malloc(sizeof(*reply));
	if (!req || !reply || build_open_request(req, &o, &who)) {
		rc = cannot_guard(pamh, &o, flags, &who, "out of memory");
		goto out;
	}
	err = dg_client_call(o.socket, req, reply, DG_CLIENT_TIMEOUT_MS);
	if (err) {
		snprintf(why, sizeof(why), "%s", dg_client_strerror(err));
		if (o.debug)
			pam_syslog(pamh, LOG_DEBUG, "control socket %s: %s", o.socket, why);
		rc = cannot_guard(pamh, &o, flags, &who, why);
		goto out;
	}

	status = dg_ctl_get(reply, "status");
	if (status && !strcmp(status, "unguarded")) {
		if (o.debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s is not designated: not guarded",
				   who.user);
		rc = PAM_IGNORE;
		goto out;
	}
	if (!status || strcmp(status, "ok")) {
		msg = dg_ctl_get(reply, "message");
		snprintf(why, sizeof(why), "deployguardd could not open a session: %s",
			 msg ? msg : "unexpected reply");
		rc = cannot_guard(pamh, &o, flags, &who, why);
		goto out;
	}
	if (dg_ctl_get_u64(reply, "session", UINT32_MAX, &id) || id == 0) {
		rc = cannot_guard(pamh, &o, flags, &who, "deployguardd sent no session id");
		goto out;
	}

	/* remember the session before joining it, so a failure can still close it */
	sess = malloc(sizeof(*sess));
	if (!sess) {
		close_session(pamh, o.socket, (uint32_t)id);
		rc = cannot_guard(pamh, &o, flags, &who, "out of memory");
		goto out;
	}
	sess->id = (uint32_t)id;
	if (pam_set_data(pamh, SESSION_DATA, sess, session_data_free) != PAM_SUCCESS) {
		free(sess);
		close_session(pamh, o.socket, (uint32_t)id);
		rc = cannot_guard(pamh, &o, flags, &who, "cannot keep the session for close");
		goto out;
	}
	err = dg_session_enter(reply, 0);
	if (err) {
		const char *cg = dg_ctl_get(reply, "cgroup");

		snprintf(why, sizeof(why), "cannot join session %u (cgroup %s): %s",
			 (unsigned)id, cg ? cg : "?", strerror(-err));
		pam_set_data(pamh, SESSION_DATA, NULL, NULL);	/* frees sess */
		close_session(pamh, o.socket, (uint32_t)id);
		rc = cannot_guard(pamh, &o, flags, &who, why);
		goto out;
	}

	/* for the login's own processes: `echo $DEPLOYGUARD_SESSION` */
	snprintf(env, sizeof(env), SESSION_ENV "=%u", (unsigned)id);
	if (pam_putenv(pamh, env) != PAM_SUCCESS && o.debug)
		pam_syslog(pamh, LOG_DEBUG, "cannot set %s", env);

	pam_syslog(pamh, LOG_INFO, "session %u opened for user %s: profile=%s mode=%s enforce=%s",
		   (unsigned)id, who.user,
		   dg_ctl_get(reply, "profile") ? dg_ctl_get(reply, "profile") : "?",
		   dg_ctl_get(reply, "mode") ? dg_ctl_get(reply, "mode") : "?",
		   dg_ctl_get(reply, "enforce") ? dg_ctl_get(reply, "enforce") : "?");
	if (o.debug)
		pam_syslog(pamh, LOG_DEBUG, "pid %d joined %s", (int)getpid(),
			   dg_ctl_get(reply, "cgroup"));
	/* e.g. a limit the host cannot apply (limits_unavailable = warn) */
	if (dg_ctl_get(reply, "warning")) {
		pam_syslog(pamh, LOG_WARNING, "session %u: %s", (unsigned)id,
			   dg_ctl_get(reply, "warning"));
		if (!(flags & PAM_SILENT))
			pam_info(pamh, "deployguard: warning: %s", dg_ctl_get(reply, "warning"));
	}
	rc = PAM_SUCCESS;
out:
	free(req);
	free(reply);
	return rc;
}

int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const void *data = NULL;
	struct dgpam_opts o;
	uint32_t id;

	dgpam_parse_options(&o, argc, argv, log_rejected_option, pamh);
	if (pam_get_data(pamh, SESSION_DATA, &data) != PAM_SUCCESS || !data) {
		if (o.debug)
			pam_syslog(pamh, LOG_DEBUG, "no session opened by this module: nothing to close");
		return PAM_IGNORE;
	}
	id = ((const struct dgpam_session *)data)->id;
	close_session(pamh, o.socket, id);
	pam_set_data(pamh, SESSION_DATA, NULL, NULL);	/* closed once only */
	if (o.debug)
		pam_syslog(pamh, LOG_DEBUG, "session %u closed", (unsigned)id);
	return PAM_SUCCESS;
}
