// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguard_sudo.so: a sudo I/O plugin that runs the commands of
 * designated users (`sudo -u deploy ./deploy.sh`) in a deployguard session.
 * See deployguard_sudo(8).
 *
 * It logs no I/O.  Every log_* member of the plugin struct stays NULL, so
 * sudo neither forces a pty nor interposes pipes on our account; only open()
 * and close() do anything:
 *
 *   open()   runs after the policy (and approval) plugins accepted the
 *            command and before sudo forks it.  We ask deployguardd for a
 *            session and, when we get one, move this sudo process into the
 *            session's cgroup: the command sudo forks next, and everything
 *            it starts, is guarded from its first instruction.
 *   close()  runs once the command ended: we tell the daemon how.
 *
 * Refusing a command means returning -1: sudo treats 0 as "unload this
 * plugin" and runs the command anyway.
 *
 * The only exported symbol is the plugin struct (deployguard_sudo.map).
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <libaudit.h>

/* sudo_plugin.h switches off -Wstrict-prototypes for whoever includes it */
#pragma GCC diagnostic push
#include <sudo_plugin.h>
#pragma GCC diagnostic pop

#include "config.h"
#include "dgclient.h"
#include "options.h"

#define PFX "deployguard: "

/* errstr appeared in API 1.15; older front ends pass no such argument */
#define API_HAS_ERRSTR(v)	((v) >= SUDO_API_MKVERSION(1, 15))

/* what the daemon is sent of a very long command line (it logs it) */
#define ARGS_BUDGET		(DG_CTL_MAX_MSG - 8192)

/* Lives from open() to close(): sudo runs one command per process. */
static struct {
	sudo_printf_t say;
	unsigned int api;
	struct dg_sudo_opts opts;
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char session[24];	/* the session we joined, "" when none */
	char errstr[768];	/* what *errstr points to */
} st;

/* What open() knows about the command, for the request and for messages. */
struct cmd {
	char user[256];		/* the invoking user */
	uid_t uid;
	char runas[256];	/* whom the command runs as */
	const char *tty;
	const char *cwd;
	int argc;
	char * const *argv;
};

/* ---- output ------------------------------------------------------------------ */

static void say(int type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int type, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!st.say)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	st.say(type, PFX "%s\n", buf);
}

#define say_error(...)	say(SUDO_CONV_ERROR_MSG, __VA_ARGS__)

/* debug goes to stderr too: stdout belongs to the command */
#define debug(...)							\
	do {								\
		if (st.opts.debug)					\
			say(SUDO_CONV_ERROR_MSG, "debug: " __VA_ARGS__); \
	} while (0)

/* Report a refusal: to the user now, and to sudo (which hands *errstr to
 * its audit plugins, e.g. sudoers_audit's log). */
static int refuse(const char **errstr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(const char **errstr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st.errstr, sizeof(st.errstr), fmt, ap);
	va_end(ap);
	say_error("%s", st.errstr);
	if (errstr && API_HAS_ERRSTR(st.api))
		*errstr = st.errstr;
	return -1;
}

/* ---- sudo's name=value vectors ----------------------------------------------- */

static const char *vec_get(char * const vec[], const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; vec && vec[i]; i++)
		if (!strncmp(vec[i], key, kl) && vec[i][kl] == '=')
			return vec[i] + kl + 1;
	return NULL;
}

static int parse_id(const char *s, uid_t *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= (uid_t)-1)
		return -EINVAL;
	*out = (uid_t)v;
	return 0;
}

static bool name_of_uid(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *pwp = NULL;
	char pbuf[4096];

	if (getpwuid_r(uid, &pw, pbuf, sizeof(pbuf), &pwp) || !pwp)
		return false;
	return snprintf(buf, len, "%s", pwp->pw_name) < (int)len;
}

static bool uid_of_name(const char *name, uid_t *uid)
{
	struct passwd pw, *pwp = NULL;
	char pbuf[4096];

	if (getpwnam_r(name, &pw, pbuf, sizeof(pbuf), &pwp) || !pwp)
		return false;
	*uid = pwp->pw_uid;
	return true;
}

/*
 * Whom the command runs as.  Only command_info counts: it is what the
 * policy decided and what the front end executes (settings' runas_user is
 * just what the user typed after -u).  The front end runs the command with
 * runas_euid, else runas_uid, else uid 0, whatever runas_user says; so the
 * uid decides, and runas_user only picks among names sharing that uid.
 */
