/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuzz targets: each is one LLVMFuzzerTestOneInput, built
 * both for libFuzzer (make fuzz) and with replay.c (make check), which runs
 * a corpus through it under ASan and UBSan without libFuzzer.
 */
#ifndef DG_FUZZ_H
#define DG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A finding: print what broke and abort, so both drivers report it. */
#define FUZZ_ASSERT(cond)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
				__FILE__, __LINE__, #cond);			\
			abort();						\
		}								\
	} while (0)

/* two strings that must be equal: both printed when they are not */
#define FUZZ_ASSERT_STREQ(a, b)							\
	do {									\
		if (strcmp((a), (b)) != 0) {					\
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__,	\
				__LINE__, (a), (b));				\
			abort();						\
		}								\
	} while (0)

/* data as a NUL-terminated string (malloc'd); NULL when out of memory */
char *fuzz_strndup(const uint8_t *data, size_t size);
/* data split at NUL bytes into up to max strings, then a NULL: the shape
 * of a PAM argv or sudo's plugin options.  *buf must be freed; the count,
 * or -1 when out of memory. */
int fuzz_split(const uint8_t *data, size_t size, char **buf, char **vec, int max);
/* data into a file of a private scratch directory; returns its path */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

#endif
