/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by the daemon and the CLI. */
#ifndef DG_UTIL_H
#define DG_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define DG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() uses. */
uint64_t dg_now_ns(void);

/* 16-byte addresses, IPv4 in IPv4-mapped form (as in bpf/deployguard.h). */
void dg_addr16_from_v4(uint8_t out[16], uint32_t be_addr);
void dg_addr16_from_sockaddr(uint8_t out[16], const struct sockaddr *sa);
bool dg_addr16_is_v4(const uint8_t a[16]);
/* Text form: dotted quad for IPv4-mapped, RFC 5952 otherwise. */
const char *dg_addr16_str(const uint8_t a[16], char *buf, size_t len);
/* "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53"; port in host order. */
int dg_sockaddr_parse(const char *s, uint16_t default_port, struct sockaddr_storage *ss,
		      socklen_t *len);
const char *dg_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len);
/* "10.0.0.0/8", "fd00::/8", "192.0.2.1": addr16 and prefix on 128 bits. */
int dg_cidr_parse(const char *s, uint8_t addr[16], unsigned *bits128);

/* Read /proc/PID/cmdline with NULs turned into spaces; malloc'd or NULL. */
char *dg_proc_cmdline(pid_t pid);
/* Same transformation for a NUL-separated buffer; malloc'd. */
char *dg_args_to_cmdline(const char *args, size_t len);

/* Whole small file into a malloc'd NUL-terminated buffer; -errno. */
int dg_read_file(const char *path, char **out, size_t *len, size_t max);
/* Write a string to a file (e.g. cgroup knobs); -errno. */
int dg_write_file(const char *path, const char *data);

/* mkdir -p with mode for each created component; -errno. */
int dg_mkdir_p(const char *path, mode_t mode);

/* strtoul for the whole string, with bounds; -EINVAL/-ERANGE. */
int dg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* The pid in a private daemon's cgroup name, "deployguard-run-PID"; 0 if
 * name is not one. */
int dg_private_cgroup_pid(const char *name);

/* snprintf that reports truncation as -ENAMETOOLONG. */
int dg_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