static int resolve_runas(char * const command_info[], char *buf, size_t len)
{
	const char *name = vec_get(command_info, "runas_user");
	const char *id = vec_get(command_info, "runas_euid");
	uid_t uid = 0, named;

	if (!id)
		id = vec_get(command_info, "runas_uid");
	if (id && parse_id(id, &uid))
		return -EINVAL;
	if (name && uid_of_name(name, &named) && named == uid)
		return snprintf(buf, len, "%s", name) < (int)len ? 0 : -ENAMETOOLONG;
	if (name_of_uid(uid, buf, len))
		return 0;
	snprintf(buf, len, "#%u", (unsigned int)uid);	/* no name: no [users] entry */
	return 0;
}

static int resolve_user(char * const user_info[], struct cmd *c)
{
	const char *name = vec_get(user_info, "user");

	if (parse_id(vec_get(user_info, "uid"), &c->uid))
		return -EINVAL;
	if (name && *name)
		return snprintf(c->user, sizeof(c->user), "%s", name) < (int)sizeof(c->user) ?
			0 : -ENAMETOOLONG;
	if (!name_of_uid(c->uid, c->user, sizeof(c->user)))
		snprintf(c->user, sizeof(c->user), "#%u", (unsigned int)c->uid);
	return 0;
}

/* ---- talking to the daemon ------------------------------------------------------ */

static void resolve_socket(void)
{
	char buf[PATH_MAX];
	size_t n;

	if (st.opts.socket)
		snprintf(st.socket, sizeof(st.socket), "%s", st.opts.socket);
	else if (!dg_config_peek_socket_path(st.opts.config, buf, sizeof(buf)) &&
		 (n = strlen(buf)) < sizeof(st.socket))
		memcpy(st.socket, buf, n + 1);
	else
		snprintf(st.socket, sizeof(st.socket), "%s", DG_DEFAULT_SOCKET);
}

static void build_open(struct dg_ctlmsg *m, const struct cmd *c)
{
	dg_ctl_init(m);
	dg_ctl_add(m, "op", "open");
	dg_ctl_add(m, "opener", "sudo");
	dg_ctl_add(m, "guard", "designated");
	dg_ctl_add(m, "user", c->user);
	dg_ctl_add(m, "runas", c->runas);
	dg_ctl_add_u64(m, "uid", c->uid);
	if (st.opts.profile)
		dg_ctl_add(m, "profile", st.opts.profile);
	if (c->tty)
		dg_ctl_add(m, "tty", c->tty);
	if (c->cwd)
		dg_ctl_add(m, "cwd", c->cwd);
	/* the daemon logs this; the exec records carry the exact command later */
	for (int i = 0; i < c->argc && c->argv[i]; i++) {
		if (m->len + strlen(c->argv[i]) + sizeof("arg=") > ARGS_BUDGET) {
			dg_ctl_add(m, "arg", "...");
			break;
		}
		dg_ctl_add(m, "arg", c->argv[i]);
	}
}

/*
 * The daemon cannot say whether this command is designated: decide from
 * the config file it would read.  Without this, a stopped daemon and
 * failmode=closed would refuse every sudo command on the host, including
 * the one that restarts the daemon.  A config that cannot be read counts
 * as "designated", so failmode decides.
 */
static bool designated_locally(const struct cmd *c)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg = dg_config_load(st.opts.config, &diag);
	bool designated = true;

	if (cfg) {
		designated = dg_config_profile_for_user(cfg, c->runas) ||
			     dg_config_profile_for_user(cfg, c->user);
		debug("%s: %s and %s are %sdesignated", cfg->path, c->user, c->runas,
		      designated ? "" : "not ");
		dg_config_free(cfg);
	} else {
		debug("%s has errors (%s): treating the command as designated",
		      st.opts.config ? st.opts.config : DG_DEFAULT_CONFIG,
		      diag.n ? diag.msgs[0] : "unknown");
	}
	dg_diag_free(&diag);
	return designated;
}

static void join_args(const struct cmd *c, char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->argc && c->argv[i] && pos + 1 < len; i++) {
		int n = snprintf(buf + pos, len - pos, "%s%s", i ? " " : "", c->argv[i]);

		if (n < 0)
			break;
		pos += (size_t)n;
	}
}

static char *cat_encoded(char *out, size_t len, const char *name, const char *value)
{
	char *nv = audit_encode_nv_string(name, value ? value : "", 0);
	size_t used = strlen(out);

	if (nv) {
		snprintf(out + used, len - used, " %s", nv);
		free(nv);
	}
	return out;
}

/*
 * failmode=open let an unguarded command run.  The daemon is the one that
 * would normally record things, and it is down or broken, so record it
 * through the audit subsystem ourselves, and in syslog for hosts without
 * auditd.  Returns where the record went, for the warning.
 */
