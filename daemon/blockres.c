// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blockres.h"
#include "daemon.h"
#include "dns.h"
#include "log.h"
#include "util.h"

#define NS			1000000000ULL
#define TTL_MIN_S		60	/* re-ask at most once a minute... */
#define TTL_MAX_S		3600	/* ...and at least once an hour */
#define GRACE_NS		(600ULL * NS)	/* denials outlive the TTL by this */
#define QUERY_TIMEOUT_NS	(5ULL * NS)
#define RETRY_NS		(30ULL * NS)
#define NEGATIVE_NS		(600ULL * NS)	/* NXDOMAIN or no address */
#define PRUNE_NS		(60ULL * NS)
#define SEND_PER_TICK		64
#define MAX_ADDRS		32

struct br_addr {
	uint8_t addr[16];
	uint64_t expires_ns;
};

struct br_name {
	struct br_name *next;
	char *profile;
	char *name;		/* normalized, no trailing dot */
	bool listed;		/* from the profile's block lists */
	bool seen;		/* during a rebuild */
	uint64_t due_ns;	/* next query */
	uint64_t sent_ns;	/* outstanding queries were sent then */
	uint16_t id[2];		/* outstanding A and AAAA ids, 0 = none */
	unsigned answers;	/* answers received for the outstanding pair */
	uint32_t min_ttl;	/* over those answers */
	struct br_addr addrs[MAX_ADDRS];
	unsigned naddrs;
};

struct dg_blockres {
	struct dg_daemon *d;
	struct dg_watch w[2];	/* IPv4 and IPv6 upstream sockets */
	struct br_name *names;
	unsigned count;
	unsigned on_demand;
	struct br_name *by_id[65536];
	struct sockaddr_storage upstream;
	socklen_t ulen;
	uint64_t rng;
	uint64_t next_prune_ns;
};

static uint16_t next_id(struct dg_blockres *br)
{
	for (;;) {
		uint16_t id;

		br->rng ^= br->rng << 13;
		br->rng ^= br->rng >> 7;
		br->rng ^= br->rng << 17;
		id = (uint16_t)(br->rng >> 21);
		if (id && !br->by_id[id])
			return id;
	}
}

static void name_free(struct dg_blockres *br, struct br_name *n)
{
	for (int i = 0; i < 2; i++)
		if (n->id[i] && br->by_id[n->id[i]] == n)
			br->by_id[n->id[i]] = NULL;
	free(n->profile);
	free(n->name);
	free(n);
}

static struct br_name *find(struct dg_blockres *br, const char *profile, const char *name)
{
	for (struct br_name *n = br->names; n; n = n->next)
		if (!strcmp(n->name, name) && !strcmp(n->profile, profile))
			return n;
	return NULL;
}

static struct br_name *add(struct dg_blockres *br, const char *profile, const char *name,
			   bool listed)
{
	struct br_name *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->profile = strdup(profile);
	n->name = strdup(name);
	if (!n->profile || !n->name) {
		name_free(br, n);
		return NULL;
	}
	n->listed = listed;
	n->due_ns = dg_now_ns();
	n->next = br->names;
	br->names = n;
	br->count++;
	if (!listed)
		br->on_demand++;
	return n;
}

static void unlink_free(struct dg_blockres *br, struct br_name **pp)
{
	struct br_name *n = *pp;

	*pp = n->next;
	br->count--;
	if (!n->listed)
		br->on_demand--;
	name_free(br, n);
}

/* ---- the upstream ------------------------------------------------------------- */

/* The configured upstream, or the daemon's own resolver from resolv.conf. */
static int pick_upstream(struct dg_blockres *br)
{
	const struct dg_config *cfg = br->d->cfg;
	char *text, *line, *save = NULL;
	int r = -ENOENT;

	if (cfg->nupstream) {
		memcpy(&br->upstream, &cfg->upstream[0], sizeof(br->upstream));
		br->ulen = cfg->upstream_len[0];
		return 0;
	}
	if (dg_read_file("/etc/resolv.conf", &text, NULL, 1 << 20))
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char addr[128];

		if (sscanf(line, " nameserver %127s", addr) == 1 &&
		    !dg_sockaddr_parse(addr, DG_DNS_PORT, &br->upstream, &br->ulen)) {
			r = 0;
			break;
		}
	}
	free(text);
	return r;
}

