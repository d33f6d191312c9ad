// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_connect: how a connect() to ADDR PORT ends, and how fast.
 *
 *   dg_connect [--udp] [--hold SECS] ADDR PORT
 *
 * Prints "connect=ok us=N" or "connect=EPERM us=N" (errno name).  With
 * --hold, an established TCP connection idles SECS seconds and then sends an
 * HTTP request: "after_hold=ok" when an answer comes back.  --udp connects a
 * UDP socket and sends one datagram (send()'s errno is reported).
 * Exit 0 ok, 1 connect failed, 3 the held connection failed.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "udp", no_argument, NULL, 'u' },
		{ "hold", required_argument, NULL, 'h' },
		{ 0 },
	};
	struct sockaddr_storage ss;
	struct timespec a, b;
	socklen_t sl;
	char port[16], buf[256];
	bool udp = false;
	int hold = -1, opt, fd, r, err;
	long us;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'u')
			udp = true;
		else if (opt == 'h')
			hold = (int)strtol(optarg, NULL, 10);
		else
			return 64;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: dg_connect [--udp] [--hold SECS] ADDR PORT\n");
		return 64;
	}
	snprintf(port, sizeof(port), "%s", argv[optind + 1]);
	snprintf(buf, sizeof(buf), "%s%s%s:%s", strchr(argv[optind], ':') ? "[" : "",
		 argv[optind], strchr(argv[optind], ':') ? "]" : "", port);
	if (dg_sockaddr_parse(buf, 0, &ss, &sl)) {
		fprintf(stderr, "dg_connect: bad address %s\n", buf);
		return 64;
	}
	fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = connect(fd, (struct sockaddr *)&ss, sl);
	if (!r && udp)
		r = send(fd, "x", 1, 0) < 0 ? -1 : 0;
	err = errno;
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
	if (r) {
		printf("connect=%s us=%ld\n", strerrorname_np(err), us);
		return 1;
	}
	printf("connect=ok us=%ld\n", us);
	fflush(stdout);
	if (hold < 0 || udp)
		return 0;
	sleep((unsigned)hold);
	if (write(fd, "GET / HTTP/1.0\r\n\r\n", 18) != 18) {
		printf("after_hold=%s\n", strerrorname_np(errno));
		return 3;
	}
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 3000) <= 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0) {
			printf("after_hold=no-answer\n");
			return 3;
		}
		buf[n] = '\0';
		printf("after_hold=ok %.*s\n", (int)strcspn(buf, "\r\n"), buf);
	}
	return 0;
}
