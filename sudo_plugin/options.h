/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin's options: the words after the path on its sudo.conf line,
 *
 *   Plugin deployguard_io deployguard_sudo.so [profile=NAME]
 *          [failmode=closed|open] [debug] [socket=PATH] [config=FILE]
 *
 * Parsed strictly: a typo in sudo.conf must not silently change how
 * commands are guarded, so anything unknown, malformed or repeated is an
 * error and the plugin refuses to open.
 */
#ifndef DG_SUDO_OPTIONS_H
#define DG_SUDO_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

enum dg_failmode {
	DG_FAIL_CLOSED = 0,	/* the default: no guard, no command */
	DG_FAIL_OPEN,		/* run unguarded, warn, record it */
};

struct dg_sudo_opts {
	const char *profile;	/* NULL: the daemon's choice for the user */
	enum dg_failmode failmode;
	bool debug;
	const char *socket;	/* NULL: from config's run_dir, else the default */
	const char *config;	/* NULL: the default file, else the embedded config */
};

/*
 * Parse sudo's plugin_options vector (NULL-terminated; NULL means none).
 * The strings are sudo's and outlive the plugin's use of them, so opts
 * points into them.  Returns 0, or -1 with err describing the first problem.
 */
int dg_sudo_parse_options(char * const options[], struct dg_sudo_opts *opts,
			  char *err, size_t errlen);

#endif
