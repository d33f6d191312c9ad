// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "options.h"

#define VALID_OPTIONS "profile=NAME, failmode=closed|open, debug, socket=PATH, config=FILE"

/* The daemon's rule for profile names (deployguard.conf(5)). */
static bool profile_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* key=value with a non-empty key; *val points after the '='. */
static bool split(const char *opt, const char *key, const char **val)
{
	size_t kl = strlen(key);

	if (strncmp(opt, key, kl) || opt[kl] != '=')
		return false;
	*val = opt + kl + 1;
	return true;
}

int dg_sudo_parse_options(char * const options[], struct dg_sudo_opts *opts,
			  char *err, size_t errlen)
{
	bool seen_profile = false, seen_failmode = false, seen_debug = false;
	bool seen_socket = false, seen_config = false;
	struct sockaddr_un sun;
	const char *v;

	memset(opts, 0, sizeof(*opts));
	opts->failmode = DG_FAIL_CLOSED;
	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];
		bool dup;

		if (split(o, "profile", &v)) {
			dup = seen_profile;
			seen_profile = true;
			if (!profile_name_ok(v)) {
				snprintf(err, errlen, "invalid option \"%s\": a profile name is "
					 "1 to 64 letters, digits, '-', '_' or '.'", o);
				return -1;
			}
			opts->profile = v;
		} else if (split(o, "failmode", &v)) {
			dup = seen_failmode;
			seen_failmode = true;
			if (!strcmp(v, "closed")) {
				opts->failmode = DG_FAIL_CLOSED;
			} else if (!strcmp(v, "open")) {
				opts->failmode = DG_FAIL_OPEN;
			} else {
				snprintf(err, errlen, "invalid option \"%s\": failmode is closed "
					 "or open", o);
				return -1;
			}
		} else if (!strcmp(o, "debug")) {
			dup = seen_debug;
			seen_debug = true;
			opts->debug = true;
		} else if (split(o, "socket", &v)) {
			dup = seen_socket;
			seen_socket = true;
			if (v[0] != '/' || strlen(v) >= sizeof(sun.sun_path) || !printable(v)) {
				snprintf(err, errlen, "invalid option \"%s\": socket is an absolute "
					 "path shorter than %zu bytes", o, sizeof(sun.sun_path));
				return -1;
			}
			opts->socket = v;
		} else if (split(o, "config", &v)) {
			dup = seen_config;
			seen_config = true;
			if (v[0] != '/' || !printable(v)) {
				snprintf(err, errlen, "invalid option \"%s\": config is an absolute "
					 "path", o);
				return -1;
			}
			opts->config = v;
		} else {
			if (!strncmp(o, "debug=", 6))
				snprintf(err, errlen, "invalid option \"%s\": debug takes no value", o);
			else
				snprintf(err, errlen, "unknown option \"%s\" (valid: %s)", o,
					 VALID_OPTIONS);
			return -1;
		}
		if (dup) {
			snprintf(err, errlen, "option \"%s\": %.*s is given more than once", o,
				 (int)strcspn(o, "="), o);
			return -1;
		}
	}
	return 0;
}
