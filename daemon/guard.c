// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>
#include <bpf/bpf.h>
#include <linux/magic.h>

#include "deployguard.skel.h"
#include "cgroup.h"
#include "guard.h"
#include "learn_memo.h"
#include "log.h"
#include "util.h"

/* set while trying something that may fail and is handled: libbpf's own
 * advice for that failure would only mislead */
static bool libbpf_quiet;

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n;

	if (libbpf_quiet && level == LIBBPF_WARN)
		level = LIBBPF_DEBUG;
	if (level == LIBBPF_DEBUG && dg_log_level() < DG_LOG_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	dg_log(level == LIBBPF_WARN ? DG_LOG_WARN : DG_LOG_DEBUG, "libbpf: %s", msg);
	return 0;
}

void dg_guard_setup_libbpf_log(void)
{
	libbpf_set_print(libbpf_log);
}

static struct bpf_program *prog_of(struct dg_guard *g, enum dg_guard_prog p)
{
	struct deployguard_bpf *s = g->skel;

	switch (p) {
	case DG_PROG_CONNECT4: return s->progs.dg_connect4;
	case DG_PROG_CONNECT6: return s->progs.dg_connect6;
	case DG_PROG_SENDMSG4: return s->progs.dg_sendmsg4;
	case DG_PROG_SENDMSG6: return s->progs.dg_sendmsg6;
	case DG_PROG_RECVMSG4: return s->progs.dg_recvmsg4;
	case DG_PROG_RECVMSG6: return s->progs.dg_recvmsg6;
	case DG_PROG_GETPEERNAME4: return s->progs.dg_getpeername4;
	case DG_PROG_GETPEERNAME6: return s->progs.dg_getpeername6;
	case DG_PROG_EGRESS: return s->progs.dg_egress;
	case DG_PROG_SOCK_CREATE: return s->progs.dg_sock_create;
	case DG_PROG_SOCKET_LSM: return s->progs.dg_socket_post_create;
	case DG_PROG_EXEC: return s->progs.dg_exec;
	case DG_PROG_FORK: return s->progs.dg_fork;
	case DG_PROG_EXIT: return s->progs.dg_exit;
	case DG_PROG_COUNT: break;
	}
	return NULL;
}

/* attached to the guarded root (the LSM hook too: it is per-cgroup) */
static bool is_cgroup_prog(enum dg_guard_prog p)
{
	return p <= DG_PROG_SOCKET_LSM;
}

/* Does this process see the host's mounts (PID 1's mount namespace)? */
static bool in_init_mount_ns(void)
{
	struct stat self, init;

	return !stat("/proc/self/ns/mnt", &self) && !stat("/proc/1/ns/mnt", &init) &&
	       self.st_dev == init.st_dev && self.st_ino == init.st_ino;
}

/*
 * The pins must live on a bpf filesystem.  systemd mounts one at
 * /sys/fs/bpf at boot; minimal hosts and containers may not, and then we
 * mount it ourselves, as bpftool does for its pins, but only where the
 * mount outlives us: in PID 1's mount namespace.  A mount made inside a
 * private namespace (a unit with ProtectSystem=, say) would go with it,
 * and the pins, which are what keeps enforcement on, with it.
 */
static int check_bpffs(const char *dir)
{
	char parent[PATH_MAX], *slash;
	struct statfs st;

	if (dg_path(parent, sizeof(parent), "%s", dir))
		return -ENAMETOOLONG;
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &st))
		return -errno;
	if (st.f_type == BPF_FS_MAGIC)
		return 0;
	if (!strcmp(parent, "/sys/fs/bpf") && in_init_mount_ns()) {
		if (!mount("bpf", parent, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700")) {
			dg_log(DG_LOG_WARN, "mounted a bpf filesystem on %s for the pins", parent);
			return 0;
		}
		dg_log(DG_LOG_ERR, "cannot mount a bpf filesystem on %s: %s", parent,
		       strerror(errno));
		return -ENOTSUP;
	}
	dg_log(DG_LOG_ERR, "%s is not on a bpf filesystem (mount -t bpf bpf %s)", parent, parent);
	return -ENOTSUP;
}

/*
 * Is the bpf LSM active?  /sys/kernel/security/lsm says, but securityfs is
 * not always mounted: read it from a child with a private mount namespace,
 * so probing changes nothing on the host.
 */
