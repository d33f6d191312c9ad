// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_bypass: the ways around a network filter that deploy tooling finds by
 * accident, one per subcommand, each printing how it ended.
 *
 *   dg_bypass tfo ADDR PORT        TCP Fast Open: sendto(MSG_FASTOPEN) without connect()
 *   dg_bypass raw                  socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   dg_bypass raw6                 socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)
 *   dg_bypass packet               socket(AF_PACKET, SOCK_RAW, ETH_P_ALL)
 *   dg_bypass icmp ADDR            an echo request from an ICMP datagram ("ping") socket
 *   dg_bypass cgroup-move PROCS    write our pid into another cgroup.procs
 *   dg_bypass cgroup-mkdir DIR     create a child cgroup
 *   dg_bypass udp-raw ADDR PORT HEX  send these bytes (hex) in one UDP datagram
 *   dg_bypass tcp-raw ADDR PORT HEX  connect, send these bytes, print what comes back
 *   dg_bypass ctl-raw SOCKET HEX     one raw message on a SOCK_SEQPACKET control socket
 *   dg_bypass ctl-idle SOCKET        connect, send nothing, wait to be dropped (10s)
 *
 * Prints "result=ok" or "result=ERRNONAME".  Exit 0 when the attempt
 * succeeded, 1 when it failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

static int result(int ok)
{
	if (ok) {
		printf("result=ok\n");
		return 0;
	}
	printf("result=%s\n", strerrorname_np(errno));
	return 1;
}

static int addr_of(const char *a, const char *port, struct sockaddr_storage *ss, socklen_t *sl)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s%s%s:%s", strchr(a, ':') ? "[" : "", a,
		 strchr(a, ':') ? "]" : "", port);
	return dg_sockaddr_parse(buf, 0, ss, sl);
}

static size_t unhex(const char *h, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (h[0] && h[1] && n < max) {
		char pair[3] = { h[0], h[1], '\0' }, *end;
		unsigned long v = strtoul(pair, &end, 16);

		if (*end)
			break;
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	if (argc < 2)
		return 64;
	if (!strcmp(argv[1], "tfo") && argc == 4) {
		if (addr_of(argv[2], argv[3], &ss, &sl))
			return 64;
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one));
		return result(sendto(fd, "GET / HTTP/1.0\r\n\r\n", 18, MSG_FASTOPEN,
				     (struct sockaddr *)&ss, sl) >= 0);
	}
	if (!strcmp(argv[1], "icmp") && argc == 3) {
		/* type 8 (echo), code 0, checksum (the kernel fills it), id, seq */
		uint8_t echo[16] = { 8, 0, 0, 0, 0, 1, 0, 1, 'd', 'g' };
		struct pollfd p;

		if (addr_of(argv[2], "1", &ss, &sl) || ss.ss_family != AF_INET)
			return 64;
		fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
		if (fd < 0)
			return result(0);
		if (sendto(fd, echo, sizeof(echo), 0, (struct sockaddr *)&ss, sl) < 0)
			return result(0);
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 1500) <= 0) {
			printf("result=no-reply\n");
			return 1;
		}
		printf("result=reply\n");
		return 0;
	}
	if (!strcmp(argv[1], "raw"))
		return result(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) >= 0);
	if (!strcmp(argv[1], "raw6"))
		return result(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6) >= 0);
	if (!strcmp(argv[1], "packet"))
		return result(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) >= 0);
	if (!strcmp(argv[1], "cgroup-move") && argc == 3) {
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

		fd = open(argv[2], O_WRONLY);
		return result(fd >= 0 && write(fd, pid, (size_t)n) == n);
	}
	if (!strcmp(argv[1], "cgroup-mkdir") && argc == 3)
		return result(mkdir(argv[2], 0755) == 0);
	if ((!strcmp(argv[1], "udp-raw") || !strcmp(argv[1], "tcp-raw")) && argc == 5) {
		static uint8_t buf[70000];
		bool tcp = argv[1][0] == 't';
		size_t n = unhex(argv[4], buf, sizeof(buf));
		struct pollfd p;
		ssize_t r;

		if (addr_of(argv[2], argv[3], &ss, &sl))
			return 64;
		fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (tcp && connect(fd, (struct sockaddr *)&ss, sl))
			return result(0);
		r = tcp ? write(fd, buf, n) : sendto(fd, buf, n, 0, (struct sockaddr *)&ss, sl);
		if (r < 0)
			return result(0);
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 1500) <= 0) {
			printf("result=no-answer\n");
			return 1;
		}
		r = read(fd, buf, sizeof(buf));
		printf("result=answer bytes=%zd", r);
		if (r >= (tcp ? 6 : 4))
			printf(" rcode=%d", buf[(tcp ? 2 : 0) + 3] & 0xf);
		printf("\n");
		return 0;
	}
	if ((!strcmp(argv[1], "ctl-raw") && argc == 4) || (!strcmp(argv[1], "ctl-idle") && argc == 3)) {
		static uint8_t buf[140000];
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		struct pollfd p;
		size_t n = argc == 4 ? unhex(argv[3], buf, sizeof(buf)) : 0;
		ssize_t r;

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", argv[2]);
		fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
			return result(0);
		if (n && send(fd, buf, n, 0) < 0)
			return result(0);
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 10000) <= 0) {
			printf("result=no-answer\n");
			return 1;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		printf(r > 0 ? "result=reply\n" : "result=closed\n");
		return 0;
	}
	fprintf(stderr, "dg_bypass: unknown or incomplete subcommand\n");
	return 64;
}
