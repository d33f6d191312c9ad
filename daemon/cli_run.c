// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguard run: CMD in a guarded session.  With deployguardd running the
 * session is one of its own; without, a private daemon (nothing pinned, its
 * own cgroup root and proxy port) lives exactly as long as CMD, which is what
 * a CI pipeline wants when it checks a deploy script for circular
 * dependencies.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "dgclient.h"
#include "util.h"

struct private_daemon {
	pid_t pid;
	char run_dir[PATH_MAX];
	char socket[PATH_MAX];
};

static volatile sig_atomic_t forward_sig;

static void on_forwarded(int sig)
{
	forward_sig = sig;
}

static int find_daemon_binary(char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	/* next to us first: a build tree or a relocated install */
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (!dg_path(buf, len, "%s/deployguardd", self) && access(buf, X_OK) == 0)
				return 0;
		}
	}
	if (!dg_path(buf, len, "%s/deployguardd", DG_SBINDIR) && access(buf, X_OK) == 0)
		return 0;
	return -ENOENT;
}

static int start_private(struct cli *c, struct private_daemon *pd)
{
	char bin[PATH_MAX], fdarg[16];
	const char *base = access("/run", W_OK) == 0 ? "/run" : "/tmp";
	int pfd[2];
	char ready;
	ssize_t n;

	if (find_daemon_binary(bin, sizeof(bin))) {
		fprintf(stderr, "deployguard run: deployguardd is not running and its binary was "
			"not found next to deployguard or in %s\n", DG_SBINDIR);
		return -ENOENT;
	}
	if (dg_path(pd->run_dir, sizeof(pd->run_dir), "%s/deployguard-run.XXXXXX", base) ||
	    !mkdtemp(pd->run_dir)) {
		fprintf(stderr, "deployguard run: temporary directory in %s: %s\n", base,
			strerror(errno));
		return -errno;
	}
	dg_path(pd->socket, sizeof(pd->socket), "%s/control.sock", pd->run_dir);
	if (pipe(pfd))
		return -errno;
	pd->pid = fork();
	if (pd->pid < 0)
		return -errno;
	if (pd->pid == 0) {
		const char *argv[12];
		int a = 0;

		/* Ctrl-C is for CMD; we stop the daemon once CMD is done */
		setpgid(0, 0);
		close(pfd[0]);
		snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
		argv[a++] = bin;
		argv[a++] = "--private";
		argv[a++] = "--run-dir";
		argv[a++] = pd->run_dir;
		argv[a++] = "--ready-fd";
		argv[a++] = fdarg;
		if (c->config) {
			argv[a++] = "-c";
			argv[a++] = c->config;
		}
		argv[a] = NULL;
		execv(bin, (char *const *)argv);
		fprintf(stderr, "deployguard run: %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	do {
		n = read(pfd[0], &ready, 1);
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != 1) {
		int st;

		waitpid(pd->pid, &st, 0);
		pd->pid = 0;
		rmdir(pd->run_dir);
		fprintf(stderr, "deployguard run: the private deployguardd did not start "
			"(see its messages above)\n");
		return -EIO;
	}
	snprintf(c->socket_path, sizeof(c->socket_path), "%s", pd->socket);
	return 0;
}

static void stop_private(struct private_daemon *pd)
{
	int st;

	if (pd->pid <= 0)
		return;
	kill(pd->pid, SIGTERM);
	while (waitpid(pd->pid, &st, 0) < 0 && errno == EINTR)
		;
	pd->pid = 0;
	rmdir(pd->run_dir);
}

static void kill_leftovers(const char *cgroup)
{
	char path[PATH_MAX];
	pid_t pid;

	/* with a private daemon nothing stays guarded after us: end it all */
	if (dg_cgroup_populated(cgroup) != 1)
		return;
	fprintf(stderr, "deployguard run: stopping processes CMD left behind in its session\n");
	if (dg_path(path, sizeof(path), "%s/cgroup.kill", cgroup) || dg_write_file(path, "1")) {
		/* before Linux 5.14: one by one */
		for (int i = 0; i < 100 && (pid = dg_cgroup_first_pid(cgroup)) > 0; i++) {
			kill(pid, SIGKILL);
			usleep(10000);
		}
	}
	/* killing is asynchronous; the session can only end once it is empty */
	for (int i = 0; i < 300 && dg_cgroup_populated(cgroup) == 1; i++)
		usleep(10000);
}

int cmd_run(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "audit", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct private_daemon pd = { 0 };
	struct dg_ctlmsg *req = NULL, *r = NULL;
	const char *profile = NULL, *status;
	char cgroup[PATH_MAX], cwd[PATH_MAX], session[32];
	struct sigaction sa = { .sa_handler = on_forwarded }, ign = { .sa_handler = SIG_IGN };
	struct sigaction old_int, old_quit, old_term, old_hup;
	struct passwd *pw;
	bool audit = false;
	int opt, rc = 1, st = 0, err;
	pid_t child;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+p:ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			profile = optarg;
			break;
		case 'a':
			audit = true;
			break;
		case 'h':
			printf("Usage: deployguard run [--profile NAME] [--audit] -- CMD [ARG...]\n");
			return 0;
		default:
			fprintf(stderr, "Usage: deployguard run [--profile NAME] [--audit] -- CMD "
				"[ARG...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "deployguard run: no command given\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "deployguard run: must be run as root (try: sudo deployguard run "
			"-- ...)\n");
		return 1;
	}

	req = malloc(sizeof(*req));
	r = malloc(sizeof(*r));
	if (!req || !r)
		goto out;

	pw = getpwuid(getuid());
	dg_ctl_init(req);
	dg_ctl_add(req, "op", "open");
	dg_ctl_add(req, "opener", "run");
	dg_ctl_add(req, "guard", "always");
	dg_ctl_add(req, "user", pw ? pw->pw_name : "root");
	dg_ctl_add_u64(req, "uid", getuid());
	if (getenv("SUDO_USER"))
		dg_ctl_add(req, "sudo_user", getenv("SUDO_USER"));
	if (profile)
		dg_ctl_add(req, "profile", profile);
	if (audit)
		dg_ctl_add(req, "audit", "1");
	if (getcwd(cwd, sizeof(cwd)))
		dg_ctl_add(req, "cwd", cwd);
	if (ttyname(STDIN_FILENO))
		dg_ctl_add(req, "tty", ttyname(STDIN_FILENO));
	for (int i = optind; i < argc; i++)
		dg_ctl_add(req, "arg", argv[i]);
	if (req->overflow) {
		fprintf(stderr, "deployguard run: command line too long\n");
		goto out;
	}
	/* one round trip when a daemon runs; a private one when none does */
	err = dg_client_call(cli_socket(c), req, r, DG_CLIENT_TIMEOUT_MS);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		if (start_private(c, &pd))
			goto out;
		err = dg_client_call(cli_socket(c), req, r, DG_CLIENT_TIMEOUT_MS);
	}
	if (err) {
		fprintf(stderr, "deployguard run: %s (%s)\n", dg_client_strerror(err), cli_socket(c));
		goto out;
	}
	if (!dg_ctl_get(r, "status") || strcmp(dg_ctl_get(r, "status"), "ok")) {
		const char *msg = dg_ctl_get(r, "message");

		fprintf(stderr, "deployguard run: %s\n", msg ? msg : "the daemon refused the session");
		goto out;
	}
	status = dg_ctl_get(r, "status");
	if (!status || strcmp(status, "ok") || !dg_ctl_get(r, "cgroup")) {
		fprintf(stderr, "deployguard run: the daemon did not open a session\n");
		goto out;
	}
	if (dg_ctl_get(r, "warning"))
		fprintf(stderr, "deployguard run: warning: %s\n", dg_ctl_get(r, "warning"));
	snprintf(cgroup, sizeof(cgroup), "%s", dg_ctl_get(r, "cgroup"));
	snprintf(session, sizeof(session), "%s", dg_ctl_get(r, "session"));

	/* Ctrl-C reaches CMD through the terminal; we only wait for it */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	child = fork();
	if (child < 0) {
		fprintf(stderr, "deployguard run: fork: %s\n", strerror(errno));
		goto close_session;
	}
	if (child == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		err = dg_session_enter(r, 0);
		if (err) {
			fprintf(stderr, "deployguard run: entering %s: %s\n", cgroup, strerror(-err));
			_exit(126);
		}
		/* a socket inherited from outside keeps its creator's (unguarded)
		 * rules: hand CMD nothing but its stdio */
		close_range(3, ~0U, 0);
		execvp(argv[optind], argv + optind);
		err = errno;
		fprintf(stderr, "deployguard run: %s: %s\n", argv[optind], strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}

	for (;;) {
		pid_t w = waitpid(child, &st, 0);

		if (w == child)
			break;
		if (w < 0 && errno != EINTR) {
			st = 0;
			break;
		}
		if (forward_sig) {
			kill(child, forward_sig);
			forward_sig = 0;
		}
	}
	if (WIFSIGNALED(st))
		rc = 128 + WTERMSIG(st);
	else
		rc = WEXITSTATUS(st);

close_session:
	if (pd.pid > 0)
		kill_leftovers(cgroup);
	dg_ctl_init(req);
	dg_ctl_add(req, "op", "close");
	dg_ctl_add(req, "session", session);
	if (WIFSIGNALED(st))
		dg_ctl_add_u64(req, "signal", (uint64_t)WTERMSIG(st));
	else
		dg_ctl_add_u64(req, "exit", (uint64_t)WEXITSTATUS(st));
	cli_call(c, req, r);
out:
	stop_private(&pd);
	free(req);
	free(r);
	return rc;
}
