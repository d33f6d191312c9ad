/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging: one line per event, "LEVEL WHAT key=value ..." (logfmt). */
#ifndef DG_LOG_H
#define DG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dg_log_level {
	DG_LOG_ERR = 0,
	DG_LOG_WARN = 1,
	DG_LOG_INFO = 2,
	DG_LOG_DEBUG = 3,
};

enum dg_log_target {
	DG_LOG_STDERR = 1 << 0,
	DG_LOG_SYSLOG = 1 << 1,
};

void dg_log_init(const char *ident, unsigned targets, int level);
void dg_log_set_level(int level);
/* Buffer stderr lines until dg_log_flush() (the daemon: once per event batch). */
void dg_log_buffer_stderr(void);
void dg_log_flush(void);
int dg_log_level(void);
void dg_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A logfmt line under construction.  Values are quoted and escaped as
 * needed, so untrusted strings (command lines, DNS names) cannot forge
 * fields or lines. */
struct dg_logfmt {
	char buf[4096];
	size_t len;
};

void lf_init(struct dg_logfmt *l, const char *head);
void lf_str(struct dg_logfmt *l, const char *key, const char *val);
void lf_u64(struct dg_logfmt *l, const char *key, uint64_t val);
void lf_i64(struct dg_logfmt *l, const char *key, int64_t val);
void dg_log_lf(int level, const struct dg_logfmt *l);

/* Append val to buf as a logfmt value (quoted when needed). */
size_t dg_logfmt_value(char *buf, size_t size, const char *val);

#endif
