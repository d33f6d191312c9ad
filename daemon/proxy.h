/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DNS proxy every guarded process's DNS is redirected to.  It listens
 * on 127.0.0.1 and ::1 (UDP and TCP), answers only queries the kernel
 * attributed to a guarded session, checks each name and every CNAME in the
 * answer against the session's profile, and teaches the kernel the
 * addresses of allowed answers.  It never blocks: upstream traffic is
 * non-blocking and every query has a deadline.
 */
#ifndef DG_PROXY_H
#define DG_PROXY_H

#include <stdint.h>

struct dg_daemon;
struct dg_proxy;

/* port 0: pick a free port (private daemons). */
int dg_proxy_start(struct dg_daemon *d, uint16_t port, struct dg_proxy **out);
void dg_proxy_stop(struct dg_daemon *d, struct dg_proxy *px);
uint16_t dg_proxy_port(const struct dg_proxy *px);
/* Expire queries whose upstream did not answer in time. */
void dg_proxy_tick(struct dg_daemon *d, struct dg_proxy *px);
/* Queries waiting for upstream. */
unsigned dg_proxy_pending(const struct dg_proxy *px);

#endif
