// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_deployguard through a real PAM stack: libpam's pam_start_confdir()
 * reads a service file from a private directory that loads the module just
 * built, so option parsing, return codes, pam_set_data and the conversation
 * are exercised the way sshd exercises them.  No root needed.
 *
 * What is stubbed, and why:
 *  - the daemon: a small control-socket server in a thread answers with
 *    canned replies ("unguarded", "error", "ok" with a cgroup that is a plain
 *    directory holding a cgroup.procs file) and keeps each request for the
 *    assertions.  "Daemon unreachable" is a socket path nobody listens on.
 *    The real daemon is tested end to end in tests/e2e/t10_pam_ssh.sh.
 *  - syslog(3), and libaudit's audit_log_user_message(), which writes the
 *    fail-open record: this binary defines them (exported with
 *    --export-dynamic), so libpam and the module bind to these copies and
 *    the tests read what would have been logged and recorded.  audit_open()
 *    is libaudit's own, so libpam's records work as usual (and the module
 *    needs a kernel with audit support, as deployguard does anyway).
 *
 * The stack each test runs:
 *
 *     session [success=1 ignore=ignore default=die] MODULE ARGS
 *     session requisite pam_succeed_if.so quiet uid < 0
 *     session required  pam_permit.so
 *
 * so the module's own verdict comes out of pam_open_session() unchanged,
 * except PAM_IGNORE, which falls through to pam_succeed_if and comes out as
 * PAM_AUTH_ERR (named RC_IGNORED below).  pam_close_session() walks the
 * stack the way pam_open_session() did (libpam freezes the chain), so what
 * close did is seen in the requests the fake daemon got, not in its return.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <libaudit.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "ctlmsg.h"
#include "pam_options.h"

#ifndef DG_PAM_MODULE
#error "DG_PAM_MODULE: absolute path of the module under test"
#endif

#define RC_IGNORED PAM_AUTH_ERR

/* ---- syslog capture --------------------------------------------------------- */

static char logbuf[32768];
static size_t loglen;

static void log_capture(int pri, const char *fmt, va_list ap)
{
	static const char *const names[] = { "EMERG", "ALERT", "CRIT", "ERR",
					     "WARNING", "NOTICE", "INFO", "DEBUG" };
	int n;

	if (loglen >= sizeof(logbuf) - 1)
		return;
	n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%s: ", names[LOG_PRI(pri)]);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
		loglen += (size_t)n;
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
	if (n > 0)
		loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n : sizeof(logbuf) - loglen - 1;
	if (loglen < sizeof(logbuf) - 1)
		logbuf[loglen++] = '\n';
	logbuf[loglen] = '\0';
}

