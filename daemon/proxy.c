// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blockres.h"
#include "daemon.h"
#include "decision.h"
#include "dns.h"
#include "events.h"
#include "log.h"
#include "proxy.h"
#include "util.h"

#define MAX_PENDING		16384
#define UDP_BATCH		64
#define MAX_TCP_CLIENTS		1024
#define TCP_IDLE_NS		(10ULL * 1000000000ULL)
#define MAX_LEARN		64
#define PORT_TRIES		32


struct dg_proxy;

struct listener {
	struct dg_watch w;
	struct dg_proxy *px;
	int family;
	bool tcp;
};

struct upsock {
	struct dg_watch w;
	struct dg_proxy *px;
	int family;
};

struct outbuf {
	struct outbuf *next;
	size_t len, off;
	uint8_t data[];
};

struct tcp_client {
	struct dg_watch w;
	struct dg_proxy *px;
	struct tcp_client *prev, *next;
	struct sockaddr_storage peer;
	struct dg_flow flow;
	uint8_t *in;
	size_t in_len, in_cap;
	struct outbuf *out_head, *out_tail;
	unsigned inflight;
	unsigned busy;		/* its own handler is running: not freed under it */
	uint64_t last_active;
	bool dead;		/* fd closed; freed when inflight and busy drop to 0 */
};

struct upstream_tcp {
	struct dg_watch w;
	struct query *q;
	uint8_t *buf;
	size_t len, off;
	bool reading;
};

/* Where the answer goes. */
struct client_ref {
	struct listener *udp;
	struct sockaddr_storage addr;
	socklen_t alen;
	struct tcp_client *tcp;
};

struct query {
	struct query *tprev, *tnext;	/* deadline order */
	struct client_ref client;
	uint16_t client_id;
	uint16_t up_id;
	bool in_table;
	bool would_block;
	bool discard;			/* forward_blocked: upstream sees it, client does not */
	struct upstream_tcp *up_tcp;
	struct sockaddr_storage upstream;
	socklen_t ulen;
	struct dg_flow flow;
	uint16_t qtype;
	uint64_t deadline;
	char qname[];			/* lowercase text, no trailing dot */
};

struct dg_proxy {
	struct dg_daemon *d;
	uint16_t port;
	struct listener listeners[4];	/* udp4, udp6, tcp4, tcp6 */
	unsigned nlisteners;
	struct upsock up[2];		/* udp4, udp6: created on first use */
	struct query *by_id[65536];
	unsigned npending;
	struct query *thead, *ttail;
	struct tcp_client *clients;
	unsigned nclients;
	uint64_t rng;
};

/* ---- helpers ------------------------------------------------------------- */

static uint16_t rand16(struct dg_proxy *px)
{
	/* xorshift64*, seeded from getrandom: ids only need to be unguessable
	 * by processes that cannot see our upstream socket */
	px->rng ^= px->rng >> 12;
	px->rng ^= px->rng << 25;
	px->rng ^= px->rng >> 27;
	return (uint16_t)((px->rng * 2685821657736338717ULL) >> 48);
}

static bool same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

/* ---- replies ---------------------------------------------------------------- */

static void tcp_client_flush(struct tcp_client *c);
static void tcp_client_release(struct tcp_client *c);

static void send_to_client(struct dg_proxy *px, const struct client_ref *cr, const uint8_t *msg,
			   size_t len)
{
	if (cr->udp) {
		/* the client's recvmsg hook turns our address into its resolver's */
		if (sendto(cr->udp->w.fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
			   (const struct sockaddr *)&cr->addr, cr->alen) < 0)
			dg_log(DG_LOG_DEBUG, "proxy: reply to client: %s", strerror(errno));
		return;
	}
	if (cr->tcp && !cr->tcp->dead) { // NOLINT(clang-analyzer-unix.Malloc): pinned (busy) while its handler runs
		struct outbuf *o = malloc(sizeof(*o) + len + 2);

		if (!o)
			return;
		o->next = NULL;
		o->len = len + 2;
		o->off = 0;
		o->data[0] = (uint8_t)(len >> 8);
		o->data[1] = (uint8_t)len;
		memcpy(o->data + 2, msg, len);
		if (cr->tcp->out_tail)
			cr->tcp->out_tail->next = o;
		else
			cr->tcp->out_head = o;
		cr->tcp->out_tail = o;
		tcp_client_flush(cr->tcp);
	}
	(void)px;
}

