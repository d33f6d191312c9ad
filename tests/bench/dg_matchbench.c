// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dg_matchbench: the cost of one name lookup against blocklists of
 * different sizes, and the cost of building them.
 *
 *   dg_matchbench SIZE...
 *	for each SIZE: build a set of SIZE names, then time 1,000,000 lookups
 *	of 5-label names (half of them under a listed name, half not);
 *	prints "size=N build_ms=X ns_per_lookup=Y"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain_set.h"

#define LOOKUPS 1000000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	for (int a = 1; a < argc; a++) {
		size_t size = strtoul(argv[a], NULL, 10), hits = 0;
		struct dg_domain_set set;
		char name[128];
		double t0, build, look;

		dg_domain_set_init(&set);
		t0 = now_ns();
		for (size_t i = 0; i < size; i++) {
			int n = snprintf(name, sizeof(name), "host%zu-%zx.example%zu.com", i,
					 i * 2654435761u, i % 97);

			dg_domain_set_add(&set, name, (size_t)n, DG_NAME_BLOCK);
		}
		build = now_ns() - t0;
		t0 = now_ns();
		for (size_t i = 0; i < LOOKUPS; i++) {
			size_t k = (i * 40503u) % (size ? size : 1);

			if (i & 1)
				snprintf(name, sizeof(name), "a.b.host%zu-%zx.example%zu.com", k,
					 k * 2654435761u, k % 97);
			else
				snprintf(name, sizeof(name), "a.b.other%zu.example%zu.net", k, k % 97);
			hits += dg_domain_set_match_str(&set, name, NULL) == DG_NAME_BLOCK;
		}
		look = now_ns() - t0;
		printf("size=%zu build_ms=%.1f ns_per_lookup=%.1f hits=%zu\n", size, build / 1e6,
		       look / LOOKUPS, hits);
		dg_domain_set_free(&set);
	}
	return 0;
}
