// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>
#include "deployguard.h"
#include "config.h"
#include "log.h"
#include "util.h"

const char dg_embedded_config[] =
	"# deployguard's embedded default: used when no config file exists.\n"
	"# Guards the user 'deploy' and blocks GitHub and its content hosts.\n"
	"[global]\n"
	"[profile default]\n"
	"mode = blocklist\n"
	"enforce = yes\n"
	"block = github.com githubusercontent.com githubassets.com github.io\n"
	"block = githubapp.com github.dev ghcr.io\n"
	"[users]\n"
	"deploy = default\n";

void dg_diag_free(struct dg_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	d->msgs = NULL;
	d->n = 0;
}

void dg_diag_add(struct dg_diag *d, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[1024], *full, **nm;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		n = asprintf(&full, "%s:%u: %s", file, line, msg);
	else
		n = asprintf(&full, "%s: %s", file, msg);
	if (n < 0)
		return;
	nm = realloc(d->msgs, (d->n + 1) * sizeof(*nm));
	if (!nm) {
		free(full);
		return;
	}
	d->msgs = nm;
	d->msgs[d->n++] = full;
}

void dg_diag_print(const struct dg_diag *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s\n", d->msgs[i]);
}

/* ---- parser state --------------------------------------------------------- */

enum section {
	SEC_NONE,
	SEC_GLOBAL,
	SEC_PROFILE,
	SEC_USERS,
};

struct parser {
	struct dg_config *cfg;
	struct dg_diag *diag;
	const char *file;
	char dir[PATH_MAX];	/* for relative block_file/allow_file */
	unsigned line;
	enum section sec;
	struct dg_profile *prof;
	size_t errors;
	bool seen_global;
	bool seen_users;
};