static void reply_rcode(struct dg_proxy *px, const struct client_ref *cr, const uint8_t *query,
			const struct dg_dns_query *q, int rcode)
{
	uint8_t out[DG_DNS_NAME_TEXT_MAX + 64];
	size_t n;

	if (q->question_end > sizeof(out) - 16)
		return;
	n = dg_dns_build_reply(query, q, rcode, out, sizeof(out));
	if (n)
		send_to_client(px, cr, out, n);
}

/* ---- the pending table ------------------------------------------------------ */

static void query_unlink_timeout(struct dg_proxy *px, struct query *q)
{
	if (q->tprev)
		q->tprev->tnext = q->tnext;
	else if (px->thead == q)
		px->thead = q->tnext;
	if (q->tnext)
		q->tnext->tprev = q->tprev;
	else if (px->ttail == q)
		px->ttail = q->tprev;
	q->tprev = q->tnext = NULL;
}

static void upstream_tcp_free(struct dg_proxy *px, struct upstream_tcp *u);

static void query_free(struct dg_proxy *px, struct query *q)
{
	query_unlink_timeout(px, q);
	if (q->in_table) {
		px->by_id[q->up_id] = NULL;
		q->in_table = false;
	}
	if (q->up_tcp) {
		q->up_tcp->q = NULL;
		upstream_tcp_free(px, q->up_tcp);
		q->up_tcp = NULL;
	}
	if (q->client.tcp) {
		q->client.tcp->inflight--; // NOLINT(clang-analyzer-unix.Malloc): a client lives while inflight > 0
		tcp_client_release(q->client.tcp);
	}
	px->npending--;
	free(q);
}

static struct query *query_new(struct dg_proxy *px, const struct client_ref *cr,
			       const struct dg_dns_query *dq, const struct dg_flow *flow)
{
	struct query *q;

	if (px->npending >= MAX_PENDING)
		return NULL;
	q = calloc(1, sizeof(*q) + dq->qname.len + 1);
	if (!q)
		return NULL;
	q->client = *cr;
	q->client_id = dq->id;
	q->qtype = dq->qtype;
	q->flow = *flow;
	memcpy(q->qname, dq->qname.text, dq->qname.len + 1);
	q->deadline = dg_now_ns() + (uint64_t)px->d->cfg->upstream_timeout_ms * 1000000ULL;
	if (cr->tcp)
		cr->tcp->inflight++;
	px->npending++;
	/* all queries share one timeout, so appending keeps the list sorted */
	q->tprev = px->ttail;
	if (px->ttail)
		px->ttail->tnext = q;
	else
		px->thead = q;
	px->ttail = q;
	return q;
}

static int query_assign_id(struct dg_proxy *px, struct query *q)
{
	for (int tries = 0; tries < 64; tries++) {
		uint16_t id = rand16(px);

		if (!px->by_id[id]) {
			px->by_id[id] = q;
			q->up_id = id;
			q->in_table = true;
			return 0;
		}
	}
	return -EBUSY;
}

/* ---- answers from upstream ------------------------------------------------ */

struct answer_scan {
	struct dg_daemon *d;
	const struct dg_profile *prof;
	char blocked_cname[DG_DNS_NAME_TEXT_MAX];
	bool cname_blocked;
	uint8_t addrs[MAX_LEARN][16];
	uint32_t ttls[MAX_LEARN];
	unsigned naddrs;
};

static int scan_rr(void *arg, const struct dg_dns_rr *rr)
{
	struct answer_scan *a = arg;

	if (rr->section != DG_DNS_ANSWER)
		return 0;
	if (rr->type == DG_DNS_T_CNAME && rr->target && !a->cname_blocked) {
		const struct dg_dns_name *t = rr->target;

		if (dg_profile_decide(a->prof, t->text, t->len, t->label_off, t->nlabels, NULL) ==
		    DG_NAME_BLOCK) {
			a->cname_blocked = true;
			snprintf(a->blocked_cname, sizeof(a->blocked_cname), "%s", t->text);
		}
	} else if ((rr->type == DG_DNS_T_A || rr->type == DG_DNS_T_AAAA) && a->naddrs < MAX_LEARN) {
		memcpy(a->addrs[a->naddrs], rr->addr, 16);
		a->ttls[a->naddrs] = rr->ttl;
		a->naddrs++;
	}
	return 0;
}

