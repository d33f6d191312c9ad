// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguardd: guards deploy sessions.  See deployguardd(8).
 *
 * Start-up order matters for fail-closed behaviour: the BPF programs are
 * attached (or adopted) before the policy is loaded into them, and the
 * proxy address is published only once the proxy listens, so at no point
 * does a guarded session's traffic pass unchecked.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include "audit.h"
#include "blockres.h"
#include "cgroup.h"
#include "control.h"
#include "daemon.h"
#include "events.h"
#include "cglimits.h"
#include "log.h"
#include "notify.h"
#include "proxy.h"
#include "util.h"

int dg_watch_add(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	return dg_loop_add(&d->loop, w, events);
}

int dg_watch_mod(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	return dg_loop_mod(&d->loop, w, events);
}

void dg_watch_del(struct dg_daemon *d, struct dg_watch *w)
{
	dg_loop_del(&d->loop, w);
}

/* ---- policy ------------------------------------------------------------------ */

long dg_profile_index(const struct dg_daemon *d, const struct dg_profile *p)
{
	if (p < d->cfg->profiles || p >= d->cfg->profiles + d->cfg->nprofiles)
		return -1;
	return p - d->cfg->profiles;
}

uint32_t dg_profile_bpf_id(const struct dg_daemon *d, const struct dg_profile *p)
{
	long i = dg_profile_index(d, p);

	return i < 0 ? 0 : d->profile_ids[i];
}

struct id_set {
	const uint32_t *ids;
	size_t n;
};

static bool id_in_set(void *arg, uint32_t id)
{
	const struct id_set *s = arg;

	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

static uint32_t alloc_profile_id(struct dg_daemon *d)
{
	uint32_t id = d->next_profile_id++;

	if (id == 0 || id > DG_MAX_ID) {
		id = 1;
		d->next_profile_id = 2;
	}
	return id;
}

int dg_policy_apply(struct dg_daemon *d, struct dg_config *cfg, char *err, size_t errlen)
{
	struct dg_config *old_cfg = d->cfg;
	uint32_t *old_ids = d->profile_ids, *ids;
	struct id_set keep;
	int r;

	/* a live session must keep a profile to run under */
	dg_sessions_for_each(d, s) {
		if (!dg_config_profile(cfg, s->profile)) {
			snprintf(err, errlen, "profile '%s' is used by live session %u", s->profile,
				 s->id);
			return -EBUSY;
		}
	}
	ids = calloc(cfg->nprofiles, sizeof(*ids));
	if (!ids) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		ids[i] = alloc_profile_id(d);

	/* the new CIDRs go in under new ids, next to the old ones */
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct dg_profile *p = &cfg->profiles[i];

		for (size_t j = 0; j < p->ncidrs; j++) {
			r = dg_guard_cidr_put(&d->guard, ids[i], p->cidrs[j].addr, p->cidrs[j].bits,
					      p->cidrs[j].action == DG_NAME_ALLOW ? DG_CIDR_ALLOW
										  : DG_CIDR_DENY);
			if (r) {
				snprintf(err, errlen, "loading CIDRs of profile '%s': %s", p->name,
					 strerror(-r));
				keep.ids = old_ids;
				keep.n = old_cfg ? old_cfg->nprofiles : 0;
				dg_guard_cidr_prune(&d->guard, id_in_set, &keep);
				free(ids);
				return r;
			}
		}
	}

	/* denials of blocked names' addresses too, before anyone uses the ids */
	dg_blockres_prepare(d, cfg, ids);

	/* switch: every session now points at the new ids */
	d->cfg = cfg;
	d->profile_ids = ids;
	dg_sessions_for_each(d, s) {
		r = dg_session_push(d, s);
		if (r)
			dg_log(DG_LOG_ERR, "updating session %u in the kernel: %s", s->id,
			       strerror(-r));
	}
	keep.ids = ids;
	keep.n = cfg->nprofiles;
	dg_guard_cidr_prune(&d->guard, id_in_set, &keep);
	dg_guard_deny_prune(&d->guard, id_in_set, &keep);
	dg_blockres_rebuild(d);

	dg_log_set_level(cfg->log_level);
	dg_config_free(old_cfg);
	free(old_ids);
	return 0;
}

