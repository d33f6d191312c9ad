/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * deployguard report: the audit trail (libauparse) turned into "every domain
 * and address this deployment contacted, allowed or blocked, how often, and
 * which command did it first", per session.
 */
#ifndef DG_REPORT_H
#define DG_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct cli;

enum dg_report_format {
	DG_REPORT_TEXT,
	DG_REPORT_JSON,
	DG_REPORT_CSV,
};

#define DG_REPORT_MAX_INPUTS 16

struct dg_report_opts {
	const char *inputs[DG_REPORT_MAX_INPUTS + 1];	/* none: the audit logs; "-": stdin */
	size_t ninputs;
	bool have_session;
	uint32_t session;
	const char *user;		/* name or uid: user, run-as user or login uid */
	bool have_since, have_until;
	time_t since, until;
	enum dg_report_format format;
};

/* Writes the report to out, problems to err; returns an exit status. */
int dg_report(const struct dg_report_opts *o, FILE *out, FILE *err);

/*
 * "now", "recent" (10 minutes ago), "today", "yesterday", "@EPOCH",
 * "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (or with a T), local time, or a
 * relative "-30m", "-2h", "-7d".  0 or -EINVAL.
 */
int dg_report_parse_time(const char *s, time_t now, time_t *out);

/* `deployguard report [options]` */
int cmd_report(struct cli *c, int argc, char **argv);

#endif
