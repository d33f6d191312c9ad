// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for deployguard_sudo.so: dlopen the built plugin and call its
 * open()/close() the way sudo's front end does, with argument vectors built
 * here.  The daemon is a fake control socket served from a thread, so every
 * reply is under the test's control and every request can be inspected.
 * "Daemon down" is a socket path nobody listens on.
 *
 *   sudo_plugin_test PATH/deployguard_sudo.so
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#pragma GCC diagnostic push
#include <sudo_plugin.h>
#pragma GCC diagnostic pop

#include "ctlmsg.h"

static const char *plugin_path;
static struct io_plugin *plugin;

/* ---- what the plugin says through sudo_printf ------------------------------------ */

static char said_err[8192], said_info[8192];

static int fake_printf(int type, const char *fmt, ...)
{
	char *buf = type == SUDO_CONV_INFO_MSG ? said_info : said_err;
	size_t used = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* clang-tidy 14 loses track of va_start() in this callback */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	n = vsnprintf(buf + used, sizeof(said_err) - used, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- a fake deployguardd ----------------------------------------------------------- */

#define MAX_REQS 8

static struct {
	char dir[48];
	char sock[64];
	char cgroup[64];	/* a directory with a plain cgroup.procs file */
	int lfd;
	pthread_t thread;
	volatile int stop;
	const char *replies[MAX_REQS];	/* "k=v\nk=v" for each connection in turn */
	int nreplies;
	struct dg_ctlmsg reqs[MAX_REQS];
	int nreqs;
} fk;

static void msg_from_text(struct dg_ctlmsg *m, const char *text)
{
	char *copy = strdup(text), *save = NULL;

	dg_ctl_init(m);
	for (char *f = strtok_r(copy, "\n", &save); f; f = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(f, '=');

		*eq = '\0';
		dg_ctl_add(m, f, eq + 1);
	}
	free(copy);
}

static void *serve(void *unused)
{
	static struct dg_ctlmsg reply;

	while (!fk.stop) {
		struct pollfd p = { .fd = fk.lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(fk.lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (fk.nreqs < MAX_REQS) {
			struct dg_ctlmsg *m = &fk.reqs[fk.nreqs];
			ssize_t n = recv(fd, m->buf, sizeof(m->buf), 0);
			if (n > 0 && !dg_ctl_parse(m, m->buf, (size_t)n)) {
				int i = fk.nreqs < fk.nreplies ? fk.nreqs : fk.nreplies - 1;

				msg_from_text(&reply, i >= 0 ? fk.replies[i] : "status=ok");
				fk.nreqs++;
				send(fd, reply.buf, reply.len, MSG_NOSIGNAL);
			}
		}
		close(fd);
	}
	return NULL;
}

static void fake_write(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fk.dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char opt_sock[128], opt_down[128], opt_conf[128];

static void build_opts(void)
{
	snprintf(opt_sock, sizeof(opt_sock), "socket=%s", fk.sock);
	snprintf(opt_down, sizeof(opt_down), "socket=%s/nobody-listens.sock", fk.dir);
	snprintf(opt_conf, sizeof(opt_conf), "config=%s/dg.conf", fk.dir);
}

static char base_dir[32];

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

/*
 * Each test works in a directory of its own under base_dir.  base_dir is
 * made and removed by the unchecked fixture, in the runner itself: a failed
 * assertion ends a forked test before its checked teardown runs.
 */
static void make_base_dir(void)
{
	snprintf(base_dir, sizeof(base_dir), "/tmp/dgsudo-unit.XXXXXX");
	if (!mkdtemp(base_dir)) {
		perror("mkdtemp");
		exit(1);
	}
}

static void remove_base_dir(void)
{
	if (nftw(base_dir, remove_one, 8, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "could not remove %s: %s\n", base_dir, strerror(errno));
}

static void setup(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(&fk, 0, sizeof(fk));
	said_err[0] = said_info[0] = '\0';
	snprintf(fk.dir, sizeof(fk.dir), "%s/t.XXXXXX", base_dir);
	ck_assert_ptr_nonnull(mkdtemp(fk.dir));
	snprintf(fk.sock, sizeof(fk.sock), "%s/ctl.sock", fk.dir);
	snprintf(fk.cgroup, sizeof(fk.cgroup), "%s/cg", fk.dir);
	ck_assert_int_eq(mkdir(fk.cgroup, 0755), 0);
	fake_write("cg/cgroup.procs", "");
	/* designates "nobody" when the plugin has to decide without the daemon */
	fake_write("dg.conf", "[profile default]\nblock = github.com\n[users]\nnobody = default\n");

	fk.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fk.lfd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fk.sock);
	ck_assert_int_eq(bind(fk.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fk.lfd, 8), 0);
	ck_assert_int_eq(pthread_create(&fk.thread, NULL, serve, NULL), 0);
	build_opts();
}

static void teardown(void)
{
	fk.stop = 1;
	pthread_join(fk.thread, NULL);
	close(fk.lfd);
}

/* what the fake daemon answers: first to the open, then to the close */
static void replies(const char *first, const char *then)
{
	fk.replies[0] = first;
	fk.replies[1] = then;
	fk.nreplies = then ? 2 : 1;
}

/* the thread serves requests as they come; wait until n arrived */
static int nreqs_after(int n)
{
	for (int i = 0; i < 100 && fk.nreqs < n; i++)
		usleep(10000);
	return fk.nreqs;
}

static char *cgroup_procs(void)
{
	static char buf[64];
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", fk.cgroup);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* the values of key in m, joined by '|' */
static const char *all_of(const struct dg_ctlmsg *m, const char *key)
{
	static char out[4096];
	struct dg_ctl_field f;
	size_t pos = 0, used = 0;

	out[0] = '\0';
	while (dg_ctl_next(m, &pos, &f) && used < sizeof(out)) {
		if (dg_ctl_field_is(&f, key))
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s",
						 used ? "|" : "", f.val);
	}
	return out;
}

/* ---- calling the plugin like sudo does ------------------------------------------------ */

static char *settings[] = { "runas_user=mallory", "login_shell=false", NULL };
static char *user_alice[] = { "user=alice", "uid=1000", "gid=1000", "tty=/dev/pts/7",
			      "cwd=/home/alice", "pid=4242", NULL };
static char *info_nobody[] = { "command=/srv/app/deploy.sh", "runas_uid=65534",
			       "runas_gid=65534", "runas_user=nobody", "cwd=/srv/app", NULL };
static char *info_root[] = { "command=/usr/bin/id", "runas_uid=0", "runas_gid=0",
			     "runas_user=root", NULL };
static char *deploy_argv[] = { "./deploy.sh", "--fast", "two words", NULL };
static char *env[] = { "PATH=/usr/bin:/bin", NULL };

static int open_v(unsigned int version, char **opts, char **user_info, char **command_info,
		  int argc, char **argv, const char **errstr)
{
	return plugin->open(version, NULL, fake_printf, settings, user_info, command_info,
			    argc, argv, env, opts, errstr);
}

static int open_cmd(char **opts, char **command_info, const char **errstr)
{
	return open_v(SUDO_API_VERSION, opts, user_alice, command_info, 3, deploy_argv, errstr);
}

/* ---- the plugin itself ------------------------------------------------------------------ */

START_TEST(test_struct)
{
	ck_assert_uint_eq(plugin->type, SUDO_IO_PLUGIN);
	ck_assert_uint_eq(SUDO_API_VERSION_GET_MAJOR(plugin->version), SUDO_API_VERSION_MAJOR);
	ck_assert_ptr_nonnull(plugin->open);
	ck_assert_ptr_nonnull(plugin->close);
	ck_assert_ptr_nonnull(plugin->show_version);
	/* any of these would make sudo run the command in a pty or through pipes */
	ck_assert_ptr_null(plugin->log_ttyin);
	ck_assert_ptr_null(plugin->log_ttyout);
	ck_assert_ptr_null(plugin->log_stdin);
	ck_assert_ptr_null(plugin->log_stdout);
	ck_assert_ptr_null(plugin->log_stderr);
	ck_assert_ptr_null(plugin->change_winsize);
	ck_assert_ptr_null(plugin->log_suspend);
}
END_TEST

/* ---- designated: a session, joined before sudo forks ------------------------------------------- */

START_TEST(test_designated_opens_and_joins)
{
	static char r[256];
	char *opts[] = { opt_sock, "profile=strict", NULL };
	const char *errstr = NULL;
	const struct dg_ctlmsg *m;
	char pid[32];

	snprintf(r, sizeof(r), "status=ok\nsession=42\ncgroup=%s\nprofile=strict\n"
		 "mode=blocklist\nenforce=yes", fk.cgroup);
	replies(r, "status=ok");
	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), 1);
	ck_assert_ptr_null(errstr);
	ck_assert_int_eq(nreqs_after(1), 1);
	m = &fk.reqs[0];
	ck_assert_str_eq(dg_ctl_get(m, "op"), "open");
	ck_assert_str_eq(dg_ctl_get(m, "opener"), "sudo");
	ck_assert_str_eq(dg_ctl_get(m, "guard"), "designated");
	ck_assert_str_eq(dg_ctl_get(m, "user"), "alice");
	ck_assert_str_eq(dg_ctl_get(m, "runas"), "nobody");
	ck_assert_str_eq(dg_ctl_get(m, "uid"), "1000");
	ck_assert_str_eq(dg_ctl_get(m, "profile"), "strict");
	ck_assert_str_eq(dg_ctl_get(m, "tty"), "/dev/pts/7");
	ck_assert_str_eq(dg_ctl_get(m, "cwd"), "/srv/app");
	ck_assert_str_eq(all_of(m, "arg"), "./deploy.sh|--fast|two words");
	/* this very process moved into the session's cgroup */
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	ck_assert_str_eq(cgroup_procs(), pid);
	ck_assert_str_eq(said_err, "");

	/* the command exited 7 */
	plugin->close(7 << 8, 0);
	ck_assert_int_eq(nreqs_after(2), 2);
	m = &fk.reqs[1];
	ck_assert_str_eq(dg_ctl_get(m, "op"), "close");
	ck_assert_str_eq(dg_ctl_get(m, "session"), "42");
	ck_assert_str_eq(dg_ctl_get(m, "exit"), "7");
	ck_assert_ptr_null(dg_ctl_get(m, "signal"));
}
END_TEST

static void open_session_42(void)
{
	static char r[256];
	char *opts[] = { opt_sock, NULL };

	snprintf(r, sizeof(r), "status=ok\nsession=42\ncgroup=%s", fk.cgroup);
	replies(r, "status=ok");
	ck_assert_int_eq(open_cmd(opts, info_nobody, NULL), 1);
	ck_assert_int_eq(nreqs_after(1), 1);
}

START_TEST(test_close_reports_signal)
{
	open_session_42();
	plugin->close(15 /* wait status: killed by SIGTERM */, 0);
	ck_assert_int_eq(nreqs_after(2), 2);
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[1], "signal"), "15");
	ck_assert_ptr_null(dg_ctl_get(&fk.reqs[1], "exit"));
}
END_TEST

START_TEST(test_close_reports_exec_failure)
{
	open_session_42();
	plugin->close(0, ENOENT);	/* sudo could not execute the command */
	ck_assert_int_eq(nreqs_after(2), 2);
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[1], "exit"), "127");
}
END_TEST