static int sock_for(struct dg_blockres *br, int family);

static void send_queries(struct dg_blockres *br, struct br_name *n, uint64_t now)
{
	static const uint16_t qtypes[2] = { DG_DNS_T_A, DG_DNS_T_AAAA };
	uint8_t q[DG_NAME_MAX + 32];
	int fd = sock_for(br, br->upstream.ss_family);

	if (fd < 0) {
		n->due_ns = now + RETRY_NS;
		return;
	}
	n->answers = 0;
	n->min_ttl = UINT32_MAX;
	n->sent_ns = now;
	for (int i = 0; i < 2; i++) {
		size_t len;

		n->id[i] = next_id(br);
		len = dg_dns_build_query(n->name, qtypes[i], n->id[i], q, sizeof(q));
		if (!len || sendto(fd, q, len, MSG_DONTWAIT, (struct sockaddr *)&br->upstream,
				   br->ulen) < 0) {
			n->id[i] = 0;
			continue;
		}
		br->by_id[n->id[i]] = n;
	}
	n->due_ns = now + QUERY_TIMEOUT_NS;
}

static uint32_t profile_id(struct dg_daemon *d, const char *profile)
{
	const struct dg_profile *p = dg_config_profile(d->cfg, profile);

	return p ? dg_profile_bpf_id(d, p) : 0;
}

static void push(struct dg_daemon *d, const struct br_name *n, uint32_t id)
{
	for (unsigned i = 0; i < n->naddrs; i++) {
		int r = dg_guard_deny(&d->guard, id, n->addrs[i].addr, n->addrs[i].expires_ns);

		if (r)
			dg_log(DG_LOG_ERR, "denying an address of %s. to profile %s: %s", n->name,
			       n->profile, strerror(-r));
	}
}

struct answer {
	uint8_t addrs[MAX_ADDRS][16];
	uint32_t ttls[MAX_ADDRS];
	unsigned n;
};

static int collect(void *arg, const struct dg_dns_rr *rr)
{
	struct answer *a = arg;

	if (rr->section == DG_DNS_ANSWER && (rr->type == DG_DNS_T_A || rr->type == DG_DNS_T_AAAA) &&
	    a->n < MAX_ADDRS) {
		memcpy(a->addrs[a->n], rr->addr, 16);
		a->ttls[a->n++] = rr->ttl;
	}
	return 0;
}

/* Merge fresh addresses in; old ones stay until their own expiry. */
static bool merge(struct br_name *n, const struct answer *a, uint64_t now)
{
	bool changed = false;

	for (unsigned i = 0; i < a->n; i++) {
		uint32_t ttl = a->ttls[i] < TTL_MIN_S ? TTL_MIN_S
			       : a->ttls[i] > TTL_MAX_S ? TTL_MAX_S : a->ttls[i];
		uint64_t exp = now + ttl * NS + GRACE_NS;
		unsigned j;

		for (j = 0; j < n->naddrs; j++)
			if (!memcmp(n->addrs[j].addr, a->addrs[i], 16))
				break;
		if (j == n->naddrs) {
			/* full: replace the address closest to expiry */
			if (n->naddrs == MAX_ADDRS) {
				j = 0;
				for (unsigned k = 1; k < n->naddrs; k++)
					if (n->addrs[k].expires_ns < n->addrs[j].expires_ns)
						j = k;
			} else {
				n->naddrs++;
			}
			memcpy(n->addrs[j].addr, a->addrs[i], 16);
			n->addrs[j].expires_ns = 0;
			changed = true;
		}
		if (exp > n->addrs[j].expires_ns)
			n->addrs[j].expires_ns = exp;
		if (ttl < n->min_ttl)
			n->min_ttl = ttl;
	}
	return changed;
}

