// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_dnsq: one DNS query, the way a test needs to see it.
 *
 *   dg_dnsq [--tcp | --connect] [--mapped] [-t A|AAAA] [-T MS] [-n COUNT] SERVER[:PORT] NAME
 *
 * UDP is sent with sendto() on an unconnected socket unless --connect;
 * --mapped talks to an IPv4 server through an AF_INET6 socket (::ffff:a.b.c.d).
 * Prints "from=ADDR:PORT rcode=NAME answers=A,B" where from is the address
 * recvfrom()/getpeername() reported.  Exit 0 on a reply, 2 on timeout, 1 on
 * a socket error (its errno name is printed).  -n asks COUNT times over UDP,
 * one query after the other's reply, as a retrying script would; the last
 * reply is printed, then "replies=N/COUNT".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "util.h"

static const char *rcode_name(int rc)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED" };

	return rc >= 0 && rc < 6 ? names[rc] : "OTHER";
}

struct answers {
	char list[1024];
	size_t len;
};

static int on_rr(void *arg, const struct dg_dns_rr *rr)
{
	struct answers *a = arg;
	char ip[64];

	if (rr->section != DG_DNS_ANSWER || (rr->type != DG_DNS_T_A && rr->type != DG_DNS_T_AAAA))
		return 0;
	a->len += (size_t)snprintf(a->list + a->len, sizeof(a->list) - a->len, "%s%s",
				   a->len ? "," : "", dg_addr16_str(rr->addr, ip, sizeof(ip)));
	if (a->len >= sizeof(a->list))
		a->len = sizeof(a->list) - 1;
	return 0;
}

static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms);
}

static ssize_t read_full(int fd, uint8_t *buf, size_t len, int ms)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (wait_readable(fd, ms) <= 0)
			return -2;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tcp", no_argument, NULL, 'c' },
		{ "connect", no_argument, NULL, 'C' },
		{ "mapped", no_argument, NULL, 'm' },
		{ 0 },
	};
	struct sockaddr_storage ss, from;
	socklen_t sl, fl = sizeof(from);
	uint8_t q[512], buf[65536];
	uint16_t qtype = DG_DNS_T_A, id;
	bool tcp = false, conn = false, mapped = false;
	int timeout = 3000, count = 1, replies = 0, opt, fd;
	struct answers ans = { .len = 0 };
	struct dg_dns_query rq;
	char fromstr[128];
	ssize_t n;
	size_t ql;

	while ((opt = getopt_long(argc, argv, "t:T:n:", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': tcp = true; break;
		case 'C': conn = true; break;
		case 'm': mapped = true; break;
		case 't': qtype = !strcmp(optarg, "AAAA") ? DG_DNS_T_AAAA : DG_DNS_T_A; break;
		case 'T': timeout = (int)strtol(optarg, NULL, 10); break;
		case 'n': count = (int)strtol(optarg, NULL, 10); break;
		default: return 64;
		}
	}
	if (argc - optind != 2 || dg_sockaddr_parse(argv[optind], 53, &ss, &sl) || count < 1 ||
	    (tcp && count > 1)) {
		fprintf(stderr, "usage: dg_dnsq [--tcp|--connect] [--mapped] [-t A|AAAA] [-T MS] "
			"[-n COUNT] SERVER[:PORT] NAME\n");
		return 64;
	}
	if (mapped && ss.ss_family == AF_INET) {
		struct sockaddr_in in4 = *(struct sockaddr_in *)&ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		memset(&ss, 0, sizeof(ss));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = in4.sin_port;
		in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&in6->sin6_addr.s6_addr[12], &in4.sin_addr, 4);
		sl = sizeof(*in6);
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	id = (uint16_t)rand();	// NOLINT(cert-msc30-c,cert-msc50-cpp): a test tool's txid
	ql = dg_dns_build_query(argv[optind + 1], qtype, id, q + 2, sizeof(q) - 2);
	if (!ql) {
		fprintf(stderr, "dg_dnsq: %s: not a name a query can carry\n", argv[optind + 1]);
		return 2;
	}

	fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0) {
		printf("error=%s\n", strerrorname_np(errno));
		return 1;
	}
	if (tcp || conn) {
		if (connect(fd, (struct sockaddr *)&ss, sl)) {
			printf("error=%s\n", strerrorname_np(errno));
			return 1;
		}
	}
	if (tcp) {
		q[0] = (uint8_t)(ql >> 8);
		q[1] = (uint8_t)ql;
		if (write(fd, q, ql + 2) != (ssize_t)(ql + 2)) {
			printf("error=%s\n", strerrorname_np(errno));
			return 1;
		}
		n = read_full(fd, buf, 2, timeout);
		if (n == 2)
			n = read_full(fd, buf, ((size_t)buf[0] << 8) | buf[1], timeout);
		if (n < 0) {
			printf(n == -2 ? "timeout\n" : "error=closed\n");
			return n == -2 ? 2 : 1;
		}
		getpeername(fd, (struct sockaddr *)&from, &fl);
	} else {
		for (int i = 0; i < count; i++) {
			if (i) {
				id = (uint16_t)(id + 1);
				q[2] = (uint8_t)(id >> 8);
				q[3] = (uint8_t)id;
			}
			n = conn ? send(fd, q + 2, ql, 0)
				 : sendto(fd, q + 2, ql, 0, (struct sockaddr *)&ss, sl);
			if (n < 0) {
				printf("error=%s\n", strerrorname_np(errno));
				return 1;
			}
			if (wait_readable(fd, timeout) <= 0) {
				printf("timeout\n");
				return 2;
			}
			fl = sizeof(from);
			n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n < 0) {
				printf("error=%s\n", strerrorname_np(errno));
				return 1;
			}
			replies++;
		}
	}
	if (dg_dns_parse_response(buf, (size_t)n, &rq, on_rr, &ans)) {
		printf("from=%s malformed\n", dg_sockaddr_str((struct sockaddr *)&from, fromstr,
							      sizeof(fromstr)));
		return 1;
	}
	printf("from=%s rcode=%s id=%s answers=%s\n",
	       dg_sockaddr_str((struct sockaddr *)&from, fromstr, sizeof(fromstr)),
	       rcode_name(rq.flags & 0xf), rq.id == id ? "match" : "MISMATCH",
	       ans.len ? ans.list : "-");
	if (count > 1)
		printf("replies=%d/%d\n", replies, count);
	return 0;
}