START_TEST(test_close_once)
{
	open_session_42();
	plugin->close(0, 0);
	plugin->close(0, 0);
	ck_assert_int_eq(nreqs_after(3), 2);
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[1], "exit"), "0");
}
END_TEST

/* a limit the host cannot apply, in limits_unavailable = warn: the user hears it */
START_TEST(test_reply_warning_is_shown)
{
	static char r[256];
	char *opts[] = { opt_sock, NULL };

	snprintf(r, sizeof(r), "status=ok\nsession=42\ncgroup=%s\nwarning=pids_max cannot be applied here",
		 fk.cgroup);
	replies(r, "status=ok");
	ck_assert_int_eq(open_cmd(opts, info_nobody, NULL), 1);
	ck_assert_ptr_nonnull(strstr(said_err, "deployguard: warning: pids_max cannot be applied here\n"));
	plugin->close(0, 0);
}
END_TEST

/* ---- who the command runs as: command_info decides, settings never --------------------------- */

static const char *runas_for(char **command_info)
{
	char *opts[] = { opt_sock, NULL };
	int before = fk.nreqs;

	replies("status=unguarded", NULL);
	ck_assert_int_eq(open_cmd(opts, command_info, NULL), 0);
	ck_assert_int_eq(nreqs_after(before + 1), before + 1);
	return dg_ctl_get(&fk.reqs[before], "runas");
}