static void log_addrs(const struct br_name *n)
{
	char list[512], one[64], name[DG_NAME_MAX + 2];
	struct dg_logfmt lf;
	size_t len = 0;

	list[0] = '\0';
	for (unsigned i = 0; i < n->naddrs; i++) {
		int w = snprintf(list + len, sizeof(list) - len, "%s%s", len ? "," : "",
				 dg_addr16_str(n->addrs[i].addr, one, sizeof(one)));

		if (w < 0 || (size_t)w >= sizeof(list) - len)
			break;
		len += (size_t)w;
	}
	snprintf(name, sizeof(name), "%s.", n->name);
	lf_init(&lf, "DENY ADDRESSES");
	lf_str(&lf, "domain", name);
	lf_str(&lf, "profile", n->profile);
	lf_str(&lf, "addrs", list);
	lf_str(&lf, "why", n->listed ? "blocked name" : "blocked name a session asked for");
	dg_log_lf(DG_LOG_INFO, &lf);
}

static void on_answer(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct dg_blockres *br = d->blockres;
	uint8_t buf[DG_DNS_MAX_MSG];

	for (int k = 0; k < 64; k++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct dg_dns_query q;
		struct answer a = { .n = 0 };
		struct br_name *n;
		uint64_t now;
		ssize_t len;
		int slot;

		len = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (len < 0)
			return;
		if (len < DG_DNS_HDR_LEN)
			continue;
		n = br->by_id[dg_dns_get_id(buf)];
		if (!n || flen != br->ulen || memcmp(&from, &br->upstream, flen) ||
		    dg_dns_parse_response(buf, (size_t)len, &q, collect, &a) ||
		    strcmp(q.qname.text, n->name))
			continue;
		slot = n->id[0] == q.id ? 0 : 1;
		br->by_id[q.id] = NULL;
		n->id[slot] = 0;
		now = dg_now_ns();
		n->answers++;
		if (merge(n, &a, now))
			log_addrs(n);
		push(d, n, profile_id(d, n->profile));
		if (!n->id[0] && !n->id[1]) {
			/* both answered: ask again before the shortest TTL runs out */
			n->due_ns = n->min_ttl == UINT32_MAX ? now + NEGATIVE_NS
							      : now + n->min_ttl * NS * 4 / 5;
		}
	}
}

static int sock_for(struct dg_blockres *br, int family)
{
	struct dg_watch *w = &br->w[family == AF_INET6];
	int fd;

	if (w->fd >= 0)
		return w->fd;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w->fd = fd;
	w->fn = on_answer;
	if (dg_watch_add(br->d, w, EPOLLIN)) {
		close(fd);
		w->fd = -1;
		return -EIO;
	}
	return fd;
}

/* ---- names -------------------------------------------------------------------- */

struct list_ctx {
	struct dg_blockres *br;
	const struct dg_profile *p;
	unsigned n;
	unsigned skipped;
};

static int list_one(void *arg, const char *name, uint8_t action)
{
	struct list_ctx *c = arg;
	struct br_name *n;

	if (action != DG_NAME_BLOCK)
		return 0;
	if (c->n >= DG_BLOCKRES_LISTED) {
		c->skipped++;
		return 0;
	}
	c->n++;
	n = find(c->br, c->p->name, name);
	if (!n)
		n = add(c->br, c->p->name, name, true);
	if (n) {
		if (!n->listed) {
			n->listed = true;
			c->br->on_demand--;
		}
		n->seen = true;
	}
	return 0;
}

static bool wanted(const struct dg_profile *p)
{
	return p && p->mode == DG_MODE_BLOCKLIST && p->resolve_blocked;
}

void dg_blockres_prepare(struct dg_daemon *d, const struct dg_config *cfg, const uint32_t *ids)
{
	struct dg_blockres *br = d->blockres;

	if (!br)
		return;
	for (struct br_name *n = br->names; n; n = n->next) {
		const struct dg_profile *p = dg_config_profile(cfg, n->profile);

		if (wanted(p))
			push(d, n, ids[p - cfg->profiles]);
	}
}