static void warn_static_changes(const struct dg_config *o, const struct dg_config *n)
{
	if (strcmp(o->cgroup, n->cgroup))
		dg_log(DG_LOG_WARN, "reload: 'cgroup' changed; restart deployguardd to apply it");
	if (strcmp(o->bpffs, n->bpffs))
		dg_log(DG_LOG_WARN, "reload: 'bpffs' changed; restart deployguardd to apply it");
	if (strcmp(o->run_dir, n->run_dir))
		dg_log(DG_LOG_WARN, "reload: 'run_dir' changed; restart deployguardd to apply it");
	if (o->proxy_port != n->proxy_port)
		dg_log(DG_LOG_WARN, "reload: 'proxy_port' changed; restart deployguardd to apply it");
}

/* What `systemctl status` shows next to the unit. */
static void notify_status(const struct dg_daemon *d)
{
	char msg[PATH_MAX + 128];

	snprintf(msg, sizeof(msg), "STATUS=guarding with %zu profiles from %s", d->cfg->nprofiles,
		 d->cfg->path);
	dg_notify(msg);
}

/* Type=notify: units ordered after ours start once the guard works. */
static void notify_ready(const struct dg_daemon *d)
{
	char msg[64];
	int r;

	/* MAINPID: right even when we forked away from the pid that was started */
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%d", (int)getpid());
	r = dg_notify(msg);
	if (r)
		dg_log(DG_LOG_WARN, "telling the service manager we are ready: %s", strerror(-r));
	notify_status(d);
}

int dg_daemon_reload(struct dg_daemon *d, char *err, size_t errlen)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg;
	int r;

	cfg = dg_config_load(d->config_path, &diag);
	if (!cfg) {
		for (size_t i = 0; i < diag.n; i++)
			dg_log(DG_LOG_ERR, "reload: %s", diag.msgs[i]);
		snprintf(err, errlen, "%s%s", diag.n ? diag.msgs[0] : "cannot load config",
			 diag.n > 1 ? " (and more, see the daemon log)" : "");
		dg_log(DG_LOG_WARN, "RELOAD FAILED keeping the previous policy errors=%zu", diag.n);
		dg_diag_free(&diag);
		return -EINVAL;
	}
	dg_diag_free(&diag);
	warn_static_changes(d->cfg, cfg);
	r = dg_policy_apply(d, cfg, err, errlen);
	if (r) {
		dg_log(DG_LOG_WARN, "RELOAD FAILED keeping the previous policy reason=\"%s\"", err);
		dg_config_free(cfg);
		return r;
	}
	dg_log(DG_LOG_INFO, "RELOADED config=%s profiles=%zu", cfg->path, cfg->nprofiles);
	malloc_trim(0);	/* the old policy's lists */
	notify_status(d);
	return 0;
}

void dg_guard_deny_prune_current(struct dg_daemon *d)
{
	struct id_set keep = { .ids = d->profile_ids, .n = d->cfg->nprofiles };

	dg_guard_deny_prune(&d->guard, id_in_set, &keep);
}

/* ---- events ------------------------------------------------------------------- */

void dg_events_drain(struct dg_daemon *d)
{
	dg_guard_poll_events(&d->guard);
}

static void on_events(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	dg_guard_poll_events(&d->guard);
}

static void on_inotify(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	dg_sessions_on_inotify(d);
}

static void on_timer(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	uint64_t ticks;
	static unsigned n;

	if (read(w->fd, &ticks, sizeof(ticks)) < 0)
		return;
	if (d->proxy)
		dg_proxy_tick(d, d->proxy);
	dg_blockres_tick(d);
	dg_control_tick(d);
	dg_sessions_tick(d);
	dg_audit_tick(d);
	if (++n % 10 == 0)
		dg_proctab_gc(&d->procs, dg_now_ns());
}

static void on_signal(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct signalfd_siginfo si;
	char err[512];

	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			dg_daemon_reload(d, err, sizeof(err));
			break;
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			dg_log(DG_LOG_INFO, "STOPPING signal=%s", strsignal((int)si.ssi_signo));
			dg_notify("STOPPING=1");
			d->running = false;
			break;
		default:
			break;
		}
	}
}

/* ---- setup -------------------------------------------------------------------- */

