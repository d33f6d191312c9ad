/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control protocol messages: one SOCK_SEQPACKET message is a list of
 * "key=value" fields, each ending in a NUL.  Keys are [a-z0-9_]{1,32};
 * values are any bytes but NUL.  Keys may repeat (argv, session lists), and
 * order is kept.  Requests carry "op=..."; replies "status=ok|error|...".
 */
#ifndef DG_CTLMSG_H
#define DG_CTLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DG_CTL_MAX_MSG		65536
#define DG_CTL_MAX_KEY		32
#define DG_CTL_MAX_FIELDS	4096

struct dg_ctlmsg {
	char buf[DG_CTL_MAX_MSG];
	size_t len;
	size_t nfields;
	bool overflow;		/* an add did not fit: the message is unusable */
};

struct dg_ctl_field {
	const char *key;
	size_t keylen;
	const char *val;	/* NUL-terminated */
};

void dg_ctl_init(struct dg_ctlmsg *m);
int dg_ctl_add(struct dg_ctlmsg *m, const char *key, const char *val);
int dg_ctl_addf(struct dg_ctlmsg *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int dg_ctl_add_u64(struct dg_ctlmsg *m, const char *key, uint64_t v);

/* Validate untrusted bytes and copy them in (data may be m->buf);
 * 0 or -EBADMSG. */
int dg_ctl_parse(struct dg_ctlmsg *m, const void *data, size_t len);

/* First value of key, or NULL. */
const char *dg_ctl_get(const struct dg_ctlmsg *m, const char *key);
/* Unsigned value of key; -ENOENT, -EINVAL or 0. */
int dg_ctl_get_u64(const struct dg_ctlmsg *m, const char *key, uint64_t max, uint64_t *out);

/* Iterate: *pos starts at 0; returns false at the end. */
bool dg_ctl_next(const struct dg_ctlmsg *m, size_t *pos, struct dg_ctl_field *f);
bool dg_ctl_field_is(const struct dg_ctl_field *f, const char *key);

#endif