START_TEST(test_runas_from_command_info)
{
	char *uid_only[] = { "runas_uid=65534", NULL };
	char *name_lies[] = { "runas_uid=65534", "runas_user=root", NULL };
	char *stay_setuid[] = { "runas_uid=1000", "runas_euid=65534", "runas_user=nobody", NULL };
	char *no_name[] = { "runas_uid=3999999", NULL };
	char *nothing[] = { "command=/bin/true", NULL };

	/* settings says runas_user=mallory throughout: it is what the user typed */
	ck_assert_str_eq(runas_for(info_nobody), "nobody");
	ck_assert_str_eq(runas_for(info_root), "root");
	ck_assert_str_eq(runas_for(uid_only), "nobody");
	/* the uid is what runs; a runas_user naming someone else is not believed */
	ck_assert_str_eq(runas_for(name_lies), "nobody");
	ck_assert_str_eq(runas_for(stay_setuid), "nobody");
	ck_assert_str_eq(runas_for(no_name), "#3999999");
	/* without runas_uid sudo runs the command as root */
	ck_assert_str_eq(runas_for(nothing), "root");
}
END_TEST

START_TEST(test_invalid_runas_uid_refused)
{
	char *bad[] = { "runas_uid=12x", NULL };
	char *opts[] = { opt_sock, NULL };
	const char *errstr = NULL;

	ck_assert_int_eq(open_cmd(opts, bad, &errstr), -1);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_int_eq(nreqs_after(1), 0);
}
END_TEST

