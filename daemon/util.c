// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

uint64_t dg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void dg_addr16_from_v4(uint8_t out[16], uint32_t be_addr)
{
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	memcpy(out + 12, &be_addr, 4);
}

void dg_addr16_from_sockaddr(uint8_t out[16], const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		dg_addr16_from_v4(out, ((const struct sockaddr_in *)sa)->sin_addr.s_addr);
	else if (sa->sa_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	else
		memset(out, 0, 16);
}

bool dg_addr16_is_v4(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

const char *dg_addr16_str(const uint8_t a[16], char *buf, size_t len)
{
	if (dg_addr16_is_v4(a))
		return inet_ntop(AF_INET, a + 12, buf, (socklen_t)len) ? buf : "?";
	return inet_ntop(AF_INET6, a, buf, (socklen_t)len) ? buf : "?";
}

int dg_sockaddr_parse(const char *s, uint16_t default_port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_str = NULL;
	uint64_t port = default_port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return -EINVAL;
		hl = (size_t)(end - s - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (end[1] == ':')
			port_str = end + 2;
		else if (end[1])
			return -EINVAL;
	} else {
		const char *colon = strchr(s, ':');

		/* exactly one colon: IPv4 with port; more: bare IPv6 */
		if (colon && !strchr(colon + 1, ':')) {
			hl = (size_t)(colon - s);
			port_str = colon + 1;
		} else {
			hl = strlen(s);
		}
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, hl);
		host[hl] = '\0';
	}
	if (port_str && dg_parse_u64(port_str, 1, 65535, &port))
		return -EINVAL;

	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

const char *dg_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

int dg_cidr_parse(const char *s, uint8_t addr[16], unsigned *bits128)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t bits;
	uint8_t v4[4];
	int is_v4;

	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, v4) == 1) {
		uint32_t be;

		memcpy(&be, v4, 4);
		dg_addr16_from_v4(addr, be);
		is_v4 = 1;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		is_v4 = 0;
	} else {
		return -EINVAL;
	}
	if (slash) {
		if (dg_parse_u64(slash + 1, 0, is_v4 ? 32 : 128, &bits))
			return -ERANGE;
	} else {
		bits = is_v4 ? 32 : 128;
	}
	*bits128 = (unsigned)bits + (is_v4 ? 96 : 0);
	/* host bits must be zero: 10.1.0.0/8 is almost always a typo */
	for (unsigned i = *bits128; i < 128; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return -EDOM;
	return 0;
}

char *dg_args_to_cmdline(const char *args, size_t len)
{
	char *out;

	while (len && args[len - 1] == '\0')
		len--;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)(args[i] ? args[i] : ' ');
	out[len] = '\0';
	return out;
}

char *dg_proc_cmdline(pid_t pid)
{
	char path[64], *buf = NULL, *cmd;
	size_t len = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (dg_read_file(path, &buf, &len, 65536) < 0)
		return NULL;
	if (len == 0) {	/* kernel thread or zombie */
		free(buf);
		return NULL;
	}
	cmd = dg_args_to_cmdline(buf, len);
	free(buf);
	return cmd;
}

int dg_read_file(const char *path, char **out, size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *nb;
	struct stat st;
	ssize_t r;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* a regular file says how big it is: one allocation, no copies (proc
	 * and sysfs files say 0 or 4096 and grow the usual way) */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_size ? st.st_mode : 0) &&
	    (size_t)st.st_size < max)
		cap = (size_t)st.st_size + 1;
	for (;;) {
		if (!buf || n + 1 >= cap) {
			if (buf)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			err = -EFBIG;
			break;
		}
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int dg_write_file(const char *path, const char *data)
{
	size_t len = strlen(data);
	ssize_t w;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, data, len);
	if (w < 0)
		err = -errno;
	else if ((size_t)w != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int dg_mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int dg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* a digit first: strtoull would also skip any white space, then
	 * take a sign (found by the control-protocol fuzz target: "\v12") */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int dg_private_cgroup_pid(const char *name)
{
	static const char prefix[] = "deployguard-run-";
	uint64_t v;

	if (strncmp(name, prefix, sizeof(prefix) - 1) ||
	    dg_parse_u64(name + sizeof(prefix) - 1, 1, INT32_MAX, &v))
		return 0;
	return (int)v;
}

int dg_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}
