// SPDX-License-Identifier: GPL-2.0-or-later
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

int fuzz_split(const uint8_t *data, size_t size, char **buf, char **vec, int max)
{
	int n = 0;

	*buf = fuzz_strndup(data, size);
	if (!*buf)
		return -1;
	for (size_t i = 0; i < size && n < max; i += strlen(*buf + i) + 1)
		vec[n++] = *buf + i;
	vec[n] = NULL;
	return n;
}

static char scratch[64];

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void scratch_remove(void)
{
	/* only the directory we made, and its few files */
	if (scratch[0] && nftw(scratch, remove_one, 8, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "fuzz: could not remove %s\n", scratch);
}

const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[128];
	FILE *f;

	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/tmp/dg-fuzz-XXXXXX");
		if (!mkdtemp(scratch))
			abort();
		atexit(scratch_remove);
	}
	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
		abort();
	return path;
}
