/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DG_CONTROL_H
#define DG_CONTROL_H

struct dg_daemon;

int dg_control_start(struct dg_daemon *d);
void dg_control_stop(struct dg_daemon *d);
/* Every second: drop connections that never sent a request. */
void dg_control_tick(struct dg_daemon *d);

#endif
