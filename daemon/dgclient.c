// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "dgclient.h"

int dg_client_call(const char *socket_path, const struct dg_ctlmsg *req,
		   struct dg_ctlmsg *reply, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000,
	};
	char *buf = reply->buf;	/* receive straight into the reply */
	ssize_t n;
	int fd, err;

	if (req->overflow)
		return -E2BIG;
	size_t plen = strlen(socket_path);

	if (plen >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, socket_path, plen + 1);

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		err = -errno;
		goto out;
	}
	n = send(fd, req->buf, req->len, MSG_NOSIGNAL);
	if (n < 0 && errno != EPIPE && errno != ECONNRESET) {
		err = errno == EAGAIN ? -ETIMEDOUT : -errno;
		goto out;
	}
	/* on EPIPE the daemon hung up on us; its reply (a refusal) may still be
	 * waiting to be read, and says more than the errno would */
	do {
		n = recv(fd, buf, sizeof(reply->buf), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
		goto out;
	}
	if (n == 0) {
		err = -EACCES;	/* the daemon hung up: it refused us */
		goto out;
	}
	err = dg_ctl_parse(reply, buf, (size_t)n);
out:
	close(fd);
	return err;
}

const char *dg_client_strerror(int err)
{
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		return "deployguardd is not running";
	case -EACCES:
	case -EPERM:
		return "deployguardd refused the request (root only)";
	case -ETIMEDOUT:
		return "deployguardd did not answer in time";
	case -EBADMSG:
		return "deployguardd sent a malformed reply";
	case -E2BIG:
		return "request too large";
	default:
		return strerror(-err);
	}
}

int dg_cgroup_enter(const char *cgroup_dir, pid_t pid)
{
	char path[PATH_MAX], num[32];
	int fd, n, err = 0;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = snprintf(num, sizeof(num), "%d\n", pid ? (int)pid : (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, num, (size_t)n) != n)
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

int dg_session_enter(const struct dg_ctlmsg *open_reply, pid_t pid)
{
	const char *cg = dg_ctl_get(open_reply, "cgroup");
	struct dg_ctl_field f;
	size_t pos = 0;
	int err;

	if (!cg || cg[0] != '/')
		return -EBADMSG;
	while (dg_ctl_next(open_reply, &pos, &f))
		if (dg_ctl_field_is(&f, "cgroup_v1") && f.val[0] != '/')
			return -EBADMSG;
	/* the guard first: whatever fails after this, the process is guarded */
	err = dg_cgroup_enter(cg, pid);
	if (err)
		return err;
	/* limits that live in cgroup v1 hierarchies (hybrid hosts) */
	pos = 0;
	while (dg_ctl_next(open_reply, &pos, &f)) {
		if (!dg_ctl_field_is(&f, "cgroup_v1"))
			continue;
		err = dg_cgroup_enter(f.val, pid);
		if (err)
			return err;
	}
	return 0;
}
