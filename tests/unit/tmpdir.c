// SPDX-License-Identifier: GPL-2.0-or-later
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tmpdir.h"

char unit_tmpdir[64];

void unit_tmpdir_setup(void)
{
	snprintf(unit_tmpdir, sizeof(unit_tmpdir), "/tmp/dg-unit-XXXXXX");
	if (!mkdtemp(unit_tmpdir)) {
		perror("mkdtemp");
		abort();
	}
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

void unit_tmpdir_teardown(void)
{
	if (unit_tmpdir[0])
		nftw(unit_tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	unit_tmpdir[0] = '\0';
}
