// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "dgclient.h"
#include "pam_options.h"

/* "name=value": the value when arg starts with name and '=', else NULL */
static const char *value_of(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) || arg[n] != '=')
		return NULL;
	return arg + n + 1;
}

static bool socket_path_ok(const char *path)
{
	return path[0] == '/' && strlen(path) < sizeof(((struct sockaddr_un *)0)->sun_path);
}

int dgpam_parse_options(struct dgpam_opts *o, int argc, const char **argv,
			dgpam_reject_fn reject, void *ctx)
{
	int rejected = 0;

	o->profile = NULL;
	o->socket = DG_DEFAULT_SOCKET;
	o->failmode = DGPAM_FAIL_CLOSED;
	o->debug = false;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *why = NULL, *v;

		if (!arg) {
			continue;
		} else if (!strcmp(arg, "debug")) {
			o->debug = true;
		} else if ((v = value_of(arg, "failmode"))) {
			if (!strcmp(v, "closed"))
				o->failmode = DGPAM_FAIL_CLOSED;
			else if (!strcmp(v, "open"))
				o->failmode = DGPAM_FAIL_OPEN;
			else
				why = "failmode must be closed or open; staying closed";
		} else if ((v = value_of(arg, "profile"))) {
			if (*v)
				o->profile = v;
			else
				why = "empty profile name";
		} else if ((v = value_of(arg, "socket"))) {
			if (socket_path_ok(v))
				o->socket = v;
			else
				why = "socket must be an absolute path shorter than 108 bytes";
		} else {
			why = "unknown option";
		}
		if (why) {
			rejected++;
			if (reject)
				reject(ctx, arg, why);
		}
	}
	return rejected;
}
