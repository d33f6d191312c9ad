/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Telling the service manager how the daemon is doing: the sd_notify(3)
 * datagram protocol (Type=notify units).  systemd documents the protocol as
 * stable and meant to be spoken without libsystemd; a few lines here keep
 * the daemon's dependencies to what the spec lists.
 */
#ifndef DG_NOTIFY_H
#define DG_NOTIFY_H

#include <stdbool.h>

/*
 * Take $NOTIFY_SOCKET out of the environment (so nothing we start
 * inherits it) and remember it.  use = false forgets it: a private daemon
 * of `deployguard run` must never speak for the unit `run` runs in.
 */
void dg_notify_init(bool use);
/* Send "KEY=VALUE\n..." state; a no-op when not started by a service
 * manager.  0 or -errno. */
int dg_notify(const char *state);

#endif