void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap);

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_capture(pri, fmt, ap);
	va_end(ap);
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
	log_capture(pri, fmt, ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_capture(pri, fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	log_capture(pri, fmt, ap);
}

/* ---- audit capture -------------------------------------------------------------- */

static struct {
	int n, type, result;
	char message[4096], hostname[256], addr[256], tty[256];
} audit;

int audit_log_user_message(int audit_fd, int type, const char *message, const char *hostname,
			   const char *addr, const char *tty, int result)
{
	audit.n++;
	audit.type = type;
	audit.result = result;
	snprintf(audit.message, sizeof(audit.message), "%s", message ? message : "(null)");
	snprintf(audit.hostname, sizeof(audit.hostname), "%s", hostname ? hostname : "(null)");
	snprintf(audit.addr, sizeof(audit.addr), "%s", addr ? addr : "(null)");
	snprintf(audit.tty, sizeof(audit.tty), "%s", tty ? tty : "(null)");
	return 1;
}

/* ---- the conversation --------------------------------------------------------------- */

static char convbuf[8192];
static size_t convlen;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *style = msg[i]->msg_style == PAM_ERROR_MSG ? "ERROR"
				    : msg[i]->msg_style == PAM_TEXT_INFO ? "INFO" : "PROMPT";
		int w = snprintf(convbuf + convlen, sizeof(convbuf) - convlen, "%s: %s\n", style,
				 msg[i]->msg);

		if (w > 0)
			convlen += (size_t)w < sizeof(convbuf) - convlen ? (size_t)w
				   : sizeof(convbuf) - convlen - 1;
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
			free(r);
			return PAM_CONV_ERR;	/* the module never asks anything */
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* ---- the fake daemon ------------------------------------------------------------------ */

enum reply_kind { REPLY_MSG, REPLY_GARBAGE, REPLY_HANGUP };

static struct {
	char dir[64];
	char sock[100];
	int lfd;
	pthread_t thread;
	pthread_mutex_t mu;
	enum reply_kind kind;
	struct dg_ctlmsg open_reply, close_reply;
	struct dg_ctlmsg reqs[8];
	int nreqs;
} fake = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void *fake_daemon(void *arg)
{
	static char buf[DG_CTL_MAX_MSG];

	for (;;) {
		int c = accept4(fake.lfd, NULL, NULL, SOCK_CLOEXEC);
		const struct dg_ctlmsg *reply;
		const char *op = NULL;
		ssize_t n;

		if (c < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		n = recv(c, buf, sizeof(buf), 0);
		pthread_mutex_lock(&fake.mu);
		if (n > 0 && fake.nreqs < 8 && !dg_ctl_parse(&fake.reqs[fake.nreqs], buf, (size_t)n))
			op = dg_ctl_get(&fake.reqs[fake.nreqs++], "op");
		pthread_mutex_unlock(&fake.mu);
		reply = op && !strcmp(op, "close") ? &fake.close_reply : &fake.open_reply;
		if (fake.kind == REPLY_GARBAGE)
			send(c, "no NUL, no fields", 17, MSG_NOSIGNAL);
		else if (fake.kind == REPLY_MSG)
			send(c, reply->buf, reply->len, MSG_NOSIGNAL);
		close(c);
	}
}

/* "key=value" pairs into a reply: set_reply(&fake.open_reply, "status=ok", ...) */
#define set_reply(m, ...) set_reply_fields((m), __VA_ARGS__, (const char *)NULL)

static void set_reply_fields(struct dg_ctlmsg *m, ...)
{
	va_list ap;
	const char *kv;

	dg_ctl_init(m);
	va_start(ap, m);
	while ((kv = va_arg(ap, const char *))) {
		char key[64];
		const char *eq = strchr(kv, '=');

		ck_assert_ptr_nonnull(eq);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
		ck_assert_int_eq(dg_ctl_add(m, key, eq + 1), 0);
	}
	va_end(ap);
}

static int nreqs(void)
{
	int n;

	pthread_mutex_lock(&fake.mu);
	n = fake.nreqs;
	pthread_mutex_unlock(&fake.mu);
	return n;
}

/* field of the i-th request, "" when absent so ck_assert_str_eq can show it */
static const char *req_field(int i, const char *key)
{
	const char *v;

	ck_assert_int_lt(i, nreqs());
	v = dg_ctl_get(&fake.reqs[i], key);
	return v ? v : "(absent)";
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake.dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * One directory for the whole run, made and removed by the parent (an
 * unchecked fixture), so a test that fails in its forked child leaves
 * nothing behind; each test works in a fresh subdirectory.
 */
static char basedir[32];
static unsigned testno;

static void make_basedir(void)
{
	snprintf(basedir, sizeof(basedir), "/tmp/dgpamtest.XXXXXX");
	if (!mkdtemp(basedir)) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_basedir(void)
{
	if (nftw(basedir, remove_one, 16, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "could not remove %s\n", basedir);
}

static void setup(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	/* the parent's counter never moves: tell tests apart by pid */
	snprintf(fake.dir, sizeof(fake.dir), "%s/t%d.%u", basedir, (int)getpid(), testno++);
	ck_assert_int_eq(mkdir(fake.dir, 0755), 0);
	snprintf(fake.sock, sizeof(fake.sock), "%s/control.sock", fake.dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fake.sock);
	fake.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fake.lfd, 0);
	ck_assert_int_eq(bind(fake.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fake.lfd, 8), 0);
	write_file("other", "");	/* libpam's fallback service: nothing */
	fake.kind = REPLY_MSG;
	set_reply(&fake.open_reply, "status=unguarded");
	set_reply(&fake.close_reply, "status=ok");
	fake.nreqs = 0;
	ck_assert_int_eq(pthread_create(&fake.thread, NULL, fake_daemon, NULL), 0);
	loglen = 0;
	logbuf[0] = '\0';
	convlen = 0;
	convbuf[0] = '\0';
	memset(&audit, 0, sizeof(audit));
}

static void teardown(void)
{
	/* the fake daemon's accept() fails now: wait for it to return, so
	 * no thread outlives its test (valgrind counts its stack otherwise) */
	shutdown(fake.lfd, SHUT_RDWR);
	pthread_join(fake.thread, NULL);
	close(fake.lfd);
}

/* ---- running the PAM stack ---------------------------------------------------------- */

static const char *me(void)
{
	struct passwd *pw = getpwuid(getuid());

	ck_assert_ptr_nonnull(pw);
	return pw->pw_name;
}

/* the service file, with the module's arguments */
static void write_service(const char *service, const char *args)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "session [success=1 ignore=ignore default=die] %s %s\n"
		 "session requisite pam_succeed_if.so quiet uid < 0\n"
		 "session required pam_permit.so\n",
		 DG_PAM_MODULE, args);
	write_file(service, text);
}

struct login {
	const char *service;	/* default "dgtest" */
	const char *user;	/* default: whoever runs the test; "" for none */
	const char *rhost, *tty;
	int flags;
};

struct outcome {
	int open_rc, close_rc;
	char env[64];		/* DEPLOYGUARD_SESSION after open */
};

static struct outcome login_with(const struct login *l, const char *args)
{
	struct pam_conv c = { conv, NULL };
	const char *service = l->service ? l->service : "dgtest";
	const char *user = l->user ? (*l->user ? l->user : NULL) : me();
	struct outcome out = { 0 };
	pam_handle_t *pamh = NULL;
	const char *env;

	write_service(service, args);
	ck_assert_int_eq(pam_start_confdir(service, user, &c, fake.dir, &pamh), PAM_SUCCESS);
	if (l->rhost)
		ck_assert_int_eq(pam_set_item(pamh, PAM_RHOST, l->rhost), PAM_SUCCESS);
	if (l->tty)
		ck_assert_int_eq(pam_set_item(pamh, PAM_TTY, l->tty), PAM_SUCCESS);
	out.open_rc = pam_open_session(pamh, l->flags);
	env = pam_getenv(pamh, "DEPLOYGUARD_SESSION");
	snprintf(out.env, sizeof(out.env), "%s", env ? env : "");
	out.close_rc = pam_close_session(pamh, l->flags);
	pam_close_session(pamh, l->flags);	/* a second close must not reach the daemon */
	pam_end(pamh, out.open_rc);
	return out;
}

static struct outcome login(const char *args)
{
	struct login l = { .tty = "pts/7" };

	return login_with(&l, args);
}

/* socket=... for the fake daemon, then more arguments */
static const char *args_fake(const char *more)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "socket=%s %s", fake.sock, more);
	return buf;
}