static bool bpf_lsm_active(char *why, size_t whylen)
{
	char buf[256] = "";
	int pfd[2], st;
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return false;
	pid = fork();
	if (pid == 0) {
		int fd;

		close(pfd[0]);
		fd = open("/sys/kernel/security/lsm", O_RDONLY);
		if (fd < 0 && !unshare(CLONE_NEWNS) &&
		    !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
		    !mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL))
			fd = open("/sys/kernel/security/lsm", O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			if (n > 0 && write(pfd[1], buf, (size_t)n) != n)
				_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	if (pid > 0) {
		n = read(pfd[0], buf, sizeof(buf) - 1);
		waitpid(pid, &st, 0);
	}
	close(pfd[0]);
	buf[n > 0 ? n : 0] = '\0';
	for (char *save = NULL, *t = strtok_r(buf, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save))
		if (!strcmp(t, "bpf"))
			return true;
	snprintf(why, whylen, "the bpf LSM is not active (active: %s; boot with lsm=...,bpf)",
		 n > 0 ? buf : "unknown");
	return false;
}

static int pin_maps(struct dg_guard *g)
{
	struct bpf_map *map;
	char path[PATH_MAX];
	int err;

	bpf_object__for_each_map(map, g->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;	/* .rodata & co belong to one program load */
		if (dg_path(path, sizeof(path), "%s/%s", g->pin_dir, bpf_map__name(map)))
			return -ENAMETOOLONG;
		if (access(path, F_OK) == 0)
			g->adopted = true;
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	return 0;
}

/*
 * A cgroup link pinned by an earlier daemon: swap our program into it, so
 * there is never a moment without a program attached.  A link attached to
 * another cgroup (the configured root changed) is replaced instead.
 */
static int adopt_cgroup_link(struct dg_guard *g, enum dg_guard_prog p, const char *path,
			     uint64_t root_id)
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	struct bpf_link *link;
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return err;
	if (info.type != BPF_LINK_TYPE_CGROUP || info.cgroup.cgroup_id != root_id)
		return -ESTALE;

	link = bpf_link__open(path);
	if (!link)
		return -errno;
	err = bpf_link__update_program(link, prog_of(g, p));
	if (err) {
		bpf_link__destroy(link);
		return err;
	}
	g->links[p] = link;
	return 0;
}

static int attach_new(struct dg_guard *g, enum dg_guard_prog p, const char *path)
{
	struct bpf_program *prog = prog_of(g, p);
	char tmp[PATH_MAX];
	struct bpf_link *link;
	int err;

	if (is_cgroup_prog(p))
		link = bpf_program__attach_cgroup(prog, g->cgroup_fd);
	else
		link = bpf_program__attach(prog);
	if (!link) {
		err = -errno;
		dg_log(DG_LOG_ERR, "attaching %s: %s", bpf_program__name(prog), strerror(-err));
		return err;
	}
	g->links[p] = link;
	if (!path)
		return 0;

	/* pin under a temporary name, then rename over any old pin: an old
	 * tracing link keeps running until the new one is in place.  (bpffs
	 * reserves dots in names for itself.) */
	if (dg_path(tmp, sizeof(tmp), "%s_new", path))
		return -ENAMETOOLONG;
	unlink(tmp);
	err = bpf_link__pin(link, tmp);
	if (err) {
		dg_log(DG_LOG_ERR, "pinning %s at %s: %s", bpf_program__name(prog), tmp,
		       strerror(-err));
		return err;
	}
	if (rename(tmp, path)) {
		err = -errno;
		dg_log(DG_LOG_ERR, "renaming %s to %s: %s", tmp, path, strerror(-err));
		unlink(tmp);
		return err;
	}
	return 0;
}

static int attach_all(struct dg_guard *g, uint64_t root_id)
{
	char path[PATH_MAX];
	int err;

	for (int p = 0; p < DG_PROG_COUNT; p++) {
		const char *pin = NULL;

		if (!bpf_program__autoload(prog_of(g, (enum dg_guard_prog)p))) {
			/* not loaded this time: an old pinned link must not linger */
			if (g->pin_dir[0] &&
			    !dg_path(path, sizeof(path), "%s/" DG_LINK_PIN_PREFIX "%s", g->pin_dir,
				     bpf_program__name(prog_of(g, (enum dg_guard_prog)p))))
				unlink(path);
			continue;
		}
		if (g->pin_dir[0]) {
			if (dg_path(path, sizeof(path), "%s/" DG_LINK_PIN_PREFIX "%s", g->pin_dir,
				    bpf_program__name(prog_of(g, (enum dg_guard_prog)p))))
				return -ENAMETOOLONG;
			pin = path;
			if (is_cgroup_prog((enum dg_guard_prog)p) && access(path, F_OK) == 0) {
				err = adopt_cgroup_link(g, (enum dg_guard_prog)p, path, root_id);
				if (!err)
					continue;
				dg_log(DG_LOG_WARN, "cannot reuse pinned link %s (%s); replacing it",
				       path, strerror(-err));
			}
		}
		err = attach_new(g, (enum dg_guard_prog)p, pin);
		if (err)
			return err;
	}
	return 0;
}

static int open_and_load(struct dg_guard *g, const struct dg_guard_opts *o, bool lsm)
{
	int err;

	g->skel = deployguard_bpf__open();
	if (!g->skel) {
		err = -errno;
		dg_log(DG_LOG_ERR, "opening the BPF object: %s", strerror(-err));
		return err;
	}
	g->skel->rodata->guard_level = o->root_level;
	bpf_program__set_autoload(g->skel->progs.dg_socket_post_create, lsm);

	if (g->pin_dir[0]) {
		err = check_bpffs(g->pin_dir);
		if (err)
			return err;
		err = dg_mkdir_p(g->pin_dir, 0700);
		if (err) {
			dg_log(DG_LOG_ERR, "creating %s: %s", g->pin_dir, strerror(-err));
			return err;
		}
		err = pin_maps(g);
		if (err)
			return err;
	}

	/* libbpf reports a refused LSM program itself; keep that quiet when
	 * we are about to retry without it */
	libbpf_quiet = lsm;
	err = deployguard_bpf__load(g->skel);
	libbpf_quiet = false;
	if (err && !lsm)
		dg_log(DG_LOG_ERR, "loading BPF programs: %s%s", strerror(-err),
		       g->adopted ? " (pinned maps from another version? "
				    "'deployguardd --uninstall' removes them)" : "");
	return err;
}

int dg_guard_open(struct dg_guard *g, const struct dg_guard_opts *o)
{
	uint64_t root_id;
	int err;

	memset(g, 0, sizeof(*g));
	g->cgroup_fd = -1;
	if (o->pin_dir && dg_path(g->pin_dir, sizeof(g->pin_dir), "%s", o->pin_dir))
		return -ENAMETOOLONG;

	err = dg_cgroup_id(o->root_cgroup, &root_id);
	if (err) {
		dg_log(DG_LOG_ERR, "cgroup id of %s: %s", o->root_cgroup, strerror(-err));
		return err;
	}
	g->cgroup_fd = open(o->root_cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->cgroup_fd < 0) {
		err = -errno;
		dg_log(DG_LOG_ERR, "opening %s: %s", o->root_cgroup, strerror(-err));
		return err;
	}

	g->has_lsm = bpf_lsm_active(g->lsm_missing, sizeof(g->lsm_missing));
	err = open_and_load(g, o, g->has_lsm);
	if (err && g->has_lsm) {
		/* a kernel may refuse LSM programs (too old, or locked down):
		 * everything else still works, so run without it and say so */
		snprintf(g->lsm_missing, sizeof(g->lsm_missing),
			 "the kernel refused the LSM program (%s)", strerror(-err));
		g->has_lsm = false;
		deployguard_bpf__destroy(g->skel);
		g->skel = NULL;
		err = open_and_load(g, o, false);
	}
	if (err)
		goto cleanup;
	if (!g->has_lsm)
		dg_log(DG_LOG_WARN, "packet sockets (AF_PACKET) are not denied in guarded sessions: "
		       "%s; raw IP sockets still are", g->lsm_missing);

	err = attach_all(g, root_id);
	if (err)
		goto cleanup;

	g->rb = ring_buffer__new(bpf_map__fd(g->skel->maps.dg_events), o->on_event, o->ctx, NULL);
	if (!g->rb) {
		err = -errno;
		dg_log(DG_LOG_ERR, "ring buffer: %s", strerror(-err));
		goto cleanup;
	}
	return 0;

cleanup:
	dg_guard_close(g);
	return err;
}

void dg_guard_close(struct dg_guard *g)
{
	ring_buffer__free(g->rb);
	g->rb = NULL;
	for (int p = 0; p < DG_PROG_COUNT; p++) {
		/* pinned links stay attached through their pin */
		bpf_link__destroy(g->links[p]);
		g->links[p] = NULL;
	}
	deployguard_bpf__destroy(g->skel);
	g->skel = NULL;
	free(g->learn_memo);
	g->learn_memo = NULL;
	if (g->cgroup_fd >= 0)
		close(g->cgroup_fd);
	g->cgroup_fd = -1;
}

int dg_guard_uninstall(const char *pin_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(pin_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	/* links first: once they are gone nothing uses the maps */
	for (int pass = 0; pass < 2; pass++) {
		rewinddir(d);
		while ((de = readdir(d))) {
			bool is_link = !strncmp(de->d_name, DG_LINK_PIN_PREFIX,
						strlen(DG_LINK_PIN_PREFIX));

			if (de->d_name[0] == '.' || is_link != (pass == 0))
				continue;
			if (dg_path(path, sizeof(path), "%s/%s", pin_dir, de->d_name))
				continue;
			if (unlink(path) && errno != ENOENT) {
				err = -errno;
				dg_log(DG_LOG_ERR, "removing %s: %s", path, strerror(errno));
			}
		}
	}
	closedir(d);
	if (rmdir(pin_dir) && errno != ENOENT) {
		err = -errno;
		dg_log(DG_LOG_ERR, "removing %s: %s", pin_dir, strerror(errno));
	}
	return err;
}

static int map_fd(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

int dg_guard_set_config(struct dg_guard *g, const struct dg_kconfig *c)
{
	__u32 zero = 0;

	return bpf_map_update_elem(map_fd(g->skel->maps.dg_config), &zero, c, BPF_ANY) ? -errno : 0;
}

int dg_guard_session_put(struct dg_guard *g, uint64_t cgid, const struct dg_session *s)
{
	return bpf_map_update_elem(map_fd(g->skel->maps.dg_sessions), &cgid, s, BPF_ANY) ? -errno
											 : 0;
}

int dg_guard_session_del(struct dg_guard *g, uint64_t cgid)
{
	if (bpf_map_delete_elem(map_fd(g->skel->maps.dg_sessions), &cgid) && errno != ENOENT)
		return -errno;
	return 0;
}

int dg_guard_session_each(struct dg_guard *g,
			  void (*fn)(void *arg, uint64_t cgid, const struct dg_session *s),
			  void *arg)
{
	int fd = map_fd(g->skel->maps.dg_sessions);
	uint64_t key, next;
	struct dg_session s;
	uint64_t *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &s) == 0)
			fn(arg, key, &s);
	}
	return 0;
}

