// SPDX-License-Identifier: GPL-2.0-or-later
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "decision.h"
#include "events.h"
#include "log.h"
#include "util.h"

void dg_attribute(struct dg_daemon *d, struct dg_logfmt *lf, const struct dg_sess *s,
		  uint32_t session_id, uint32_t tgid, uint32_t uid, const char *comm)
{
	struct dg_proc *p = tgid ? dg_proctab_get(&d->procs, (pid_t)tgid, session_id) : NULL;
	char ancestry[512];

	if (tgid)
		lf_u64(lf, "pid", tgid);
	if (p && p->cmd)
		lf_str(lf, "cmd", p->cmd);
	else if (p && p->comm[0])
		lf_str(lf, "cmd", p->comm);
	else if (comm && comm[0])
		lf_str(lf, "cmd", comm);
	else
		lf_str(lf, "cmd", "?");
	if (p) {
		dg_proctab_ancestry(&d->procs, (pid_t)tgid, s ? s->leader : 0, ancestry,
				    sizeof(ancestry));
		if (ancestry[0])
			lf_str(lf, "ancestry", ancestry);
	}
	lf_u64(lf, "uid", p ? p->uid : uid);
	if (s && s->user)
		lf_str(lf, "user", s->user);
	lf_u64(lf, "session", session_id);
	if (s) {
		const struct dg_profile *pr = dg_session_profile(d, s);

		lf_str(lf, "profile", pr->name);
		lf_str(lf, "mode", pr->mode == DG_MODE_ALLOWLIST ? "allowlist" : "blocklist");
	}
}

static void on_net(struct dg_daemon *d, const struct dg_net_event *e)
{
	struct dg_decision dec = {
		.kind = e->blocked_at == DG_AT_PACKET   ? DG_DEC_PACKET
			: e->blocked_at == DG_AT_SOCKET ? DG_DEC_SOCKET
							: DG_DEC_CONNECT,
		.verdict = e->verdict,
		.session_id = e->hdr.session_id,
		.sess = dg_session_find(d, e->hdr.session_id),
		.tgid = e->hdr.tgid,
		.uid = e->hdr.uid,
		.comm = e->hdr.comm,
		.daddr = e->daddr,
		.dport = e->dport,
		.proto = e->proto,
		.reason = e->reason,
		.sock_family = e->sock_family,
		.sock_type = e->sock_type,
	};

	dg_decide(d, &dec);
}

int dg_events_on_sample(void *ctx, void *data, size_t size)
{
	struct dg_daemon *d = ctx;
	const struct dg_event_hdr *h = data;

	if (size < sizeof(*h))
		return 0;
	switch (h->type) {
	case DG_EV_NET:
		if (size >= sizeof(struct dg_net_event))
			on_net(d, data);
		break;
	case DG_EV_EXEC:
		if (size >= sizeof(struct dg_exec_event)) {
			const struct dg_exec_event *e = data;
			size_t len = e->args_len < DG_ARGS_MAX ? e->args_len : DG_ARGS_MAX;

			dg_proctab_exec(&d->procs, (pid_t)h->tgid, (pid_t)h->ppid, h->session_id,
					h->uid, h->comm, e->args, len, (int)e->truncated);
		}
		break;
	case DG_EV_FORK:
		dg_proctab_fork(&d->procs, (pid_t)h->tgid, (pid_t)h->ppid, h->session_id, h->uid,
				h->comm);
		break;
	case DG_EV_EXIT:
		dg_proctab_exit(&d->procs, (pid_t)h->tgid, dg_now_ns());
		break;
	default:
		break;
	}
	return 0;
}
