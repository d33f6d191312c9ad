// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * deployguard's kernel side.  All cgroup programs are attached to the
 * guarded root cgroup, so they run only for sockets created inside a
 * deploy session; everything else on the host never reaches this code.
 *
 *  - connect4/6, sendmsg4/6: DNS (port 53, any address, TCP and UDP) is
 *    redirected to the daemon's proxy; any other destination is checked
 *    against the session's policy and refused with EPERM when denied.
 *  - recvmsg4/6, getpeername4/6: replies and peer names look as if they
 *    came from the resolver the process asked, not from the proxy.
 *  - cgroup_skb/egress: per-packet backstop for anything that reached the
 *    wire without passing a connect/sendmsg hook, and the place where DNS
 *    queries to the proxy are attributed to the process that sent them.
 *  - tp_btf sched_process_exec/fork/exit: command lines and ancestry of
 *    guarded processes, captured when they happen so attribution survives
 *    processes that exit right after their request.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "deployguard.h"

/* uapi constants that vmlinux.h (BTF) does not carry */
#define AF_INET		2
#define AF_INET6	10
#define AF_PACKET	17
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_RAW	3
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IP_OFFSET_MASK	0x1fff
#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10
#define PKT_EVENT_INTERVAL_NS	1000000000ULL

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Level of the guarded root cgroup; session cgroups are its children. */
const volatile __u32 guard_level = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DG_MAX_SESSIONS);
	__type(key, __u64);
	__type(value, struct dg_session);
} dg_sessions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DG_MAX_LEARNED);
	__type(key, struct dg_addr_key);
	__type(value, struct dg_learned);
} dg_learned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DG_MAX_DENIED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dg_addr_key);
	__type(value, __u64);
} dg_denied SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DG_MAX_CIDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct dg_cidr_key);
	__type(value, __u8);
} dg_cidrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct dg_sock_state);
} dg_sock SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DG_MAX_FLOWS);
	__type(key, struct dg_flow_key);
	__type(value, struct dg_flow);
} dg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DG_MAX_CONTACTS);
	__type(key, struct dg_contact_key);
	__type(value, __u64);
} dg_contacts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dg_kconfig);
} dg_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DG_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} dg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, DG_RINGBUF_BYTES);
} dg_events SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&dg_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline struct dg_kconfig *dg_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&dg_config, &zero);
}

static __always_inline struct dg_session *session_by_cgroup(__u64 cgid)
{
	if (!cgid)
		return NULL;
	return bpf_map_lookup_elem(&dg_sessions, &cgid);
}

/* The session a task belongs to: its ancestor one level below the root. */
static __always_inline struct dg_session *current_session(void)
{
	return session_by_cgroup(bpf_get_current_ancestor_cgroup_id(guard_level + 1));
}

static __always_inline void addr_from_v4(__u8 *a, __u32 ip4)
{
	__builtin_memset(a, 0, 10);
	a[10] = 0xff;
	a[11] = 0xff;
	__builtin_memcpy(a + 12, &ip4, 4);
}

static __always_inline void addr_from_v6(__u8 *a, const __u32 *w)
{
	__builtin_memcpy(a, w, 16);
}

