// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pam_deployguard.so's arguments from a PAM service file: the input is
 * split at NUL bytes into argv.  Every rejected argument is reported
 * through the callback with a reason, and the count returned says so; a
 * rejected failmode leaves the module failing closed.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "pam_options.h"

static unsigned rejects;

static void on_reject(void *ctx, const char *arg, const char *why)
{
	(void)ctx;
	FUZZ_ASSERT(arg != NULL && why != NULL && why[0]);
	rejects++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[65], *buf;
	const char **argv = (const char **)args;
	struct dgpam_opts o;
	int argc, r;

	if (size > 4096)
		return 0;
	argc = fuzz_split(data, size, &buf, args, 64);
	if (argc < 0)
		return 0;
	memset(&o, 0, sizeof(o));
	rejects = 0;
	r = dgpam_parse_options(&o, argc, argv, on_reject, NULL);
	FUZZ_ASSERT(r >= 0 && (unsigned)r == rejects);
	FUZZ_ASSERT(o.failmode == DGPAM_FAIL_CLOSED || o.failmode == DGPAM_FAIL_OPEN);
	if (o.failmode == DGPAM_FAIL_OPEN) {
		bool asked = false;

		for (int i = 0; i < argc; i++)
			asked |= !strcmp(argv[i], "failmode=open");
		FUZZ_ASSERT(asked);
	}
	FUZZ_ASSERT(o.socket && o.socket[0] == '/');
	if (o.profile)
		FUZZ_ASSERT(o.profile >= buf && o.profile < buf + size + 1);
	free(buf);
	return 0;
}