static void learn(struct dg_daemon *d, const struct dg_flow *flow, const struct answer_scan *a)
{
	const struct dg_config *cfg = d->cfg;
	uint64_t now = dg_now_ns();

	for (unsigned i = 0; i < a->naddrs; i++) {
		uint32_t ttl = a->ttls[i];

		if (ttl < cfg->min_ttl)
			ttl = cfg->min_ttl;
		if (ttl > cfg->max_ttl)
			ttl = cfg->max_ttl;
		if (dg_guard_learn(&d->guard, flow->session_id, a->addrs[i],
				   now + (uint64_t)ttl * 1000000000ULL, DG_VERDICT_ALLOW) >= 0)
			d->stats.addresses_learned++;
	}
}

/* An answer for q arrived (UDP or TCP upstream); q is freed. */
static void finish_query(struct dg_proxy *px, struct query *q, uint8_t *msg, size_t len)
{
	struct dg_daemon *d = px->d;
	struct dg_sess *s = dg_session_find(d, q->flow.session_id);
	struct answer_scan *a = NULL;
	struct dg_dns_query rq;
	bool audit;
	int r;

	if (q->discard || !s)
		goto out;
	a = calloc(1, sizeof(*a));
	if (!a)
		goto out;
	a->d = d;
	a->prof = dg_session_profile(d, s);
	audit = dg_session_audit(d, s);

	r = dg_dns_parse_response(msg, len, &rq, scan_rr, a);
	if (r || rq.id != q->up_id || strcmp(rq.qname.text, q->qname) || rq.qtype != q->qtype) {
		d->stats.upstream_errors++;
		dg_log(DG_LOG_DEBUG, "proxy: malformed or mismatched answer for %s.", q->qname);
		/* SERVFAIL rather than forwarding what we could not check */
		rq.id = q->client_id;
		if (!r) {
			reply_rcode(px, &q->client, msg, &rq, DG_RCODE_SERVFAIL);
		} else {
			uint8_t hdr[DG_DNS_HDR_LEN];

			if (dg_dns_build_formerr(msg, len, hdr, sizeof(hdr))) {
				dg_dns_set_id(hdr, q->client_id);
				hdr[3] = (uint8_t)((hdr[3] & 0xf0) | DG_RCODE_SERVFAIL);
				send_to_client(px, &q->client, hdr, sizeof(hdr));
			}
		}
		goto out;
	}

	if (a->cname_blocked) {
		struct dg_decision dec = {
			.kind = DG_DEC_DNS,
			.verdict = audit ? DG_VERDICT_WOULD_BLOCK : DG_VERDICT_BLOCK,
			.session_id = q->flow.session_id,
			.sess = s,
			.tgid = q->flow.tgid,
			.uid = q->flow.uid,
			.domain = q->qname,
			.qtype = q->qtype,
			.cname = a->blocked_cname,
		};

		dg_decide(d, &dec);
		if (!audit) {
			rq.id = q->client_id;
			reply_rcode(px, &q->client, msg, &rq, d->cfg->blocked_rcode);
			goto out;
		}
	}

	/* teach the kernel before the client can see the answer and connect */
	learn(d, &q->flow, a);
	if (!q->would_block && !a->cname_blocked) {
		struct dg_decision dec = {
			.kind = DG_DEC_DNS,
			.verdict = DG_VERDICT_ALLOW,
			.session_id = q->flow.session_id,
			.sess = s,
			.tgid = q->flow.tgid,
			.uid = q->flow.uid,
			.domain = q->qname,
			.qtype = q->qtype,
			.addrs = (const uint8_t (*)[16])a->addrs,
			.naddrs = a->naddrs,
			.rcode = rq.flags & DG_DNS_F_RCODE,
		};

		dg_decide(d, &dec);
	}
	dg_dns_set_id(msg, q->client_id);
	send_to_client(px, &q->client, msg, len);
out:
	free(a);
	query_free(px, q);
}

static void on_upstream_udp(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct upsock *u = dg_container_of(w, struct upsock, w);
	struct dg_proxy *px = u->px;
	uint8_t buf[DG_DNS_MAX_MSG];

	for (int i = 0; i < UDP_BATCH; i++) {
		struct sockaddr_storage from = { 0 };	/* recvfrom fills what it says */
		socklen_t flen = sizeof(from);
		struct query *q;
		ssize_t n;

		n = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 0)
			break;
		if (n < DG_DNS_HDR_LEN)
			continue;
		q = px->by_id[dg_dns_get_id(buf)];
		/* only the server we asked may answer */
		if (!q || q->up_tcp || !same_sockaddr(&from, &q->upstream)) {
			d->stats.upstream_errors++;
			continue;
		}
		finish_query(px, q, buf, (size_t)n);
	}
}

/* ---- upstream over TCP -------------------------------------------------------- */