/* ---- not designated: the daemon says so, the plugin steps aside --------------------------- */

START_TEST(test_not_designated)
{
	char *opts[] = { opt_sock, NULL };
	const char *errstr = NULL;

	replies("status=unguarded", NULL);
	ck_assert_int_eq(open_cmd(opts, info_root, &errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_int_eq(nreqs_after(1), 1);
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[0], "runas"), "root");
	ck_assert_str_eq(cgroup_procs(), "");
	ck_assert_str_eq(said_err, "");
	/* nothing to close */
	plugin->close(0, 0);
	ck_assert_int_eq(nreqs_after(2), 1);
}
END_TEST

/* ---- options ---------------------------------------------------------------------------- */

START_TEST(test_bad_options)
{
	static const char *bad[][3] = {
		{ "bogus=1", NULL },
		{ "failmode=maybe", NULL },
		{ "failmode=", NULL },
		{ "debug=yes", NULL },
		{ "profile=", NULL },
		{ "profile=two words", NULL },
		{ "socket=relative.sock", NULL },
		{ "config=etc/deployguard.conf", NULL },
		{ "failmode=open", "failmode=closed", NULL },
		{ "debug", "debug", NULL },
		{ "Profile=default", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *last = bad[i][1] ? bad[i][1] : bad[i][0];
		char *opts[4] = { opt_sock, (char *)bad[i][0], (char *)bad[i][1], NULL };
		const char *errstr = NULL;
		char quoted[64];

		said_err[0] = '\0';
		ck_assert_msg(open_cmd(opts, info_nobody, &errstr) == -1, "accepted \"%s\"", last);
		snprintf(quoted, sizeof(quoted), "\"%s\"", last);
		ck_assert_msg(errstr && strstr(errstr, quoted), "errstr for \"%s\": %s", last,
			      errstr ? errstr : "(null)");
		ck_assert_msg(strstr(said_err, "deployguard: sudo.conf: ") && strstr(said_err, quoted),
			      "message for \"%s\": %s", last, said_err);
	}
	/* an option error stops everything before the daemon is asked */
	ck_assert_int_eq(nreqs_after(1), 0);
}
END_TEST

START_TEST(test_bad_options_even_without_command)
{
	char *opts[] = { "failmode=sometimes", NULL };
	char *noargv[] = { NULL };
	const char *errstr = NULL;

	/* sudo -V is how an admin checks sudo.conf: tell them */
	ck_assert_int_eq(open_v(SUDO_API_VERSION, opts, user_alice, NULL, 0, noargv, &errstr), -1);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_ptr_nonnull(strstr(said_err, "failmode=sometimes"));
}
END_TEST

START_TEST(test_old_api_has_no_errstr)
{
	char *opts[] = { "bogus", NULL };
	const char *errstr = NULL;

	/* a 1.14 front end passes no errstr argument: it must not be written */
	ck_assert_int_eq(open_v(SUDO_API_MKVERSION(1, 14), opts, user_alice, info_nobody, 3,
				deploy_argv, &errstr), -1);
	ck_assert_ptr_null(errstr);
	ck_assert_ptr_nonnull(strstr(said_err, "unknown option \"bogus\""));
}
END_TEST

START_TEST(test_other_major_api_refused)
{
	char *opts[] = { NULL };
	const char *errstr = NULL;

	ck_assert_int_eq(open_v(SUDO_API_MKVERSION(2, 0), opts, user_alice, info_nobody, 3,
				deploy_argv, &errstr), -1);
	ck_assert_ptr_nonnull(strstr(said_err, "incompatible sudo plugin API 2.0"));
}
END_TEST

START_TEST(test_good_options)
{
	char *opts[] = { opt_sock, "profile=ci-1.x", "failmode=open", "debug", opt_conf, NULL };

	replies("status=unguarded", NULL);
	ck_assert_int_eq(open_cmd(opts, info_root, NULL), 0);
	ck_assert_int_eq(nreqs_after(1), 1);
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[0], "profile"), "ci-1.x");
	/* debug talks on stderr, never stdout (that is the command's) */
	ck_assert_ptr_nonnull(strstr(said_err, "deployguard: debug: "));
	ck_assert_str_eq(said_info, "");
}
END_TEST