struct options {
	const char *config;
	bool foreground;
	bool check;
	bool uninstall;
	bool private_mode;
	const char *run_dir;
	int ready_fd;
	bool verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: deployguardd [-c FILE] [-f] [-v]\n"
		"       deployguardd [-c FILE] --check\n"
		"       deployguardd [-c FILE] --uninstall\n"
		"\n"
		"Guards deploy sessions: their DNS goes through a policy-checking proxy\n"
		"and their connections are checked in the kernel.  See deployguardd(8).\n"
		"\n"
		"  -c, --config FILE  configuration (default " DG_DEFAULT_CONFIG ";\n"
		"                     without it, a built-in default)\n"
		"  -f, --foreground   stay in the foreground and log to stderr\n"
		"  -v, --verbose      log debug messages\n"
		"      --check        validate the configuration and exit\n"
		"      --uninstall    detach and unpin the BPF programs and remove the\n"
		"                     guarded cgroups: the one way to lift the guard\n"
		"  -h, --help         this help\n"
		"  -V, --version      print the version\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_CHECK = 256, OPT_UNINSTALL, OPT_PRIVATE, OPT_RUN_DIR, OPT_READY_FD };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "uninstall", no_argument, NULL, OPT_UNINSTALL },
		/* for `deployguard run`, which starts a private daemon */
		{ "private", no_argument, NULL, OPT_PRIVATE },
		{ "run-dir", required_argument, NULL, OPT_RUN_DIR },
		{ "ready-fd", required_argument, NULL, OPT_READY_FD },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->ready_fd = -1;
	while ((c = getopt_long(argc, argv, "c:fvhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_UNINSTALL:
			o->uninstall = true;
			break;
		case OPT_PRIVATE:
			o->private_mode = true;
			o->foreground = true;
			break;
		case OPT_RUN_DIR:
			o->run_dir = optarg;
			break;
		case OPT_READY_FD:
			if (dg_parse_u64(optarg, 0, 1024, &v)) {
				fprintf(stderr, "deployguardd: invalid --ready-fd '%s'\n", optarg);
				return -1;
			}
			o->ready_fd = (int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("deployguardd %s\n", DG_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "deployguardd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	if (o->private_mode && !o->run_dir) {
		fprintf(stderr, "deployguardd: --private needs --run-dir\n");
		return -1;
	}
	return 0;
}

static struct dg_config *load_config(const char *path)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg = dg_config_load(path, &diag);

	dg_diag_print(&diag, stderr);
	dg_diag_free(&diag);
	return cfg;
}

static int guard_root_path(const struct dg_config *cfg, const char *mount, char *buf, size_t len)
{
	return dg_path(buf, len, "%s/%s", mount, cfg->cgroup);
}

static int uninstall(const char *path)
{
	struct dg_config *cfg = load_config(path);
	char mount[PATH_MAX], root[PATH_MAX], leaf[PATH_MAX];
	struct dirent *de;
	int rc = 0, busy = 0;
	DIR *dir;

	if (!cfg)
		return 1;
	if (access(cfg->bpffs, F_OK) != 0)
		printf("deployguardd: nothing is pinned in %s\n", cfg->bpffs);
	else if (dg_guard_uninstall(cfg->bpffs))
		rc = 1;
	else
		printf("deployguardd: BPF programs detached, %s removed\n", cfg->bpffs);
	if (!dg_cgroup2_mount(mount, sizeof(mount)) &&
	    !guard_root_path(cfg, mount, root, sizeof(root)) && (dir = opendir(root))) {
		while ((de = readdir(dir))) {
			if (de->d_name[0] != 's' || dg_path(leaf, sizeof(leaf), "%s/%s", root,
							     de->d_name))
				continue;
			if (rmdir(leaf) && errno == EBUSY)
				busy++;
		}
		closedir(dir);
		if (busy)
			printf("deployguardd: %d session cgroups still have processes; they run "
			       "unguarded now and are left in %s\n", busy, root);
		else if (rmdir(root) == 0)
			printf("deployguardd: removed %s\n", root);
	}
	/* the sessions' cgroups in v1 hierarchies (limits on hybrid hosts) */
	busy = dg_limits_remove_v1_root(cfg->cgroup);
	if (busy)
		printf("deployguardd: %d session cgroups in cgroup v1 hierarchies still have "
		       "processes and are left in place\n", busy);
	dg_config_free(cfg);
	return rc;
}

static int setup_signals(struct dg_daemon *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sig_w.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sig_w.fd < 0)
		return -errno;
	d->sig_w.fn = on_signal;
	return dg_watch_add(d, &d->sig_w, EPOLLIN);
}

static int setup_timer(struct dg_daemon *d)
{
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };

	d->timer_w.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timer_w.fd < 0 || timerfd_settime(d->timer_w.fd, 0, &its, NULL))
		return -errno;
	d->timer_w.fn = on_timer;
	return dg_watch_add(d, &d->timer_w, EPOLLIN);
}