int dg_guard_cidr_put(struct dg_guard *g, uint32_t profile_id, const uint8_t addr[16],
		      unsigned bits128, uint8_t action)
{
	struct dg_cidr_key k = { .prefixlen = DG_CIDR_KEY_BITS(bits128), .profile_id = profile_id };

	memcpy(k.addr, addr, 16);
	return bpf_map_update_elem(map_fd(g->skel->maps.dg_cidrs), &k, &action, BPF_ANY) ? -errno
										       : 0;
}

/*
 * Deletes every key of a map that doomed() picks.  Keys are collected
 * first and deleted after the walk: deleting during bpf_map_get_next_key()
 * restarts the walk of an LPM trie and may skip keys of a hash.
 */
static void map_prune(int fd, size_t key_size,
		      bool (*doomed)(int fd, const void *key, void *ctx), void *ctx)
{
	unsigned char cur[64] = { 0 }, next[64], *keys = NULL;
	size_t n = 0, cap = 0;
	bool walking = false;

	if (key_size > sizeof(cur))
		return;
	while (bpf_map_get_next_key(fd, walking ? cur : NULL, next) == 0) {
		memcpy(cur, next, key_size);
		walking = true;
		if (!doomed(fd, cur, ctx))
			continue;
		if (n == cap) {
			unsigned char *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(keys, cap * key_size);
			if (!grown)
				break;
			keys = grown;
		}
		memcpy(keys + n++ * key_size, cur, key_size);
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, keys + i * key_size);
	free(keys);
}