/* ---- no command: sudo -V, sudo -l ------------------------------------------------------- */

START_TEST(test_argc0_does_nothing)
{
	char *opts[] = { opt_sock, NULL };
	char *noargv[] = { NULL };
	const char *errstr = NULL;

	/* sudo -V: no command_info at all */
	ck_assert_int_eq(open_v(SUDO_API_VERSION, opts, user_alice, NULL, 0, noargv, &errstr), 0);
	ck_assert_int_eq(open_v(SUDO_API_VERSION, opts, user_alice, info_nobody, 0, noargv,
				&errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_int_eq(plugin->show_version(1), 1);
	plugin->close(0, 0);	/* sudo -V calls it after show_version */
	ck_assert_int_eq(nreqs_after(1), 0);
	ck_assert_str_eq(said_err, "");
	ck_assert_ptr_nonnull(strstr(said_info, "deployguard sudo I/O plugin version "));
	ck_assert_str_eq(cgroup_procs(), "");
}
END_TEST

/* ---- the daemon is down ---------------------------------------------------------------- */

START_TEST(test_down_failmode_closed_refuses)
{
	char *opts[] = { opt_down, opt_conf, NULL };
	const char *errstr = NULL;

	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), -1);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_ptr_nonnull(strstr(errstr, "deployguardd is not running"));
	ck_assert_ptr_nonnull(strstr(errstr, "failmode=closed"));
	ck_assert_ptr_nonnull(strstr(said_err, "deployguard: cannot guard this command"));
	ck_assert_str_eq(cgroup_procs(), "");
}
END_TEST

START_TEST(test_down_socket_not_listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *opts[] = { opt_down, opt_conf, NULL };
	const char *errstr = NULL;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	/* a stale socket file: bound, nobody listening */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/nobody-listens.sock", fk.dir);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), -1);
	ck_assert_ptr_nonnull(strstr(errstr, "deployguardd is not running"));
	close(fd);
}
END_TEST

START_TEST(test_down_failmode_open_runs)
{
	char *opts[] = { opt_down, opt_conf, "failmode=open", NULL };
	const char *errstr = NULL;

	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_ptr_nonnull(strstr(said_err, "WARNING: running this command UNGUARDED"));
	ck_assert_ptr_nonnull(strstr(said_err, "deployguardd is not running"));
	ck_assert_ptr_nonnull(strstr(said_err, "failmode=open"));
	ck_assert_str_eq(cgroup_procs(), "");
}
END_TEST

