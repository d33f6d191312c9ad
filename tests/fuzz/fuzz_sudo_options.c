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
	char *options[65], err[512];
	struct dg_sudo_opts o;
	char *buf;
	int n = 0, r;

	if (size > 4096)
		return 0;
	buf = fuzz_strndup(data, size);
	if (!buf)
		return 0;
	for (size_t i = 0; i < size && n < 64; i += strlen(buf + i) + 1)
		options[n++] = buf + i;
	options[n] = NULL;
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