static void perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(struct parser *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dg_diag_add(p->diag, p->file, p->line, "%s", msg);
	p->errors++;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Inline comments start at ';' or '#' preceded by whitespace. */
static void strip_inline_comment(char *s)
{
	for (char *c = s; *c; c++) {
		if ((*c == ';' || *c == '#') && c > s && isspace((unsigned char)c[-1])) {
			*c = '\0';
			return;
		}
	}
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int set_string(char **dst, const char *v)
{
	char *n = strdup(v);

	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

/* Split a list value on whitespace and commas; calls fn for each item. */
static void for_each_item(struct parser *p, char *v,
			  void (*fn)(struct parser *p, const char *item, void *arg), void *arg)
{
	char *save = NULL;

	for (char *t = strtok_r(v, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save))
		fn(p, t, arg);
}

/* ---- domains -------------------------------------------------------------- */

struct domain_ctx {
	uint8_t action;
};

static const char *action_name(uint8_t a)
{
	return a == DG_NAME_ALLOW ? "allowed" : "blocked";
}

static int add_domain(struct parser *p, const char *item, uint8_t action, const char *file,
		      unsigned line)
{
	char norm[DG_NAME_MAX + 1];
	const char *why = NULL;
	int len, r;

	len = dg_domain_normalize(item, norm, sizeof(norm), &why);
	if (len < 0) {
		dg_diag_add(p->diag, file, line, "%s: '%s'", why, item);
		p->errors++;
		return -EINVAL;
	}
	r = dg_domain_set_add(&p->prof->names, norm, (size_t)len, action);
	if (r == -EEXIST) {
		dg_diag_add(p->diag, file, line,
			    "'%s' is both allowed and blocked in profile '%s'", norm,
			    p->prof->name);
		p->errors++;
		return r;
	}
	if (r < 0) {
		dg_diag_add(p->diag, file, line, "out of memory adding '%s'", norm);
		p->errors++;
		return r;
	}
	if (r == 0) {
		if (action == DG_NAME_ALLOW)
			p->prof->nallow++;
		else
			p->prof->nblock++;
	}
	return 0;
}

static void domain_item(struct parser *p, const char *item, void *arg)
{
	struct domain_ctx *c = arg;

	add_domain(p, item, c->action, p->file, p->line);
}

/*
 * A domain list file: one entry a line; '#' starts a comment.  Lines in
 * hosts-file form ("0.0.0.0 example.com") are accepted too, so existing
 * block lists can be used as they are.
 */
static void load_domain_file(struct parser *p, const char *item, void *arg)
{
	struct domain_ctx *c = arg;
	char path[PATH_MAX], *buf, *line, *save = NULL;
	size_t len;
	unsigned lineno = 0;
	int r;

	if (item[0] == '/')
		r = dg_path(path, sizeof(path), "%s", item);
	else
		r = dg_path(path, sizeof(path), "%s/%s", p->dir, item);
	if (r) {
		perr(p, "path too long: '%s'", item);
		return;
	}
	r = dg_read_file(path, &buf, &len, (size_t)1 << 30);
	if (r < 0) {
		perr(p, "cannot read %s list '%s': %s", action_name(c->action), path, strerror(-r));
		return;
	}
	if (memchr(buf, '\0', len)) {
		perr(p, "'%s' is not a text file", path);
		free(buf);
		return;
	}
	/* a million-name list must not grow the table twenty times */
	{
		size_t lines = 1;

		for (const char *q = buf; (q = memchr(q, '\n', len - (size_t)(q - buf))); q++)
			lines++;
		dg_domain_set_reserve(&p->prof->names, lines, len);
	}
	/* strtok_r would skip empty lines and lose the numbering */
	line = buf;
	while (line) {
		char *next = strchr(line, '\n'), *s, *f1, *f2, *f3;

		if (next)
			*next++ = '\0';
		lineno++;
		s = strchr(line, '#');
		if (s)
			*s = '\0';
		s = trim(line);
		if (*s) {
			save = NULL;
			f1 = strtok_r(s, " \t", &save);
			f2 = strtok_r(NULL, " \t", &save);
			f3 = strtok_r(NULL, " \t", &save);
			if (f2) {
				struct sockaddr_storage ss;
				socklen_t sl;

				if (f3 || dg_sockaddr_parse(f1, 0, &ss, &sl)) {
					dg_diag_add(p->diag, path, lineno,
						    "expected one domain name a line");
					p->errors++;
				} else {
					add_domain(p, f2, c->action, path, lineno);
				}
			} else {
				add_domain(p, f1, c->action, path, lineno);
			}
		}
		line = next;
	}
	free(buf);
}

/* ---- CIDRs ---------------------------------------------------------------- */

static void cidr_item(struct parser *p, const char *item, void *arg)
{
	struct domain_ctx *c = arg;
	struct dg_profile *pr = p->prof;
	struct dg_cidr_rule *n;
	uint8_t addr[16];
	unsigned bits;
	int r;

	r = dg_cidr_parse(item, addr, &bits);
	if (r == -EDOM) {
		perr(p, "'%s' has host bits set beyond its prefix length", item);
		return;
	}
	if (r) {
		perr(p, "invalid address or CIDR '%s'", item);
		return;
	}
	for (size_t i = 0; i < pr->ncidrs; i++) {
		if (pr->cidrs[i].bits == bits && !memcmp(pr->cidrs[i].addr, addr, 16)) {
			if (pr->cidrs[i].action != c->action)
				perr(p, "'%s' is both allowed and blocked in profile '%s'", item,
				     pr->name);
			return;
		}
	}
	if (pr->ncidrs >= DG_MAX_CIDRS / 2) {
		perr(p, "too many CIDRs in profile '%s' (limit %d)", pr->name, DG_MAX_CIDRS / 2);
		return;
	}
	n = realloc(pr->cidrs, (pr->ncidrs + 1) * sizeof(*n));
	if (!n) {
		perr(p, "out of memory");
		return;
	}
	pr->cidrs = n;
	memcpy(n[pr->ncidrs].addr, addr, 16);
	n[pr->ncidrs].bits = (uint8_t)bits;
	n[pr->ncidrs].action = c->action;
	n[pr->ncidrs].line = p->line;
	pr->ncidrs++;
}

/* ---- resource limits ------------------------------------------------------ */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Decimal digits only: strtoull would also take signs, spaces and 0x. */
static int parse_digits(const char *s, uint64_t *out)
{
	unsigned long long n;

	if (!all_digits(s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, NULL, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*out = n;
	return 0;
}

int dg_parse_size(const char *s, uint64_t *bytes)
{
	char num[32];
	size_t len = strlen(s);
	uint64_t n, mult = 1;
	int r;

	if (!strcmp(s, "max")) {
		*bytes = 0;
		return 0;
	}
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (num[len - 1]) {
	case 'K': case 'k': mult = 1ULL << 10; break;
	case 'M': case 'm': mult = 1ULL << 20; break;
	case 'G': case 'g': mult = 1ULL << 30; break;
	case 'T': case 't': mult = 1ULL << 40; break;
	default: break;
	}
	if (mult > 1)
		num[--len] = '\0';
	r = parse_digits(num, &n);
	if (r)
		return r;
	if (n > DG_MEMORY_MAX / mult || n * mult < DG_MEMORY_MIN)
		return -ERANGE;
	*bytes = n * mult;
	return 0;
}

static int parse_period(const char *s, uint32_t *period)
{
	uint64_t n;
	int r = parse_digits(s, &n);

	if (r)
		return r;
	if (n < DG_CPU_PERIOD_MIN || n > DG_CPU_PERIOD_MAX)
		return -ERANGE;
	*period = (uint32_t)n;
	return 0;
}

int dg_parse_cpu_max(const char *s, uint64_t *quota_us, uint32_t *period_us, uint32_t *percent)
{
	char buf[64], *q, *p, *extra, *save = NULL;
	uint32_t period = DG_CPU_PERIOD_DEFAULT;
	size_t len = strlen(s);
	uint64_t n;
	int r;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len + 1);
	if (buf[len - 1] == '%') {
		buf[len - 1] = '\0';
		r = parse_digits(buf, &n);
		if (r)
			return r;
		if (n < 1 || n > 100)
			return -ERANGE;
		*quota_us = 0;
		*period_us = 0;
		*percent = (uint32_t)n;
		return 0;
	}
	/* "QUOTA PERIOD" as in cpu.max; "QUOTA/PERIOD" as we print it */
	q = strtok_r(buf, " \t/", &save);
	p = strtok_r(NULL, " \t/", &save);
	extra = strtok_r(NULL, " \t/", &save);
	if (!q || extra)
		return -EINVAL;
	if (p) {
		r = parse_period(p, &period);
		if (r)
			return r;
	}
	if (!strcmp(q, "max")) {
		*quota_us = 0;
		*period_us = 0;
		*percent = 0;
		return 0;
	}
	r = parse_digits(q, &n);
	if (r)
		return r;
	if (n < DG_CPU_QUOTA_MIN || n > DG_CPU_QUOTA_MAX)
		return -ERANGE;
	*quota_us = n;
	*period_us = period;
	*percent = 0;
	return 0;
}

int dg_parse_pids_max(const char *s, uint32_t *pids)
{
	uint64_t n;
	int r;

	if (!strcmp(s, "max")) {
		*pids = 0;
		return 0;
	}
	r = parse_digits(s, &n);
	if (r)
		return r;
	if (n < 1 || n > DG_PIDS_MAX)
		return -ERANGE;
	*pids = (uint32_t)n;
	return 0;
}

int dg_parse_io_weight(const char *s, uint32_t *weight)
{
	uint64_t n;
	int r = parse_digits(s, &n);

	if (r)
		return r;
	if (n < 1 || n > DG_IO_WEIGHT_MAX)
		return -ERANGE;
	*weight = (uint32_t)n;
	return 0;
}

bool dg_limits_any(const struct dg_limits *l)
{
	return l->memory_max || l->memory_high || l->cpu_quota_us || l->cpu_percent ||
	       l->pids_max || l->io_weight;
}

const char *dg_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int shift = 40;

	for (int i = 3; i >= 0; i--, shift -= 10) {
		uint64_t unit = 1ULL << shift;

		if (bytes && bytes % unit == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
	return buf;
}

/* Append a space-separated item; what does not fit is cut off. */
static void append_item(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append_item(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 1 < len)
		buf[n++] = ' ';
	if (n + 1 >= len)
		return;
	buf[n] = '\0';
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

const char *dg_limits_str(const struct dg_limits *l, char *buf, size_t len)
{
	char sz[32];

	if (!len)
		return buf;
	buf[0] = '\0';
	if (l->memory_max)
		append_item(buf, len, "memory_max=%s", dg_size_str(l->memory_max, sz, sizeof(sz)));
	if (l->memory_high)
		append_item(buf, len, "memory_high=%s", dg_size_str(l->memory_high, sz, sizeof(sz)));
	if (l->cpu_percent)
		append_item(buf, len, "cpu_max=%u%%", l->cpu_percent);
	else if (l->cpu_quota_us)
		append_item(buf, len, "cpu_max=%llu/%u", (unsigned long long)l->cpu_quota_us,
			    l->cpu_period_us);
	if (l->pids_max)
		append_item(buf, len, "pids_max=%u", l->pids_max);
	if (l->io_weight)
		append_item(buf, len, "io_weight=%u", l->io_weight);
	return buf;
}

static void limit_key(struct parser *p, const char *key, const char *val)
{
	struct dg_limits *l = &p->prof->limits;
	int r;

	if (!strcmp(key, "memory_max") || !strcmp(key, "memory_high")) {
		r = dg_parse_size(val, key[7] == 'm' ? &l->memory_max : &l->memory_high);
		if (r == -ERANGE)
			perr(p, "%s must be between 1M and %lluT, not '%s'", key,
			     DG_MEMORY_MAX >> 40, val);
		else if (r)
			perr(p, "%s must be a size like 512M or 2G (suffix K, M, G or T) or max, "
			     "not '%s'", key, val);
	} else if (!strcmp(key, "cpu_max")) {
		r = dg_parse_cpu_max(val, &l->cpu_quota_us, &l->cpu_period_us, &l->cpu_percent);
		if (r == -ERANGE)
			perr(p, "cpu_max out of range: the quota must be at least %d us, the period "
			     "%d..%d us, a percentage 1..100%%; not '%s'", DG_CPU_QUOTA_MIN,
			     DG_CPU_PERIOD_MIN, DG_CPU_PERIOD_MAX, val);
		else if (r)
			perr(p, "cpu_max must be 'QUOTA PERIOD' in microseconds (as in cgroup v2's "
			     "cpu.max), a percentage of the host like 50%%, or max; not '%s'", val);
	} else if (!strcmp(key, "pids_max")) {
		if (dg_parse_pids_max(val, &l->pids_max))
			perr(p, "pids_max must be 1..%d or max, not '%s'", DG_PIDS_MAX, val);
	} else if (!strcmp(key, "io_weight")) {
		if (dg_parse_io_weight(val, &l->io_weight))
			perr(p, "io_weight must be 1..%d, not '%s'", DG_IO_WEIGHT_MAX, val);
	}
}

static bool is_limit_key(const char *key)
{
	static const char *const keys[] = { "memory_max", "memory_high", "cpu_max", "pids_max",
					    "io_weight" };

	for (size_t i = 0; i < DG_ARRAY_SIZE(keys); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

/* ---- sections ------------------------------------------------------------- */

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static void begin_section(struct parser *p, char *hdr)
{
	char *name;

	p->prof = NULL;
	hdr = trim(hdr);
	if (!strcmp(hdr, "global")) {
		if (p->seen_global)
			perr(p, "duplicate [global] section");
		p->seen_global = true;
		p->sec = SEC_GLOBAL;
		return;
	}
	if (!strcmp(hdr, "users")) {
		if (p->seen_users)
			perr(p, "duplicate [users] section");
		p->seen_users = true;
		p->sec = SEC_USERS;
		return;
	}
	if (!strncmp(hdr, "profile", 7) && isspace((unsigned char)hdr[7])) {
		struct dg_config *cfg = p->cfg;
		struct dg_profile *np;

		name = trim(hdr + 7);
		p->sec = SEC_PROFILE;
		if (!valid_name(name)) {
			perr(p, "invalid profile name '%s' (letters, digits, '-', '_', '.')", name);
			p->sec = SEC_NONE;
			return;
		}
		if (dg_config_profile(cfg, name)) {
			perr(p, "duplicate profile '%s'", name);
			p->sec = SEC_NONE;
			return;
		}
		np = realloc(cfg->profiles, (cfg->nprofiles + 1) * sizeof(*np));
		if (!np) {
			perr(p, "out of memory");
			return;
		}
		cfg->profiles = np;
		p->prof = &np[cfg->nprofiles++];
		memset(p->prof, 0, sizeof(*p->prof));
		p->prof->name = strdup(name);
		p->prof->line = p->line;
		p->prof->mode = DG_MODE_BLOCKLIST;
		p->prof->enforce = DG_ENFORCE_YES;
		p->prof->allow_loopback = true;
		p->prof->block_doh = true;
		p->prof->resolve_blocked = true;
		dg_domain_set_init(&p->prof->names);
		return;
	}
	perr(p, "unknown section [%s] (expected [global], [profile NAME] or [users])", hdr);
	p->sec = SEC_NONE;
}

static void upstream_item(struct parser *p, const char *item, void *arg)
{
	struct dg_config *cfg = p->cfg;

	if (cfg->nupstream >= DG_MAX_UPSTREAMS) {
		perr(p, "at most %d upstream resolvers", DG_MAX_UPSTREAMS);
		return;
	}
	if (dg_sockaddr_parse(item, DG_DNS_PORT, &cfg->upstream[cfg->nupstream],
			      &cfg->upstream_len[cfg->nupstream])) {
		perr(p, "invalid upstream address '%s' (IP, IP:PORT or [IPv6]:PORT)", item);
		return;
	}
	cfg->nupstream++;
}

static int parse_seconds(const char *v, uint32_t max, uint32_t *out)
{
	uint64_t n;

	if (dg_parse_u64(v, 0, max, &n))
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

static void global_key(struct parser *p, const char *key, char *val)
{
	struct dg_config *cfg = p->cfg;
	uint64_t n;
	uint32_t s;

	if (!strcmp(key, "upstream")) {
		cfg->nupstream = 0;
		for_each_item(p, val, upstream_item, NULL);
	} else if (!strcmp(key, "proxy_port")) {
		if (dg_parse_u64(val, 1, 65535, &n))
			perr(p, "proxy_port must be 1..65535, not '%s'", val);
		else
			cfg->proxy_port = (uint16_t)n;
	} else if (!strcmp(key, "cgroup")) {
		if (val[0] == '/' || strstr(val, "..") || !*val)
			perr(p, "cgroup must be a path below the cgroup2 mount, like 'deployguard'");
		else
			set_string(&cfg->cgroup, val);
	} else if (!strcmp(key, "bpffs")) {
		if (val[0] != '/')
			perr(p, "bpffs must be an absolute path");
		else
			set_string(&cfg->bpffs, val);
	} else if (!strcmp(key, "run_dir")) {
		if (val[0] != '/')
			perr(p, "run_dir must be an absolute path");
		else
			set_string(&cfg->run_dir, val);
	} else if (!strcmp(key, "state_dir")) {
		if (val[0] != '/')
			perr(p, "state_dir must be an absolute path");
		else
			set_string(&cfg->state_dir, val);
	} else if (!strcmp(key, "blocked_answer")) {
		if (!strcmp(val, "nxdomain"))
			cfg->blocked_rcode = 3;
		else if (!strcmp(val, "refused"))
			cfg->blocked_rcode = 5;
		else
			perr(p, "blocked_answer must be nxdomain or refused, not '%s'", val);
	} else if (!strcmp(key, "forward_blocked")) {
		if (parse_bool(val, &cfg->forward_blocked))
			perr(p, "forward_blocked must be yes or no, not '%s'", val);
	} else if (!strcmp(key, "min_ttl")) {
		if (parse_seconds(val, 86400, &cfg->min_ttl))
			perr(p, "min_ttl must be 0..86400 seconds, not '%s'", val);
	} else if (!strcmp(key, "max_ttl")) {
		if (parse_seconds(val, 7 * 86400, &s) || s == 0)
			perr(p, "max_ttl must be 1..604800 seconds, not '%s'", val);
		else
			cfg->max_ttl = s;
	} else if (!strcmp(key, "upstream_timeout")) {
		if (parse_seconds(val, 60, &s) || s == 0)
			perr(p, "upstream_timeout must be 1..60 seconds, not '%s'", val);
		else
			cfg->upstream_timeout_ms = s * 1000;
	} else if (!strcmp(key, "log_level")) {
		static const char *const names[] = { "error", "warn", "info", "debug" };
		size_t i;

		for (i = 0; i < DG_ARRAY_SIZE(names); i++)
			if (!strcmp(val, names[i]))
				break;
		if (i == DG_ARRAY_SIZE(names))
			perr(p, "log_level must be error, warn, info or debug, not '%s'", val);
		else
			cfg->log_level = (int)i;
	} else if (!strcmp(key, "limits_unavailable")) {
		if (!strcmp(val, "refuse"))
			cfg->limits_unavailable = DG_LIMITS_REFUSE;
		else if (!strcmp(val, "warn"))
			cfg->limits_unavailable = DG_LIMITS_WARN;
		else
			perr(p, "limits_unavailable must be refuse or warn, not '%s'", val);
	} else {
		perr(p, "unknown key '%s' in [global]", key);
	}
}

static void profile_key(struct parser *p, const char *key, char *val)
{
	struct dg_profile *pr = p->prof;
	struct domain_ctx c = { 0 };

	if (!strcmp(key, "mode")) {
		if (!strcmp(val, "blocklist"))
			pr->mode = DG_MODE_BLOCKLIST;
		else if (!strcmp(val, "allowlist"))
			pr->mode = DG_MODE_ALLOWLIST;
		else
			perr(p, "mode must be blocklist or allowlist, not '%s'", val);
	} else if (!strcmp(key, "enforce")) {
		if (!strcmp(val, "yes"))
			pr->enforce = DG_ENFORCE_YES;
		else if (!strcmp(val, "audit"))
			pr->enforce = DG_ENFORCE_AUDIT;
		else
			perr(p, "enforce must be yes or audit, not '%s'", val);
	} else if (!strcmp(key, "allow_loopback")) {
		if (parse_bool(val, &pr->allow_loopback))
			perr(p, "allow_loopback must be yes or no, not '%s'", val);
	} else if (!strcmp(key, "block_doh")) {
		if (parse_bool(val, &pr->block_doh))
			perr(p, "block_doh must be yes or no, not '%s'", val);
	} else if (!strcmp(key, "resolve_blocked")) {
		if (parse_bool(val, &pr->resolve_blocked))
			perr(p, "resolve_blocked must be yes or no, not '%s'", val);
	} else if (!strcmp(key, "block") || !strcmp(key, "allow")) {
		c.action = key[0] == 'b' ? DG_NAME_BLOCK : DG_NAME_ALLOW;
		for_each_item(p, val, domain_item, &c);
	} else if (!strcmp(key, "block_file") || !strcmp(key, "allow_file")) {
		c.action = key[0] == 'b' ? DG_NAME_BLOCK : DG_NAME_ALLOW;
		for_each_item(p, val, load_domain_file, &c);
	} else if (!strcmp(key, "block_cidr") || !strcmp(key, "allow_cidr")) {
		c.action = key[0] == 'b' ? DG_NAME_BLOCK : DG_NAME_ALLOW;
		for_each_item(p, val, cidr_item, &c);
	} else if (is_limit_key(key)) {
		limit_key(p, key, val);
	} else {
		perr(p, "unknown key '%s' in [profile %s]", key, pr->name);
	}
}

static void users_key(struct parser *p, const char *key, char *val)
{
	struct dg_config *cfg = p->cfg;
	struct dg_user_rule *n;
	bool is_group = key[0] == '@';
	const char *name = is_group ? key + 1 : key;

	if (!*name || strchr(name, ' ') || strchr(name, ':')) {
		perr(p, "invalid %s name '%s'", is_group ? "group" : "user", name);
		return;
	}
	if (!valid_name(val)) {
		perr(p, "invalid profile name '%s'", val);
		return;
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		if (cfg->users[i].is_group == is_group && !strcmp(cfg->users[i].name, name)) {
			perr(p, "%s '%s' is already mapped (line %u)", is_group ? "group" : "user",
			     name, cfg->users[i].line);
			return;
		}
	}
	n = realloc(cfg->users, (cfg->nusers + 1) * sizeof(*n));
	if (!n) {
		perr(p, "out of memory");
		return;
	}
	cfg->users = n;
	n[cfg->nusers].name = strdup(name);
	n[cfg->nusers].is_group = is_group;
	n[cfg->nusers].profile = strdup(val);
	n[cfg->nusers].line = p->line;
	cfg->nusers++;
}

static void parse_line(struct parser *p, char *line)
{
	char *s = trim(line), *eq, *key, *val;

	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		char *end = strchr(s, ']');

		if (!end) {
			perr(p, "missing ']' in section header");
			return;
		}
		*end = '\0';
		strip_inline_comment(end + 1);
		if (*trim(end + 1)) {
			perr(p, "unexpected text after section header");
			return;
		}
		begin_section(p, s + 1);
		return;
	}
	eq = strchr(s, '=');
	if (!eq) {
		perr(p, "expected 'key = value' or a [section]");
		return;
	}
	*eq = '\0';
	key = trim(s);
	val = eq + 1;
	strip_inline_comment(val);
	val = trim(val);
	if (!*key) {
		perr(p, "missing key before '='");
		return;
	}
	if (!*val) {
		perr(p, "missing value for '%s'", key);
		return;
	}
	switch (p->sec) {
	case SEC_NONE:
		/* an earlier error already explained why the section is unusable */
		if (!p->errors)
			perr(p, "'%s' outside of any section", key);
		break;
	case SEC_GLOBAL:
		global_key(p, key, val);
		break;
	case SEC_PROFILE:
		if (p->prof)
			profile_key(p, key, val);
		break;
	case SEC_USERS:
		users_key(p, key, val);
		break;
	}
}

static struct dg_config *config_new(const char *name)
{
	struct dg_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->path = strdup(name);
	cfg->proxy_port = DG_DEFAULT_PROXY_PORT;
	cfg->cgroup = strdup("deployguard");
	cfg->bpffs = strdup("/sys/fs/bpf/deployguard");
	cfg->run_dir = strdup(DG_RUNDIR);
	cfg->state_dir = strdup(DG_STATEDIR);
	cfg->blocked_rcode = 3;
	cfg->min_ttl = 5;
	cfg->max_ttl = 86400;
	cfg->upstream_timeout_ms = 5000;
	cfg->log_level = DG_LOG_INFO;
	if (!cfg->path || !cfg->cgroup || !cfg->bpffs || !cfg->run_dir || !cfg->state_dir) {
		dg_config_free(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * The compiled-in public DoH list, added to a blocklist profile.  What the
 * operator wrote wins: a name or CIDR the profile already lists (allowed,
 * say) is left as it is.
 */
static void add_doh(struct parser *p, struct dg_profile *pr)
{
	const char *line = dg_doh_list;
	char item[DG_NAME_MAX + 2], norm[DG_NAME_MAX + 1];
	unsigned lineno = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *why;
		uint8_t addr[16];
		unsigned bits;
		int n;

		lineno++;
		snprintf(item, sizeof(item), "%.*s", (int)len, line);
		line += len + (end ? 1 : 0);
		if (!item[0] || item[0] == '#')
			continue;
		if (dg_cidr_parse(item, addr, &bits) == 0) {
			struct dg_cidr_rule *r;
			bool known = false;

			for (size_t i = 0; i < pr->ncidrs; i++)
				if (pr->cidrs[i].bits == bits && !memcmp(pr->cidrs[i].addr, addr, 16))
					known = true;
			if (known)
				continue;
			r = realloc(pr->cidrs, (pr->ncidrs + 1) * sizeof(*r));
			if (!r)
				break;
			pr->cidrs = r;
			memcpy(r[pr->ncidrs].addr, addr, 16);
			r[pr->ncidrs].bits = (uint8_t)bits;
			r[pr->ncidrs].action = DG_NAME_BLOCK;
			r[pr->ncidrs].line = 0;
			pr->ncidrs++;
			pr->ndoh++;
			continue;
		}
		n = dg_domain_normalize(item, norm, sizeof(norm), &why);
		if (n < 0) {
			/* a bad line in the shipped list is a build bug: say so loudly */
			dg_diag_add(p->diag, "<compiled-in etc/doh-resolvers.txt>", lineno, "%s: '%s'",
				    why, item);
			p->errors++;
			continue;
		}
		if (dg_domain_set_add(&pr->names, norm, (size_t)n, DG_NAME_BLOCK) == 0)
			pr->ndoh++;
	}
}

static void check_config(struct parser *p)
{
	struct dg_config *cfg = p->cfg;

	if (cfg->min_ttl > cfg->max_ttl) {
		p->line = 0;
		perr(p, "min_ttl (%u) is larger than max_ttl (%u)", cfg->min_ttl, cfg->max_ttl);
	}
	if (cfg->nprofiles == 0) {
		p->line = 0;
		perr(p, "no [profile NAME] section: nothing to guard with");
	}
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (cfg->profiles[i].mode == DG_MODE_BLOCKLIST && cfg->profiles[i].block_doh)
			add_doh(p, &cfg->profiles[i]);
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		const struct dg_profile *pr = &cfg->profiles[i];
		char a[32], b[32];

		if (pr->limits.memory_high && pr->limits.memory_max &&
		    pr->limits.memory_high > pr->limits.memory_max) {
			p->line = pr->line;
			perr(p, "profile '%s': memory_high (%s) is above memory_max (%s), so it "
			     "would never apply", pr->name,
			     dg_size_str(pr->limits.memory_high, a, sizeof(a)),
			     dg_size_str(pr->limits.memory_max, b, sizeof(b)));
		}
	}
	for (size_t i = 0; i < cfg->nusers; i++) {
		if (!dg_config_profile(cfg, cfg->users[i].profile)) {
			p->line = cfg->users[i].line;
			perr(p, "%s '%s' is mapped to unknown profile '%s'",
			     cfg->users[i].is_group ? "group" : "user", cfg->users[i].name,
			     cfg->users[i].profile);
		}
	}
}

static struct dg_config *parse_text(const char *name, char *text, struct dg_diag *diag)
{
	struct parser p = { .diag = diag, .file = name };
	char *line = text;
	const char *slash;

	p.cfg = config_new(name);
	if (!p.cfg) {
		dg_diag_add(diag, name, 0, "out of memory");
		return NULL;
	}
	slash = strrchr(name, '/');
	if (slash && slash != name)
		snprintf(p.dir, sizeof(p.dir), "%.*s", (int)(slash - name), name);
	else
		snprintf(p.dir, sizeof(p.dir), "%s", slash ? "/" : ".");

	while (line) {
		char *next = strchr(line, '\n');

		if (next)
			*next++ = '\0';
		p.line++;
		parse_line(&p, line);
		line = next;
	}
	check_config(&p);
	if (p.errors) {
		dg_config_free(p.cfg);
		return NULL;
	}
	return p.cfg;
}

struct dg_config *dg_config_load_string(const char *name, const char *text, struct dg_diag *diag)
{
	char *copy = strdup(text);
	struct dg_config *cfg;

	if (!copy) {
		dg_diag_add(diag, name, 0, "out of memory");
		return NULL;
	}
	cfg = parse_text(name, copy, diag);
	free(copy);
	return cfg;
}

struct dg_config *dg_config_load(const char *path, struct dg_diag *diag)
{
	struct dg_config *cfg;
	char *text;
	size_t len;
	int r;

	if (!path) {
		if (access(DG_DEFAULT_CONFIG, F_OK) != 0)
			return dg_config_load_string(DG_EMBEDDED_NAME, dg_embedded_config, diag);
		path = DG_DEFAULT_CONFIG;
	}
	r = dg_read_file(path, &text, &len, 16 << 20);
	if (r < 0) {
		dg_diag_add(diag, path, 0, "cannot read: %s", strerror(-r));
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		dg_diag_add(diag, path, 0, "not a text file");
		free(text);
		return NULL;
	}
	cfg = parse_text(path, text, diag);
	free(text);
	return cfg;
}

void dg_config_free(struct dg_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nprofiles; i++) {
		free(cfg->profiles[i].name);
		dg_domain_set_free(&cfg->profiles[i].names);
		free(cfg->profiles[i].cidrs);
	}
	free(cfg->profiles);
	for (size_t i = 0; i < cfg->nusers; i++) {
		free(cfg->users[i].name);
		free(cfg->users[i].profile);
	}
	free(cfg->users);
	free(cfg->path);
	free(cfg->cgroup);
	free(cfg->bpffs);
	free(cfg->run_dir);
	free(cfg->state_dir);
	free(cfg);
}

const struct dg_profile *dg_config_profile(const struct dg_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nprofiles; i++)
		if (cfg->profiles[i].name && !strcmp(cfg->profiles[i].name, name))
			return &cfg->profiles[i];
	return NULL;
}

static bool user_in_group(const char *user, const char *group)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char pbuf[4096], gbuf[16384];

	if (getgrnam_r(group, &gr, gbuf, sizeof(gbuf), &grp) || !grp)
		return false;
	/* primary group */
	if (!getpwnam_r(user, &pw, pbuf, sizeof(pbuf), &pwp) && pwp && pwp->pw_gid == grp->gr_gid)
		return true;
	for (char **m = grp->gr_mem; m && *m; m++)
		if (!strcmp(*m, user))
			return true;
	return false;
}

const struct dg_profile *dg_config_profile_for_user(const struct dg_config *cfg,
						    const char *user)
{
	if (!user || !*user)
		return NULL;
	for (size_t i = 0; i < cfg->nusers; i++)
		if (!cfg->users[i].is_group && !strcmp(cfg->users[i].name, user))
			return dg_config_profile(cfg, cfg->users[i].profile);
	for (size_t i = 0; i < cfg->nusers; i++)
		if (cfg->users[i].is_group && user_in_group(user, cfg->users[i].name))
			return dg_config_profile(cfg, cfg->users[i].profile);
	return NULL;
}

int dg_config_socket_path(const struct dg_config *cfg, char *buf, size_t len)
{
	return dg_path(buf, len, "%s/control.sock", cfg->run_dir);
}

int dg_config_peek_socket_path(const char *path, char *buf, size_t len)
{
	char *text, *line, run_dir[PATH_MAX] = DG_RUNDIR;
	bool global = false;
	int r;

	r = dg_read_file(path ? path : DG_DEFAULT_CONFIG, &text, NULL, 16 << 20);
	if (r < 0)
		return r;
	for (line = text; line && *line;) {
		char *next = strchr(line, '\n'), *s, *eq;

		if (next)
			*next++ = '\0';
		s = trim(line);
		if (*s == '[') {
			global = !strncmp(s, "[global]", 8);
		} else if (global && (eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			strip_inline_comment(eq + 1);
			if (!strcmp(trim(s), "run_dir") && trim(eq + 1)[0] == '/')
				snprintf(run_dir, sizeof(run_dir), "%s", trim(eq + 1));
		}
		line = next;
	}
	free(text);
	return dg_path(buf, len, "%s/control.sock", run_dir);
}

static uint8_t decide(const struct dg_profile *p, uint8_t a)
{
	if (a != DG_NAME_NONE)
		return a;
	return p->mode == DG_MODE_ALLOWLIST ? DG_NAME_BLOCK : DG_NAME_ALLOW;
}

uint8_t dg_profile_decide(const struct dg_profile *p, const char *name, size_t len,
			  const uint16_t *label_off, unsigned nlabels, long *match_off)
{
	size_t off = 0;
	uint8_t a = dg_domain_set_match(&p->names, name, len, label_off, nlabels, &off);

	if (match_off)
		*match_off = a == DG_NAME_NONE ? -1 : (long)off;
	return decide(p, a);
}

uint8_t dg_profile_decide_str(const struct dg_profile *p, const char *name, long *match_off)
{
	size_t off = 0;
	uint8_t a = dg_domain_set_match_str(&p->names, name, &off);

	if (match_off)
		*match_off = a == DG_NAME_NONE ? -1 : (long)off;
	return decide(p, a);
}

void dg_config_summary(const struct dg_config *cfg, char *buf, size_t len)
{
	size_t names = 0, doh = 0;

	for (size_t i = 0; i < cfg->nprofiles; i++) {
		names += cfg->profiles[i].nblock + cfg->profiles[i].nallow;
		doh += cfg->profiles[i].ndoh;
	}
	snprintf(buf, len, "%zu profiles, %zu user/group mappings, %zu domain entries%s",
		 cfg->nprofiles, cfg->nusers, names,
		 doh ? " + the public DoH resolver list" : "");
}

int dg_config_check(const char *path, FILE *out, FILE *err)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg = dg_config_load(path, &diag);
	char summary[256];

	dg_diag_print(&diag, err);
	dg_diag_free(&diag);
	if (!cfg)
		return 1;
	dg_config_summary(cfg, summary, sizeof(summary));
	fprintf(out, "%s: OK (%s)\n", cfg->path, summary);
	dg_config_free(cfg);
	return 0;
}
