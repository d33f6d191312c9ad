// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_loadgen: the load and the stopwatch for tests/bench.
 *
 *   dg_loadgen sink ADDR PORT
 *	accept connections and close them at once (prints "ready")
 *   dg_loadgen connect-rate ADDR PORT SECONDS
 *	connect + close (RST, so no TIME_WAIT piles up) in a loop;
 *	prints "rate=N" connections a second
 *   dg_loadgen connect-latency ADDR PORT COUNT
 *	COUNT connect() calls, each timed; prints "errno=NAME p50=US p99=US"
 *   dg_loadgen dns-latency SERVER NAMESFILE COUNT
 *	one query at a time (A, names from the file in turn), each timed;
 *	prints "p50=US p99=US timeouts=N"
 *   dg_loadgen cgroup-migrate CGROUP_A CGROUP_B COUNT
 *	moves itself between two cgroups COUNT times, 20 ms apart (as
 *	logins and sudo runs are), each write to cgroup.procs timed;
 *	prints "p50=US p99=US": what the kernel charges any session opener
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "util.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return n ? v[i < n ? i : n - 1] : 0;
}

static int parse(const char *a, const char *port, struct sockaddr_storage *ss, socklen_t *sl)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s%s%s:%s", strchr(a, ':') ? "[" : "", a,
		 strchr(a, ':') ? "]" : "", port);
	if (dg_sockaddr_parse(buf, 53, ss, sl)) {
		fprintf(stderr, "dg_loadgen: bad address %s\n", buf);
		return -1;
	}
	return 0;
}

static int sink(struct sockaddr_storage *ss, socklen_t sl)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, sl) || listen(fd, 4096)) {
		perror("dg_loadgen: sink");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			close(c);
	}
}

static int connect_once(struct sockaddr_storage *ss, socklen_t sl, double *us)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(ss->ss_family, SOCK_STREAM, 0), r, err;
	double t0;

	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	t0 = now_us();
	r = connect(fd, (struct sockaddr *)ss, sl);
	err = r ? errno : 0;
	if (us)
		*us = now_us() - t0;
	close(fd);
	return err;
}

static int connect_rate(struct sockaddr_storage *ss, socklen_t sl, double seconds)
{
	double start = now_us(), end = start + seconds * 1e6;
	unsigned long n = 0, failed = 0;

	while (now_us() < end) {
		if (connect_once(ss, sl, NULL))
			failed++;
		else
			n++;
	}
	printf("rate=%.0f failed=%lu\n", (double)n / ((now_us() - start) / 1e6), failed);
	return 0;
}

static int connect_latency(struct sockaddr_storage *ss, socklen_t sl, size_t count)
{
	double *v = calloc(count, sizeof(*v));
	int err = 0;

	if (!v)
		return 1;
	for (size_t i = 0; i < count; i++)
		err = connect_once(ss, sl, &v[i]);
	qsort(v, count, sizeof(*v), cmp_double);
	printf("errno=%s p50=%.1f p99=%.1f\n", err ? strerrorname_np(err) : "0",
	       pct(v, count, 0.5), pct(v, count, 0.99));
	free(v);
	return 0;
}

static int dns_latency(struct sockaddr_storage *ss, socklen_t sl, const char *file, size_t count)
{
	char **names = NULL, line[300];
	size_t nnames = 0, timeouts = 0, got = 0;
	double *v = calloc(count, sizeof(*v));
	FILE *f = fopen(file, "r");
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);

	if (!f || !v || fd < 0) {
		perror("dg_loadgen: dns-latency");
		free(v);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *sp = strpbrk(line, " \t\n");

		if (sp)
			*sp = '\0';
		if (!line[0])
			continue;
		char **grown = realloc(names, (nnames + 1) * sizeof(*names));

		if (!grown)
			break;
		names = grown;
		names[nnames++] = strdup(line);
	}
	fclose(f);
	if (!nnames || connect(fd, (struct sockaddr *)ss, sl)) {
		fprintf(stderr, "dg_loadgen: dns-latency: %s\n", nnames ? strerror(errno) : "no names");
		free(names);
		free(v);
		return 1;
	}
	for (size_t i = 0; i < count; i++) {
		uint8_t q[300], r[4096];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint16_t id = (uint16_t)(i * 7919 + 1);
		size_t ql = dg_dns_build_query(names[i % nnames], 1 /* A */, id, q, sizeof(q));
		double t0 = now_us();

		if (!ql) {
			fprintf(stderr, "dg_loadgen: %s: not a name a query can carry\n",
				names[i % nnames]);
			free(names);
			free(v);
			return 1;
		}
		if (send(fd, q, ql, 0) < 0) {
			timeouts++;
			continue;
		}
		for (;;) {
			ssize_t n;

			if (poll(&p, 1, 2000) <= 0) {
				timeouts++;
				break;
			}
			n = recv(fd, r, sizeof(r), 0);
			if (n >= 2 && r[0] == (uint8_t)(id >> 8) && r[1] == (uint8_t)id) {
				v[got++] = now_us() - t0;
				break;
			}
		}
	}
	qsort(v, got, sizeof(*v), cmp_double);
	printf("p50=%.1f p99=%.1f timeouts=%zu\n", pct(v, got, 0.5), pct(v, got, 0.99), timeouts);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(v);
	return 0;
}

static int cgroup_migrate(const char *a, const char *b, size_t count)
{
	double *v = calloc(count, sizeof(*v));
	char path[2][4096], pid[32];
	int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

	if (!v || snprintf(path[0], sizeof(path[0]), "%s/cgroup.procs", a) >= (int)sizeof(path[0]) ||
	    snprintf(path[1], sizeof(path[1]), "%s/cgroup.procs", b) >= (int)sizeof(path[1])) {
		free(v);
		return 64;
	}
	for (size_t i = 0; i < count; i++) {
		int fd = open(path[i % 2], O_WRONLY | O_CLOEXEC);
		double t0;

		if (fd < 0) {
			perror(path[i % 2]);
			free(v);
			return 1;
		}
		t0 = now_us();
		if (write(fd, pid, (size_t)n) != n) {
			perror(path[i % 2]);
			free(v);
			return 1;
		}
		v[i] = now_us() - t0;
		close(fd);
		usleep(20000);
	}
	/* end where we started */
	if (count % 2) {
		int fd = open(path[1], O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, pid, (size_t)n) != n) {
			free(v);
			return 1;
		}
		close(fd);
	}
	qsort(v, count, sizeof(*v), cmp_double);
	printf("p50=%.1f p99=%.1f\n", pct(v, count, 0.5), pct(v, count, 0.99));
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (argc < 4)
		goto usage;
	if (strcmp(argv[1], "dns-latency") == 0 && argc == 5)
		return parse(argv[2], "53", &ss, &sl) ? 64 : dns_latency(&ss, sl, argv[3],
									 strtoul(argv[4], NULL, 10));
	if (!strcmp(argv[1], "cgroup-migrate") && argc == 5)
		return cgroup_migrate(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (parse(argv[2], argv[3], &ss, &sl))
		return 64;
	if (!strcmp(argv[1], "sink"))
		return sink(&ss, sl);
	if (!strcmp(argv[1], "connect-rate") && argc == 5)
		return connect_rate(&ss, sl, strtod(argv[4], NULL));
	if (!strcmp(argv[1], "connect-latency") && argc == 5)
		return connect_latency(&ss, sl, strtoul(argv[4], NULL, 10));
usage:
	fprintf(stderr, "usage: see the comment at the top of dg_loadgen.c\n");
	return 64;
}
