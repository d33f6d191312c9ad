// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resource limits of sessions: cgroup v2 where the unified hierarchy has
 * the controller, the matching v1 hierarchy on hybrid hosts.  See cglimits.h.
 *
 * Everything here is a few small reads and writes of cgroupfs files when a
 * session opens, is listed, or ends: nothing waits, so the epoll loop never
 * stalls.  (Lowering a memory limit below the usage would make the kernel
 * reclaim in the writer's context; limits are only ever set on new, empty
 * cgroups.)
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "daemon.h"
#include "cglimits.h"
#include "log.h"
#include "session.h"
#include "util.h"

/* The guarded root relative to the cgroup2 mount; v1 copies use the same name. */
static const char *root_rel(const struct dg_daemon *d)
{
	const char *r = d->cg_root + strlen(d->cg_mount);

	while (*r == '/')
		r++;
	return r;
}

static int knob_write(const char *dir, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int knob_write(const char *dir, const char *file, const char *fmt, ...)
{
	char path[PATH_MAX], val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (dg_path(path, sizeof(path), "%s/%s", dir, file))
		return -ENAMETOOLONG;
	return dg_write_file(path, val);
}

static bool knob_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];

	return !dg_path(path, sizeof(path), "%s/%s", dir, file) && access(path, F_OK) == 0;
}

/* A number: the whole file (key NULL), or the value of a "key N" line. */
static int knob_u64(const char *dir, const char *file, const char *key, uint64_t *out)
{
	char path[PATH_MAX], *buf, *p;
	size_t kl = key ? strlen(key) : 0;
	int r = -ENOENT;

	if (dg_path(path, sizeof(path), "%s/%s", dir, file))
		return -ENAMETOOLONG;
	if (dg_read_file(path, &buf, NULL, 65536) < 0)
		return -ENOENT;
	if (!key) {
		if (buf[0] >= '0' && buf[0] <= '9') {
			*out = strtoull(buf, NULL, 10);
			r = 0;
		}
	} else {
		for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
			if (!strncmp(p, key, kl) && p[kl] == ' ') {
				*out = strtoull(p + kl + 1, NULL, 10);
				r = 0;
				break;
			}
		}
	}
	free(buf);
	return r;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* snprintf for messages, which may be cut short */
static void msgf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- applying ------------------------------------------------------------------ */

enum where { W_NONE, W_V2, W_V1 };

struct placement {
	enum where w;
	const char *dir;	/* the cgroup that carries the controller */
	char why[320];		/* W_NONE: why not */
};

struct apply_ctx {
	struct dg_daemon *d;
	struct dg_sess *s;
	bool warn;		/* limits_unavailable = warn */
	char unapplied[96];	/* "memory_high,io_weight" */
	char reasons[1024];	/* "memory_high = 32M: why; ..." */
	char first[640];	/* the first refusal, for the opener */
};

static void append(char *buf, size_t len, const char *sep, const char *text)
{
	size_t n = strlen(buf);

	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s%s", n ? sep : "", text);
}