static int lock_run_dir(const char *run_dir)
{
	char path[PATH_MAX], pid[32];
	int fd, n;

	if (dg_mkdir_p(run_dir, 0755) || dg_path(path, sizeof(path), "%s/deployguardd.pid", run_dir))
		return -EINVAL;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = (int)read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		dg_log(DG_LOG_ERR, "another deployguardd (pid %s) already uses %s", pid, run_dir);
		close(fd);
		return -EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n)
		dg_log(DG_LOG_WARN, "writing %s: %s", path, strerror(errno));
	return fd;	/* held for the daemon's life */
}

/* The highest profile id the pinned maps use, so new ids never collide. */
static void max_session_profile(void *arg, uint64_t cgid, const struct dg_session *s)
{
	uint32_t *max = arg;

	if (s->profile_id > *max)
		*max = s->profile_id;
}

static bool keep_all(void *arg, uint32_t id)
{
	return true;
}

static void publish_proxy(struct dg_daemon *d)
{
	struct dg_kconfig c = { 0 };
	struct in6_addr lo6 = IN6ADDR_LOOPBACK_INIT;

	c.proxy_addr4 = htonl(INADDR_LOOPBACK);
	c.proxy_port = htons(d->proxy_port);
	memcpy(c.proxy_addr6, &lo6, sizeof(c.proxy_addr6));
	if (dg_guard_set_config(&d->guard, &c))
		dg_log(DG_LOG_ERR, "publishing the proxy address to the kernel: %s",
		       strerror(errno));
}

static int daemonize(int *ready_fd)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		/* the parent exits once the daemon is ready, with its verdict */
		close(pfd[1]);
		if (read(pfd[0], &c, 1) == 1)
			_exit(0);
		_exit(1);
	}
	close(pfd[0]);
	setsid();
	*ready_fd = pfd[1];
	return 0;
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > 2)
		close(fd);
}

static void private_cleanup_stale(const char *mount)
{
	char path[PATH_MAX], leaf[PATH_MAX];
	struct dirent *de, *le;
	DIR *dir, *ld;

	/* roots of private daemons that were killed: empty, their pid gone */
	dir = opendir(mount);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		int pid = dg_private_cgroup_pid(de->d_name);

		if (!pid || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		if (dg_path(path, sizeof(path), "%s/%s", mount, de->d_name))
			continue;
		ld = opendir(path);
		if (ld) {
			while ((le = readdir(ld)))
				if (le->d_name[0] == 's' &&
				    !dg_path(leaf, sizeof(leaf), "%s/%s", path, le->d_name))
					rmdir(leaf);
			closedir(ld);
		}
		rmdir(path);
	}
	closedir(dir);
	dg_limits_cleanup_stale_private();
}

