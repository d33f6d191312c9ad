// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <unistd.h>

#include "watch.h"

int dg_loop_init(struct dg_loop *l)
{
	l->batch_len = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void dg_loop_fini(struct dg_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int dg_loop_add(struct dg_loop *l, struct dg_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &ev) ? -errno : 0;
}

int dg_loop_mod(struct dg_loop *l, struct dg_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &ev) ? -errno : 0;
}

/*
 * Once removed, a watch may be freed, so the events epoll_wait already
 * returned for it in the batch being dispatched go too: otherwise a handler
 * run earlier in the batch (a session ending frees its opener's pidfd
 * watch, say) leaves a later entry pointing at freed memory.
 */
void dg_loop_del(struct dg_loop *l, struct dg_watch *w)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	for (int i = 0; i < l->batch_len; i++)
		if (l->batch[i].data.ptr == w)
			l->batch[i].data.ptr = NULL;
}

int dg_loop_run_once(struct dg_loop *l, struct dg_daemon *d, int timeout_ms)
{
	int n = epoll_wait(l->epfd, l->batch, DG_LOOP_BATCH, timeout_ms);

	if (n < 0)
		return -errno;
	l->batch_len = n;
	for (int i = 0; i < n; i++) {
		struct dg_watch *w = l->batch[i].data.ptr;

		if (w)	/* NULL: removed by an earlier handler of this batch */
			w->fn(d, w, l->batch[i].events);
	}
	l->batch_len = 0;
	return n;
}