START_TEST(test_down_not_designated_runs)
{
	char *closed[] = { opt_down, opt_conf, NULL };
	char *open[] = { opt_down, opt_conf, "failmode=open", NULL };
	const char *errstr = NULL;

	/* root and alice are not in the config's [users]: sudo keeps working */
	ck_assert_int_eq(open_cmd(closed, info_root, &errstr), 0);
	ck_assert_int_eq(open_cmd(open, info_root, &errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_str_eq(said_err, "");
}
END_TEST

START_TEST(test_down_unreadable_config_counts_as_designated)
{
	char opt_missing[128];
	char *opts[] = { opt_down, opt_missing, NULL };
	const char *errstr = NULL;

	snprintf(opt_missing, sizeof(opt_missing), "config=%s/missing.conf", fk.dir);
	ck_assert_int_eq(open_cmd(opts, info_root, &errstr), -1);
	ck_assert_ptr_nonnull(errstr);
}
END_TEST

/* ---- the daemon answers, but not with a session -------------------------------------------- */

START_TEST(test_daemon_error)
{
	char *closed[] = { opt_sock, NULL };
	char *open[] = { opt_sock, "failmode=open", NULL };
	const char *errstr = NULL;

	replies("status=error\nmessage=unknown profile 'nope'", NULL);
	ck_assert_int_eq(open_cmd(closed, info_nobody, &errstr), -1);
	ck_assert_ptr_nonnull(strstr(errstr, "unknown profile 'nope'"));
	said_err[0] = '\0';
	errstr = NULL;
	ck_assert_int_eq(open_cmd(open, info_nobody, &errstr), 0);
	ck_assert_ptr_null(errstr);
	ck_assert_ptr_nonnull(strstr(said_err, "UNGUARDED (deployguardd: unknown profile 'nope')"));
}
END_TEST

START_TEST(test_unexpected_reply)
{
	char *opts[] = { opt_sock, NULL };
	const char *errstr = NULL;

	replies("status=maybe", NULL);
	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), -1);
	ck_assert_ptr_nonnull(strstr(errstr, "unexpected reply"));
	replies("status=ok\ncgroup=/sys/fs/cgroup/x", NULL);	/* no session id */
	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), -1);
	ck_assert_str_eq(cgroup_procs(), "");
}
END_TEST

START_TEST(test_join_failure_refuses_and_closes)
{
	static char r[256];
	char *opts[] = { opt_sock, NULL };
	const char *errstr = NULL;

	snprintf(r, sizeof(r), "status=ok\nsession=9\ncgroup=%s/gone", fk.dir);
	replies(r, "status=ok");
	ck_assert_int_eq(open_cmd(opts, info_nobody, &errstr), -1);
	ck_assert_ptr_nonnull(strstr(errstr, "joining session 9"));
	/* the session it could not join is closed at once, with no exit status */
	ck_assert_int_eq(nreqs_after(2), 2);
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[1], "op"), "close");
	ck_assert_str_eq(dg_ctl_get(&fk.reqs[1], "session"), "9");
	ck_assert_ptr_null(dg_ctl_get(&fk.reqs[1], "exit"));
	/* and sudo's close() later has nothing left to do */
	plugin->close(0, 0);
	ck_assert_int_eq(nreqs_after(3), 2);
}
END_TEST

/* ---- runner ------------------------------------------------------------------------------- */

static Suite *sudo_plugin_suite(void)
{
	Suite *s = suite_create("deployguard_sudo");
	TCase *tc = tcase_create("plugin");

	tcase_add_unchecked_fixture(tc, make_base_dir, remove_base_dir);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_struct);
	tcase_add_test(tc, test_designated_opens_and_joins);
	tcase_add_test(tc, test_close_reports_signal);
	tcase_add_test(tc, test_close_reports_exec_failure);
	tcase_add_test(tc, test_close_once);
	tcase_add_test(tc, test_reply_warning_is_shown);
	tcase_add_test(tc, test_runas_from_command_info);
	tcase_add_test(tc, test_invalid_runas_uid_refused);
	tcase_add_test(tc, test_not_designated);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_bad_options_even_without_command);
	tcase_add_test(tc, test_old_api_has_no_errstr);
	tcase_add_test(tc, test_other_major_api_refused);
	tcase_add_test(tc, test_good_options);
	tcase_add_test(tc, test_argc0_does_nothing);
	tcase_add_test(tc, test_down_failmode_closed_refuses);
	tcase_add_test(tc, test_down_socket_not_listening);
	tcase_add_test(tc, test_down_failmode_open_runs);
	tcase_add_test(tc, test_down_not_designated_runs);
	tcase_add_test(tc, test_down_unreadable_config_counts_as_designated);
	tcase_add_test(tc, test_daemon_error);
	tcase_add_test(tc, test_unexpected_reply);
	tcase_add_test(tc, test_join_failure_refuses_and_closes);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	void *h;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/deployguard_sudo.so\n", argv[0]);
		return 2;
	}
	plugin_path = argv[1];
	h = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "dlopen %s: %s\n", plugin_path, dlerror());
		return 1;
	}
	plugin = dlsym(h, "deployguard_io");
	if (!plugin) {
		fprintf(stderr, "%s: no symbol deployguard_io\n", plugin_path);
		return 1;
	}
	sr = srunner_create(sudo_plugin_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	dlclose(h);
	return failed ? 1 : 0;
}