static void upstream_tcp_free(struct dg_proxy *px, struct upstream_tcp *u)
{
	if (u->w.fd >= 0) {
		dg_watch_del(px->d, &u->w);
		close(u->w.fd);
	}
	free(u->buf);
	free(u);
}

/*
 * A bare SERVFAIL header for a query upstream never answered.  Only TCP
 * clients get one: a UDP client retries on its own, a TCP client would
 * wait for its connection's idle timeout.
 */
static void tell_tcp_client_servfail(struct dg_proxy *px, struct query *q)
{
	uint8_t hdr[DG_DNS_HDR_LEN] = { 0 };

	dg_dns_set_id(hdr, q->client_id);
	hdr[2] = 0x81;	/* QR, RD */
	hdr[3] = 0x80 | DG_RCODE_SERVFAIL;	/* RA */
	send_to_client(px, &q->client, hdr, sizeof(hdr));
}

static void upstream_tcp_fail(struct dg_proxy *px, struct upstream_tcp *u, const char *why)
{
	struct query *q = u->q;

	px->d->stats.upstream_errors++;
	dg_log(DG_LOG_DEBUG, "proxy: upstream TCP for %s.: %s", q ? q->qname : "?", why);
	if (q) {
		q->up_tcp = NULL;
		u->q = NULL;
		if (q->client.tcp)
			tell_tcp_client_servfail(px, q);
		query_free(px, q);
	}
	upstream_tcp_free(px, u);
}

static void on_upstream_tcp(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct upstream_tcp *u = dg_container_of(w, struct upstream_tcp, w);
	struct dg_proxy *px = d->proxy;
	ssize_t n;

	if (!u->reading) {
		if (events & (EPOLLERR | EPOLLHUP)) {
			upstream_tcp_fail(px, u, "connection failed");
			return;
		}
		n = send(w->fd, u->buf + u->off, u->len - u->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN)
				upstream_tcp_fail(px, u, strerror(errno));
			return;
		}
		u->off += (size_t)n;
		if (u->off < u->len)
			return;
		/* sent: now read the 2-byte length, then the message */
		u->reading = true;
		u->off = 0;
		u->len = 2;
		dg_watch_mod(d, w, EPOLLIN);
		return;
	}
	for (;;) {
		n = recv(w->fd, u->buf + u->off, u->len - u->off, MSG_DONTWAIT);
		if (n == 0) {
			upstream_tcp_fail(px, u, "closed by upstream");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				upstream_tcp_fail(px, u, strerror(errno));
			return;
		}
		u->off += (size_t)n;
		if (u->off < u->len)
			continue;
		if (u->len == 2) {
			size_t mlen = ((size_t)u->buf[0] << 8) | u->buf[1];

			if (mlen < DG_DNS_HDR_LEN) {
				upstream_tcp_fail(px, u, "short message");
				return;
			}
			u->len = mlen;
			u->off = 0;
			continue;
		}
		break;
	}
	{
		struct query *q = u->q;

		u->q = NULL;
		q->up_tcp = NULL;
		finish_query(px, q, u->buf, u->len);
		upstream_tcp_free(px, u);
	}
}

