// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static unsigned log_targets = DG_LOG_STDERR;
static int log_level = DG_LOG_INFO;
static bool stderr_is_journal;

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG" };
static const int level_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/*
 * systemd sets $JOURNAL_STREAM to the device and inode of the stream it
 * connected to stdout/stderr; when stderr is still that stream, a "<N>"
 * prefix gives each line its syslog priority in the journal, so that
 * `journalctl -u deployguardd -p warning` shows exactly the blocks.
 */
static bool journal_stream(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* a bad value only means "not the journal": it must match fstat exactly */
	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || // NOLINT(cert-err34-c)
	    fstat(STDERR_FILENO, &st))
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void dg_log_init(const char *ident, unsigned targets, int level)
{
	log_targets = targets;
	log_level = level;
	stderr_is_journal = journal_stream();
	if (targets & DG_LOG_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * One write per line is the proxy's biggest cost after the network itself
 * when a deploy hammers a blocked name.  The daemon lets lines collect and
 * flushes them with dg_log_flush() before it next waits for events, so a
 * line is out within the event batch that produced it.
 */
void dg_log_buffer_stderr(void)
{
	static char buf[1 << 16];

	setvbuf(stderr, buf, _IOFBF, sizeof(buf));
}

void dg_log_flush(void)
{
	fflush(stderr);
}

void dg_log_set_level(int level)
{
	log_level = level;
}

int dg_log_level(void)
{
	return log_level;
}

static void emit(int level, const char *msg)
{
	if (level < 0)
		level = 0;
	if (level > DG_LOG_DEBUG)
		level = DG_LOG_DEBUG;
	if ((log_targets & DG_LOG_STDERR) && stderr_is_journal)
		fprintf(stderr, "<%d>%s %s\n", level_prio[level], level_names[level], msg);
	else if (log_targets & DG_LOG_STDERR)
		fprintf(stderr, "%s %s\n", level_names[level], msg);
	if (log_targets & DG_LOG_SYSLOG)
		syslog(level_prio[level], "%s %s", level_names[level], msg);
}

void dg_log(int level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, msg);
}

static bool needs_quotes(const char *v)
{
	if (!*v)
		return true;
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c >= 0x7f)
			return true;
	}
	return false;
}

size_t dg_logfmt_value(char *buf, size_t size, const char *val)
{
	size_t n = 0;

#define PUT(c) do { if (n + 1 < size) buf[n] = (c); n++; } while (0)
	if (!val)
		val = "";
	if (!needs_quotes(val)) {
		for (; *val; val++)
			PUT(*val);
	} else {
		PUT('"');
		for (; *val; val++) {
			unsigned char c = (unsigned char)*val;

			if (c == '"' || c == '\\') {
				PUT('\\');
				PUT((char)c);
			} else if (c < ' ' || c == 0x7f) {
				static const char hex[] = "0123456789abcdef";

				PUT('\\');
				PUT('x');
				PUT(hex[c >> 4]);
				PUT(hex[c & 15]);
			} else {
				PUT((char)c);
			}
		}
		PUT('"');
	}
#undef PUT
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

void lf_init(struct dg_logfmt *l, const char *head)
{
	l->len = 0;
	l->buf[0] = '\0';
	if (head) {
		l->len = strlen(head);
		if (l->len >= sizeof(l->buf))
			l->len = sizeof(l->buf) - 1;
		memcpy(l->buf, head, l->len);
		l->buf[l->len] = '\0';
	}
}

void lf_str(struct dg_logfmt *l, const char *key, const char *val)
{
	size_t room = sizeof(l->buf) - l->len;
	int n;

	if (room <= 1)
		return;
	n = snprintf(l->buf + l->len, room, "%s%s=", l->len ? " " : "", key);
	if (n < 0 || (size_t)n >= room) {
		l->buf[l->len] = '\0';
		return;
	}
	l->len += (size_t)n;
	room -= (size_t)n;
	n = (int)dg_logfmt_value(l->buf + l->len, room, val);
	l->len += (size_t)n < room ? (size_t)n : room - 1;
}

void lf_u64(struct dg_logfmt *l, const char *key, uint64_t val)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)val);
	lf_str(l, key, tmp);
}

void lf_i64(struct dg_logfmt *l, const char *key, int64_t val)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%lld", (long long)val);
	lf_str(l, key, tmp);
}

void dg_log_lf(int level, const struct dg_logfmt *l)
{
	if (level > log_level)
		return;
	emit(level, l->buf);
}
