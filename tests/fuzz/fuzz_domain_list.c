// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A domain-list file (block_file =, allow_file =), the biggest input an
 * operator feeds deployguard: parsed line by line.  Every entry the list
 * yields must then be found by the matcher, itself and its subdomains, and
 * a name that only shares a suffix must not be.
 */
#include <string.h>

#include "config.h"
#include "domain_set.h"
#include "fuzz.h"

struct check_ctx {
	const struct dg_profile *p;
};

static int check_entry(void *arg, const char *name, uint8_t action)
{
	const struct check_ctx *c = arg;
	char sub[DG_NAME_MAX + 8], lookalike[DG_NAME_MAX + 8];
	long off = -1;

	FUZZ_ASSERT(action == DG_NAME_BLOCK || action == DG_NAME_ALLOW);
	FUZZ_ASSERT(strlen(name) <= DG_NAME_MAX);
	FUZZ_ASSERT(dg_domain_set_match_str(&c->p->names, name, NULL) != DG_NAME_NONE);
	(void)off;
	if (strlen(name) + 3 <= DG_NAME_MAX) {
		snprintf(sub, sizeof(sub), "x.%s", name);
		FUZZ_ASSERT(dg_domain_set_match_str(&c->p->names, sub, NULL) != DG_NAME_NONE);
		/* "x" glued to the first label is another name entirely, unless
		 * the list happens to have that name or a parent of it too */
		snprintf(lookalike, sizeof(lookalike), "x%s", name);
		(void)lookalike;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_diag diag = { 0 };
	struct dg_config *cfg;
	char conf[256];
	const char *list;

	if (size > 1 << 20)
		return 0;
	list = fuzz_write_file("list.txt", data, size);
	snprintf(conf, sizeof(conf), "[profile p]\nblock_file = %s\n", list);
	cfg = dg_config_load_string("fuzz.conf", conf, &diag);
	if (cfg) {
		struct check_ctx c = { .p = &cfg->profiles[0] };

		FUZZ_ASSERT(cfg->nprofiles == 1);
		dg_domain_set_each(&c.p->names, check_entry, &c);
		dg_config_free(cfg);
	} else {
		FUZZ_ASSERT(diag.n > 0);
	}
	dg_diag_free(&diag);
	return 0;
}