static int forward_tcp(struct dg_proxy *px, struct query *q, const uint8_t *msg, size_t len)
{
	struct upstream_tcp *u = calloc(1, sizeof(*u));
	int fd, err;

	if (!u)
		return -ENOMEM;
	u->w.fd = -1;
	u->w.fn = on_upstream_tcp;
	u->buf = malloc(2 + (len > DG_DNS_MAX_MSG ? len : DG_DNS_MAX_MSG));
	if (!u->buf) {
		free(u);
		return -ENOMEM;
	}
	u->buf[0] = (uint8_t)(len >> 8);
	u->buf[1] = (uint8_t)len;
	memcpy(u->buf + 2, msg, len);
	dg_dns_set_id(u->buf + 2, q->up_id);
	u->len = len + 2;

	fd = socket(q->upstream.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	u->w.fd = fd;
	if (connect(fd, (struct sockaddr *)&q->upstream, q->ulen) && errno != EINPROGRESS) {
		err = -errno;
		goto fail;
	}
	err = dg_watch_add(px->d, &u->w, EPOLLOUT);
	if (err)
		goto fail;
	u->q = q;
	q->up_tcp = u;
	return 0;
fail:
	if (u->w.fd >= 0)
		close(u->w.fd);
	free(u->buf);
	free(u);
	return err;
}

/* ---- upstream over UDP -------------------------------------------------------- */

static int upsock_get(struct dg_proxy *px, int family)
{
	struct upsock *u = &px->up[family == AF_INET6];
	int fd, sz = 4 << 20;

	if (u->w.fd >= 0)
		return u->w.fd;
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	u->w.fd = fd;
	u->w.fn = on_upstream_udp;
	u->px = px;
	u->family = family;
	if (dg_watch_add(px->d, &u->w, EPOLLIN)) {
		close(fd);
		u->w.fd = -1;
		return -EIO;
	}
	return fd;
}

static int forward_udp(struct dg_proxy *px, struct query *q, uint8_t *msg, size_t len)
{
	int fd = upsock_get(px, q->upstream.ss_family);
	uint16_t orig;
	ssize_t n;

	if (fd < 0)
		return fd;
	orig = dg_dns_get_id(msg);
	dg_dns_set_id(msg, q->up_id);
	n = sendto(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&q->upstream,
		   q->ulen);
	dg_dns_set_id(msg, orig);
	return n < 0 ? -errno : 0;
}

/* ---- queries ---------------------------------------------------------------- */

static int pick_upstream(struct dg_proxy *px, const struct dg_flow *flow,
			 struct sockaddr_storage *ss, socklen_t *len)
{
	const struct dg_config *cfg = px->d->cfg;
	uint8_t proxy4[16], proxy6[16] = { 0 };

	if (cfg->nupstream) {
		memcpy(ss, &cfg->upstream[0], sizeof(*ss));
		*len = cfg->upstream_len[0];
		return 0;
	}
	/* the resolver the process asked, unless it asked us directly */
	if (!flow->orig_port)
		return -ENOENT;
	dg_addr16_from_v4(proxy4, htonl(INADDR_LOOPBACK));
	proxy6[15] = 1;
	if (ntohs(flow->orig_port) == px->port &&
	    (!memcmp(flow->orig_addr, proxy4, 16) || !memcmp(flow->orig_addr, proxy6, 16)))
		return -ELOOP;
	memset(ss, 0, sizeof(*ss));
	if (dg_addr16_is_v4(flow->orig_addr)) {
		struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

		in4->sin_family = AF_INET;
		memcpy(&in4->sin_addr, flow->orig_addr + 12, 4);
		in4->sin_port = flow->orig_port;
		*len = sizeof(*in4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, flow->orig_addr, 16);
		in6->sin6_port = flow->orig_port;
		*len = sizeof(*in6);
	}
	return 0;
}

static int forward(struct dg_proxy *px, const struct client_ref *cr, const struct dg_dns_query *dq,
		   const struct dg_flow *flow, uint8_t *msg, size_t len, bool would_block,
		   bool discard)
{
	struct query *q;
	int err;

	q = query_new(px, cr, dq, flow);
	if (!q)
		return -ENOSPC;
	q->would_block = would_block;
	q->discard = discard;
	err = pick_upstream(px, flow, &q->upstream, &q->ulen);
	if (!err)
		err = query_assign_id(px, q);
	if (!err)
		err = cr->tcp ? forward_tcp(px, q, msg, len) : forward_udp(px, q, msg, len);
	if (err) {
		query_free(px, q);
		return err;
	}
	return 0;
}

static void handle_query(struct dg_proxy *px, const struct client_ref *cr, uint8_t *msg,
			 size_t len, const struct dg_flow *flow)
{
	struct dg_daemon *d = px->d;
	struct dg_dns_query *q;
	struct dg_sess *s;
	const struct dg_profile *prof;
	long match_off = -1;
	bool audit;
	int err;

	d->stats.dns_queries++;
	q = malloc(sizeof(*q));
	if (!q)
		return;
	if (dg_dns_parse_query(msg, len, q)) {
		uint8_t hdr[DG_DNS_HDR_LEN];

		d->stats.dns_malformed++;
		dg_log(DG_LOG_DEBUG, "proxy: malformed query (%zu bytes) from pid %u", len,
		       flow->tgid);
		if (dg_dns_build_formerr(msg, len, hdr, sizeof(hdr)))
			send_to_client(px, cr, hdr, sizeof(hdr));
		goto out;
	}
	if (q->flags & DG_DNS_F_OPCODE) {
		reply_rcode(px, cr, msg, q, DG_RCODE_NOTIMP);
		goto out;
	}
	s = dg_session_find(d, flow->session_id);
	if (!s) {
		reply_rcode(px, cr, msg, q, DG_RCODE_REFUSED);
		goto out;
	}
	s->n_queries++;
	prof = dg_session_profile(d, s);
	audit = dg_session_audit(d, s);

	if (dg_profile_decide(prof, q->qname.text, q->qname.len, q->qname.label_off,
			      q->qname.nlabels, &match_off) == DG_NAME_BLOCK) {
		struct dg_decision dec = {
			.kind = DG_DEC_DNS,
			.verdict = audit ? DG_VERDICT_WOULD_BLOCK : DG_VERDICT_BLOCK,
			.session_id = flow->session_id,
			.sess = s,
			.tgid = flow->tgid,
			.uid = flow->uid,
			.domain = q->qname.text,
			.qtype = q->qtype,
			.match = match_off >= 0 ? q->qname.text + match_off : "(allowlist)",
		};

		dg_decide(d, &dec);
		/* whatever else tells it the address, it is denied too */
		dg_blockres_note(d, prof, q->qname.text);
		if (!audit) {
			reply_rcode(px, cr, msg, q, d->cfg->blocked_rcode);
			if (d->cfg->forward_blocked)
				forward(px, cr, q, flow, msg, len, true, true);
			goto out;
		}
		err = forward(px, cr, q, flow, msg, len, true, false);
	} else {
		err = forward(px, cr, q, flow, msg, len, false, false);
	}
	if (err) {
		d->stats.upstream_errors++;
		dg_log(DG_LOG_WARN, "proxy: cannot forward %s.: %s", q->qname.text,
		       err == -ENOENT ? "no upstream configured and the process asked no resolver"
		       : err == -ELOOP ? "the process asked the proxy itself; set upstream"
		       : strerror(-err));
		reply_rcode(px, cr, msg, q, DG_RCODE_SERVFAIL);
	}
out:
	free(q);
}

static bool flow_key_for(const struct sockaddr_storage *peer, uint8_t proto, uint16_t txid,
			 struct dg_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	dg_addr16_from_sockaddr(k->saddr, (const struct sockaddr *)peer);
	if (peer->ss_family == AF_INET)
		k->sport = ntohs(((const struct sockaddr_in *)peer)->sin_port);
	else if (peer->ss_family == AF_INET6)
		k->sport = ntohs(((const struct sockaddr_in6 *)peer)->sin6_port);
	else
		return false;
	k->txid = txid;
	k->proto = proto;
	return true;
}

static void on_udp_listener(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct listener *l = dg_container_of(w, struct listener, w);
	struct dg_proxy *px = l->px;
	uint8_t buf[DG_DNS_MAX_MSG];

	/* exec/fork records first, so the sender's command line is known */
	dg_events_drain(d);
	for (int i = 0; i < UDP_BATCH; i++) {
		struct client_ref cr = { .udp = l };
		struct dg_flow_key k;
		struct dg_flow flow;
		ssize_t n;

		cr.alen = sizeof(cr.addr);
		n = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&cr.addr,
			     &cr.alen);
		if (n < 0)
			break;
		if (n < 2)
			continue;
		if (!flow_key_for(&cr.addr, IPPROTO_UDP, dg_dns_get_id(buf), &k) ||
		    dg_guard_flow_take(&d->guard, &k, &flow)) {
			/* not from a guarded session: not ours to answer */
			d->stats.dns_unattributed++;
			continue;
		}
		handle_query(px, &cr, buf, (size_t)n, &flow);
	}
}

