// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control protocol as the daemon decodes a request from a client (root,
 * but maybe a confused one): parsed, every field walked and looked up,
 * numbers read with their limits.  A message that parses must re-encode to
 * itself field by field.
 */
#include <string.h>

#include "ctlmsg.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dg_ctlmsg m, again;
	static const char *const keys[] = { "op", "session", "pid", "uid", "status", "signal",
					    "user", "profile", "audit", "exit", "offset" };
	struct dg_ctl_field f;
	size_t pos = 0, n = 0;
	uint64_t v;

	if (dg_ctl_parse(&m, data, size))
		return 0;
	dg_ctl_init(&again);
	while (dg_ctl_next(&m, &pos, &f)) {
		char key[DG_CTL_MAX_KEY + 1];

		FUZZ_ASSERT(f.key && f.val);
		FUZZ_ASSERT(f.keylen > 0 && f.keylen <= DG_CTL_MAX_KEY);
		memcpy(key, f.key, f.keylen);
		key[f.keylen] = '\0';
		FUZZ_ASSERT(dg_ctl_field_is(&f, key));
		FUZZ_ASSERT(dg_ctl_add(&again, key, f.val) == 0);
		FUZZ_ASSERT(++n <= DG_CTL_MAX_FIELDS);
	}
	FUZZ_ASSERT(again.len == m.len && memcmp(again.buf, m.buf, m.len) == 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = dg_ctl_get(&m, keys[i]);

		if (dg_ctl_get_u64(&m, keys[i], 1000, &v) == 0) {
			FUZZ_ASSERT(s != NULL);
			FUZZ_ASSERT(v <= 1000);
		}
		if (dg_ctl_get_u64(&m, keys[i], UINT64_MAX, &v) == 0)
			FUZZ_ASSERT(s != NULL && s[0] >= '0' && s[0] <= '9');
	}
	return 0;
}
