// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plain driver: runs every file named on the command line (or every
 * file of every directory named) through LLVMFuzzerTestOneInput once.
 * Built with ASan and UBSan, it turns a corpus into a regression test that
 * needs no libFuzzer; a sanitizer report or a broken invariant aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || (len && fread(buf, 1, (size_t)len, f) != (size_t)len)) {
		perror(path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	(*n)++;
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		struct dirent **ents;
		int k;

		if (stat(argv[i], &st)) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (run_file(argv[i], &n))
				return 1;
			continue;
		}
		k = scandir(argv[i], &ents, NULL, alphasort);
		if (k < 0) {
			perror(argv[i]);
			return 1;
		}
		for (int j = 0; j < k; j++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", argv[i], ents[j]->d_name);
			if (ents[j]->d_name[0] != '.' && !stat(path, &st) && S_ISREG(st.st_mode) &&
			    run_file(path, &n))
				return 1;
			free(ents[j]);
		}
		free(ents);
	}
	printf("%s: %zu inputs, no finding\n", argv[0], n);
	return n ? 0 : 1;	/* an empty corpus proves nothing */
}