struct prune_ctx {
	bool (*keep)(void *arg, uint32_t id);
	void *arg;
	uint32_t max_id;
	uint64_t now;
};

static bool cidr_doomed(int fd, const void *key, void *ctx)
{
	const struct dg_cidr_key *k = key;
	struct prune_ctx *p = ctx;

	if (k->profile_id > p->max_id)
		p->max_id = k->profile_id;
	return !(p->keep && p->keep(p->arg, k->profile_id));
}

uint32_t dg_guard_cidr_prune(struct dg_guard *g, bool (*keep)(void *arg, uint32_t id), void *arg)
{
	struct prune_ctx p = { .keep = keep, .arg = arg };

	map_prune(map_fd(g->skel->maps.dg_cidrs), sizeof(struct dg_cidr_key), cidr_doomed, &p);
	return p.max_id;
}

int dg_guard_deny(struct dg_guard *g, uint32_t profile_id, const uint8_t addr[16],
		  uint64_t expires_ns)
{
	struct dg_addr_key k = { .scope = profile_id };

	memcpy(k.addr, addr, 16);
	return bpf_map_update_elem(map_fd(g->skel->maps.dg_denied), &k, &expires_ns, BPF_ANY)
		       ? -errno : 0;
}

/* a denied address goes when its profile does or its blocked name's TTL ends */
static bool deny_doomed(int fd, const void *key, void *ctx)
{
	const struct dg_addr_key *k = key;
	struct prune_ctx *p = ctx;
	uint64_t exp;

	return !(p->keep(p->arg, k->scope) && !bpf_map_lookup_elem(fd, k, &exp) && exp > p->now);
}