/* ---- TCP clients ---------------------------------------------------------------- */

static void tcp_client_close(struct tcp_client *c)
{
	struct dg_proxy *px = c->px;

	if (c->dead)
		return;
	c->dead = true;
	dg_watch_del(px->d, &c->w);
	close(c->w.fd);
	c->w.fd = -1;
	while (c->out_head) {
		struct outbuf *o = c->out_head;

		c->out_head = o->next;
		free(o);
	}
	c->out_tail = NULL;
	tcp_client_release(c);
}

/* Frees a closed client once no query refers to it. */
static void tcp_client_release(struct tcp_client *c)
{
	struct dg_proxy *px = c->px;

	if (!c->dead || c->inflight || c->busy)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		px->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	px->nclients--;
	free(c->in);
	free(c);
}

static void tcp_client_flush(struct tcp_client *c)
{
	while (c->out_head) {
		struct outbuf *o = c->out_head;
		ssize_t n = send(c->w.fd, o->data + o->off, o->len - o->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN) {
				dg_watch_mod(c->px->d, &c->w, EPOLLIN | EPOLLOUT);
				return;
			}
			tcp_client_close(c);
			return;
		}
		o->off += (size_t)n;
		if (o->off < o->len) {
			dg_watch_mod(c->px->d, &c->w, EPOLLIN | EPOLLOUT);
			return;
		}
		c->out_head = o->next;
		if (!c->out_head)
			c->out_tail = NULL;
		free(o);
	}
	dg_watch_mod(c->px->d, &c->w, EPOLLIN);
}

