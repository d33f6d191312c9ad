/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types and constants shared by the BPF programs (deployguard.bpf.c) and
 * user space (daemon, CLI, tests).  Every layout the kernel and the daemon
 * both touch is defined here once.
 *
 * Include after vmlinux.h in BPF code, after <linux/types.h> in user code.
 *
 * Addresses are always 16 bytes: IPv4 is stored in its IPv4-mapped IPv6
 * form (::ffff:a.b.c.d), so one map and one comparison serve both families
 * and an IPv4-mapped destination is treated exactly like the IPv4 address.
 */
#ifndef DEPLOYGUARD_H
#define DEPLOYGUARD_H

#define DG_ADDR_LEN		16
#define DG_COMM_LEN		16
#define DG_ARGS_MAX		4096	/* power of two: used as a mask in BPF */
#define DG_DNS_PORT		53
#define DG_DOT_PORT		853	/* DNS over TLS / QUIC: always denied */

/* Map sizes.  User space reads them to report capacity. */
#define DG_MAX_SESSIONS		16384
#define DG_MAX_LEARNED		262144
#define DG_MAX_DENIED		65536
#define DG_MAX_CIDRS		65536
#define DG_MAX_FLOWS		65536
#define DG_MAX_CONTACTS		65536
#define DG_RINGBUF_BYTES	(2 << 20)	/* ~500 exec records; drops are counted */

/* Pin names below the bpffs directory (maps keep their own names). */
#define DG_LINK_PIN_PREFIX	"link_"

enum dg_mode {
	DG_MODE_BLOCKLIST = 0,
	DG_MODE_ALLOWLIST = 1,
};

enum dg_session_flags {
	DG_SF_AUDIT		= 1 << 0,	/* log would-be blocks, block nothing */
	DG_SF_ALLOW_LOOPBACK	= 1 << 1,	/* 127.0.0.0/8 and ::1 always reachable */
};

/* dg_sessions: session cgroup id -> session */
struct dg_session {
	__u32 session_id;
	__u32 profile_id;	/* unique per (config generation, profile) */
	__u8 mode;		/* enum dg_mode */
	__u8 flags;		/* enum dg_session_flags */
	__u16 pad;
	__u32 pad2;
};

/* Session and profile ids stay below this (the kernel maps key on both). */
#define DG_MAX_ID		0x7fffffffu

/*
 * dg_learned (LRU): addresses an allowed answer taught a session; scope is
 * the session id.  dg_denied (plain hash, never evicted by traffic):
 * addresses the daemon resolved for a profile's blocked names, denied at
 * connect time however the session found them (/etc/hosts, nscd, a cached
 * IP); scope is the profile id, the value the expiry.
 */
struct dg_addr_key {
	__u32 scope;
	__u8 addr[DG_ADDR_LEN];
};

enum dg_verdict {
	DG_VERDICT_ALLOW = 1,
	DG_VERDICT_BLOCK = 2,
	DG_VERDICT_WOULD_BLOCK = 3,	/* audit mode: logged, not enforced */
};

struct dg_learned {
	__u64 expires_ns;	/* CLOCK_MONOTONIC, as bpf_ktime_get_ns() */
	__u8 verdict;		/* DG_VERDICT_ALLOW or DG_VERDICT_BLOCK */
	__u8 pad[7];
};

/*
 * dg_cidrs: LPM trie of static CIDRs per profile.  The profile id is part
 * of the matched data, so prefixlen is always 32 + the CIDR's bits counted
 * on the 128-bit (IPv4-mapped) address.
 */
struct dg_cidr_key {
	__u32 prefixlen;
	__u32 profile_id;
	__u8 addr[DG_ADDR_LEN];
};
#define DG_CIDR_KEY_BITS(addr_bits)	(32 + (addr_bits))

/* value of dg_cidrs */
enum dg_cidr_action {
	DG_CIDR_ALLOW = 1,
	DG_CIDR_DENY = 2,
};

/* dg_sock (socket local storage): what the hooks learned about a socket */
struct dg_sock_state {
	__u8 orig_addr[DG_ADDR_LEN];	/* resolver the process asked */
	__u8 allowed_addr[DG_ADDR_LEN];	/* peer allowed at connect time */
	__u16 orig_port;		/* network order */
	__u8 orig_family;		/* AF_INET or AF_INET6 as the process used it */
	__u8 allowed;			/* allowed_addr is valid */
	__u32 tgid;
	__u32 pid;
	__u32 uid;
	__u64 last_event_ns;		/* egress: at most one event a second */
};

