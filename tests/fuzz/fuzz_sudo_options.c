// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguard_sudo.so's plugin options from sudo.conf: the input split at
 * NUL bytes into the NULL-terminated vector sudo passes.  Strict: refused
 * with a message naming the option, or accepted with sane values.
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *options[65], err[512], *buf;
	struct dg_sudo_opts o;
	int r;

	if (size > 4096)
		return 0;
	if (fuzz_split(data, size, &buf, options, 64) < 0)
		return 0;
	memset(&o, 0, sizeof(o));
	err[0] = '\0';
	r = dg_sudo_parse_options(size ? options : NULL, &o, err, sizeof(err));
	if (r) {
		FUZZ_ASSERT(r == -1);
		FUZZ_ASSERT(err[0] != '\0' && strlen(err) < sizeof(err));
	} else {
		FUZZ_ASSERT(o.failmode == DG_FAIL_CLOSED || o.failmode == DG_FAIL_OPEN);
		FUZZ_ASSERT(!o.socket || o.socket[0] == '/');
		FUZZ_ASSERT(!o.profile || o.profile[0]);
	}
	free(buf);
	return 0;
}