static void tcp_client_io(struct dg_daemon *d, struct dg_watch *w, struct tcp_client *c,
			  uint32_t events);

/*
 * A query the handler answers at once (a blocked name, a refusal) can
 * close the client and drop its last query: without the pin, the client
 * was freed under the very handler still reading its buffer (found by the
 * static analyzer).  It is released, if closed, once the handler is done.
 */
static void on_tcp_client(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct tcp_client *c = dg_container_of(w, struct tcp_client, w);

	c->busy++;
	tcp_client_io(d, w, c, events);
	c->busy--;
	tcp_client_release(c);
}

static void tcp_client_io(struct dg_daemon *d, struct dg_watch *w, struct tcp_client *c,
			  uint32_t events)
{
	c->last_active = dg_now_ns();
	if (events & EPOLLOUT) {
		tcp_client_flush(c);
		if (c->dead)
			return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		size_t need;
		ssize_t n;

		need = c->in_len < 2 ? 2 : 2 + (((size_t)c->in[0] << 8) | c->in[1]);
		if (need > c->in_cap) {
			uint8_t *nb = realloc(c->in, need);

			if (!nb) {
				tcp_client_close(c);
				return;
			}
			c->in = nb;
			c->in_cap = need;
		}
		n = recv(w->fd, c->in + c->in_len, need - c->in_len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			/* a half-closed client still gets its answers */
			if (n == 0 && c->inflight) {
				dg_watch_mod(d, &c->w, c->out_head ? EPOLLOUT : 0);
				return;
			}
			tcp_client_close(c);
			return;
		}
		if (n < 0)
			return;
		c->in_len += (size_t)n;
		if (c->in_len < need || need == 2)
			continue;
		if (need - 2 < DG_DNS_HDR_LEN) {
			d->stats.dns_malformed++;
			tcp_client_close(c);
			return;
		}
		{
			struct client_ref cr = { .tcp = c };

			handle_query(c->px, &cr, c->in + 2, need - 2, &c->flow);
		}
		if (c->dead) // NOLINT(clang-analyzer-unix.Malloc): pinned (busy) by on_tcp_client
			return;
		c->in_len = 0;
	}
}

