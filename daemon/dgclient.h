/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client side of deployguardd's control socket, for the CLI, the PAM
 * module and the sudo plugin.  No logging, no global state: callers report
 * errors their own way (pam_syslog, the sudo conversation, stderr).
 */
#ifndef DG_CLIENT_H
#define DG_CLIENT_H

#include <sys/types.h>

#include "ctlmsg.h"

#ifndef DG_RUNDIR
#define DG_RUNDIR "/run/deployguard"
#endif
#define DG_DEFAULT_SOCKET	DG_RUNDIR "/control.sock"
#define DG_CLIENT_TIMEOUT_MS	15000	/* a busy daemon, not a dead one */

/*
 * One request, one reply.  Returns 0, or a negative errno:
 * -ENOENT / -ECONNREFUSED when no daemon listens, -EACCES when refused,
 * -ETIMEDOUT when it does not answer in time, -EBADMSG for a bad reply.
 */
int dg_client_call(const char *socket_path, const struct dg_ctlmsg *req,
		   struct dg_ctlmsg *reply, int timeout_ms);

/* Human explanation of a dg_client_call error. */
const char *dg_client_strerror(int err);

/* Move pid (0: the caller) into the cgroup directory; -errno. */
int dg_cgroup_enter(const char *cgroup_dir, pid_t pid);

/*
 * Move pid (0: the caller) into the session an "op=open" reply describes.
 * Every opener (run, PAM, sudo) goes through this, so whatever a session
 * consists of is entered the same way everywhere: its cgroup v2 leaf
 * ("cgroup="), then the cgroups that carry its resource limits in cgroup v1
 * hierarchies on hybrid hosts ("cgroup_v1=", repeated).  -errno, when the
 * caller must not run the session's command; -EBADMSG when the reply names
 * no cgroup.
 */
int dg_session_enter(const struct dg_ctlmsg *open_reply, pid_t pid);

#endif