static int run(struct dg_daemon *d, const struct options *o)
{
	struct dg_guard_opts go = { 0 };
	uint32_t max_id = 0;
	char err[512];
	int lock_fd = -1, rc = 1, r;

	r = dg_loop_init(&d->loop);
	if (r) {
		dg_log(DG_LOG_ERR, "epoll: %s", strerror(-r));
		return 1;
	}
	if (setup_signals(d) || setup_timer(d)) {
		dg_log(DG_LOG_ERR, "signals/timer: %s", strerror(errno));
		return 1;
	}

	lock_fd = lock_run_dir(d->cfg->run_dir);
	if (lock_fd < 0)
		return 1;
	if (dg_path(d->socket_path, sizeof(d->socket_path), "%s/control.sock", d->cfg->run_dir) ||
	    dg_path(d->sessions_dir, sizeof(d->sessions_dir), "%s/sessions", d->cfg->run_dir)) {
		dg_log(DG_LOG_ERR, "run_dir path too long");
		goto out;
	}
	if (dg_mkdir_p(d->sessions_dir, 0700))
		dg_log(DG_LOG_WARN, "creating %s: %s (sessions cannot be adopted after a restart)",
		       d->sessions_dir, strerror(errno));

	r = dg_cgroup2_mount(d->cg_mount, sizeof(d->cg_mount));
	if (r) {
		dg_log(DG_LOG_ERR, "no cgroup2 mount in /proc/self/mounts: deployguard needs cgroup v2 "
		       "(mount -t cgroup2 none /sys/fs/cgroup)");
		goto out;
	}
	if (d->private_mode)
		private_cleanup_stale(d->cg_mount);
	if (guard_root_path(d->cfg, d->cg_mount, d->cg_root, sizeof(d->cg_root)) ||
	    dg_mkdir_p(d->cg_root, 0755) ||
	    dg_cgroup_level(d->cg_mount, d->cg_root, &d->cg_root_level)) {
		dg_log(DG_LOG_ERR, "creating the guarded root cgroup %s: %s", d->cg_root,
		       strerror(errno));
		goto out;
	}

	go.root_cgroup = d->cg_root;
	go.root_level = d->cg_root_level;
	go.pin_dir = d->private_mode ? NULL : d->cfg->bpffs;
	go.on_event = dg_events_on_sample;
	go.ctx = d;
	r = dg_guard_open(&d->guard, &go);
	if (r) {
		dg_log(DG_LOG_ERR, "cannot set up the BPF guard: %s", strerror(-r));
		goto out;
	}
	d->events_w.fd = dg_guard_events_fd(&d->guard);
	d->events_w.fn = on_events;
	if (dg_watch_add(d, &d->events_w, EPOLLIN))
		goto out;

	/* profile ids continue where the pinned maps left off */
	dg_guard_session_each(&d->guard, max_session_profile, &max_id);
	r = (int)dg_guard_cidr_prune(&d->guard, keep_all, NULL);
	if ((uint32_t)r > max_id)
		max_id = (uint32_t)r;
	d->next_profile_id = max_id + 1;

	if (dg_sessions_init(d)) {
		dg_log(DG_LOG_ERR, "inotify: %s", strerror(errno));
		goto out;
	}
	d->inotify_w.fd = d->sessions.inotify_fd;
	d->inotify_w.fn = on_inotify;
	if (dg_watch_add(d, &d->inotify_w, EPOLLIN))
		goto out;

	{
		struct dg_config *cfg = d->cfg;

		d->cfg = NULL;	/* dg_policy_apply takes ownership */
		if (dg_policy_apply(d, cfg, err, sizeof(err))) {
			dg_log(DG_LOG_ERR, "loading the policy: %s", err);
			dg_config_free(cfg);
			goto out;
		}
	}

	dg_audit_open(d);
	r = dg_blockres_start(d);
	if (r) {
		dg_log(DG_LOG_ERR, "resolver for blocked names: %s", strerror(-r));
		goto out;
	}
	r = dg_proxy_start(d, d->private_mode ? 0 : d->cfg->proxy_port, &d->proxy);
	if (r)
		goto out;
	d->proxy_port = dg_proxy_port(d->proxy);
	publish_proxy(d);
	/* loading parsed the kernel's BTF: hand what libbpf freed back */
	malloc_trim(0);

	if (!d->private_mode) {
		r = dg_sessions_adopt(d);
		if (r < 0)
			dg_log(DG_LOG_WARN, "adopting sessions: %s", strerror(-r));
	}
	if (dg_control_start(d))
		goto out;

	d->started = time(NULL);
	d->running = true;
	dg_log(DG_LOG_INFO,
	       "STARTED version=%s pid=%d config=\"%s\" cgroup=%s bpffs=%s proxy=127.0.0.1:%u "
	       "socket=%s sessions=%zu%s",
	       DG_VERSION, (int)getpid(), d->cfg->path, d->cg_root,
	       d->private_mode ? "(private)" : d->guard.pin_dir, d->proxy_port, d->socket_path,
	       d->sessions.count, d->guard.adopted ? " adopted=1" : "");

	if (o->ready_fd >= 0) {
		if (write(o->ready_fd, "R", 1) != 1)
			dg_log(DG_LOG_WARN, "ready notification: %s", strerror(errno));
		close(o->ready_fd);
	}
	notify_ready(d);
	if (!d->foreground)
		detach_stdio();

	dg_log_buffer_stderr();
	while (d->running) {
		int n;

		dg_log_flush();		/* what this batch logged, before we sleep */
		n = dg_loop_run_once(&d->loop, d, -1);

		if (n == -EINTR)
			continue;
		if (n < 0) {
			dg_log(DG_LOG_ERR, "epoll_wait: %s", strerror(-n));
			break;
		}
	}
	rc = 0;
	/* last words from the kernel before we go */
	dg_events_drain(d);
out:
	dg_control_stop(d);
	if (d->private_mode)
		dg_sessions_close_all(d);
	dg_proxy_stop(d, d->proxy);
	d->proxy = NULL;
	dg_blockres_stop(d);
	/* pinned: the programs stay attached and keep the sessions guarded */
	dg_guard_close(&d->guard);
	if (d->private_mode && d->cg_root[0]) {
		const char *rel = d->cg_root + strlen(d->cg_mount);

		rmdir(d->cg_root);
		while (*rel == '/')
			rel++;
		dg_limits_remove_v1_root(rel);
	}
	dg_audit_close(d);
	dg_sessions_free(d);
	dg_proctab_free(&d->procs);
	if (lock_fd >= 0)
		close(lock_fd);
	if (d->private_mode && d->cfg) {
		char path[PATH_MAX];

		if (!dg_path(path, sizeof(path), "%s/deployguardd.pid", d->cfg->run_dir))
			unlink(path);
		if (!dg_path(path, sizeof(path), "%s/last-session-id", d->cfg->run_dir))
			unlink(path);
		rmdir(d->sessions_dir);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static struct dg_daemon d;
	struct options o;
	int rc;

	if (parse_options(argc, argv, &o))
		return 2;
	/* before anything could fork: only the daemon itself may notify */
	dg_notify_init(!o.private_mode && !o.check && !o.uninstall);
	if (o.check)
		return dg_config_check(o.config, stdout, stderr);
	if (geteuid() != 0) {
		fprintf(stderr, "deployguardd: must run as root (it loads BPF programs and "
			"manages cgroups)\n");
		return 1;
	}
	dg_log_init("deployguardd", DG_LOG_STDERR, o.verbose ? DG_LOG_DEBUG : DG_LOG_INFO);
	if (o.uninstall)
		return uninstall(o.config);

	d.config_path = o.config;
	d.cfg = load_config(o.config);
	if (!d.cfg)
		return 1;
	if (o.verbose)
		d.cfg->log_level = DG_LOG_DEBUG;
	d.private_mode = o.private_mode;
	d.foreground = o.foreground;
	d.loop.epfd = d.control_w.fd = d.sessions.inotify_fd = -1;
	dg_proctab_init(&d.procs);
	if (o.private_mode) {
		char name[64];

		/* everything of a private daemon lives and dies with it */
		free(d.cfg->run_dir);
		d.cfg->run_dir = strdup(o.run_dir);
		free(d.cfg->state_dir);
		d.cfg->state_dir = strdup(o.run_dir);
		free(d.cfg->cgroup);
		snprintf(name, sizeof(name), "deployguard-run-%d", (int)getpid());
		d.cfg->cgroup = strdup(name);
		if (!d.cfg->run_dir || !d.cfg->state_dir || !d.cfg->cgroup)
			return 1;
	}
	if (!o.foreground && daemonize(&o.ready_fd))
		return 1;
	dg_log_init("deployguardd", o.foreground ? DG_LOG_STDERR : DG_LOG_STDERR | DG_LOG_SYSLOG,
		    d.cfg->log_level);
	/* logins, sudo and every DNS lookup of a session wait on us: a burst
	 * of deploys must not starve the daemon that lets them run.  A nice
	 * value someone already chose (a unit's Nice=) is left alone. */
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) == 0 && !errno && setpriority(PRIO_PROCESS, 0, -10))
		dg_log(DG_LOG_DEBUG, "raising priority: %s", strerror(errno));
	dg_guard_setup_libbpf_log();
	rc = run(&d, &o);
	dg_loop_fini(&d.loop);
	dg_config_free(d.cfg);
	free(d.profile_ids);
	return rc;
}