void dg_guard_deny_prune(struct dg_guard *g, bool (*keep)(void *arg, uint32_t id), void *arg)
{
	struct prune_ctx p = { .keep = keep, .arg = arg, .now = dg_now_ns() };

	map_prune(map_fd(g->skel->maps.dg_denied), sizeof(struct dg_addr_key), deny_doomed, &p);
}

int dg_guard_learn(struct dg_guard *g, uint32_t session_id, const uint8_t addr[16],
		   uint64_t expires_ns, uint8_t verdict)
{
	struct dg_addr_key k = { .scope = session_id };
	struct dg_learned v = { .expires_ns = expires_ns, .verdict = verdict };
	struct dg_learn_memo *m = NULL;
	uint64_t now = dg_now_ns();

	if (!g->learn_memo)
		g->learn_memo = dg_learn_memo_new();	/* without it: every answer writes */
	if (g->learn_memo) {
		m = dg_learn_memo_slot(g->learn_memo, session_id, addr);
		if (dg_learn_memo_fresh(m, session_id, addr, expires_ns, verdict, now))
			return 1;
	}
	memcpy(k.addr, addr, 16);
	if (bpf_map_update_elem(map_fd(g->skel->maps.dg_learned), &k, &v, BPF_ANY))
		return -errno;
	if (m)
		dg_learn_memo_note(m, session_id, addr, expires_ns, verdict, now);
	return 0;
}

int dg_guard_flow_take(struct dg_guard *g, const struct dg_flow_key *k, struct dg_flow *out)
{
	int fd = map_fd(g->skel->maps.dg_flows);

	if (bpf_map_lookup_and_delete_elem(fd, k, out) == 0)
		return 0;
	/* LRU hashes gained lookup_and_delete only in 5.14 */
	if (bpf_map_lookup_elem(fd, k, out))
		return -errno;
	bpf_map_delete_elem(fd, k);
	return 0;
}

int dg_guard_stats(struct dg_guard *g, uint64_t out[DG_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = map_fd(g->skel->maps.dg_stats);
	uint64_t *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 i = 0; i < DG_STAT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

int dg_guard_events_fd(struct dg_guard *g)
{
	return ring_buffer__epoll_fd(g->rb);
}

int dg_guard_poll_events(struct dg_guard *g)
{
	return ring_buffer__consume(g->rb);
}