/* a path where no daemon listens */
static const char *args_nodaemon(const char *more)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "socket=%s/nothing-here.sock %s", fake.dir, more);
	return buf;
}

/* prefix + the hex encoding of text, as libaudit writes values with spaces */
static const char *hex(const char *prefix, const char *text)
{
	static char buf[1024];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%s", prefix);

	for (; *text && n + 3 < sizeof(buf); text++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%02X", (unsigned char)*text);
	return buf;
}

#define ck_assert_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "expected \"%s\" in:\n%s", (needle), (hay))
#define ck_assert_hasnt(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "unexpected \"%s\" in:\n%s", (needle), (hay))

/* ---- option parsing, without PAM ---------------------------------------------------------- */

static char rejected[1024];

static void note_reject(void *ctx, const char *arg, const char *why)
{
	size_t n = strlen(rejected);

	snprintf(rejected + n, sizeof(rejected) - n, "[%s: %s]", arg, why);
}

START_TEST(options_defaults)
{
	struct dgpam_opts o;

	ck_assert_int_eq(dgpam_parse_options(&o, 0, NULL, note_reject, NULL), 0);
	ck_assert_ptr_null(o.profile);
	ck_assert_str_eq(o.socket, "/run/deployguard/control.sock");
	ck_assert_int_eq(o.failmode, DGPAM_FAIL_CLOSED);
	ck_assert(!o.debug);
}
END_TEST

START_TEST(options_all_known)
{
	const char *argv[] = { "profile=strict", "failmode=open", "debug", "socket=/tmp/x.sock" };
	struct dgpam_opts o;

	rejected[0] = '\0';
	ck_assert_int_eq(dgpam_parse_options(&o, 4, argv, note_reject, NULL), 0);
	ck_assert_str_eq(o.profile, "strict");
	ck_assert_int_eq(o.failmode, DGPAM_FAIL_OPEN);
	ck_assert(o.debug);
	ck_assert_str_eq(o.socket, "/tmp/x.sock");
	ck_assert_str_eq(rejected, "");
}
END_TEST

START_TEST(options_later_wins)
{
	const char *argv[] = { "failmode=open", "failmode=closed", "profile=a", "profile=b" };
	struct dgpam_opts o;

	ck_assert_int_eq(dgpam_parse_options(&o, 4, argv, NULL, NULL), 0);
	ck_assert_int_eq(o.failmode, DGPAM_FAIL_CLOSED);
	ck_assert_str_eq(o.profile, "b");
}
END_TEST

START_TEST(options_rejected)
{
	static char longsock[200];
	const char *argv[] = {
		"bogus", "debug=1", "profile", "profile=", "profilex=a", "failmode=sometimes",
		"failmode=", "socket=relative.sock", longsock, "Failmode=open", NULL,
	};
	struct dgpam_opts o;

	memset(longsock, 'a', sizeof(longsock) - 1);
	memcpy(longsock, "socket=/", 8);	// NOLINT(bugprone-not-null-terminated-result): a prefix; the end is a NUL already
	rejected[0] = '\0';
	ck_assert_int_eq(dgpam_parse_options(&o, 11, argv, note_reject, NULL), 10);
	/* nothing changed: the safe defaults stay */
	ck_assert_ptr_null(o.profile);
	ck_assert_int_eq(o.failmode, DGPAM_FAIL_CLOSED);
	ck_assert(!o.debug);
	ck_assert_str_eq(o.socket, "/run/deployguard/control.sock");
	ck_assert_has(rejected, "[bogus: unknown option]");
	ck_assert_has(rejected, "[debug=1: unknown option]");
	ck_assert_has(rejected, "[profile: unknown option]");
	ck_assert_has(rejected, "[profile=: empty profile name]");
	ck_assert_has(rejected, "[profilex=a: unknown option]");
	ck_assert_has(rejected, "[failmode=sometimes: failmode must be closed or open; staying closed]");
	ck_assert_has(rejected, "[socket=relative.sock: socket must be an absolute path");
	ck_assert_has(rejected, "[Failmode=open: unknown option]");
}
END_TEST

/* ---- through PAM: users who are not designated -------------------------------------------- */

START_TEST(unguarded_user_is_ignored)
{
	struct outcome r = login(args_fake(""));
	char uid[32];

	ck_assert_int_eq(r.open_rc, RC_IGNORED);
	ck_assert_str_eq(r.env, "");
	/* one request, nothing at close: this is all a non-deploy login costs */
	ck_assert_int_eq(nreqs(), 1);
	ck_assert_str_eq(req_field(0, "op"), "open");
	ck_assert_str_eq(req_field(0, "opener"), "pam");
	ck_assert_str_eq(req_field(0, "guard"), "designated");
	ck_assert_str_eq(req_field(0, "user"), me());
	snprintf(uid, sizeof(uid), "%u", (unsigned)getuid());
	ck_assert_str_eq(req_field(0, "uid"), uid);
	ck_assert_str_eq(req_field(0, "tty"), "pts/7");
	ck_assert_str_eq(req_field(0, "service"), "dgtest");
	ck_assert_str_eq(req_field(0, "rhost"), "(absent)");
	ck_assert_str_eq(req_field(0, "profile"), "(absent)");
	/* quiet: no log line, no message */
	ck_assert_str_eq(logbuf, "");
	ck_assert_str_eq(convbuf, "");
}
END_TEST

START_TEST(remote_host_means_ssh)
{
	struct login l = { .rhost = "192.0.2.10", .tty = "ssh" };
	struct outcome r = login_with(&l, args_fake(""));

	ck_assert_int_eq(r.open_rc, RC_IGNORED);
	ck_assert_str_eq(req_field(0, "opener"), "ssh");
	ck_assert_str_eq(req_field(0, "rhost"), "192.0.2.10");
	ck_assert_str_eq(req_field(0, "tty"), "ssh");
}
END_TEST

START_TEST(sshd_service_means_ssh)
{
	struct login l = { .service = "sshd" };
	struct outcome r = login_with(&l, args_fake(""));

	ck_assert_int_eq(r.open_rc, RC_IGNORED);
	ck_assert_str_eq(req_field(0, "opener"), "ssh");
	ck_assert_str_eq(req_field(0, "service"), "sshd");
	ck_assert_str_eq(req_field(0, "tty"), "(absent)");
}
END_TEST

START_TEST(profile_option_is_sent)
{
	struct outcome r = login(args_fake("profile=strict"));

	ck_assert_int_eq(r.open_rc, RC_IGNORED);
	ck_assert_str_eq(req_field(0, "profile"), "strict");
}
END_TEST

/* ---- guarded sessions ----------------------------------------------------------------------- */

/* a stand-in for the session's cgroup: a directory with a cgroup.procs file */
static void make_cgroup(const char *name, char *path, size_t len)
{
	char procs[256];
	int fd;

	snprintf(path, len, "%s/%s", fake.dir, name);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	fd = open(procs, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void read_procs(const char *cg, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	buf[0] = '\0';
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
}

START_TEST(guarded_session_joins_and_closes)
{
	char cg[200], cgfield[220], procs[32], pid[32];
	struct outcome r;

	make_cgroup("s42", cg, sizeof(cg));
	snprintf(cgfield, sizeof(cgfield), "cgroup=%s", cg);
	set_reply(&fake.open_reply, "status=ok", "session=42", cgfield, "profile=default",
		  "mode=blocklist", "enforce=yes");
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SUCCESS);
	/* the calling process (sshd's, here ours) moved into the session */
	read_procs(cg, procs, sizeof(procs));
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	ck_assert_str_eq(procs, pid);
	ck_assert_str_eq(r.env, "42");
	ck_assert_has(logbuf, "INFO: pam_deployguard(dgtest:session): session 42 opened for user ");
	ck_assert_has(logbuf, "profile=default mode=blocklist enforce=yes");
	/* close tells the daemon, once */
	ck_assert_int_eq(r.close_rc, PAM_SUCCESS);
	ck_assert_int_eq(nreqs(), 2);
	ck_assert_str_eq(req_field(1, "op"), "close");
	ck_assert_str_eq(req_field(1, "session"), "42");
	ck_assert_str_eq(convbuf, "");
}
END_TEST

/* a limit the host cannot apply, in limits_unavailable = warn: the user hears it */
START_TEST(reply_warning_reaches_the_user)
{
	char cg[200], cgfield[220];
	struct outcome r;

	make_cgroup("s45", cg, sizeof(cg));
	snprintf(cgfield, sizeof(cgfield), "cgroup=%s", cg);
	set_reply(&fake.open_reply, "status=ok", "session=45", cgfield,
		  "warning=memory_high cannot be applied here");
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SUCCESS);
	ck_assert_has(convbuf, "INFO: deployguard: warning: memory_high cannot be applied here\n");
	ck_assert_has(logbuf, "WARNING: pam_deployguard(dgtest:session): session 45: "
			      "memory_high cannot be applied here");
}
END_TEST

START_TEST(cannot_join_closed_refuses_and_closes)
{
	char cgfield[220];
	struct outcome r;

	snprintf(cgfield, sizeof(cgfield), "cgroup=%s/gone", fake.dir);
	set_reply(&fake.open_reply, "status=ok", "session=43", cgfield);
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_str_eq(r.env, "");
	/* the daemon hears that the session it opened is over */
	ck_assert_int_eq(nreqs(), 2);
	ck_assert_str_eq(req_field(1, "op"), "close");
	ck_assert_str_eq(req_field(1, "session"), "43");
	ck_assert_has(convbuf, "ERROR: deployguard: cannot join session 43 (cgroup ");
	ck_assert_has(convbuf, "No such file or directory");
	ck_assert_has(logbuf, "ERR: ");
}
END_TEST

START_TEST(cannot_join_open_runs_unguarded)
{
	char cgfield[220];
	struct outcome r;

	snprintf(cgfield, sizeof(cgfield), "cgroup=%s/gone", fake.dir);
	set_reply(&fake.open_reply, "status=ok", "session=44", cgfield);
	r = login(args_fake("failmode=open"));

	ck_assert_int_eq(r.open_rc, PAM_SUCCESS);
	ck_assert_str_eq(r.env, "");
	ck_assert_int_eq(nreqs(), 2);	/* close had nothing of ours to close */
	ck_assert_str_eq(req_field(1, "session"), "44");
	ck_assert_int_eq(audit.n, 1);
	ck_assert_has(audit.message, "op=deployguard-failopen ");
	ck_assert_has(audit.message, hex(" reason=", "cannot join session 44 (cgroup "));
}
END_TEST

START_TEST(ok_without_session_id_refuses)
{
	struct outcome r;

	set_reply(&fake.open_reply, "status=ok", "cgroup=/nowhere");
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(convbuf, "deployguardd sent no session id");
}
END_TEST

/* ---- the daemon cannot guard: fail modes --------------------------------------------------- */

START_TEST(unreachable_closed_refuses_with_message)
{
	struct outcome r = login(args_nodaemon(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(convbuf, "ERROR: deployguard: deployguardd is not running.\n");
	ck_assert_has(convbuf, "was refused");
	ck_assert_has(logbuf, "ERR: pam_deployguard(dgtest:session): deployguardd is not running: "
			      "session of user ");
	ck_assert_has(logbuf, "refused (failmode=closed)");
	ck_assert_int_eq(audit.n, 0);
}
END_TEST

START_TEST(unreachable_closed_silent)
{
	struct login l = { .flags = PAM_SILENT };
	struct outcome r = login_with(&l, args_nodaemon(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_str_eq(convbuf, "");
	ck_assert_has(logbuf, "refused (failmode=closed)");
}
END_TEST

START_TEST(stale_socket_closed_refuses)
{
	struct outcome r;

	/* a socket file nobody accepts on: ECONNREFUSED */
	shutdown(fake.lfd, SHUT_RDWR);
	close(fake.lfd);
	fake.lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(convbuf, "deployguardd is not running");
}
END_TEST

START_TEST(unreachable_open_runs_and_records)
{
	struct login l = { .rhost = "192.0.2.10", .tty = "ssh" };
	struct outcome r = login_with(&l, args_nodaemon("failmode=open"));
	char want[256];

	ck_assert_int_eq(r.open_rc, PAM_SUCCESS);
	ck_assert_str_eq(r.env, "");
	ck_assert_has(logbuf, "WARNING: pam_deployguard(dgtest:session): deployguardd is not "
			      "running: the session of user ");
	ck_assert_has(logbuf, "runs UNGUARDED (failmode=open)");
	ck_assert_has(convbuf, "INFO: deployguard: deployguardd is not running; this session is "
			       "NOT guarded.");
	/* the record: the daemon is down, so the module writes it */
	ck_assert_int_eq(audit.n, 1);
	ck_assert_int_eq(audit.type, AUDIT_TRUSTED_APP);
	ck_assert_int_eq(audit.result, 0);
	/* values with spaces are hex, as libaudit encodes them (ausearch -i decodes) */
	snprintf(want, sizeof(want), "op=deployguard-failopen acct=\"%s\" uid=%u service=\"dgtest\"%s",
		 me(), (unsigned)getuid(), hex(" reason=", "deployguardd is not running"));
	ck_assert_str_eq(audit.message, want);
	ck_assert_str_eq(audit.hostname, "192.0.2.10");
	ck_assert_str_eq(audit.addr, "192.0.2.10");
	ck_assert_str_eq(audit.tty, "ssh");
}
END_TEST

START_TEST(failopen_never_resolves_a_host_name)
{
	struct login l = { .rhost = "build-host.example" };
	struct outcome r = login_with(&l, args_nodaemon("failmode=open"));

	ck_assert_int_eq(r.open_rc, PAM_SUCCESS);
	ck_assert_int_eq(audit.n, 1);
	ck_assert_str_eq(audit.hostname, "build-host.example");
	ck_assert_str_eq(audit.addr, "?");	/* given, so libaudit does not look it up */
}
END_TEST

START_TEST(failopen_encodes_untrusted_strings)
{
	struct outcome r;

	/* a daemon message with a quote and a space must not forge a field */
	set_reply(&fake.open_reply, "status=error", "message=bad \"x\" res=success");
	r = login(args_fake("failmode=open"));

	ck_assert_int_eq(r.open_rc, PAM_SUCCESS);
	ck_assert_int_eq(audit.n, 1);
	ck_assert_hasnt(audit.message, "res=success");
	ck_assert_has(audit.message, " reason=");
}
END_TEST

START_TEST(daemon_error_closed_refuses)
{
	struct outcome r;

	set_reply(&fake.open_reply, "status=error", "message=unknown profile 'nope'");
	r = login(args_fake("profile=nope"));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(convbuf, "deployguard: deployguardd could not open a session: "
			       "unknown profile 'nope'.");
}
END_TEST

START_TEST(malformed_reply_closed_refuses)
{
	struct outcome r;

	fake.kind = REPLY_GARBAGE;
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(convbuf, "deployguardd sent a malformed reply");
}
END_TEST

START_TEST(hangup_closed_refuses)
{
	struct outcome r;

	/* what the real daemon does to a client that is not root */
	fake.kind = REPLY_HANGUP;
	r = login(args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(convbuf, "deployguardd refused the request (root only)");
}
END_TEST

/* ---- options through PAM ------------------------------------------------------------------- */

START_TEST(unknown_options_logged_and_ignored)
{
	struct outcome r = login(args_fake("bogus frobnicate=1"));

	ck_assert_int_eq(r.open_rc, RC_IGNORED);
	ck_assert_int_eq(nreqs(), 1);
	ck_assert_has(logbuf, "ERR: pam_deployguard(dgtest:session): ignoring option \"bogus\": "
			      "unknown option\n");
	ck_assert_has(logbuf, "ERR: pam_deployguard(dgtest:session): ignoring option "
			      "\"frobnicate=1\": unknown option\n");
}
END_TEST

START_TEST(bad_failmode_stays_closed)
{
	struct outcome r = login(args_nodaemon("failmode=sometimes"));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_has(logbuf, "ignoring option \"failmode=sometimes\"");
	ck_assert_int_eq(audit.n, 0);
}
END_TEST

START_TEST(debug_logs_decisions)
{
	struct outcome r = login(args_fake("debug"));

	ck_assert_int_eq(r.open_rc, RC_IGNORED);
	ck_assert_has(logbuf, "DEBUG: pam_deployguard(dgtest:session): user ");
	ck_assert_has(logbuf, " is not designated: not guarded\n");
	ck_assert_has(logbuf, "DEBUG: pam_deployguard(dgtest:session): no session opened by this "
			      "module: nothing to close\n");
}
END_TEST

START_TEST(no_user_is_an_error)
{
	struct login l = { .user = "" };
	struct outcome r = login_with(&l, args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_SESSION_ERR);
	ck_assert_int_eq(nreqs(), 0);
	ck_assert_has(logbuf, "ERR: pam_deployguard(dgtest:session): no user name");
}
END_TEST

START_TEST(unknown_user_is_an_error)
{
	struct login l = { .user = "dg-no-such-user" };
	struct outcome r = login_with(&l, args_fake(""));

	ck_assert_int_eq(r.open_rc, PAM_USER_UNKNOWN);
	ck_assert_int_eq(nreqs(), 0);
	ck_assert_has(logbuf, "unknown user dg-no-such-user");
}
END_TEST

static Suite *pam_suite(void)
{
	Suite *s = suite_create("pam_deployguard");
	TCase *tc;

	tc = tcase_create("options");
	tcase_add_test(tc, options_defaults);
	tcase_add_test(tc, options_all_known);
	tcase_add_test(tc, options_later_wins);
	tcase_add_test(tc, options_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("stack");
	tcase_add_unchecked_fixture(tc, make_basedir, remove_basedir);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unguarded_user_is_ignored);
	tcase_add_test(tc, remote_host_means_ssh);
	tcase_add_test(tc, sshd_service_means_ssh);
	tcase_add_test(tc, profile_option_is_sent);
	tcase_add_test(tc, guarded_session_joins_and_closes);
	tcase_add_test(tc, reply_warning_reaches_the_user);
	tcase_add_test(tc, cannot_join_closed_refuses_and_closes);
	tcase_add_test(tc, cannot_join_open_runs_unguarded);
	tcase_add_test(tc, ok_without_session_id_refuses);
	tcase_add_test(tc, unreachable_closed_refuses_with_message);
	tcase_add_test(tc, unreachable_closed_silent);
	tcase_add_test(tc, stale_socket_closed_refuses);
	tcase_add_test(tc, unreachable_open_runs_and_records);
	tcase_add_test(tc, failopen_never_resolves_a_host_name);
	tcase_add_test(tc, failopen_encodes_untrusted_strings);
	tcase_add_test(tc, daemon_error_closed_refuses);
	tcase_add_test(tc, malformed_reply_closed_refuses);
	tcase_add_test(tc, hangup_closed_refuses);
	tcase_add_test(tc, unknown_options_logged_and_ignored);
	tcase_add_test(tc, bad_failmode_stays_closed);
	tcase_add_test(tc, debug_logs_decisions);
	tcase_add_test(tc, no_user_is_an_error);
	tcase_add_test(tc, unknown_user_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pam_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
