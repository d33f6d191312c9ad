/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pam_deployguard's module arguments.  The parser knows nothing about PAM:
 * the module reports what it rejects through a callback (pam_syslog), and
 * unit tests and fuzz targets can call it directly.
 */
#ifndef DG_PAM_OPTIONS_H
#define DG_PAM_OPTIONS_H

#include <stdbool.h>

enum dgpam_failmode {
	DGPAM_FAIL_CLOSED,	/* daemon unreachable: refuse the session */
	DGPAM_FAIL_OPEN,	/* daemon unreachable: run unguarded, record it */
};

struct dgpam_opts {
	const char *profile;	/* profile=: overrides the daemon's [users] mapping */
	const char *socket;	/* socket=: the daemon's control socket */
	enum dgpam_failmode failmode;
	bool debug;
};

/* Told about each argument the parser ignores, and why. */
typedef void (*dgpam_reject_fn)(void *ctx, const char *arg, const char *why);

/*
 * Fill *o from the module arguments; the strings point into argv, which
 * PAM keeps for the life of the handle.  An argument that is unknown or has
 * a bad value is reported and ignored, so the default stays in force (for
 * failmode: closed).  Like other PAM modules, a later argument wins over an
 * earlier one.  Returns how many arguments were rejected.
 */
int dgpam_parse_options(struct dgpam_opts *o, int argc, const char **argv,
			dgpam_reject_fn reject, void *ctx);

#endif
