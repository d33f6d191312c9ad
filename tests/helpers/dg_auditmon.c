// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_auditmon [-t SECONDS] [-m TEXT]: prints the audit records the kernel
 * multicasts to readers (AUDIT_NLGRP_READLOG), one "type=N TEXT" line each,
 * until killed or for SECONDS (default 120).  -m keeps only records that
 * contain TEXT.  Prints "ready" once subscribed.
 *
 * A listener like this sits beside auditd without disturbing it (or runs
 * without one), so tests can see records written while auditd is down.
 * The kernel multicasts in the initial network namespace only: run it there
 * (nsenter --net=/proc/1/ns/net) when the test lives in a namespace.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1),
	};
	static char buf[1 << 16] __attribute__((aligned(NLMSG_ALIGNTO)));
	const char *match = NULL;
	unsigned seconds = 120;
	int fd, opt;

	while ((opt = getopt(argc, argv, "t:m:")) != -1) {
		switch (opt) {
		case 't':
			seconds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			match = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-m TEXT]\n", argv[0]);
			return 2;
		}
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "dg_auditmon: audit multicast: %s\n", strerror(errno));
		return 1;
	}
	alarm(seconds);	/* stops by itself, whatever happens to the test */
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			fprintf(stderr, "dg_auditmon: recv: %s\n", strerror(errno));
			return 1;
		}
		for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			const char *text = NLMSG_DATA(nlh);
			int len = (int)(nlh->nlmsg_len - NLMSG_HDRLEN);

			if (len <= 0)
				continue;
			if (text[len - 1] == '\0')
				len--;
			if (match && !memmem(text, (size_t)len, match, strlen(match)))
				continue;
			printf("type=%u %.*s\n", nlh->nlmsg_type, len, text);
			fflush(stdout);
		}
	}
}