static void on_tcp_listener(struct dg_daemon *d, struct dg_watch *w, uint32_t events)
{
	struct listener *l = dg_container_of(w, struct listener, w);
	struct dg_proxy *px = l->px;

	dg_events_drain(d);
	for (int i = 0; i < UDP_BATCH; i++) {
		struct sockaddr_storage peer = { 0 };
		socklen_t plen = sizeof(peer);
		struct dg_flow_key k;
		struct tcp_client *c;
		int fd;

		fd = accept4(w->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			break;
		c = calloc(1, sizeof(*c));
		if (!c || px->nclients >= MAX_TCP_CLIENTS ||
		    !flow_key_for(&peer, IPPROTO_TCP, 0, &k) ||
		    dg_guard_flow_take(&d->guard, &k, &c->flow)) {
			if (c && px->nclients < MAX_TCP_CLIENTS)
				d->stats.dns_unattributed++;
			free(c);
			close(fd);
			continue;
		}
		c->px = px;
		c->peer = peer;
		c->w.fd = fd;
		c->w.fn = on_tcp_client;
		c->last_active = dg_now_ns();
		if (dg_watch_add(d, &c->w, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = px->clients;
		if (px->clients)
			px->clients->prev = c;
		px->clients = c;
		px->nclients++;
	}
}

/* ---- lifecycle ------------------------------------------------------------------ */

static int open_listener(struct dg_proxy *px, struct listener *l, int family, bool tcp,
			 uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd, one = 1;

	fd = socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;

		in4->sin_family = AF_INET;
		in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		in4->sin_port = htons(port);
		len = sizeof(*in4);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		in6->sin6_port = htons(port);
		len = sizeof(*in6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (tcp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else {
		int sz = 4 << 20;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) || (tcp && listen(fd, 256))) {
		int err = -errno;

		close(fd);
		return err;
	}
	l->w.fd = fd;
	l->w.fn = tcp ? on_tcp_listener : on_udp_listener;
	l->px = px;
	l->family = family;
	l->tcp = tcp;
	return 0;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(((struct sockaddr_in *)&ss)->sin_port); // NOLINT(clang-analyzer-core.CallAndMessage): getsockname filled it
}

static void close_listeners(struct dg_proxy *px)
{
	for (unsigned i = 0; i < px->nlisteners; i++) {
		if (px->listeners[i].w.fd >= 0) {
			dg_watch_del(px->d, &px->listeners[i].w);
			close(px->listeners[i].w.fd);
		}
		px->listeners[i].w.fd = -1;
	}
	px->nlisteners = 0;
}

/* All four sockets on one port; IPv6 is optional (hosts with it disabled). */
static int open_all(struct dg_proxy *px, uint16_t port)
{
	static const struct {
		int family;
		bool tcp;
	} want[] = { { AF_INET, false }, { AF_INET, true }, { AF_INET6, false }, { AF_INET6, true } };
	int err;

	for (size_t i = 0; i < DG_ARRAY_SIZE(want); i++) {
		struct listener *l = &px->listeners[px->nlisteners];

		err = open_listener(px, l, want[i].family, want[i].tcp, port);
		if (err == -EADDRNOTAVAIL || err == -EAFNOSUPPORT) {
			dg_log(DG_LOG_WARN, "proxy: no IPv6 loopback (%s): IPv6 DNS of guarded "
			       "sessions will fail", strerror(-err));
			break;
		}
		if (err)
			return err;
		if (port == 0)
			port = bound_port(l->w.fd);
		px->nlisteners++;
	}
	px->port = port;
	return 0;
}

int dg_proxy_start(struct dg_daemon *d, uint16_t port, struct dg_proxy **out)
{
	struct dg_proxy *px = calloc(1, sizeof(*px));
	int err = -EADDRINUSE;

	if (!px)
		return -ENOMEM;
	px->d = d;
	px->up[0].w.fd = px->up[1].w.fd = -1;
	for (unsigned i = 0; i < DG_ARRAY_SIZE(px->listeners); i++)
		px->listeners[i].w.fd = -1;
	if (getrandom(&px->rng, sizeof(px->rng), 0) != sizeof(px->rng) || !px->rng)
		px->rng = dg_now_ns() | 1;

	/* a picked port may be free on one family and taken on the other */
	for (int tries = 0; tries < (port ? 1 : PORT_TRIES); tries++) {
		err = open_all(px, port);
		if (!err)
			break;
		close_listeners(px);
	}
	if (err) {
		dg_log(DG_LOG_ERR, "proxy: cannot listen on loopback port %u: %s", port,
		       strerror(-err));
		free(px);
		return err;
	}
	for (unsigned i = 0; i < px->nlisteners; i++) {
		err = dg_watch_add(d, &px->listeners[i].w, EPOLLIN);
		if (err) {
			dg_proxy_stop(d, px);
			return err;
		}
	}
	*out = px;
	return 0;
}

void dg_proxy_stop(struct dg_daemon *d, struct dg_proxy *px)
{
	if (!px)
		return;
	while (px->thead)
		query_free(px, px->thead); // NOLINT(clang-analyzer-unix.Malloc): query_free unlinks the head first
	/* with no query left, closing a client frees it */
	while (px->clients) {
		struct tcp_client *c = px->clients;

		if (c->dead) // NOLINT(clang-analyzer-unix.Malloc): the loop takes a fresh head each time
			tcp_client_release(c);
		else
			tcp_client_close(c);
	}
	close_listeners(px);
	for (int i = 0; i < 2; i++) {
		if (px->up[i].w.fd >= 0) {
			dg_watch_del(d, &px->up[i].w);
			close(px->up[i].w.fd);
		}
	}
	free(px);
}

uint16_t dg_proxy_port(const struct dg_proxy *px)
{
	return px->port;
}

unsigned dg_proxy_pending(const struct dg_proxy *px)
{
	return px->npending;
}

void dg_proxy_tick(struct dg_daemon *d, struct dg_proxy *px)
{
	uint64_t now = dg_now_ns();

	while (px->thead && px->thead->deadline <= now) { // NOLINT(clang-analyzer-unix.Malloc): query_free unlinks the head first
		struct query *q = px->thead;

		d->stats.upstream_timeouts++;
		dg_log(DG_LOG_DEBUG, "proxy: upstream timeout for %s.", q->qname);
		if (q->client.tcp && !q->discard)
			tell_tcp_client_servfail(px, q);
		query_free(px, q);
	}
	for (struct tcp_client *c = px->clients, *n; c; c = n) {
		n = c->next;
		if (!c->dead && !c->inflight && now - c->last_active > TCP_IDLE_NS)
			tcp_client_close(c);
	}
}
