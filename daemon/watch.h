/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's epoll loop: everything it waits on is a dg_watch. */
#ifndef DG_WATCH_H
#define DG_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct dg_daemon;

/* Something in the epoll set; embedded in its owner. */
struct dg_watch {
	int fd;
	void (*fn)(struct dg_daemon *d, struct dg_watch *w, uint32_t events);
};

#define DG_LOOP_BATCH 64

struct dg_loop {
	int epfd;
	/* the batch epoll_wait returned, while it is dispatched */
	struct epoll_event batch[DG_LOOP_BATCH];
	int batch_len;
};

/* 0 or -errno; dg_loop_fini closes the epoll fd (-1 is fine). */
int dg_loop_init(struct dg_loop *l);
void dg_loop_fini(struct dg_loop *l);
int dg_loop_add(struct dg_loop *l, struct dg_watch *w, uint32_t events);
int dg_loop_mod(struct dg_loop *l, struct dg_watch *w, uint32_t events);
/* After this, w may be freed, even by a handler of the running batch. */
void dg_loop_del(struct dg_loop *l, struct dg_watch *w);
/* Waits up to timeout_ms (-1: forever) and runs the handlers, passing d.
 * The number of events, or -errno (-EINTR included). */
int dg_loop_run_once(struct dg_loop *l, struct dg_daemon *d, int timeout_ms);

/* The same on the daemon's loop. */
int dg_watch_add(struct dg_daemon *d, struct dg_watch *w, uint32_t events);
int dg_watch_mod(struct dg_daemon *d, struct dg_watch *w, uint32_t events);
void dg_watch_del(struct dg_daemon *d, struct dg_watch *w);

#define dg_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