/*
 * dg_flows: DNS attribution.  The egress program sees each query on its
 * way to the proxy and records who sent it, keyed by what the proxy itself
 * can see: the client's address and port, and for UDP the DNS id.
 */
struct dg_flow_key {
	__u8 saddr[DG_ADDR_LEN];
	__u16 sport;		/* host order */
	__u16 txid;		/* host order; 0 for TCP */
	__u8 proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	__u8 pad[3];
};

struct dg_flow {
	__u64 ts_ns;
	__u32 session_id;
	__u32 tgid;
	__u32 pid;
	__u32 uid;
	__u8 orig_addr[DG_ADDR_LEN];
	__u16 orig_port;	/* network order */
	__u8 orig_family;
	__u8 pad;
	__u32 pad2;
};

/*
 * dg_contacts: the destinations each session was allowed to reach.  An
 * allowed connect/sendmsg inserts (session, address) with BPF_NOEXIST and
 * reports the destination (DG_EV_NET, DG_VERDICT_ALLOW) only when the
 * insert succeeds: one event per session and address, never one per packet
 * or per repeated connect.  Value: bpf_ktime_get_ns() of the first contact.
 */
struct dg_contact_key {
	__u32 session_id;
	__u8 addr[DG_ADDR_LEN];
};

/* dg_config map: one element, written by the daemon */
struct dg_kconfig {
	__u32 proxy_addr4;	/* network order; 0 = proxy not up yet */
	__u16 proxy_port;	/* network order */
	__u16 pad;
	__u32 proxy_addr6[4];	/* network order */
};

/* dg_stats: per-CPU counters */
enum dg_stat {
	DG_STAT_DNS_REDIRECTED,
	DG_STAT_CONNECT_BLOCKED,
	DG_STAT_CONNECT_WOULD_BLOCK,
	DG_STAT_PACKET_BLOCKED,
	DG_STAT_SOCK_BLOCKED,
	DG_STAT_LSM_RUNS,	/* the LSM hook ran: proves the bpf LSM is live */
	DG_STAT_EVENTS_DROPPED,
	DG_STAT_MAX,
};

/* Ring buffer events */
enum dg_event_type {
	DG_EV_NET = 1,		/* a blocked, would-be-blocked or first allowed destination */
	DG_EV_EXEC = 2,		/* a guarded process exec'd: its command line */
	DG_EV_FORK = 3,		/* a guarded process forked */
	DG_EV_EXIT = 4,		/* a guarded process exited */
};

enum dg_blocked_at {
	DG_AT_DNS = 1,
	DG_AT_CONNECT = 2,
	DG_AT_PACKET = 3,
	DG_AT_SOCKET = 4,
};

struct dg_event_hdr {
	__u64 ts_ns;
	__u32 type;		/* enum dg_event_type */
	__u32 session_id;
	__u32 tgid;
	__u32 pid;
	__u32 ppid;		/* parent's tgid (exec, fork) */
	__u32 uid;
	char comm[DG_COMM_LEN];
};

/* Why a destination or socket was refused, when not by the profile. */
enum dg_reason {
	DG_REASON_POLICY = 0,		/* the session's profile */
	DG_REASON_DOT = 1,		/* DNS over TLS/QUIC (port 853) */
	DG_REASON_RAW_SOCKET = 2,	/* SOCK_RAW */
	DG_REASON_PACKET_SOCKET = 3,	/* AF_PACKET */
};

struct dg_net_event {
	struct dg_event_hdr hdr;
	__u8 daddr[DG_ADDR_LEN];
	__u16 dport;		/* host order */
	__u8 proto;		/* IPPROTO_* */
	__u8 verdict;		/* enum dg_verdict */
	__u8 blocked_at;	/* enum dg_blocked_at */
	__u8 sock_type;		/* SOCK_* for DG_AT_SOCKET */
	__u16 sock_family;	/* AF_* for DG_AT_SOCKET */
	__u8 reason;		/* enum dg_reason */
	__u8 pad[3];
};

struct dg_exec_event {
	struct dg_event_hdr hdr;
	__u32 args_len;		/* bytes valid in args; NUL-separated */
	__u32 truncated;
	char args[DG_ARGS_MAX];
};

#endif /* DEPLOYGUARD_H */
