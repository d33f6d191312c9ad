// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlmsg.h"

void dg_ctl_init(struct dg_ctlmsg *m)
{
	m->len = 0;
	m->nfields = 0;
	m->overflow = false;
}

static bool key_ok(const char *k, size_t len)
{
	if (len == 0 || len > DG_CTL_MAX_KEY)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

int dg_ctl_add(struct dg_ctlmsg *m, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val ? val : "");

	if (!key_ok(key, kl))
		return -EINVAL;
	if (m->overflow || m->nfields >= DG_CTL_MAX_FIELDS ||
	    m->len + kl + 1 + vl + 1 > sizeof(m->buf)) {
		m->overflow = true;
		return -E2BIG;
	}
	memcpy(m->buf + m->len, key, kl);
	m->buf[m->len + kl] = '=';
	memcpy(m->buf + m->len + kl + 1, val ? val : "", vl);
	m->buf[m->len + kl + 1 + vl] = '\0';
	m->len += kl + vl + 2;
	m->nfields++;
	return 0;
}

int dg_ctl_addf(struct dg_ctlmsg *m, const char *key, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		m->overflow = true;	/* a field is missing: unusable */
		return -E2BIG;
	}
	return dg_ctl_add(m, key, tmp);
}

int dg_ctl_add_u64(struct dg_ctlmsg *m, const char *key, uint64_t v)
{
	return dg_ctl_addf(m, key, "%llu", (unsigned long long)v);
}

int dg_ctl_parse(struct dg_ctlmsg *m, const void *data, size_t len)
{
	const char *p = data;
	size_t pos = 0, n = 0;

	dg_ctl_init(m);
	if (len == 0 || len > sizeof(m->buf) || p[len - 1] != '\0')
		return -EBADMSG;
	while (pos < len) {
		const char *f = p + pos, *eq;
		size_t fl = strlen(f);	/* stops at a NUL: len[-1] is one */

		eq = memchr(f, '=', fl);
		if (!eq || !key_ok(f, (size_t)(eq - f)))
			return -EBADMSG;
		if (++n > DG_CTL_MAX_FIELDS)
			return -EBADMSG;
		pos += fl + 1;
	}
	if (data != m->buf)	/* callers may validate in place */
		memmove(m->buf, data, len);
	m->len = len;
	m->nfields = n;
	return 0;
}

bool dg_ctl_next(const struct dg_ctlmsg *m, size_t *pos, struct dg_ctl_field *f)
{
	const char *s, *eq;

	if (*pos >= m->len)
		return false;
	s = m->buf + *pos;
	eq = strchr(s, '=');
	if (!eq)
		return false;
	f->key = s;
	f->keylen = (size_t)(eq - s);
	f->val = eq + 1;
	*pos += strlen(s) + 1;
	return true;
}

bool dg_ctl_field_is(const struct dg_ctl_field *f, const char *key)
{
	return strlen(key) == f->keylen && !memcmp(f->key, key, f->keylen);
}

const char *dg_ctl_get(const struct dg_ctlmsg *m, const char *key)
{
	struct dg_ctl_field f;
	size_t pos = 0;

	while (dg_ctl_next(m, &pos, &f))
		if (dg_ctl_field_is(&f, key))
			return f.val;
	return NULL;
}

int dg_ctl_get_u64(const struct dg_ctlmsg *m, const char *key, uint64_t max, uint64_t *out)
{
	const char *v = dg_ctl_get(m, key);
	unsigned long long n;
	char *end;

	if (!v)
		return -ENOENT;
	/* a digit first: strtoull would also skip any white space, then take
	 * a sign (found by the fuzz target: "pid=\v1214" was pid 1214) */
	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return -EINVAL;
	*out = n;
	return 0;
}