static const char *record_failopen(const struct cmd *c, const char *reason)
{
	/* encoded values can double in size: stay well under an audit record */
	char msg[6144] = "op=deployguard-failopen opener=sudo", cmdline[1024];
	const char *where = "syslog only: the audit subsystem is unavailable";
	int fd;

	join_args(c, cmdline, sizeof(cmdline));
	cat_encoded(msg, sizeof(msg), "user", c->user);
	cat_encoded(msg, sizeof(msg), "runas", c->runas);
	cat_encoded(msg, sizeof(msg), "reason", reason);
	cat_encoded(msg, sizeof(msg), "cmd", cmdline);
	fd = audit_open();
	if (fd >= 0) {
		/* the kernel acks records it then drops when auditing is off */
		int enabled = audit_is_enabled(fd);

		/* res=failed: the guard failed, whatever becomes of the command */
		if (audit_log_user_message(fd, AUDIT_TRUSTED_APP, msg, NULL, NULL, c->tty,
					   0) > 0 && enabled > 0)
			where = "audit log and syslog";
		else if (enabled == 0)
			where = "syslog only: auditing is disabled";
		audit_close(fd);
	}
	syslog(LOG_AUTHPRIV | LOG_WARNING, PFX "running UNGUARDED (failmode=open): %s; "
	       "user=%s runas=%s cmd=%s", reason, c->user, c->runas, cmdline);
	return where;
}

/* The command is designated but cannot be guarded: failmode decides. */
static int guard_failed(const struct cmd *c, const char **errstr, const char *reason)
{
	const char *where;

	if (st.opts.failmode == DG_FAIL_CLOSED)
		return refuse(errstr, "cannot guard this command (%s); not running it "
			      "(failmode=closed)", reason);
	where = record_failopen(c, reason);
	say_error("WARNING: running this command UNGUARDED (%s); failmode=open, recorded "
		  "in the %s", reason, where);
	return 0;
}

/*
 * op=close, with "exit" or "signal" when status_key is set.  Best effort: a
 * session whose opener is gone ends on its own once its cgroup is empty.
 */
static void close_session(const char *session, const char *status_key, uint64_t status)
{
	struct dg_ctlmsg *req = malloc(sizeof(*req)), *rep = malloc(sizeof(*rep));
	int err;

	if (!req || !rep)
		goto out;
	dg_ctl_init(req);
	dg_ctl_add(req, "op", "close");
	dg_ctl_add(req, "session", session);
	if (status_key)
		dg_ctl_add_u64(req, status_key, status);
	err = dg_client_call(st.socket, req, rep, DG_CLIENT_TIMEOUT_MS);
	if (err)
		debug("closing session %s: %s", session, dg_client_strerror(err));
	else if (strcmp(dg_ctl_get(rep, "status") ? dg_ctl_get(rep, "status") : "", "ok"))
		debug("closing session %s: %s", session,
		      dg_ctl_get(rep, "message") ? dg_ctl_get(rep, "message") : "refused");
	else
		debug("session %s closed", session);
out:
	free(req);
	free(rep);
}

/* ---- the plugin ------------------------------------------------------------------ */

