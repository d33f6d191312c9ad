// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_notify: the service manager's end of sd_notify(3), for tests.
 *
 *   dg_notify PATH
 *
 * Binds a unix datagram socket at PATH (what $NOTIFY_SOCKET names), prints
 * "ready" once it listens, then one line per message received, its
 * newlines turned into spaces ("READY=1 MAINPID=42").  Runs until killed.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: dg_notify PATH\n");
		return 64;
	}
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		perror("dg_notify");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\n");
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) >= 0) {
		buf[n] = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		printf("%s\n", buf);
	}
	perror("dg_notify: recv");
	return 1;
}
