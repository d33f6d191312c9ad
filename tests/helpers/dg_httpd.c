// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_httpd: the smallest HTTP server a test needs.
 *
 *   dg_httpd ADDR PORT [ADDR PORT ...]
 *
 * Answers every request on every address with "200 OK" and a body naming
 * the address that served it, then closes.  Prints "ready" once all
 * sockets listen.  Runs until killed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define MAX_LISTEN 16

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_LISTEN];
	char label[MAX_LISTEN][128];
	int n = 0, one = 1;

	if (argc < 3 || (argc - 1) % 2 || (argc - 1) / 2 > MAX_LISTEN) {
		fprintf(stderr, "usage: dg_httpd ADDR PORT [ADDR PORT ...]\n");
		return 64;
	}
	for (int i = 1; i < argc; i += 2, n++) {
		struct sockaddr_storage ss;
		socklen_t sl;
		bool v6 = strchr(argv[i], ':') != NULL;

		snprintf(label[n], sizeof(label[n]), "%s%s%s:%s", v6 ? "[" : "", argv[i],
			 v6 ? "]" : "", argv[i + 1]);
		if (dg_sockaddr_parse(label[n], 0, &ss, &sl)) {
			fprintf(stderr, "dg_httpd: bad address %s\n", label[n]);
			return 64;
		}
		pfd[n].fd = socket(ss.ss_family, SOCK_STREAM, 0);
		pfd[n].events = POLLIN;
		setsockopt(pfd[n].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(pfd[n].fd, (struct sockaddr *)&ss, sl) || listen(pfd[n].fd, 128)) {
			fprintf(stderr, "dg_httpd: %s: %s\n", label[n], strerror(errno));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			char req[4096], resp[512];
			int c, len;

			if (!(pfd[i].revents & POLLIN))
				continue;
			c = accept(pfd[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			/* read the request head (best effort), answer, close */
			{
				struct pollfd cp = { .fd = c, .events = POLLIN };

				if (poll(&cp, 1, 2000) > 0 && read(c, req, sizeof(req)) < 0)
					perror("dg_httpd: reading the request");
			}
			len = snprintf(resp, sizeof(resp),
				       "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
				       "Content-Length: %zu\r\n\r\nhello from %s\n",
				       strlen(label[i]) + 12, label[i]);
			if (write(c, resp, (size_t)len) < 0)
				perror("dg_httpd: write");
			close(c);
		}
	}
}
