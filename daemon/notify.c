// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

static struct sockaddr_un notify_addr;
static socklen_t notify_len;

void dg_notify_init(bool use)
{
	const char *e = getenv("NOTIFY_SOCKET");
	size_t n;

	notify_len = 0;
	if (!e)
		return;
	n = strlen(e);
	/* a path, or '@' for the abstract namespace; anything else is not ours */
	if (use && n >= 2 && n < sizeof(notify_addr.sun_path) && (e[0] == '/' || e[0] == '@')) {
		memset(&notify_addr, 0, sizeof(notify_addr));
		notify_addr.sun_family = AF_UNIX;
		memcpy(notify_addr.sun_path, e, n);
		if (e[0] == '@')
			notify_addr.sun_path[0] = '\0';
		notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
					 (e[0] == '@' ? 0 : 1));
	}
	unsetenv("NOTIFY_SOCKET");
}

int dg_notify(const char *state)
{
	ssize_t sent;
	int fd, err = 0;

	if (!notify_len)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&notify_addr,
		      notify_len);
	if (sent < 0)
		err = -errno;
	close(fd);
	return err;
}
