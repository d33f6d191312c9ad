// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * deployguard.conf as the daemon, the CLI, PAM and sudo read it: any text
 * loads or is refused with diagnostics, never a crash.  A config that
 * loads must decide names for each of its profiles without surprises.
 */
#include <string.h>

#include "config.h"
#include "domain_set.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "github.com", "a.b.github.com", "evilgithub.com",
					     "example.org.", "", "." };
	struct dg_diag diag = { 0 };
	struct dg_config *cfg;
	char *text;

	if (size > 65536)
		return 0;
	text = fuzz_strndup(data, size);
	if (!text)
		return 0;
	/* list files are read from disk: keep the fuzzer off device files */
	if (strstr(text, "/dev") || strstr(text, "/proc") || strstr(text, "/sys")) {
		free(text);
		return 0;
	}
	cfg = dg_config_load_string("fuzz.conf", text, &diag);
	if (cfg) {
		char summary[256];

		FUZZ_ASSERT(cfg->nprofiles > 0);
		dg_config_summary(cfg, summary, sizeof(summary));
		for (size_t i = 0; i < cfg->nprofiles; i++) {
			const struct dg_profile *p = &cfg->profiles[i];

			FUZZ_ASSERT(dg_config_profile(cfg, p->name) != NULL);
			for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
				long off = -1;
				uint8_t a = dg_profile_decide_str(p, names[k], &off);

				FUZZ_ASSERT(a <= DG_NAME_BLOCK);
			}
		}
		dg_config_free(cfg);
	} else {
		FUZZ_ASSERT(diag.n > 0);	/* a refusal always says why */
	}
	dg_diag_free(&diag);
	free(text);
	return 0;
}