static int dg_io_open(unsigned int version, sudo_conv_t conversation,
		      sudo_printf_t sudo_plugin_printf, char * const settings[],
		      char * const user_info[], char * const command_info[], int argc,
		      char * const argv[], char * const user_env[],
		      char * const plugin_options[], const char **errstr)
{
	struct dg_ctlmsg *req = NULL, *rep = NULL;
	struct cmd c = { 0 };
	char err[512], reason[1024];
	const char *status;
	int rc;

	memset(&st, 0, sizeof(st));
	st.say = sudo_plugin_printf;
	st.api = version;

	if (SUDO_API_VERSION_GET_MAJOR(version) != SUDO_API_VERSION_MAJOR)
		return refuse(errstr, "incompatible sudo plugin API %u.%u (built for %u.x)",
			      SUDO_API_VERSION_GET_MAJOR(version),
			      SUDO_API_VERSION_GET_MINOR(version), SUDO_API_VERSION_MAJOR);
	/* checked even for sudo -V, which is how an admin tests sudo.conf */
	if (dg_sudo_parse_options(plugin_options, &st.opts, err, sizeof(err)))
		return refuse(errstr, "sudo.conf: %s", err);

	/* sudo -V and friends: no command, nothing to guard; 0 unloads us */
	if (argc <= 0 || !argv || !command_info)
		return 0;

	resolve_socket();
	if (resolve_user(user_info, &c))
		return refuse(errstr, "sudo passed no valid invoking user");
	if (resolve_runas(command_info, c.runas, sizeof(c.runas)))
		return refuse(errstr, "sudo passed an invalid run-as user");
	c.tty = vec_get(user_info, "tty");
	c.cwd = vec_get(command_info, "cwd");
	if (!c.cwd)
		c.cwd = vec_get(user_info, "cwd");
	c.argc = argc;
	c.argv = argv;

	req = malloc(sizeof(*req));
	rep = malloc(sizeof(*rep));
	if (!req || !rep) {
		rc = refuse(errstr, "out of memory");
		goto out;
	}
	build_open(req, &c);
	debug("asking %s to guard %s as %s", st.socket, c.user, c.runas);
	rc = dg_client_call(st.socket, req, rep, DG_CLIENT_TIMEOUT_MS);
	if (rc) {
		/* no answer: whether the command is designated is ours to find out */
		snprintf(reason, sizeof(reason), "%s: %s", dg_client_strerror(rc), st.socket);
		if (!designated_locally(&c)) {
			debug("%s; not designated, running it unguarded", reason);
			rc = 0;
			goto out;
		}
		rc = guard_failed(&c, errstr, reason);
		goto out;
	}

	status = dg_ctl_get(rep, "status");
	if (status && !strcmp(status, "unguarded")) {
		/*
		 * Neither user is designated.  Unload (0) rather than stay (1):
		 * there is nothing to report at close(), and without us sudo runs
		 * the command exactly as it would if we were not configured.
		 */
		debug("not designated: %s as %s runs unguarded", c.user, c.runas);
		rc = 0;
		goto out;
	}
	if (!status || strcmp(status, "ok")) {
		/* only a designated command gets this far in the daemon */
		snprintf(reason, sizeof(reason), "deployguardd: %s",
			 status && !strcmp(status, "error") && dg_ctl_get(rep, "message") ?
			 dg_ctl_get(rep, "message") : "unexpected reply");
		rc = guard_failed(&c, errstr, reason);
		goto out;
	}
	if (snprintf(st.session, sizeof(st.session), "%s",
		     dg_ctl_get(rep, "session") ? dg_ctl_get(rep, "session") : "") >=
		    (int)sizeof(st.session) || !st.session[0]) {
		st.session[0] = '\0';
		rc = guard_failed(&c, errstr, "deployguardd: reply without a session id");
		goto out;
	}

	/* into the session before sudo forks: the command inherits it */
	rc = dg_session_enter(rep, 0);
	if (rc) {
		snprintf(reason, sizeof(reason), "joining session %s (%s): %s", st.session,
			 dg_ctl_get(rep, "cgroup") ? dg_ctl_get(rep, "cgroup") : "no cgroup",
			 strerror(-rc));
		close_session(st.session, NULL, 0);
		st.session[0] = '\0';
		rc = guard_failed(&c, errstr, reason);
		goto out;
	}
	/* e.g. a limit the host cannot apply (limits_unavailable = warn) */
	if (dg_ctl_get(rep, "warning"))
		say_error("warning: %s", dg_ctl_get(rep, "warning"));
	debug("session %s (profile %s, %s, enforce=%s) guards %s as %s", st.session,
	      dg_ctl_get(rep, "profile") ? dg_ctl_get(rep, "profile") : "?",
	      dg_ctl_get(rep, "mode") ? dg_ctl_get(rep, "mode") : "?",
	      dg_ctl_get(rep, "enforce") ? dg_ctl_get(rep, "enforce") : "?", c.user, c.runas);
	rc = 1;
out:
	free(req);
	free(rep);
	return rc;
}

/* exit_status is a wait(2) status, unless error (an errno) says sudo could
 * not run the command at all. */
static void dg_io_close(int exit_status, int error)
{
	if (!st.session[0])
		return;
	if (error)	/* sudo could not execute it: the shell's numbers */
		close_session(st.session, "exit", error == ENOENT ? 127 : 126);
	else if (WIFSIGNALED(exit_status))
		close_session(st.session, "signal", (uint64_t)WTERMSIG(exit_status));
	else
		close_session(st.session, "exit", (uint64_t)WEXITSTATUS(exit_status));
	st.session[0] = '\0';
}

static int dg_io_show_version(int verbose)
{
	if (st.say)
		st.say(SUDO_CONV_INFO_MSG, "deployguard sudo I/O plugin version %s\n",
		       DG_VERSION);
	return 1;
}

struct io_plugin deployguard_io = {
	.type = SUDO_IO_PLUGIN,
	.version = SUDO_API_VERSION,
	.open = dg_io_open,
	.close = dg_io_close,
	.show_version = dg_io_show_version,
	/* log_ttyin ... log_suspend stay NULL: no pty, no pipes for us */
};