static void not_applied(struct apply_ctx *c, const char *limit, const char *value,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void not_applied(struct apply_ctx *c, const char *limit, const char *value,
			const char *fmt, ...)
{
	char why[512], text[640];
	struct dg_logfmt lf;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	msgf(text, sizeof(text), "%s = %s cannot be applied: %s", limit, value, why);
	if (!c->first[0])
		msgf(c->first, sizeof(c->first), "%s", text);
	append(c->unapplied, sizeof(c->unapplied), ",", limit);
	msgf(text, sizeof(text), "%s = %s: %s", limit, value, why);
	append(c->reasons, sizeof(c->reasons), "; ", text);

	lf_init(&lf, "LIMIT NOT APPLIED");
	lf_u64(&lf, "session", c->s->id);
	lf_str(&lf, "profile", c->s->profile);
	lf_str(&lf, "limit", limit);
	lf_str(&lf, "value", value);
	lf_str(&lf, "reason", why);
	lf_str(&lf, "limits_unavailable", c->warn ? "warn" : "refuse");
	dg_log_lf(DG_LOG_WARN, &lf);
}

/* Enable a controller from the cgroup2 mount down to the guarded root, so
 * that the root's children (the sessions) get its files. */
static int v2_enable(const struct dg_daemon *d, unsigned bit, char *why, size_t whylen)
{
	const char *name = dg_cgroup_ctrl_name(bit, false), *p = root_rel(d);
	char dir[PATH_MAX], plus[16];

	snprintf(plus, sizeof(plus), "+%s", name);
	if (dg_path(dir, sizeof(dir), "%s", d->cg_mount))
		goto too_long;
	for (;;) {
		unsigned have;
		size_t n;
		int r = dg_cgroup2_ctrls(dir, "cgroup.subtree_control", &have);

		if (!r && !(have & bit))
			r = knob_write(dir, "cgroup.subtree_control", "%s", plus);
		if (r) {
			/* EBUSY: the cgroup has processes of its own (no internal processes) */
			msgf(why, whylen, "enabling the cgroup v2 %s controller in "
				 "%s/cgroup.subtree_control: %s", name, dir, strerror(-r));
			return r;
		}
		if (!*p)
			return 0;
		n = strcspn(p, "/");
		if (dg_path(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%.*s", (int)n, p))
			goto too_long;
		p += n;
		while (*p == '/')
			p++;
	}
too_long:
	msgf(why, whylen, "the guarded root's path is too long");
	return -ENAMETOOLONG;
}

/* The session's cgroup in a v1 hierarchy, created on first use. */
static const char *v1_cgroup(struct dg_daemon *d, struct dg_sess *s,
			     const struct dg_cg1_mount *m, char *why, size_t whylen)
{
	struct dg_sess_limits *l = &s->lim;
	char root[PATH_MAX], leaf[PATH_MAX];
	int r;

	if (dg_path(root, sizeof(root), "%s/%s", m->dir, root_rel(d)) ||
	    dg_path(leaf, sizeof(leaf), "%s/s%u", root, s->id)) {
		msgf(why, whylen, "path too long below %s", m->dir);
		return NULL;
	}
	for (unsigned i = 0; i < l->nv1; i++)
		if (!strcmp(l->v1[i], leaf))
			return l->v1[i];
	if (l->nv1 >= DG_CG1_MAX) {
		msgf(why, whylen, "too many cgroup v1 hierarchies");
		return NULL;
	}
	r = dg_mkdir_p(root, 0755);
	if (!r && mkdir(leaf, 0755) && errno != EEXIST)
		r = -errno;
	if (r) {
		msgf(why, whylen, "creating the cgroup v1 cgroup %s: %s", leaf, strerror(-r));
		return NULL;
	}
	l->v1[l->nv1] = strdup(leaf);
	if (!l->v1[l->nv1]) {
		rmdir(leaf);
		msgf(why, whylen, "out of memory");
		return NULL;
	}
	l->v1_ctrls[l->nv1] = m->ctrls;
	return l->v1[l->nv1++];
}

static void place(struct apply_ctx *c, unsigned bit, unsigned v2_avail,
		  const struct dg_cg1_mount *mounts, int nmounts, struct placement *pl)
{
	const char *name = dg_cgroup_ctrl_name(bit, false);

	pl->w = W_NONE;
	pl->dir = NULL;
	if (v2_avail & bit) {
		if (v2_enable(c->d, bit, pl->why, sizeof(pl->why)) == 0) {
			pl->w = W_V2;
			pl->dir = c->s->cgpath;
			c->s->lim.v2_ctrls |= bit;
		}
		return;
	}
	for (int i = 0; i < nmounts; i++) {
		if (!(mounts[i].ctrls & bit))
			continue;
		pl->dir = v1_cgroup(c->d, c->s, &mounts[i], pl->why, sizeof(pl->why));
		if (pl->dir)
			pl->w = W_V1;
		return;
	}
	msgf(pl->why, sizeof(pl->why), "this host has neither a cgroup v2 %s controller nor a "
		 "cgroup v1 %s hierarchy", name, dg_cgroup_ctrl_name(bit, true));
}

static void set_memory(struct apply_ctx *c, const struct placement *pl)
{
	const struct dg_limits *l = &c->s->lim.set;
	char v[32];
	int r;

	if (l->memory_max) {
		dg_size_str(l->memory_max, v, sizeof(v));
		if (pl->w == W_NONE) {
			not_applied(c, "memory_max", v, "%s", pl->why);
		} else {
			r = knob_write(pl->dir, pl->w == W_V2 ? "memory.max" : "memory.limit_in_bytes",
				       "%llu", (unsigned long long)l->memory_max);
			if (r)
				not_applied(c, "memory_max", v, "writing the limit in %s: %s", pl->dir,
					    strerror(-r));
		}
	}
	if (l->memory_high) {
		dg_size_str(l->memory_high, v, sizeof(v));
		if (pl->w == W_NONE) {
			not_applied(c, "memory_high", v, "%s", pl->why);
		} else if (pl->w == W_V1) {
			/* the nearest v1 knob only acts under host-wide pressure: not the same */
			not_applied(c, "memory_high", v, "the memory controller is a cgroup v1 "
				    "hierarchy here, which has no memory.high%s",
				    c->warn ? " (memory.soft_limit_in_bytes is set instead; it only "
				    "acts under host-wide memory pressure)" : "");
			if (c->warn)
				knob_write(pl->dir, "memory.soft_limit_in_bytes", "%llu",
					   (unsigned long long)l->memory_high);
		} else {
			r = knob_write(pl->dir, "memory.high", "%llu",
				       (unsigned long long)l->memory_high);
			if (r)
				not_applied(c, "memory_high", v, "writing memory.high in %s: %s",
					    pl->dir, strerror(-r));
		}
	}
}

static void set_cpu(struct apply_ctx *c, const struct placement *pl)
{
	const struct dg_limits *l = &c->s->lim.set;
	char v[48];
	int r;

	snprintf(v, sizeof(v), "%llu/%u", (unsigned long long)l->cpu_quota_us, l->cpu_period_us);
	if (pl->w == W_NONE) {
		not_applied(c, "cpu_max", v, "%s", pl->why);
		return;
	}
	if (pl->w == W_V2) {
		r = knob_write(pl->dir, "cpu.max", "%llu %u", (unsigned long long)l->cpu_quota_us,
			       l->cpu_period_us);
	} else {
		/* the period first: the quota is checked against it */
		r = knob_write(pl->dir, "cpu.cfs_period_us", "%u", l->cpu_period_us);
		if (!r)
			r = knob_write(pl->dir, "cpu.cfs_quota_us", "%llu",
				       (unsigned long long)l->cpu_quota_us);
	}
	if (r)
		not_applied(c, "cpu_max", v, "writing the CPU quota in %s: %s", pl->dir,
			    strerror(-r));
}

static void set_pids(struct apply_ctx *c, const struct placement *pl)
{
	char v[16];
	int r;

	snprintf(v, sizeof(v), "%u", c->s->lim.set.pids_max);
	if (pl->w == W_NONE) {
		not_applied(c, "pids_max", v, "%s", pl->why);
		return;
	}
	r = knob_write(pl->dir, "pids.max", "%u", c->s->lim.set.pids_max);
	if (r)
		not_applied(c, "pids_max", v, "writing pids.max in %s: %s", pl->dir, strerror(-r));
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * io_weight is on cgroup v2's io.weight scale (1..10000, default 100).  The
 * BFQ files take 1..1000 with the same default; v1's CFQ blkio.weight takes
 * 10..1000 with a default of 500.  Whether any of it has an effect depends
 * on the device's I/O scheduler.
 */
static void set_io(struct apply_ctx *c, const struct placement *pl)
{
	uint32_t w = c->s->lim.set.io_weight;
	char v[16];
	int r = -ENOENT;

	snprintf(v, sizeof(v), "%u", w);
	if (pl->w == W_NONE) {
		not_applied(c, "io_weight", v, "%s", pl->why);
		return;
	}
	if (pl->w == W_V2) {
		if (knob_exists(pl->dir, "io.weight"))
			r = knob_write(pl->dir, "io.weight", "default %u", w);
		else if (knob_exists(pl->dir, "io.bfq.weight"))
			r = knob_write(pl->dir, "io.bfq.weight", "default %u", clamp_u32(w, 1, 1000));
		else {
			not_applied(c, "io_weight", v, "the io controller offers no weight here "
				    "(neither io.weight of blk-iocost nor io.bfq.weight of BFQ)");
			return;
		}
	} else {
		if (knob_exists(pl->dir, "blkio.bfq.weight"))
			r = knob_write(pl->dir, "blkio.bfq.weight", "%u", clamp_u32(w, 1, 1000));
		else if (knob_exists(pl->dir, "blkio.weight"))
			r = knob_write(pl->dir, "blkio.weight", "%u", clamp_u32(w * 5, 10, 1000));
		else {
			not_applied(c, "io_weight", v, "the cgroup v1 blkio hierarchy offers no weight "
				    "here (neither blkio.bfq.weight nor blkio.weight)");
			return;
		}
	}
	if (r)
		not_applied(c, "io_weight", v, "writing the I/O weight in %s: %s", pl->dir,
			    strerror(-r));
}

int dg_limits_apply(struct dg_daemon *d, struct dg_sess *s, const struct dg_limits *want,
		    char *err, size_t errlen)
{
	struct dg_cg1_mount *mounts = NULL;
	struct dg_sess_limits *l = &s->lim;
	struct apply_ctx c = {
		.d = d,
		.s = s,
		.warn = d->cfg->limits_unavailable == DG_LIMITS_WARN,
	};
	struct placement pl;
	unsigned need = 0, v2_avail = 0;
	int nmounts = 0;

	l->set = *want;
	if (want->cpu_percent) {
		/* a share of every CPU of the host, for a period of the default length */
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		l->set.cpu_period_us = DG_CPU_PERIOD_DEFAULT;
		l->set.cpu_quota_us = (uint64_t)want->cpu_percent * (uint64_t)(ncpu > 0 ? ncpu : 1) *
				      DG_CPU_PERIOD_DEFAULT / 100;
		l->set.cpu_percent = 0;
	}
	if (l->set.memory_max || l->set.memory_high)
		need |= DG_CTRL_MEMORY;
	if (l->set.cpu_quota_us)
		need |= DG_CTRL_CPU;
	if (l->set.pids_max)
		need |= DG_CTRL_PIDS;
	if (l->set.io_weight)
		need |= DG_CTRL_IO;
	if (!need)
		return 0;

	if (dg_cgroup2_ctrls(d->cg_mount, "cgroup.controllers", &v2_avail))
		v2_avail = 0;
	mounts = calloc(DG_CG1_MAX, sizeof(*mounts));
	if (mounts) {
		nmounts = dg_cgroup1_mounts(mounts, DG_CG1_MAX);
		if (nmounts < 0)
			nmounts = 0;
	}
	if (need & DG_CTRL_MEMORY) {
		place(&c, DG_CTRL_MEMORY, v2_avail, mounts, nmounts, &pl);
		set_memory(&c, &pl);
	}
	if (need & DG_CTRL_CPU) {
		place(&c, DG_CTRL_CPU, v2_avail, mounts, nmounts, &pl);
		set_cpu(&c, &pl);
	}
	if (need & DG_CTRL_PIDS) {
		place(&c, DG_CTRL_PIDS, v2_avail, mounts, nmounts, &pl);
		set_pids(&c, &pl);
	}
	if (need & DG_CTRL_IO) {
		place(&c, DG_CTRL_IO, v2_avail, mounts, nmounts, &pl);
		set_io(&c, &pl);
	}
	free(mounts);

	if (!c.unapplied[0])
		return 0;
	if (!c.warn) {
		msgf(err, errlen, "%s (limits_unavailable = refuse)", c.first);
		dg_limits_remove(s);
		return -EOPNOTSUPP;
	}
	l->unapplied = strdup(c.unapplied);
	if (asprintf(&l->warning, "limits not in force (limits_unavailable = warn): %s",
		     c.reasons) < 0)
		l->warning = NULL;
	return 0;
}

/* ---- adoption, removal ------------------------------------------------------------ */

void dg_limits_adopt(struct dg_daemon *d, struct dg_sess *s, const struct dg_ctlmsg *state)
{
	struct dg_sess_limits *l = &s->lim;
	struct dg_cg1_mount *mounts;
	char leaf[PATH_MAX];
	uint64_t n;
	int nm;

	if (state) {
		const char *v;

		if (!dg_ctl_get_u64(state, "memory_max", UINT64_MAX, &n))
			l->set.memory_max = n;
		if (!dg_ctl_get_u64(state, "memory_high", UINT64_MAX, &n))
			l->set.memory_high = n;
		if (!dg_ctl_get_u64(state, "pids_max", UINT32_MAX, &n))
			l->set.pids_max = (uint32_t)n;
		if (!dg_ctl_get_u64(state, "io_weight", UINT32_MAX, &n))
			l->set.io_weight = (uint32_t)n;
		v = dg_ctl_get(state, "cpu_max");
		if (v && dg_parse_cpu_max(v, &l->set.cpu_quota_us, &l->set.cpu_period_us,
					  &l->set.cpu_percent))
			l->set.cpu_quota_us = l->set.cpu_period_us = l->set.cpu_percent = 0;
		v = dg_ctl_get(state, "limits_unapplied");
		if (v && *v)
			l->unapplied = strdup(v);
	}
	/* the v1 cgroups are where apply puts them: found even without a state file */
	mounts = calloc(DG_CG1_MAX, sizeof(*mounts));
	if (!mounts)
		return;
	nm = dg_cgroup1_mounts(mounts, DG_CG1_MAX);
	for (int i = 0; i < nm && l->nv1 < DG_CG1_MAX; i++) {
		if (dg_path(leaf, sizeof(leaf), "%s/%s/s%u", mounts[i].dir, root_rel(d), s->id) ||
		    !is_dir(leaf))
			continue;
		l->v1[l->nv1] = strdup(leaf);
		if (l->v1[l->nv1])
			l->v1_ctrls[l->nv1++] = mounts[i].ctrls;
	}
	free(mounts);
}

void dg_limits_remove(struct dg_sess *s)
{
	struct dg_sess_limits *l = &s->lim;

	for (unsigned i = 0; i < l->nv1; i++) {
		/* EBUSY: a process left the session's v2 cgroup but not this one */
		if (rmdir(l->v1[i]) && errno != ENOENT)
			dg_log(DG_LOG_WARN, "removing %s: %s", l->v1[i], strerror(errno));
		free(l->v1[i]);
		l->v1[i] = NULL;
	}
	l->nv1 = 0;
}

void dg_limits_free(struct dg_sess_limits *l)
{
	for (unsigned i = 0; i < l->nv1; i++)
		free(l->v1[i]);
	free(l->unapplied);
	free(l->warning);
	memset(l, 0, sizeof(*l));
}

/* Session cgroups (s<ID>) in dir: rmdir those keep() does not claim. */
static int remove_session_dirs(const char *dir, bool (*keep)(void *arg, uint32_t id), void *arg)
{
	char leaf[PATH_MAX];
	struct dirent *de;
	int busy = 0;
	DIR *dd;

	dd = opendir(dir);
	if (!dd)
		return 0;
	while ((de = readdir(dd))) {
		char *end;
		unsigned long id;

		if (de->d_name[0] != 's')
			continue;
		id = strtoul(de->d_name + 1, &end, 10);
		if (*end || id == 0 || id > UINT32_MAX || (keep && keep(arg, (uint32_t)id)))
			continue;
		if (dg_path(leaf, sizeof(leaf), "%s/%s", dir, de->d_name))
			continue;
		if (rmdir(leaf) && errno == EBUSY)
			busy++;
	}
	closedir(dd);
	return busy;
}

static bool session_is_live(void *arg, uint32_t id)
{
	return dg_session_find(arg, id) != NULL;
}

void dg_limits_sweep(struct dg_daemon *d)
{
	struct dg_cg1_mount *mounts = calloc(DG_CG1_MAX, sizeof(*mounts));
	char root[PATH_MAX];
	int nm;

	if (!mounts)
		return;
	nm = dg_cgroup1_mounts(mounts, DG_CG1_MAX);
	for (int i = 0; i < nm; i++)
		if (!dg_path(root, sizeof(root), "%s/%s", mounts[i].dir, root_rel(d)))
			remove_session_dirs(root, session_is_live, d);
	free(mounts);
}

int dg_limits_remove_v1_root(const char *rel)
{
	struct dg_cg1_mount *mounts = calloc(DG_CG1_MAX, sizeof(*mounts));
	char root[PATH_MAX];
	int nm, busy = 0;

	if (!mounts)
		return 0;
	nm = dg_cgroup1_mounts(mounts, DG_CG1_MAX);
	for (int i = 0; i < nm; i++) {
		if (dg_path(root, sizeof(root), "%s/%s", mounts[i].dir, rel) || !is_dir(root))
			continue;
		busy += remove_session_dirs(root, NULL, NULL);
		rmdir(root);
	}
	free(mounts);
	return busy;
}

void dg_limits_cleanup_stale_private(void)
{
	struct dg_cg1_mount *mounts = calloc(DG_CG1_MAX, sizeof(*mounts));
	struct dirent *de;
	int nm;

	if (!mounts)
		return;
	nm = dg_cgroup1_mounts(mounts, DG_CG1_MAX);
	for (int i = 0; i < nm; i++) {
		DIR *dd = opendir(mounts[i].dir);

		if (!dd)
			continue;
		while ((de = readdir(dd))) {
			int pid = dg_private_cgroup_pid(de->d_name);

			if (!pid || kill(pid, 0) == 0 || errno != ESRCH)
				continue;
			dg_limits_remove_v1_root(de->d_name);
		}
		closedir(dd);
	}
	free(mounts);
}

/* ---- reporting ------------------------------------------------------------------- */

void dg_limits_usage(const struct dg_sess *s, struct dg_usage *u)
{
	const struct dg_sess_limits *l = &s->lim;

	memset(u, 0, sizeof(*u));
	/* every cgroup v2 cgroup counts its CPU time, with or without the cpu controller */
	u->has_cpu = !knob_u64(s->cgpath, "cpu.stat", "usage_usec", &u->cpu_usec);
	u->has_memory_peak = !knob_u64(s->cgpath, "memory.peak", NULL, &u->memory_peak);
	u->has_oom_kills = !knob_u64(s->cgpath, "memory.events", "oom_kill", &u->oom_kills);
	for (unsigned i = 0; i < l->nv1; i++) {
		if (!(l->v1_ctrls[i] & DG_CTRL_MEMORY))
			continue;
		if (!u->has_memory_peak)
			u->has_memory_peak = !knob_u64(l->v1[i], "memory.max_usage_in_bytes", NULL,
						       &u->memory_peak);
		if (!u->has_oom_kills)
			u->has_oom_kills = !knob_u64(l->v1[i], "memory.oom_control", "oom_kill",
						     &u->oom_kills);
	}
}

void dg_limits_describe(const struct dg_sess *s, struct dg_ctlmsg *m, bool live)
{
	const struct dg_sess_limits *l = &s->lim;
	struct dg_usage u;

	if (l->set.memory_max)
		dg_ctl_add_u64(m, "memory_max", l->set.memory_max);
	if (l->set.memory_high)
		dg_ctl_add_u64(m, "memory_high", l->set.memory_high);
	if (l->set.cpu_quota_us)
		dg_ctl_addf(m, "cpu_max", "%llu/%u", (unsigned long long)l->set.cpu_quota_us,
			    l->set.cpu_period_us);
	if (l->set.pids_max)
		dg_ctl_add_u64(m, "pids_max", l->set.pids_max);
	if (l->set.io_weight)
		dg_ctl_add_u64(m, "io_weight", l->set.io_weight);
	if (l->unapplied)
		dg_ctl_add(m, "limits_unapplied", l->unapplied);
	for (unsigned i = 0; i < l->nv1; i++)
		dg_ctl_add(m, "cgroup_v1", l->v1[i]);
	if (!live)
		return;
	dg_limits_usage(s, &u);
	if (u.has_memory_peak)
		dg_ctl_add_u64(m, "memory_peak", u.memory_peak);
	if (u.has_cpu)
		dg_ctl_add_u64(m, "cpu_usec", u.cpu_usec);
	if (u.has_oom_kills)
		dg_ctl_add_u64(m, "oom_kills", u.oom_kills);
}

void dg_limits_reply(const struct dg_sess *s, struct dg_ctlmsg *m)
{
	for (unsigned i = 0; i < s->lim.nv1; i++)
		dg_ctl_add(m, "cgroup_v1", s->lim.v1[i]);
	if (s->lim.warning)
		dg_ctl_add(m, "warning", s->lim.warning);
}

void dg_limits_lf(const struct dg_sess *s, struct dg_logfmt *lf)
{
	const struct dg_sess_limits *l = &s->lim;
	char buf[64], v1[64] = "";
	unsigned ctrls = 0;

	if (l->set.memory_max)
		lf_str(lf, "memory_max", dg_size_str(l->set.memory_max, buf, sizeof(buf)));
	if (l->set.memory_high)
		lf_str(lf, "memory_high", dg_size_str(l->set.memory_high, buf, sizeof(buf)));
	if (l->set.cpu_quota_us) {
		snprintf(buf, sizeof(buf), "%llu/%u", (unsigned long long)l->set.cpu_quota_us,
			 l->set.cpu_period_us);
		lf_str(lf, "cpu_max", buf);
	}
	if (l->set.pids_max)
		lf_u64(lf, "pids_max", l->set.pids_max);
	if (l->set.io_weight)
		lf_u64(lf, "io_weight", l->set.io_weight);
	for (unsigned i = 0; i < l->nv1; i++)
		ctrls |= l->v1_ctrls[i];
	for (unsigned bit = 1; bit & DG_CTRL_ALL; bit <<= 1)
		if (ctrls & bit)
			append(v1, sizeof(v1), ",", dg_cgroup_ctrl_name(bit, true));
	if (v1[0])
		lf_str(lf, "cgroup_v1", v1);
	if (l->unapplied)
		lf_str(lf, "limits_unapplied", l->unapplied);
}

void dg_usage_lf(const struct dg_usage *u, struct dg_logfmt *lf)
{
	if (u->has_memory_peak)
		lf_u64(lf, "memory_peak", u->memory_peak);
	if (u->has_cpu)
		lf_u64(lf, "cpu_usec", u->cpu_usec);
	if (u->has_oom_kills)
		lf_u64(lf, "oom_kills", u->oom_kills);
}

void dg_limits_where(const struct dg_daemon *d, char *buf, size_t len)
{
	struct dg_cg1_mount *mounts = calloc(DG_CG1_MAX, sizeof(*mounts));
	unsigned v2 = 0, v1 = 0;
	char one[32];
	int nm;

	buf[0] = '\0';
	if (dg_cgroup2_ctrls(d->cg_mount, "cgroup.controllers", &v2))
		v2 = 0;
	nm = mounts ? dg_cgroup1_mounts(mounts, DG_CG1_MAX) : 0;
	for (int i = 0; i < nm; i++)
		v1 |= mounts[i].ctrls;
	free(mounts);
	for (unsigned bit = 1; bit & DG_CTRL_ALL; bit <<= 1) {
		snprintf(one, sizeof(one), "%s=%s", dg_cgroup_ctrl_name(bit, false),
			 (v2 & bit) ? "v2" : (v1 & bit) ? "v1" : "none");
		append(buf, len, " ", one);
	}
}