static __always_inline bool addr_eq(const __u8 *a, const __u8 *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

static __always_inline bool addr_is_v4mapped(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return w[0] == 0 && w[1] == 0 && w[2] == bpf_htonl(0xffff);
}

static __always_inline bool addr_is_loopback(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	if (addr_is_v4mapped(a))
		return a[12] == 127;
	return w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == bpf_htonl(1);
}

static __always_inline bool addr_is_proxy(const struct dg_kconfig *cfg, const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	if (addr_is_v4mapped(a))
		return w[3] == cfg->proxy_addr4;
	return w[0] == cfg->proxy_addr6[0] && w[1] == cfg->proxy_addr6[1] &&
	       w[2] == cfg->proxy_addr6[2] && w[3] == cfg->proxy_addr6[3];
}

/*
 * The policy for one destination.  Order: loopback (if the profile allows
 * it), static CIDRs (longest prefix wins), addresses learned from DNS
 * answers for this session, addresses of blocked names for this profile,
 * then the profile's default.
 */
static __always_inline __u8 evaluate(const struct dg_session *s, const __u8 *addr)
{
	struct dg_cidr_key ck = {};
	struct dg_addr_key lk = {};
	struct dg_learned *l;
	__u64 now, *expires;
	__u8 *act;

	if ((s->flags & DG_SF_ALLOW_LOOPBACK) && addr_is_loopback(addr))
		return DG_VERDICT_ALLOW;

	ck.prefixlen = DG_CIDR_KEY_BITS(128);
	ck.profile_id = s->profile_id;
	__builtin_memcpy(ck.addr, addr, DG_ADDR_LEN);
	act = bpf_map_lookup_elem(&dg_cidrs, &ck);
	if (act)
		return *act == DG_CIDR_ALLOW ? DG_VERDICT_ALLOW : DG_VERDICT_BLOCK;

	now = bpf_ktime_get_ns();
	__builtin_memcpy(lk.addr, addr, DG_ADDR_LEN);
	lk.scope = s->session_id;
	l = bpf_map_lookup_elem(&dg_learned, &lk);
	if (l && l->expires_ns > now && l->verdict == DG_VERDICT_ALLOW)
		return DG_VERDICT_ALLOW;

	lk.scope = s->profile_id;
	expires = bpf_map_lookup_elem(&dg_denied, &lk);
	if (expires && *expires > now)
		return DG_VERDICT_BLOCK;

	return s->mode == DG_MODE_ALLOWLIST ? DG_VERDICT_BLOCK : DG_VERDICT_ALLOW;
}

static __always_inline void fill_hdr_current(struct dg_event_hdr *h, __u32 type, __u32 session)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	h->ts_ns = bpf_ktime_get_ns();
	h->type = type;
	h->session_id = session;
	h->tgid = pid_tgid >> 32;
	h->pid = (__u32)pid_tgid;
	h->ppid = 0;
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline void emit_sock_addr_event(const struct dg_session *s, const __u8 *addr,
						 __u16 port, __u8 proto, __u8 verdict, __u8 reason)
{
	struct dg_net_event *e;

	e = bpf_ringbuf_reserve(&dg_events, sizeof(*e), 0);
	if (!e) {
		stat_inc(DG_STAT_EVENTS_DROPPED);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr_current(&e->hdr, DG_EV_NET, s->session_id);
	__builtin_memcpy(e->daddr, addr, DG_ADDR_LEN);
	e->dport = port;
	e->proto = proto;
	e->verdict = verdict;
	e->blocked_at = DG_AT_CONNECT;
	e->reason = reason;
	bpf_ringbuf_submit(e, 0);
}

/*
 * The first allowed connect of a session to an address is reported once, for
 * the audit trail's "every address this deployment contacted".  An evicted
 * entry only means the daemon hears of the address again; it dedups too.
 */
static __always_inline void note_contact(const struct dg_session *s, const __u8 *addr,
					 __u16 port, __u8 proto)
{
	struct dg_contact_key k = {};
	__u64 now = bpf_ktime_get_ns();

	k.session_id = s->session_id;
	__builtin_memcpy(k.addr, addr, DG_ADDR_LEN);
	if (bpf_map_update_elem(&dg_contacts, &k, &now, BPF_NOEXIST) == 0)
		emit_sock_addr_event(s, addr, port, proto, DG_VERDICT_ALLOW, DG_REASON_POLICY);
}

static __always_inline void remember_sender(struct dg_sock_state *st)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	st->tgid = pid_tgid >> 32;
	st->pid = (__u32)pid_tgid;
	st->uid = (__u32)bpf_get_current_uid_gid();
}

static __always_inline int redirect_dns(struct bpf_sock_addr *ctx, const __u8 *addr, __u8 family)
{
	struct dg_kconfig *cfg = dg_cfg();
	struct dg_sock_state *st;

	/* No proxy yet (daemon starting): fail closed, never leak DNS. */
	if (!cfg || !cfg->proxy_port)
		return 0;

	st = bpf_sk_storage_get(&dg_sock, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	remember_sender(st);

	/* Talking to the proxy directly is fine; nothing to rewrite. */
	if (addr_is_proxy(cfg, addr) && ctx->user_port == cfg->proxy_port)
		return 1;

	__builtin_memcpy(st->orig_addr, addr, DG_ADDR_LEN);
	st->orig_port = (__u16)ctx->user_port;
	st->orig_family = family;

	if (family == AF_INET) {
		ctx->user_ip4 = cfg->proxy_addr4;
	} else {
		ctx->user_ip6[0] = cfg->proxy_addr6[0];
		ctx->user_ip6[1] = cfg->proxy_addr6[1];
		ctx->user_ip6[2] = cfg->proxy_addr6[2];
		ctx->user_ip6[3] = cfg->proxy_addr6[3];
	}
	ctx->user_port = cfg->proxy_port;
	stat_inc(DG_STAT_DNS_REDIRECTED);
	return 1;
}

static __always_inline int check_sock_addr(struct bpf_sock_addr *ctx, __u8 family)
{
	struct dg_sock_state *st;
	struct dg_session *s;
	struct dg_kconfig *cfg;
	__u8 addr[DG_ADDR_LEN];
	__u8 reason = DG_REASON_POLICY;
	__u32 w[4];
	__u16 port;
	__u8 verdict;

	if (ctx->type != SOCK_STREAM && ctx->type != SOCK_DGRAM)
		return 1;
	s = current_session();
	if (!s)
		return 1;

	if (family == AF_INET) {
		addr_from_v4(addr, ctx->user_ip4);
	} else {
		w[0] = ctx->user_ip6[0];
		w[1] = ctx->user_ip6[1];
		w[2] = ctx->user_ip6[2];
		w[3] = ctx->user_ip6[3];
		addr_from_v6(addr, w);
	}
	port = bpf_ntohs((__u16)ctx->user_port);

	if (port == DG_DNS_PORT)
		return redirect_dns(ctx, addr, family);
	cfg = dg_cfg();
	if (cfg && cfg->proxy_port && addr_is_proxy(cfg, addr) &&
	    (__u16)ctx->user_port == cfg->proxy_port)
		return 1;

	/* DNS over TLS/QUIC would take names past the proxy: never allowed */
	if (port == DG_DOT_PORT) {
		verdict = DG_VERDICT_BLOCK;
		reason = DG_REASON_DOT;
	} else {
		verdict = evaluate(s, addr);
	}
	if (verdict == DG_VERDICT_BLOCK) {
		if (s->flags & DG_SF_AUDIT) {
			verdict = DG_VERDICT_WOULD_BLOCK;
			stat_inc(DG_STAT_CONNECT_WOULD_BLOCK);
		} else {
			stat_inc(DG_STAT_CONNECT_BLOCKED);
		}
		emit_sock_addr_event(s, addr, port, (__u8)ctx->protocol, verdict, reason);
		if (verdict == DG_VERDICT_BLOCK)
			return 0;
	} else {
		note_contact(s, addr, port, (__u8)ctx->protocol);
	}

	/*
	 * Remember the decision on the socket: the egress backstop then lets
	 * this connection through for its whole life, even after the learned
	 * address expires, and never logs it twice.
	 */
	st = bpf_sk_storage_get(&dg_sock, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (st) {
		__builtin_memcpy(st->allowed_addr, addr, DG_ADDR_LEN);
		st->allowed = 1;
		remember_sender(st);
	}
	return 1;
}

SEC("cgroup/connect4")
int dg_connect4(struct bpf_sock_addr *ctx)
{
	return check_sock_addr(ctx, AF_INET);
}

SEC("cgroup/connect6")
int dg_connect6(struct bpf_sock_addr *ctx)
{
	return check_sock_addr(ctx, AF_INET6);
}

SEC("cgroup/sendmsg4")
int dg_sendmsg4(struct bpf_sock_addr *ctx)
{
	return check_sock_addr(ctx, AF_INET);
}

SEC("cgroup/sendmsg6")
int dg_sendmsg6(struct bpf_sock_addr *ctx)
{
	return check_sock_addr(ctx, AF_INET6);
}

/*
 * Replies from the proxy get the source address the process sent its query
 * to, so resolvers that check where the answer came from accept it.
 */
static __always_inline int unproxy_v4(struct bpf_sock_addr *ctx)
{
	struct dg_kconfig *cfg = dg_cfg();
	struct dg_sock_state *st;
	__u32 ip4;

	if (!cfg || !cfg->proxy_port || ctx->user_ip4 != cfg->proxy_addr4 ||
	    (__u16)ctx->user_port != cfg->proxy_port)
		return 1;
	st = bpf_sk_storage_get(&dg_sock, ctx->sk, 0, 0);
	if (!st || !st->orig_port || st->orig_family != AF_INET)
		return 1;
	__builtin_memcpy(&ip4, st->orig_addr + 12, 4);
	ctx->user_ip4 = ip4;
	ctx->user_port = st->orig_port;
	return 1;
}

/*
 * IPv6 sockets see the proxy as ::1, or as ::ffff:127.0.0.1 when they sent
 * to an IPv4-mapped resolver (the kernel takes the IPv4 path, sendmsg4 ran).
 * Either way the process gets back the address it used: orig_addr already
 * holds it in the 16-byte form an IPv6 socket expects.
 */
static __always_inline int unproxy_v6(struct bpf_sock_addr *ctx)
{
	struct dg_kconfig *cfg = dg_cfg();
	struct dg_sock_state *st;
	__u8 addr[DG_ADDR_LEN];
	__u32 w[4];

	if (!cfg || !cfg->proxy_port || (__u16)ctx->user_port != cfg->proxy_port)
		return 1;
	w[0] = ctx->user_ip6[0];
	w[1] = ctx->user_ip6[1];
	w[2] = ctx->user_ip6[2];
	w[3] = ctx->user_ip6[3];
	addr_from_v6(addr, w);
	if (!addr_is_proxy(cfg, addr))
		return 1;
	st = bpf_sk_storage_get(&dg_sock, ctx->sk, 0, 0);
	if (!st || !st->orig_port)
		return 1;
	__builtin_memcpy(w, st->orig_addr, sizeof(w));
	ctx->user_ip6[0] = w[0];
	ctx->user_ip6[1] = w[1];
	ctx->user_ip6[2] = w[2];
	ctx->user_ip6[3] = w[3];
	ctx->user_port = st->orig_port;
	return 1;
}

SEC("cgroup/recvmsg4")
int dg_recvmsg4(struct bpf_sock_addr *ctx)
{
	return unproxy_v4(ctx);
}

SEC("cgroup/recvmsg6")
int dg_recvmsg6(struct bpf_sock_addr *ctx)
{
	return unproxy_v6(ctx);
}

SEC("cgroup/getpeername4")
int dg_getpeername4(struct bpf_sock_addr *ctx)
{
	return unproxy_v4(ctx);
}

SEC("cgroup/getpeername6")
int dg_getpeername6(struct bpf_sock_addr *ctx)
{
	return unproxy_v6(ctx);
}

struct pkt {
	__u8 saddr[DG_ADDR_LEN];
	__u8 daddr[DG_ADDR_LEN];
	__u32 l4off;
	__u16 sport;
	__u16 dport;
	__u8 proto;
	bool has_ports;
};

static __always_inline int parse_pkt(struct __sk_buff *skb, struct pkt *p)
{
	__u16 ports[2];

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr iph;

		if (bpf_skb_load_bytes(skb, 0, &iph, sizeof(iph)))
			return -1;
		addr_from_v4(p->saddr, iph.saddr);
		addr_from_v4(p->daddr, iph.daddr);
		p->proto = iph.protocol;
		p->l4off = iph.ihl * 4;
		/* only the first fragment carries the ports */
		p->has_ports = !(bpf_ntohs(iph.frag_off) & IP_OFFSET_MASK);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6h;

		if (bpf_skb_load_bytes(skb, 0, &ip6h, sizeof(ip6h)))
			return -1;
		__builtin_memcpy(p->saddr, &ip6h.saddr, DG_ADDR_LEN);
		__builtin_memcpy(p->daddr, &ip6h.daddr, DG_ADDR_LEN);
		p->proto = ip6h.nexthdr;
		p->l4off = sizeof(ip6h);
		p->has_ports = true;
	} else {
		return -1;
	}

	p->sport = p->dport = 0;
	if (p->has_ports && (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP)) {
		if (bpf_skb_load_bytes(skb, p->l4off, ports, sizeof(ports)))
			return -1;
		p->sport = bpf_ntohs(ports[0]);
		p->dport = bpf_ntohs(ports[1]);
	} else {
		p->has_ports = false;
	}
	return 0;
}

/* Attribute a DNS query on its way to the proxy (see struct dg_flow_key). */
static __always_inline void record_flow(struct __sk_buff *skb, const struct dg_session *s,
					const struct pkt *p, struct dg_sock_state *st)
{
	struct dg_flow_key k = {};
	struct dg_flow f = {};
	__u16 txid;
	__u8 flags;

	__builtin_memcpy(k.saddr, p->saddr, DG_ADDR_LEN);
	k.sport = p->sport;
	k.proto = p->proto;
	if (p->proto == IPPROTO_UDP) {
		if (bpf_skb_load_bytes(skb, p->l4off + 8, &txid, sizeof(txid)))
			return;
		k.txid = bpf_ntohs(txid);
	} else {
		/* TCP: once per connection, on the SYN */
		if (bpf_skb_load_bytes(skb, p->l4off + 13, &flags, 1))
			return;
		if (!(flags & TCP_FLAG_SYN) || (flags & TCP_FLAG_ACK))
			return;
	}

	f.ts_ns = bpf_ktime_get_ns();
	f.session_id = s->session_id;
	if (st) {
		f.tgid = st->tgid;
		f.pid = st->pid;
		f.uid = st->uid;
		__builtin_memcpy(f.orig_addr, st->orig_addr, DG_ADDR_LEN);
		f.orig_port = st->orig_port;
		f.orig_family = st->orig_family;
	}
	bpf_map_update_elem(&dg_flows, &k, &f, BPF_ANY);
}

/*
 * A connected socket's peer is in the socket: when the connect hook allowed
 * that peer, the packet passes on one storage lookup, without parsing it.
 * This is the path every packet of an allowed connection takes.
 */
static __always_inline bool sock_peer_allowed(struct bpf_sock *sk, const struct dg_sock_state *st)
{
	__u8 peer[DG_ADDR_LEN];
	__u32 w[4];

	if (!st->allowed)
		return false;
	if (sk->family == AF_INET) {
		addr_from_v4(peer, sk->dst_ip4);
	} else if (sk->family == AF_INET6) {
		w[0] = sk->dst_ip6[0];
		w[1] = sk->dst_ip6[1];
		w[2] = sk->dst_ip6[2];
		w[3] = sk->dst_ip6[3];
		addr_from_v6(peer, w);
	} else {
		return false;
	}
	return addr_eq(st->allowed_addr, peer);
}

SEC("cgroup_skb/egress")
int dg_egress(struct __sk_buff *skb)
{
	struct dg_sock_state *st = NULL;
	struct dg_net_event *e;
	struct bpf_sock *sk;
	struct dg_session *s;
	struct dg_kconfig *cfg;
	struct pkt p = {};
	__u8 verdict;
	__u64 now, cgid;

	sk = skb->sk;
	if (sk)
		sk = bpf_sk_fullsock(sk);
	if (sk) {
		st = bpf_sk_storage_get(&dg_sock, sk, 0, 0);
		if (st && sock_peer_allowed(sk, st))
			return 1;
	}

	cgid = bpf_skb_ancestor_cgroup_id(skb, guard_level + 1);
	s = session_by_cgroup(cgid);
	if (!s)
		return 1;
	if (parse_pkt(skb, &p))
		return 1;
	if (sk && !st)
		st = bpf_sk_storage_get(&dg_sock, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	cfg = dg_cfg();
	if (cfg && cfg->proxy_port && p.has_ports && addr_is_proxy(cfg, p.daddr) &&
	    p.dport == bpf_ntohs(cfg->proxy_port)) {
		record_flow(skb, s, &p, st);
		return 1;
	}

	/* Fast path: the connect hook already allowed this peer. */
	if (st && st->allowed && addr_eq(st->allowed_addr, p.daddr))
		return 1;

	verdict = evaluate(s, p.daddr);
	if (verdict == DG_VERDICT_ALLOW)
		return 1;
	if (s->flags & DG_SF_AUDIT)
		verdict = DG_VERDICT_WOULD_BLOCK;
	else
		stat_inc(DG_STAT_PACKET_BLOCKED);

	/* At most one event a second per socket: a retransmitting socket
	 * must not flood the ring buffer.  The drop counter counts them all. */
	now = bpf_ktime_get_ns();
	if (st) {
		if (st->last_event_ns && now - st->last_event_ns < PKT_EVENT_INTERVAL_NS)
			goto out;
		st->last_event_ns = now;
	}

	e = bpf_ringbuf_reserve(&dg_events, sizeof(*e), 0);
	if (!e) {
		stat_inc(DG_STAT_EVENTS_DROPPED);
		goto out;
	}
	__builtin_memset(e, 0, sizeof(*e));
	if (st && st->tgid) {
		e->hdr.ts_ns = now;
		e->hdr.type = DG_EV_NET;
		e->hdr.session_id = s->session_id;
		e->hdr.tgid = st->tgid;
		e->hdr.pid = st->pid;
		e->hdr.uid = st->uid;
	} else if (bpf_get_current_ancestor_cgroup_id(guard_level + 1) == cgid) {
		/* no hook tagged this socket (an ICMP "ping" socket, say): the
		 * sender is the current task when it is in this very session;
		 * in softirq context current is someone else and fails this */
		fill_hdr_current(&e->hdr, DG_EV_NET, s->session_id);
		if (st)
			remember_sender(st);
	} else {
		e->hdr.ts_ns = now;
		e->hdr.type = DG_EV_NET;
		e->hdr.session_id = s->session_id;
	}
	__builtin_memcpy(e->daddr, p.daddr, DG_ADDR_LEN);
	e->dport = p.dport;
	e->proto = p.proto;
	e->verdict = verdict;
	e->blocked_at = DG_AT_PACKET;
	bpf_ringbuf_submit(e, 0);
out:
	return verdict == DG_VERDICT_WOULD_BLOCK ? 1 : 0;
}

static __always_inline int refuse_socket(const struct dg_session *s, int family, int type,
					 int protocol, __u8 reason)
{
	struct dg_net_event *e;
	__u8 verdict = (s->flags & DG_SF_AUDIT) ? DG_VERDICT_WOULD_BLOCK : DG_VERDICT_BLOCK;

	if (verdict == DG_VERDICT_BLOCK)
		stat_inc(DG_STAT_SOCK_BLOCKED);
	e = bpf_ringbuf_reserve(&dg_events, sizeof(*e), 0);
	if (e) {
		__builtin_memset(e, 0, sizeof(*e));
		fill_hdr_current(&e->hdr, DG_EV_NET, s->session_id);
		e->proto = (__u8)protocol;
		e->verdict = verdict;
		e->blocked_at = DG_AT_SOCKET;
		e->sock_type = (__u8)type;
		e->sock_family = (__u16)family;
		e->reason = reason;
		bpf_ringbuf_submit(e, 0);
	} else {
		stat_inc(DG_STAT_EVENTS_DROPPED);
	}
	return verdict == DG_VERDICT_BLOCK ? 0 : 1;
}

/*
 * Raw IP sockets build their own packets: no connect or sendmsg hook sees
 * where they go.  Guarded sessions cannot have them, whatever their
 * capabilities (ping with cap_net_raw included).
 */
SEC("cgroup/sock_create")
int dg_sock_create(struct bpf_sock *sk)
{
	struct dg_session *s;

	if (sk->type != SOCK_RAW)
		return 1;
	s = current_session();
	if (!s)
		return 1;
	return refuse_socket(s, sk->family, sk->type, sk->protocol, DG_REASON_RAW_SOCKET);
}

/*
 * Packet sockets are not inet sockets, so cgroup/sock_create never sees
 * them; the per-cgroup LSM hook does (when the bpf LSM is active; the
 * daemon checks and says so when it is not).
 */
SEC("lsm_cgroup/socket_post_create")
int BPF_PROG(dg_socket_post_create, struct socket *sock, int family, int type, int protocol,
	     int kern)
{
	struct dg_session *s;

	stat_inc(DG_STAT_LSM_RUNS);
	if (kern || family != AF_PACKET)
		return 1;
	s = current_session();
	if (!s)
		return 1;
	return refuse_socket(s, family, type, protocol, DG_REASON_PACKET_SOCKET);
}

static __always_inline void emit_task_event(__u32 type, const struct dg_session *s,
					    __u32 tgid, __u32 ppid)
{
	struct dg_event_hdr *h;

	h = bpf_ringbuf_reserve(&dg_events, sizeof(*h), 0);
	if (!h) {
		stat_inc(DG_STAT_EVENTS_DROPPED);
		return;
	}
	fill_hdr_current(h, type, s->session_id);
	h->tgid = tgid;
	h->ppid = ppid;
	bpf_ringbuf_submit(h, 0);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(dg_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct dg_exec_event *e;
	struct dg_session *s;
	unsigned long start, end;
	__u32 len;

	s = current_session();
	if (!s)
		return 0;
	e = bpf_ringbuf_reserve(&dg_events, sizeof(*e), 0);
	if (!e) {
		stat_inc(DG_STAT_EVENTS_DROPPED);
		return 0;
	}
	fill_hdr_current(&e->hdr, DG_EV_EXEC, s->session_id);
	e->hdr.ppid = BPF_CORE_READ(p, real_parent, tgid);

	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	e->truncated = len > DG_ARGS_MAX - 1;
	if (len > DG_ARGS_MAX - 1)
		len = DG_ARGS_MAX - 1;
	/* keep the bound visible to the verifier whatever clang does */
	asm volatile("" : "+r"(len));
	len &= DG_ARGS_MAX - 1;
	if (bpf_probe_read_user(e->args, len, (const void *)start))
		len = 0;
	e->args_len = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(dg_fork, struct task_struct *parent, struct task_struct *child)
{
	struct dg_session *s;

	/* new processes only, not threads */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	s = current_session();
	if (!s)
		return 0;
	emit_task_event(DG_EV_FORK, s, BPF_CORE_READ(child, tgid), BPF_CORE_READ(parent, tgid));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(dg_exit, struct task_struct *p)
{
	struct dg_session *s;

	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0;
	s = current_session();
	if (!s)
		return 0;
	emit_task_event(DG_EV_EXIT, s, BPF_CORE_READ(p, tgid), 0);
	return 0;
}