void dg_blockres_rebuild(struct dg_daemon *d)
{
	struct dg_blockres *br = d->blockres;

	if (!br)
		return;
	if (pick_upstream(br))
		dg_log(DG_LOG_WARN, "no upstream resolver (set 'upstream' or a nameserver in "
		       "/etc/resolv.conf): addresses of blocked names are not denied");
	for (struct br_name *n = br->names; n; n = n->next)
		n->seen = false;
	for (size_t i = 0; i < d->cfg->nprofiles; i++) {
		struct list_ctx c = { .br = br, .p = &d->cfg->profiles[i] };

		if (!wanted(c.p))
			continue;
		dg_domain_set_each(&c.p->names, list_one, &c);
		if (c.skipped)
			dg_log(DG_LOG_INFO, "profile %s: resolving the first %u of %u blocked names; "
			       "the others are denied by address once a session asks for them",
			       c.p->name, c.n, c.n + c.skipped);
	}
	/* on-demand names stay while their profile still blocks them */
	for (struct br_name **pp = &br->names; *pp;) {
		struct br_name *n = *pp;
		const struct dg_profile *p = dg_config_profile(d->cfg, n->profile);

		if (!n->seen && (n->listed || !wanted(p) ||
				 dg_profile_decide_str(p, n->name, NULL) != DG_NAME_BLOCK)) {
			unlink_free(br, pp);
			continue;
		}
		pp = &n->next;
	}
}

void dg_blockres_note(struct dg_daemon *d, const struct dg_profile *p, const char *name)
{
	struct dg_blockres *br = d->blockres;
	struct br_name **pp, **oldest = NULL;

	if (!br || !wanted(p) || !*name || find(br, p->name, name))
		return;
	if (br->on_demand >= DG_BLOCKRES_ON_DEMAND) {
		/* the list is pushed at the head: the last on-demand one is the oldest */
		for (pp = &br->names; *pp; pp = &(*pp)->next)
			if (!(*pp)->listed)
				oldest = pp;
		if (oldest)
			unlink_free(br, oldest);
	}
	add(br, p->name, name, false);
}

void dg_blockres_tick(struct dg_daemon *d)
{
	struct dg_blockres *br = d->blockres;
	uint64_t now = dg_now_ns();
	unsigned sent = 0;

	if (!br || !br->ulen)
		return;
	for (struct br_name *n = br->names; n && sent < SEND_PER_TICK; n = n->next) {
		if (n->due_ns > now)
			continue;
		if ((n->id[0] || n->id[1]) && n->sent_ns + QUERY_TIMEOUT_NS <= now) {
			/* no (complete) answer: keep what is denied denied, and retry */
			for (int i = 0; i < 2; i++) {
				if (n->id[i] && br->by_id[n->id[i]] == n)
					br->by_id[n->id[i]] = NULL;
				n->id[i] = 0;
			}
			if (!n->answers) {
				for (unsigned i = 0; i < n->naddrs; i++)
					if (n->addrs[i].expires_ns < now + GRACE_NS)
						n->addrs[i].expires_ns = now + GRACE_NS;
				push(d, n, profile_id(d, n->profile));
				n->due_ns = now + RETRY_NS;
				continue;
			}
		}
		send_queries(br, n, now);
		sent++;
	}
	if (now >= br->next_prune_ns) {
		/* expired denials and those of replaced profile ids */
		dg_guard_deny_prune_current(d);
		br->next_prune_ns = now + PRUNE_NS;
	}
}

unsigned dg_blockres_names(const struct dg_daemon *d)
{
	return d->blockres ? d->blockres->count : 0;
}

unsigned dg_blockres_addrs(const struct dg_daemon *d)
{
	unsigned n = 0;

	if (!d->blockres)
		return 0;
	for (struct br_name *b = d->blockres->names; b; b = b->next)
		n += b->naddrs;
	return n;
}

int dg_blockres_start(struct dg_daemon *d)
{
	struct dg_blockres *br = calloc(1, sizeof(*br));

	if (!br)
		return -ENOMEM;
	br->d = d;
	br->w[0].fd = br->w[1].fd = -1;
	if (getrandom(&br->rng, sizeof(br->rng), 0) != sizeof(br->rng) || !br->rng)
		br->rng = dg_now_ns() | 1;
	br->next_prune_ns = dg_now_ns() + PRUNE_NS;
	d->blockres = br;
	dg_blockres_rebuild(d);
	return 0;
}

void dg_blockres_stop(struct dg_daemon *d)
{
	struct dg_blockres *br = d->blockres;

	if (!br)
		return;
	while (br->names)
		unlink_free(br, &br->names);
	for (int i = 0; i < 2; i++) {
		if (br->w[i].fd >= 0) {
			dg_watch_del(d, &br->w[i]);
			close(br->w[i].fd);
		}
	}
	free(br);
	d->blockres = NULL;
}
