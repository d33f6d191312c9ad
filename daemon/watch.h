/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's epoll loop: everything it waits on is a dg_watch. */
#ifndef DG_WATCH_H
#define DG_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct dg_daemon;

/* Something in the epoll set; embedded in its owner. */
struct dg_watch {
	int fd;
	void (*fn)(struct dg_daemon *d, struct dg_watch *w, uint32_t events);
};

int dg_watch_add(struct dg_daemon *d, struct dg_watch *w, uint32_t events);
int dg_watch_mod(struct dg_daemon *d, struct dg_watch *w, uint32_t events);
void dg_watch_del(struct dg_daemon *d, struct dg_watch *w);

#define dg_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
