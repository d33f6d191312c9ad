/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A scratch directory for tests that need real files: a Check fixture. */
#ifndef DG_TEST_TMPDIR_H
#define DG_TEST_TMPDIR_H

extern char unit_tmpdir[64];

/* mkdtemp under /tmp; aborts the test process when that fails */
void unit_tmpdir_setup(void);
/* removes the directory and everything in it */
void unit_tmpdir_teardown(void);

#endif
